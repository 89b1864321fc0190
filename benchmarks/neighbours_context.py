"""Would more context variables bring "similar councils" closer to CIPFA's nearest neighbours?
Run: ``python -m benchmarks.neighbours_context --db PATH`` (a hub with the second bundle loaded).

For each candidate variable the second bundle supports, it measures the mean overlap
|ours ∩ cipfa| / |cipfa| with the published CIPFA nearest-neighbour sets (lad2021 universe,
k = 15, CIPFA's kinds: the measure of ``benchmarks.neighbours``), first with the default
variables and weights, then with the candidate added at a few weights (the default weights
scaled down to make room, so the weights still sum to 1). Candidates, read from the hub:

* ``share_85_plus``: % of residents aged 85 and over, ONS mid-2022 (the earliest year with an
  85+ band; 2023 boundaries, so the districts abolished in 2023 have no value);
* ``tax_base_per_dwelling``: council tax base in Band D equivalents per chargeable dwelling,
  2022 tax base (a county: the sums over its districts);
* ``share_band_a_b`` / ``share_band_f_h``: % of dwellings in Bands A-B / F-H, 2022 tax base;
* ``population_growth``: % change in the ONS population, mid-2011 to mid-2021.

A variable is worth adding only if it raises the overall overlap; the figures are written to
``benchmarks/results/neighbours_context.json`` (not committed) and, once measured, into
benchmarks/README.md. The comparison is in-process only: the product's variables are not changed.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import loaded_hub
from wholeplace.hub.store import Store, open_store
from wholeplace.insight.peers import settings as peer_settings
from wholeplace.insight.peers.context import ContextTable, read_context
from wholeplace.insight.peers.groups import all_ours_groups, cipfa_overlap, cipfa_sets

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS_TRIED = (0.05, 0.10, 0.20)
#: Combinations of the candidates that raised the overlap on their own (weights of the added
#: variables; the defaults are scaled down to make room).
COMBINATIONS: tuple[dict[str, float], ...] = (
    {"tax_base_per_dwelling": 0.10, "share_band_f_h": 0.05},
    {"tax_base_per_dwelling": 0.10, "share_85_plus": 0.05},
    {"tax_base_per_dwelling": 0.10, "share_band_f_h": 0.05, "share_85_plus": 0.05},
    {"tax_base_per_dwelling": 0.15, "share_85_plus": 0.05},
    {"tax_base_per_dwelling": 0.15},
)

_VALUES_SQL = """
SELECT area_code, indicator_id, period, value FROM current_observations
WHERE value IS NOT NULL AND list_contains(?, indicator_id) AND list_contains(?, period)"""
INDICATORS = ["population.age_85_plus", "population.all_ages", "ctb.band_d_equivalents",
              "ctb.chargeable_dwellings", "ctb.dwellings.total",
              *(f"ctb.dwellings.band_{b}" for b in "abfgh")]
PERIODS = ["mid-2011", "mid-2021", "mid-2022", "2022"]


def _ratio(a: float | None, b: float | None, scale: float = 1.0) -> float | None:
    return None if a is None or not b else scale * a / b


def candidate_values(store: Store, context: ContextTable) -> dict[str, dict[str, float | None]]:
    """Each candidate variable for each council of ``context`` (None where it cannot be had)."""
    raw: dict[str, dict[tuple[str, str], float]] = {}
    for r in store.rows(_VALUES_SQL, [INDICATORS, PERIODS]):
        raw.setdefault(r["area_code"], {})[(r["indicator_id"], r["period"])] = r["value"]
    districts: dict[str, list[str]] = {}
    for c in context.councils:
        if c.parent_county:
            districts.setdefault(c.parent_county, []).append(c.code)

    def get(code: str, ind: str, period: str) -> float | None:
        own = raw.get(code, {}).get((ind, period))
        if own is not None or code not in districts or not ind.startswith("ctb."):
            return own
        parts = [raw.get(d, {}).get((ind, period)) for d in districts[code]]
        return None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]

    rules: dict[str, Callable[[str], float | None]] = {
        "share_85_plus": lambda c: _ratio(get(c, "population.age_85_plus", "mid-2022"),
                                          get(c, "population.all_ages", "mid-2022"), 100),
        "tax_base_per_dwelling": lambda c: _ratio(get(c, "ctb.band_d_equivalents", "2022"),
                                                  get(c, "ctb.chargeable_dwellings", "2022")),
        "share_band_a_b": lambda c: _ratio(
            _sum(get(c, f"ctb.dwellings.band_{b}", "2022") for b in "ab"),
            get(c, "ctb.dwellings.total", "2022"), 100),
        "share_band_f_h": lambda c: _ratio(
            _sum(get(c, f"ctb.dwellings.band_{b}", "2022") for b in "fgh"),
            get(c, "ctb.dwellings.total", "2022"), 100),
        "population_growth": lambda c: (
            None if (a := get(c, "population.all_ages", "mid-2011")) is None
            or (b := get(c, "population.all_ages", "mid-2021")) is None or not a
            else 100 * (b / a - 1)),
    }
    return {name: {c.code: rule(c.code) for c in context.councils}
            for name, rule in rules.items()}


def _sum(parts) -> float | None:
    values = list(parts)
    return None if any(v is None for v in values) else sum(values)


def overlap(context: ContextTable, sets: dict, weights: dict[str, float]) -> dict:
    context.fitted.clear()
    groups = all_ours_groups(context, {"universe": "lad2021", "kind_rule": "cipfa", "k": 15,
                                       "variables": weights})
    return cipfa_overlap(groups, sets)


def with_candidate(name: str, weight: float) -> dict[str, float]:
    return with_added({name: weight})


def with_added(added: dict[str, float]) -> dict[str, float]:
    room = 1 - sum(added.values())
    base = {k: v * room for k, v in peer_settings.DEFAULT_WEIGHTS.items() if v > 0}
    return base | added


def run(db: Path) -> dict:
    with open_store(db, read_only=True) as store:
        context = read_context(store, "lad2021", 2021)
        sets = cipfa_sets(store)
        extra = candidate_values(store, context)
    for name in extra:  # in-process only: the product's variables are not changed
        peer_settings.VARIABLES[name] = peer_settings.Variable(
            name, name.replace("_", " "), False, lambda x: f"{x:.2f}", name)
    for c in context.councils:
        for name, values in extra.items():
            c.values[name] = values[c.code]
    base = overlap(context, sets, {k: v for k, v in peer_settings.DEFAULT_WEIGHTS.items()
                                   if v > 0})
    out: dict = {"baseline": _summary(base), "candidates": {}}
    for name, values in extra.items():
        have = sum(v is not None for v in values.values())
        tried = {f"{w:.2f}": _summary(overlap(context, sets, with_candidate(name, w)))
                 for w in WEIGHTS_TRIED}
        out["candidates"][name] = {"councils_with_value": have, "of": len(values),
                                   "by_weight": tried}
    out["combinations"] = [{"added": added, **_summary(overlap(context, sets,
                                                                with_added(added)))}
                           for added in COMBINATIONS]
    return out


def _summary(o: dict) -> dict:
    return {"mean_overlap": o["mean_overlap"], "councils": o["councils"],
            "by_kind": {k: round(v["mean_overlap"], 4) for k, v in o["by_kind"].items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a loaded hub (default: build one)")
    args = parser.parse_args()
    with loaded_hub(args.db) as db:
        result = run(db)
    b = result["baseline"]
    print(f"baseline: {b['mean_overlap']:.1%} over {b['councils']} councils {b['by_kind']}")
    for name, c in result["candidates"].items():
        print(f"{name} ({c['councils_with_value']} of {c['of']} councils have a value)")
        for w, o in c["by_weight"].items():
            print(f"    weight {w}: {o['mean_overlap']:.1%}  {o['by_kind']}")
    for c in result["combinations"]:
        print(f"{c['added']}: {c['mean_overlap']:.1%}  {c['by_kind']}")
    path = ROOT / "benchmarks" / "results" / "neighbours_context.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
