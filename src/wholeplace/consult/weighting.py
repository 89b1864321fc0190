"""Breakdowns of a consultation's responses by area and by age band, unweighted and weighted to
the council's population by age (post-stratification on the hub's ONS mid-year estimates).

The resident's age band (the simulator's optional question) maps to one of the hub's three
population bands, ``population.age_0_17``, ``population.age_18_64`` and
``population.age_65_plus`` (``population.age_85_plus`` is inside 65+, so it is not a band of
its own). "Prefer not to say" and unanswered responses have no weight: they are counted in the
unweighted figures and left out of the weighted ones, and the page says how many.

Weight of population band b = (b's share of the population in the bands that have respondents)
/ (b's share of the respondents who gave an age). A band with no respondents cannot be weighted
up from nothing: its population is left out and named, never imputed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from wholeplace.consult.models import Consultation
from wholeplace.consult.results import ResponseRow, percent, round_fraction

#: The simulator's age bands (the stored value and its label) in order, and the population band
#: of each; "prefer not to say" (offered on paper forms) and a blank answer have none.
AGE_BANDS: tuple[tuple[str, str], ...] = (
    ("under 18", "Under 18"), ("18-24", "18 to 24"), ("25-34", "25 to 34"),
    ("35-44", "35 to 44"), ("45-54", "45 to 54"), ("55-64", "55 to 64"),
    ("65-74", "65 to 74"), ("75 or over", "75 or over"),
    ("prefer not to say", "Prefer not to say"))
POPULATION_BANDS: tuple[tuple[str, str], ...] = (
    ("population.age_0_17", "0 to 17"), ("population.age_18_64", "18 to 64"),
    ("population.age_65_plus", "65 and over"))
BAND_MAP: dict[str, str] = {
    "under 18": "population.age_0_17",
    **{b: "population.age_18_64" for b in ("18-24", "25-34", "35-44", "45-54", "55-64")},
    "65-74": "population.age_65_plus", "75 or over": "population.age_65_plus",
}
NOT_GIVEN = "not_given"


def population_band(age_band: str | None) -> str | None:
    """The hub population band of a resident's answer; None for prefer-not-to-say or none."""
    return BAND_MAP.get(age_band or "")


@dataclass(frozen=True)
class Population:
    """The council's population in each hub band, and the period (``mid-2023``) it is for."""

    period: str
    persons: Mapping[str, int]
    source: str = "ONS mid-year population estimates (hub)"


@dataclass(frozen=True)
class Weight:
    band: str
    label: str
    population: int
    population_share: Fraction | None
    respondents: int
    respondent_share: Fraction | None
    weight: Fraction | None

    def to_dict(self) -> dict[str, Any]:
        def share(x: Fraction | None) -> str | None:
            d = percent(x, 1) if x is not None else None
            return None if d is None else format(d, "f")

        return {"band": self.band, "label": self.label, "population": self.population,
                "population_share_percent": share(self.population_share),
                "respondents": self.respondents,
                "respondent_share_percent": share(self.respondent_share),
                "weight": None if self.weight is None else format(
                    Decimal(self.weight.numerator) / Decimal(self.weight.denominator),
                    ".4f"),
                "age_bands": [code for code, pb in BAND_MAP.items() if pb == self.band]}


@dataclass(frozen=True)
class Weights:
    population: Population | None
    bands: tuple[Weight, ...]
    without_age: int
    unrepresented: tuple[str, ...]

    def of(self, row: ResponseRow) -> Fraction | None:
        band = population_band(row.age_band)
        for w in self.bands:
            if w.band == band:
                return w.weight
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"population_period": self.population.period if self.population else None,
                "population_source": self.population.source if self.population else None,
                "bands": [w.to_dict() for w in self.bands],
                "without_age": self.without_age, "unrepresented": list(self.unrepresented),
                "not_weighted": "prefer not to say and unanswered: counted unweighted, left "
                                "out of the weighted figures"}


def weights(rows: Sequence[ResponseRow], population: Population | None) -> Weights:
    counts = {band: 0 for band, _ in POPULATION_BANDS}
    without = 0
    for r in rows:
        band = population_band(r.age_band)
        if band is None:
            without += 1
        else:
            counts[band] += 1
    known = sum(counts.values())
    if population is None:
        bands = tuple(Weight(b, label, 0, None, counts[b], _share(counts[b], known), None)
                      for b, label in POPULATION_BANDS)
        return Weights(None, bands, without, ())
    covered = sum(population.persons.get(b, 0) for b, _ in POPULATION_BANDS if counts[b])
    out, missing = [], []
    for b, label in POPULATION_BANDS:
        persons = population.persons.get(b, 0)
        if not counts[b]:
            missing.append(b)
            out.append(Weight(b, label, persons, None, 0, _share(0, known), None))
            continue
        pop_share = Fraction(persons, covered)
        resp_share = Fraction(counts[b], known)
        out.append(Weight(b, label, persons, pop_share, counts[b], resp_share,
                          pop_share / resp_share))
    return Weights(population, tuple(out), without, tuple(missing))


def _share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


@dataclass(frozen=True)
class Group:
    """One area or age band: how many responded, and per line the mean change (pence)."""

    key: str
    label: str
    n: int
    mean_change: Mapping[str, int | None]
    tax_rise: int
    above_referendum_limit: int
    weighted_n: int
    weighted_mean_change: Mapping[str, int | None]
    weighted_tax_rise_percent: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "responses": self.n,
                "mean_change_pence": dict(self.mean_change), "tax_rise": self.tax_rise,
                "tax_rise_percent": _text(percent(self.tax_rise, self.n)),
                "above_referendum_limit": self.above_referendum_limit,
                "weighted_responses": self.weighted_n,
                "weighted_mean_change_pence": dict(self.weighted_mean_change),
                "weighted_tax_rise_percent": _text(self.weighted_tax_rise_percent)}


def _text(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def weighted_mean(pairs: Sequence[tuple[Fraction, int]]) -> int | None:
    total = sum((w for w, _ in pairs), Fraction(0))
    if not total:
        return None
    return round_fraction(sum((w * x for w, x in pairs), Fraction(0)) / total)


def _by_band(rows: Sequence[ResponseRow], w: Weights, line_ids: Sequence[str]
             ) -> list[tuple[Fraction, int, list[int], int]]:
    """Per weighted band: (weight, responses, per-line sums of changes, tax rises), so a
    weighted figure is a few exact operations, not one per response."""
    sums: dict[str, tuple[int, list[int], int]] = {}
    for r in rows:
        band = population_band(r.age_band)
        if band is None:
            continue
        n, totals, rises = sums.get(band, (0, [0] * len(line_ids), 0))
        for i, line_id in enumerate(line_ids):
            totals[i] += r.line_change(line_id)
        sums[band] = (n + 1, totals, rises + (r.tax_change_bp() > 0))
    out = []
    for x in w.bands:
        if x.weight is not None and x.band in sums:
            n, totals, rises = sums[x.band]
            out.append((x.weight, n, totals, rises))
    return out


def group(c: Consultation, key: str, label: str, rows: Sequence[ResponseRow],
          w: Weights) -> Group:
    n = len(rows)
    ids = [line.id for line in c.lines]
    bands = _by_band(rows, w, ids)
    total = sum((wt * k for wt, k, _, _ in bands), Fraction(0))
    means: dict[str, int | None] = {}
    weighted: dict[str, int | None] = {}
    for i, line_id in enumerate(ids):
        means[line_id] = round_fraction(Fraction(sum(r.line_change(line_id) for r in rows),
                                                 n)) if n else None
        weighted[line_id] = round_fraction(
            sum((wt * s[i] for wt, _, s, _ in bands), Fraction(0)) / total) if total else None
    rise = sum((wt * k for wt, _, _, k in bands), Fraction(0))
    return Group(key, label, n, means, sum(r.tax_change_bp() > 0 for r in rows),
                 sum(r.above_referendum_limit for r in rows), sum(k for _, k, _, _ in bands),
                 weighted, percent(rise / total, 1) if total else None)


def breakdown(c: Consultation, rows: Sequence[ResponseRow], w: Weights,
              key_of: Callable[[ResponseRow], str], labels: Mapping[str, str],
              order: Sequence[str] = ()) -> list[Group]:
    """One Group per distinct key (in ``order`` first, then alphabetically)."""
    found: dict[str, list[ResponseRow]] = {}
    for r in rows:
        found.setdefault(key_of(r), []).append(r)
    keys = [k for k in order if k in found] + sorted(k for k in found if k not in order)
    return [group(c, k, labels.get(k, k), found[k], w) for k in keys]


def by_age(c: Consultation, rows: Sequence[ResponseRow], w: Weights) -> list[Group]:
    labels = dict(AGE_BANDS) | {NOT_GIVEN: "Not answered"}
    order = [code for code, _ in AGE_BANDS] + [NOT_GIVEN]
    return breakdown(c, rows, w, lambda r: r.age_band or NOT_GIVEN, labels, order)


def by_area(c: Consultation, rows: Sequence[ResponseRow], w: Weights) -> list[Group]:
    return breakdown(c, rows, w, lambda r: r.area or NOT_GIVEN, {NOT_GIVEN: "Not answered"})
