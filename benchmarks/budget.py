"""Benchmark of the budgeting engines. Run: ``python -m benchmarks.budget``.

Times, median of ``--runs``: (1) a 10-year plan with 5 partners and 3 scenarios (each partner 8
revenue lines with demand tied to population by age band, 3 income lines, council tax with a
cap, savings and a capital line financed by borrowing), computed from a checked plan
(``budget.plan.compute``); target < 200 ms. (2) ``--draws`` (default 100,000) Monte Carlo draws
of a three-outcome prevention model (``budget.prevention.monte_carlo``); target < 1 s. The
figures in both models are generated for timing only (not data). Results are printed and
written to ``benchmarks/results/budget.json`` (not committed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wholeplace.budget.files import parse
from wholeplace.budget.plan import compute
from wholeplace.budget.plan_model import Plan
from wholeplace.budget.prevention import monte_carlo, prepare
from wholeplace.budget.prevention_model import Intervention

ROOT = Path(__file__).resolve().parents[1]
YEARS = 10
BANDS = ("age_0_17", "age_18_64", "age_65_plus", "age_85_plus", "all_ages")


def _partner(i: int) -> dict[str, Any]:
    labels = [f"{2025 + y}-{(2026 + y) % 100:02d}" for y in range(YEARS)]
    return {
        "id": f"p{i}", "name": f"Partner {i} (generated for timing)", "kind": "other",
        "revenue_lines": [{"id": f"l{j}", "name": f"Line {j}", "base": 1000.0 * (j + 1),
                           "pay_share": 0.1 * j, "demand_driver": BANDS[j % len(BANDS)]}
                          for j in range(8)],
        "income_lines": [{"id": f"i{j}", "name": f"Income {j}", "kind": "grant",
                          "base": 5000.0, "growth": {"value": 0.01 * j}} for j in range(3)],
        "council_tax": {"band_d": 1500, "tax_base": 40000, "growth": {"value": 0.0299},
                        "tax_base_growth": {"value": 0.01},
                        "cap": {"limit": 0.0299, "capped": True}},
        "savings": [{"line": "l1", "year": labels[2], "amount": 100}],
        "capital_lines": [{"id": "c", "name": "Capital", "spend": {labels[0]: 2000,
                                                                   labels[3]: 1000},
                           "life": 25, "method": "annuity"}],
        "reserves": {"earmarked": 5000, "unallocated": 3000},
    }


def plan_data() -> dict[str, Any]:
    return {
        "id": "bench", "title": "Benchmark plan (generated figures)", "start_year": 2025,
        "years": YEARS, "illustration": True,
        "assumptions": {"pay_inflation": {"value": 0.03}, "non_pay_inflation": {"value": 0.02},
                        "interest_rate": {"value": 0.05, "as_of": "n/a",
                                          "source": "generated for timing"}},
        "population": {b: [1000.0 + 10 * y for y in range(YEARS + 1)] for b in BANDS},
        "partners": [_partner(i) for i in range(5)],
        "scenarios": [{"id": "baseline", "title": "Baseline"},
                      {"id": "cut", "title": "Cut", "adjustments": [
                          {"partner": "p0", "line": "l0", "amounts": {"2026-27": -100}}]},
                      {"id": "pay", "title": "Pay",
                       "assumptions": {"pay_inflation": {"value": 0.02}}}],
    }


def intervention_data() -> dict[str, Any]:
    def outcome(k: int) -> dict[str, Any]:
        return {"id": f"o{k}", "title": f"Outcome {k}",
                "baseline_rate": {"value": 0.5, "low": 0.3, "high": 0.7,
                                  "distribution": "uniform"},
                "rate_ratio": {"value": 0.8, "low": 0.7, "high": 0.9,
                               "distribution": "lognormal_ci"},
                "lag_years": 1, "decay": {"value": 0.3, "low": 0.1, "high": 0.5,
                                          "distribution": "triangular"},
                "quantity": {"value": 1.0, "low": 0.5, "high": 1.5, "distribution": "uniform"},
                "unit_cost": {"value": 1000.0 * (k + 1), "price_year": "2015-16",
                              "source": "generated for timing"},
                "receivers": [{"partner": "a", "share": 0.5,
                               "cashable": {"value": 0.5, "low": 0.2, "high": 0.8,
                                            "distribution": "uniform"}},
                              {"partner": "b", "share": 0.5}]}

    return {"id": "bench", "title": "Benchmark model (generated figures)", "start_year": 2025,
            "years": YEARS, "price_base": "2015-16", "partners": {"a": "A", "b": "B", "c": "C"},
            "cohort": {"value": 1000, "low": 800, "high": 1200, "distribution": "uniform"},
            "take_up": {"value": 0.5, "low": 0.3, "high": 0.7, "distribution": "uniform"},
            "cost_per_participant": {"value": 300, "low": 200, "high": 400,
                                     "distribution": "triangular"},
            "cost_bearers": [{"partner": "c", "share": 1.0}],
            "outcomes": [outcome(k) for k in range(3)]}


def timed(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--draws", type=int, default=100_000)
    args = parser.parse_args()
    plan = parse(Plan, plan_data(), "bench")
    model = prepare(parse(Intervention, intervention_data(), "bench"))
    results = {
        "plan_10y_5partners_3scenarios_ms": round(1000 * timed(lambda: compute(plan),
                                                               args.runs), 1),
        "plan_target_ms": 200,
        f"monte_carlo_{args.draws}_draws_3_outcomes_s": round(
            timed(lambda: monte_carlo(model, args.draws, 1), args.runs), 3),
        "monte_carlo_target_s": 1.0,
    }
    for k, v in results.items():
        print(f"{k}: {v}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "budget.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
