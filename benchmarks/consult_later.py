"""Benchmark of the simulator's later costs. Run: ``python -m benchmarks.consult_later``.

Times, median of ``--runs``, wall and CPU (``time.process_time``): (1) resolving a prevention
model cold (read, check, price, evaluate: once per version of its file) and warm (the cached
profile, what every page asks for); (2) the figures a resident's page shows after a cut
(``web.consult_later.page_view``: the summary, the figure beside each linked line, words and
chart), target < 5 ms; (3) the multi-year cost of the average submission over ``--responses``
(default 10,000) stored responses (``consult.dashboard.later_costs``), target < 500 ms. The
model is the TEST model (tests/fixtures/prevention/simple.yaml, invented numbers, priced by
value so no hub is needed) linked to two lines of the Peterborough example; the responses
are generated for timing only (not data). Results are printed and written to
``benchmarks/results/consult_later.json`` (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from wholeplace.consult import later, load_definition
from wholeplace.consult.dashboard import later_costs
from wholeplace.consult.models import LinePrevention
from wholeplace.consult.results import ResponseRow

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "tests" / "fixtures" / "prevention"
EXAMPLE = ROOT / "examples" / "consult" / "peterborough-demo.yaml"


def timed(func: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds)."""
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        func()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--responses", type=int, default=10_000)
    args = parser.parse_args()
    os.environ[later.MODELS_ENV] = str(MODELS)
    from wholeplace.web.consult_later import page_view

    c = load_definition(EXAMPLE)
    link = LinePrevention(model="test_simple", per_pound=Decimal("0.02"))
    c = c.model_copy(update={"lines": [
        x.model_copy(update={"prevention": link if x.id in ("public_health", "cultural")
                             else None}) for x in c.lines]})

    def cold() -> None:
        later._PROFILES.clear()
        later.resolve("test_simple", None)

    cold_s = timed(cold, args.runs)
    warm_s = timed(lambda: later.profiles(c, lambda: None), args.runs)
    found, _ = later.profiles(c, lambda: None)
    changes = {"public_health": Decimal(-117000), "cultural": Decimal(-49000)}
    page_s = timed(lambda: page_view(c, changes, found, {}, lambda t: t), args.runs)
    rng = random.Random(1)
    now = datetime.now(UTC)
    rows = [ResponseRow(f"R{i}", "online", {"line_changes": {
        "public_health": str(-117000 * rng.randint(0, 10)),
        "cultural": str(-49000 * rng.randint(0, 10))}}, False, now)
        for i in range(args.responses)]
    average_s = timed(lambda: later_costs(c, rows, found), args.runs)
    results = {
        "resolve_cold_ms": round(1000 * cold_s[0], 2), "resolve_cold_cpu_ms":
            round(1000 * cold_s[1], 2),
        "resolve_warm_ms": round(1000 * warm_s[0], 3), "resolve_warm_cpu_ms":
            round(1000 * warm_s[1], 3),
        "page_view_ms": round(1000 * page_s[0], 2), "page_view_cpu_ms":
            round(1000 * page_s[1], 2), "page_view_target_ms": 5,
        f"average_{args.responses}_responses_ms": round(1000 * average_s[0], 1),
        f"average_{args.responses}_responses_cpu_ms": round(1000 * average_s[1], 1),
        "average_target_ms": 500,
        "loadavg": Path("/proc/loadavg").read_text().split()[:3]
        if Path("/proc/loadavg").exists() else None,
    }
    for k, v in results.items():
        print(f"{k}: {v}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "consult_later.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
