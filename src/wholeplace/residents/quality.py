"""Linkage quality against known truth (the SYNTHETIC generator's, or a benchmark's).

Cluster-level measures count the pairs of records that the clusters put together (every pair
inside a cluster, so a chain of links counts in full), against the pairs the truth puts
together; exact-cluster measures count clusters identical to a true person's records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    f1: float
    exact_precision: float
    exact_recall: float
    true_pairs: int
    found_pairs: int


def _pair_count(groups: Mapping[str, int]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


def evaluate(clusters: Mapping[str, str], truth: Mapping[str, str]) -> Quality:
    """``clusters`` and ``truth`` map each record key to its cluster and true entity."""
    keys = [k for k in clusters if k in truth]
    joint: dict[tuple[str, str], int] = {}
    found: dict[str, int] = {}
    actual: dict[str, int] = {}
    for k in keys:
        c, t = clusters[k], truth[k]
        joint[(c, t)] = joint.get((c, t), 0) + 1
        found[c] = found.get(c, 0) + 1
        actual[t] = actual.get(t, 0) + 1
    both = _pair_count({f"{c}\x00{t}": n for (c, t), n in joint.items()})
    n_found, n_true = _pair_count(found), _pair_count(actual)
    precision = both / n_found if n_found else 1.0
    recall = both / n_true if n_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    exact = sum(1 for (c, t), n in joint.items() if found[c] == n == actual[t])
    return Quality(precision, recall, f1, exact / len(found), exact / len(actual), n_true,
                   n_found)
