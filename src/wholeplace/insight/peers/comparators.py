"""Nearest councils by context: standardise, weight, measure distance, explain. Pure Python.

The method, for the councils of one kind (see ``comparator_settings.KIND_RULES``):

1. Each council's variables (:func:`council_values`): population and density on a log scale
   (they are heavily skewed: a z-score of the raw values would let a few big cities dominate);
   age shares in percent; IoD2019 scores as published (or derived, see ``context``).
2. Each variable is standardised across the kind's pool (:func:`standardise`): z = (x - mean) /
   standard deviation (population form), computed over the councils that HAVE the value. The
   outliers (Isles of Scilly, City of London) are left out of the pool, so they move no means.
3. The distance between two councils (:func:`pair_distance`) is the weighted Euclidean distance
   of their z-scores, sqrt(sum w_v (z_iv - z_jv)^2 / sum w_v), summed over the variables that
   BOTH councils have. A variable missing for either is left out and the remaining weights are
   renormalised (that is the division by sum w_v); missing is never read as zero. A pair whose
   shared variables carry under half the total weight is not compared at all.
4. Neighbours are ranked by distance, ties by code, the council itself excluded
   (:func:`nearest`), and each comes with the variables that are closest and those that differ
   most (:func:`explain`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from wholeplace.insight.peers.settings import MIN_SHARED_WEIGHT, VARIABLES

Vector = list[float | None]


def council_values(values: dict[str, float | None], area_km2: float | None
                   ) -> dict[str, float | None]:
    """The comparison variables (untransformed) from a council's raw context figures."""
    pop = values.get("pop")
    young, old = values.get("pop_0_17"), values.get("pop_65_plus")
    out: dict[str, float | None] = {
        "population": pop if pop is not None and pop > 0 else None,
        "density": pop / area_km2 if pop and area_km2 else None,
        "share_0_17": 100.0 * young / pop if pop and young is not None else None,
        "share_65_plus": 100.0 * old / pop if pop and old is not None else None,
        "tax_base_per_dwelling": _per(values.get("tax_base"), values.get("dwellings")),
    }
    for name in VARIABLES:
        if name not in out:
            out[name] = values.get(name)
    return out


def _per(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


def transformed(name: str, value: float | None) -> float | None:
    """The value on the scale that is standardised (log for population and density)."""
    if value is None:
        return None
    if VARIABLES[name].log:
        return math.log(value) if value > 0 else None
    return value


@dataclass(frozen=True)
class Scale:
    """Mean and standard deviation of one variable over a pool (``sd`` 0 if all equal)."""

    mean: float
    sd: float
    n: int

    def z(self, x: float | None) -> float | None:
        if x is None:
            return None
        return 0.0 if self.sd == 0 else (x - self.mean) / self.sd


def fit_scales(columns: Sequence[Vector]) -> list[Scale | None]:
    """One :class:`Scale` per column, from its non-missing values (``None`` if it has none)."""
    scales: list[Scale | None] = []
    for col in columns:
        present = [x for x in col if x is not None]
        if not present:
            scales.append(None)
            continue
        mean = sum(present) / len(present)
        sd = math.sqrt(sum((x - mean) ** 2 for x in present) / len(present))
        scales.append(Scale(mean, sd, len(present)))
    return scales


def standardise(rows: Sequence[Vector], scales: Sequence[Scale | None]) -> list[Vector]:
    """z-scores of each row (a council) with the given column scales; missing stays None."""
    return [[None if s is None else s.z(x) for x, s in zip(row, scales)] for row in rows]


def pair_distance(zi: Vector, zj: Vector, weights: Sequence[float],
                  min_shared: float = MIN_SHARED_WEIGHT) -> tuple[float | None, float]:
    """Weighted Euclidean distance over the variables both have, and the weight share used.

    ``weights`` sum to 1. Returns ``(None, share)`` when the shared weight is under
    ``min_shared``.
    """
    total = shared = 0.0
    for a, b, w in zip(zi, zj, weights):
        if a is None or b is None:
            continue
        shared += w
        total += w * (a - b) ** 2
    if shared < min_shared or shared <= 0:
        return None, shared
    return math.sqrt(total / shared), shared


def nearest(subject: int, z: Sequence[Vector], weights: Sequence[float], k: int,
            codes: Sequence[str], pool: Sequence[int] | None = None
            ) -> list[tuple[int, float]]:
    """The ``k`` nearest rows to ``subject`` within ``pool`` (default: every row), nearest first.

    The subject is never its own neighbour; rows that cannot be compared are left out; ties are
    broken by code so the order is stable. Fewer than ``k`` come back if the pool is smaller.
    """
    candidates = range(len(z)) if pool is None else pool
    found = []
    zi = z[subject]
    for j in candidates:
        if j == subject:
            continue
        d, _ = pair_distance(zi, z[j], weights)
        if d is not None:
            found.append((d, codes[j], j))
    found.sort()
    return [(j, d) for d, _, j in found[:k]]


@dataclass(frozen=True)
class Comparison:
    """One variable of a pair: both values (as shown) and the gap in standard deviations."""

    variable: str
    label: str
    subject_value: float
    other_value: float
    subject_text: str
    other_text: str
    z_gap: float
    contribution: float

    def text(self) -> str:
        return f"{self.label} ({self.subject_text} vs {self.other_text})"


@dataclass
class Explanation:
    similar: list[Comparison] = field(default_factory=list)
    different: list[Comparison] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    text: str = ""


def explain(names: Sequence[str], weights: Sequence[float], raw_i: Vector, raw_j: Vector,
            zi: Vector, zj: Vector, n_similar: int = 3, n_different: int = 2,
            min_weight: float = 0.05, max_similar_gap: float = 1.0) -> Explanation:
    """Why two councils are close: the closest variables and those that differ most.

    "Closest" are the variables with the smallest gap in standard deviations among those with at
    least ``min_weight`` of the weight, and only gaps under ``max_similar_gap`` standard
    deviations count as similar; "differ most" are those adding most to the distance.
    Variables missing for either council are listed in ``left_out`` and named in the text.
    """
    comps: list[Comparison] = []
    left_out: list[str] = []
    for name, w, a, b, za, zb in zip(names, weights, raw_i, raw_j, zi, zj):
        if a is None or b is None or za is None or zb is None:
            left_out.append(name)
            continue
        var = VARIABLES[name]
        gap = abs(za - zb)
        comps.append(Comparison(name, var.label, a, b, var.fmt(a), var.fmt(b), gap,
                                w * gap * gap))
    weight = dict(zip(names, weights))
    heavy = [c for c in comps if weight[c.variable] >= min_weight] or comps
    similar = sorted((c for c in heavy if c.z_gap < max_similar_gap),
                     key=lambda c: (c.z_gap, c.variable))[:n_similar]
    taken = {c.variable for c in similar}
    different = [c for c in sorted(comps, key=lambda c: (-c.contribution, c.variable))
                 if c.variable not in taken and c.contribution > 0][:n_different]
    out = Explanation(similar, different, left_out)
    out.text = reason_text(out)
    return out


def reason_text(e: Explanation) -> str:
    parts = []
    if e.similar:
        parts.append("similar " + _join([c.text() for c in e.similar]))
    if e.different:
        parts.append("differs most in " + _join([c.text() for c in e.different]))
    text = "; ".join(parts)
    if e.left_out:
        labels = [VARIABLES[v].label for v in e.left_out]
        text += (f". Left out because missing for one of the two: {_join(labels)} (the other "
                 "variables' weights were renormalised)")
    return (text[:1].upper() + text[1:] + ".") if text else ""


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
