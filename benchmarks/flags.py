"""Benchmark of the early-warning flags. Run: ``python -m benchmarks.flags``.

Measures, on this machine, the time to compute the flags of EVERY council for one year
(``insight.resilience.flags``: reading the RS observations as published on 31 December of the
year, every indicator, comparator quartiles and bands, ordering), median of ``--runs``, for each
``--year``; and one year of the backtest (``insight.early_warning.backtest``: the assessment and
the outcome read from the latest releases) for 2015.

It builds its own hub in a temporary folder from the published sources (``WHOLEPLACE_SOURCES`` or
``../shared/data``), unless ``--db`` names a loaded hub. Results are printed and written to
``benchmarks/results/flags.json`` (not committed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from benchmarks.common import loaded_hub
from wholeplace.hub.store import open_store
from wholeplace.insight.early_warning.backtest import backtest
from wholeplace.insight.early_warning.resilience import clear_cache, flags

ROOT = Path(__file__).resolve().parents[1]


def timed(func, runs: int) -> tuple[float, object]:
    """Median time of ``func`` computed afresh (the assessment cache is cleared each run)."""
    times, out = [], None
    for _ in range(runs):
        clear_cache()
        t = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def bench(db: Path, years: list[int], runs: int) -> dict:
    results = {}
    with open_store(db, read_only=True) as store:
        for year in years:
            seconds, found = timed(lambda y=year: flags(store, y), runs)
            results[str(year)] = {"median_seconds": round(seconds, 3), "councils": len(found),
                                  "with_higher_risk": sum(c["higher_risk"] > 0 for c in found)}
        seconds, _ = timed(lambda: backtest(store, [2015]), runs)
        results["backtest_2015"] = {"median_seconds": round(seconds, 3)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a loaded hub (default: build one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year", type=int, action="append", help="year(s) (default 2015, 2018)")
    args = parser.parse_args()
    years = args.year or [2015, 2018]
    with loaded_hub(args.db) as db:
        results = bench(db, years, args.runs)
    for name, r in results.items():
        print(f"{name}: {r}")
    out = ROOT / "benchmarks" / "results" / "flags.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
