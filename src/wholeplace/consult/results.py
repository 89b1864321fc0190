"""What a consultation's responses say, for the officer's dashboard and its exports. Pure: rows in
(plain data shaped like the ``consultation_responses`` and ``consultation_events`` tables),
figures out. Money in whole pence, shares as exact fractions rounded only for display.

- per service line: the distribution of the proposed changes (histogram on the line's step grid,
  minimum, quartiles, median, maximum, mean), not only the mean;
- council tax: the share choosing a rise (core plus adult social care precept), a cut or no
  change, and, counted separately, how many went past the referendum limit;
- the drop-off funnel (opened, started, completed) and the time to complete (median, quartiles).

Breakdowns by area and age band, and figures weighted to the council's population by age, are in
``consult/weighting.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from wholeplace.consult.models import Consultation, ServiceLine
from wholeplace.counciltax.money import hundredths, pence, round_half_away

#: At most this many bars in a line's histogram; wider ranges group several steps per bar.
MAX_BINS = 21
STAGES = ("opened", "started", "completed")
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class ResponseRow:
    """One stored response, as much of it as the results need."""

    reference: str
    channel: str
    choices: Mapping[str, Any]
    above_referendum_limit: bool
    submitted_at: datetime
    started_at: datetime | None = None
    age_band: str | None = None
    area: str | None = None
    comment: str | None = None
    comment_hidden: bool = False
    definition_version: int | None = None
    surge_flag: bool = False

    @cached_property
    def _changes(self) -> dict[str, int]:
        return {str(k): pence(v) for k, v in (self.choices.get("line_changes") or {}).items()}

    @cached_property
    def _tax_bp(self) -> int:
        return (hundredths(self.choices.get("council_tax_change", 0))
                + hundredths(self.choices.get("adult_social_care_change", 0)))

    def line_change(self, line_id: str) -> int:
        """The change this response proposes to a line, in pence (omitted: no change)."""
        return self._changes.get(line_id, 0)

    def tax_change_bp(self) -> int:
        """The council tax change chosen, core plus adult social care precept, in basis points."""
        return self._tax_bp


@dataclass(frozen=True)
class EventRow:
    """One step of the funnel: a visitor opened the simulator, started it, or completed it."""

    stage: str
    visitor_hash: str | None
    at: datetime


def row_of(data: Mapping[str, Any]) -> ResponseRow:
    """A ResponseRow from a mapping with the table's column names (extra columns ignored)."""
    fields = ResponseRow.__dataclass_fields__
    return ResponseRow(**{k: data[k] for k in fields if k in data})


def percent(part: Fraction | int, whole: int, places: int = 1) -> Decimal | None:
    """part / whole as a percentage rounded half away from zero; None when whole is 0."""
    if whole == 0:
        return None
    share = Fraction(part) * 100 / whole
    unit = Fraction(1, 10 ** places)
    steps = (abs(share) / unit + Fraction(1, 2)).__floor__()
    value = Decimal(steps) / (10 ** places)
    signed: Decimal = -value if share < 0 else value
    return signed.quantize(Decimal(1).scaleb(-places))


def round_fraction(x: Fraction) -> int:
    """A fraction rounded to the nearest integer, halves away from zero."""
    magnitude = (abs(x) + Fraction(1, 2)).__floor__()
    return magnitude if x >= 0 else -magnitude


def quantile(ordered: Sequence[int], q: Fraction) -> Fraction:
    """Hyndman and Fan type 7 (as ``insight.statistics.quantile``), exact on integers."""
    h = (len(ordered) - 1) * q
    lo = h.__floor__()
    if lo >= len(ordered) - 1:
        return Fraction(ordered[-1])
    return ordered[lo] + (h - lo) * (ordered[lo + 1] - ordered[lo])


@dataclass(frozen=True)
class Summary:
    """Minimum, quartiles, median, maximum and mean of n values (rounded to whole units)."""

    n: int
    minimum: int | None
    q1: int | None
    median: int | None
    q3: int | None
    maximum: int | None
    mean: int | None

    def to_dict(self) -> dict[str, int | None]:
        return {"n": self.n, "min": self.minimum, "q1": self.q1, "median": self.median,
                "q3": self.q3, "max": self.maximum, "mean": self.mean}


def summary(values: Iterable[int]) -> Summary:
    xs = sorted(values)
    if not xs:
        return Summary(0, None, None, None, None, None, None)
    q = [round_fraction(quantile(xs, Fraction(k, 4))) for k in (1, 2, 3)]
    return Summary(len(xs), xs[0], q[0], q[1], q[2], xs[-1],
                   round_fraction(Fraction(sum(xs), len(xs))))


@dataclass(frozen=True)
class Bin:
    """Responses whose change lies in [low, high] pence (both on the step grid)."""

    low: int
    high: int
    count: int


def bins_for(line: ServiceLine, values: Sequence[int]) -> tuple[list[Bin], int]:
    """The histogram of a line's changes on its step grid, and how many fell outside its range
    (possible only for responses to an earlier version of the consultation)."""
    low, high, step = pence(line.min_change), pence(line.max_change), pence(line.step)
    points = (high - low) // step + 1
    per_bin = -(-points // MAX_BINS)
    width = per_bin * step
    edges = list(range(low, high + 1, width))
    counts = [0] * len(edges)
    outside = 0
    for v in values:
        if not low <= v <= high:
            outside += 1
            continue
        counts[(v - low) // width] += 1
    out = [Bin(e, min(e + width - step, high), n) for e, n in zip(edges, counts, strict=True)]
    return out, outside


@dataclass(frozen=True)
class LineResult:
    id: str
    title: str
    budget_pence: int
    summary: Summary
    bins: tuple[Bin, ...]
    outside: int
    cut: int
    unchanged: int
    increase: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "budget_pence": self.budget_pence,
                "summary_pence": self.summary.to_dict(),
                "histogram": [{"low_pence": b.low, "high_pence": b.high, "count": b.count}
                              for b in self.bins],
                "outside_range": self.outside, "cut": self.cut, "unchanged": self.unchanged,
                "increase": self.increase}


def line_results(c: Consultation, rows: Sequence[ResponseRow]) -> list[LineResult]:
    out = []
    for line in c.lines:
        values = [r.line_change(line.id) for r in rows]
        bins, outside = bins_for(line, values)
        out.append(LineResult(line.id, line.title, pence(line.current_budget), summary(values),
                              tuple(bins), outside, sum(v < 0 for v in values),
                              sum(v == 0 for v in values), sum(v > 0 for v in values)))
    return out


@dataclass(frozen=True)
class TaxResult:
    """Council tax choices: rises, cuts and no change, and past the referendum limit (apart)."""

    n: int
    rise: int
    unchanged: int
    cut: int
    above_referendum_limit: int
    change_bp: Summary

    def to_dict(self) -> dict[str, Any]:
        return {"responses": self.n, "rise": self.rise, "unchanged": self.unchanged,
                "cut": self.cut, "rise_percent": _text(percent(self.rise, self.n)),
                "above_referendum_limit": self.above_referendum_limit,
                "above_referendum_limit_percent": _text(percent(self.above_referendum_limit,
                                                                self.n)),
                "change_basis_points": self.change_bp.to_dict()}


def _text(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def tax_result(rows: Sequence[ResponseRow]) -> TaxResult:
    changes = [r.tax_change_bp() for r in rows]
    return TaxResult(len(rows), sum(x > 0 for x in changes), sum(x == 0 for x in changes),
                     sum(x < 0 for x in changes), sum(r.above_referendum_limit for r in rows),
                     summary(changes))


@dataclass(frozen=True)
class Funnel:
    """Visitors at each stage (distinct by visitor hash; an event without one counts once)."""

    opened: int
    started: int
    completed: int

    def to_dict(self) -> dict[str, Any]:
        return {"opened": self.opened, "started": self.started, "completed": self.completed,
                "started_percent_of_opened": _text(percent(self.started, self.opened)),
                "completed_percent_of_started": _text(percent(self.completed, self.started)),
                "completed_percent_of_opened": _text(percent(self.completed, self.opened))}


def funnel(events: Iterable[EventRow]) -> Funnel:
    seen: dict[str, set[str]] = {s: set() for s in STAGES}
    anonymous = dict.fromkeys(STAGES, 0)
    for e in events:
        if e.stage not in seen:
            continue
        if e.visitor_hash is None:
            anonymous[e.stage] += 1
        else:
            seen[e.stage].add(e.visitor_hash)
    n = {s: len(seen[s]) + anonymous[s] for s in STAGES}
    return Funnel(n["opened"], n["started"], n["completed"])


def completion_seconds(rows: Iterable[ResponseRow]) -> Summary:
    """Time from starting to submitting, in whole seconds, for online responses that say when
    they started (paper responses have no such time)."""
    return summary(round_half_away((r.submitted_at - r.started_at) // MICROSECOND, 1_000_000)
                   for r in rows
                   if r.channel == "online" and r.started_at is not None
                   and r.submitted_at >= r.started_at)


def channels(rows: Iterable[ResponseRow]) -> dict[str, int]:
    out = {"online": 0, "paper": 0}
    for r in rows:
        out[r.channel] = out.get(r.channel, 0) + 1
    return out
