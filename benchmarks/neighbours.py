"""Benchmark of comparator groups ("similar councils"). Run: ``python -m benchmarks.neighbours``.

Measures, on this machine:

* the time to read the context matrix of every council from the hub (``read_context``), and the
  time to compute the ``ours`` group of EVERY council from it, with reasons (``all_ours_groups``;
  target < 1 s), median of ``--runs``, in both universes;
* the mean overlap |ours ∩ cipfa| / |cipfa| with the published CIPFA nearest-neighbour sets, over
  every council that has both, in the lad2021 universe (CIPFA's geography), k = 15, overall and
  by kind, beside the overlap a random same-kind group would have on average; for the default
  kind rule (CIPFA's kinds) and for the ``tier`` rule (all single-tier councils together).

It builds its own hub in a temporary folder from the published sources (``WHOLEPLACE_SOURCES`` or
``../shared/data``), unless ``--db`` names a loaded hub. Results are printed and written to
``benchmarks/results/neighbours.json`` (not committed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from benchmarks.common import loaded_hub
from wholeplace.hub.store import open_store
from wholeplace.insight.peers.context import read_context
from wholeplace.insight.peers.groups import all_ours_groups, cipfa_overlap, cipfa_sets

ROOT = Path(__file__).resolve().parents[1]
NEEDED = ["la_register", "lsoa11_lookup", "population_mye", "imd2019_la", "imd2019_la23",
          "imd2019_lsoa", "cipfa_nearest_neighbours", "ctb_2022"]


def timings(store, universe: str, runs: int) -> dict:
    reads, computes, groups = [], [], {}
    for _ in range(runs):
        t0 = time.perf_counter()
        context = read_context(store, universe, 2021)
        t1 = time.perf_counter()
        groups = all_ours_groups(context, {"universe": universe})
        t2 = time.perf_counter()
        reads.append(t1 - t0)
        computes.append(t2 - t1)
    return {"universe": universe, "councils": len(groups),
            "read_seconds_median": statistics.median(reads),
            "compute_all_seconds_median": statistics.median(computes),
            "target_compute_seconds": 1.0}


def overlaps(store) -> dict:
    sets = cipfa_sets(store)
    context = read_context(store, "lad2021", 2021)
    return {rule: cipfa_overlap(all_ours_groups(
        context, {"universe": "lad2021", "kind_rule": rule, "k": 15}), sets)
        for rule in ("cipfa", "tier")}


def run(db: Path, runs: int) -> dict:
    with open_store(db, read_only=True) as store:
        return {"timings": [timings(store, u, runs) for u in ("current", "lad2021")],
                "overlap_lad2021_k15": overlaps(store)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a loaded hub (default: build one)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with loaded_hub(args.db, only=NEEDED) as db:
        result = run(db, args.runs)
    for t in result["timings"]:
        print(f"{t['universe']:8} {t['councils']} councils: read {t['read_seconds_median']:.3f} s,"
              f" all groups {t['compute_all_seconds_median']:.3f} s (target < 1 s)")
    for rule, o in result["overlap_lad2021_k15"].items():
        print(f"kind rule {rule}: mean overlap with CIPFA {o['mean_overlap']:.1%} over "
              f"{o['councils']} councils (random same-kind groups: {o['random_expected']:.1%})")
        for kind, k in o["by_kind"].items():
            print(f"    {kind:22} {k['councils']:4} councils  {k['mean_overlap']:.1%}  "
                  f"(random {k['random_expected']:.1%})")
    out = ROOT / "benchmarks" / "results" / "neighbours.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
