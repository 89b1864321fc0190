"""Contextual insight, not league tables: confidence intervals, comparison bands and ranks with
their uncertainty.

Methods follow the Fingertips technical guidance of the UK Health Security Agency (formerly Public
Health England) and its R package PHEindicatormethods, and are tested against that package's
published test data:

* proportions: Wilson score interval (Wilson 1927; Newcombe and Altman 2000);
* counts: Byar's approximation to the Poisson interval (Breslow and Day 1987);
* rates: exact Poisson limits from the chi-square distribution below 10 events, Byar's from 10
  (Armitage and Berry 2002), as PHEindicatormethods ``phe_rate`` does;
* means: Student's t (or normal) interval;
* bands: a value is significantly different from a benchmark when its interval excludes it
  (how a council is set against its comparator group is
  :mod:`wholeplace.insight.comparison.banding`);
* quantiles: Hyndman and Fan (1996) type 7, R's default.

Missing stays missing: a ``None`` input gives an :class:`Estimate` without a value and with a
``reason``; its band is "not available", never a comparison made against zero.

Funnel plots live in :mod:`wholeplace.insight.statistics.funnels` and are re-exported here.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from wholeplace.errors import InputError
from wholeplace.insight.statistics.distributions import (
    check_confidence,
    chi_square_quantile,
    t_quantile,
    two_sided_z,
)
from wholeplace.insight.statistics.funnels import (
    FunnelLimit,
    FunnelPoint,
    Overdispersion,
    baseline_proportion,
    estimate_overdispersion,
    funnel_axis_populations,
    funnel_limits,
    funnel_significance,
)

__all__ = [
    "NOT_AVAILABLE",
    "POLARITIES",
    "Estimate",
    # funnel plots, from wholeplace.insight.statistics.funnels
    "FunnelLimit",
    "FunnelPoint",
    "Overdispersion",
    "RankedArea",
    "baseline_proportion",
    "byars_interval",
    "compare_to_benchmark",
    "estimate_overdispersion",
    "exact_poisson_interval",
    "funnel_axis_populations",
    "funnel_limits",
    "funnel_significance",
    "mean_interval",
    "proportion_interval",
    "quantile",
    "rank_with_uncertainty",
    "rate_interval",
    "wilson_interval",
]

POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
NOT_AVAILABLE = "not available"
BETTER = "significantly better"
WORSE = "significantly worse"
HIGHER = "significantly higher"
LOWER = "significantly lower"
SIMILAR = "similar"

#: Below this many events a rate uses exact Poisson limits, as PHE's ``phe_rate`` does.
EXACT_POISSON_BELOW = 10


@dataclass(frozen=True)
class Estimate:
    """A value with its confidence interval, or the reason there is none.

    ``band`` is None until the estimate is compared (see :meth:`compared_to`); an estimate
    without an interval compares as "not available".
    """

    value: float | None
    lower: float | None
    upper: float | None
    method: str
    confidence: float
    band: str | None = None
    benchmark: float | None = None
    reason: str | None = None

    @property
    def available(self) -> bool:
        return None not in (self.value, self.lower, self.upper)

    def compared_to(self, benchmark: float | None, polarity: str = "neutral") -> Estimate:
        """This estimate with its band against ``benchmark`` filled in."""
        return replace(self, band=compare_to_benchmark(self, benchmark, polarity),
                       benchmark=benchmark)

    def to_dict(self) -> dict:
        return asdict(self)


def _unavailable(method: str, confidence: float, reason: str) -> Estimate:
    return Estimate(None, None, None, method, confidence, reason=reason)


def _check_count(x: float, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x < 0:
        raise InputError(f"{name} must be a number of zero or more; got {x!r}. "
                         "Pass None for a missing value, never a negative or placeholder.")
    return float(x)


def _check_denominator(n: float, name: str = "denominator") -> float:
    n = _check_count(n, name)
    if n == 0:
        raise InputError(f"{name} must be greater than zero; got 0. "
                         "Pass None when there is no denominator.")
    return n


# --- intervals ---------------------------------------------------------------------------------

def wilson_interval(x: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for the proportion x / n (as proportions of 1).

    (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), with z the two-sided normal quantile
    (Wilson 1927; Newcombe and Altman, *Statistics with confidence*, 2000, pp. 46-48; the
    PHEindicatormethods ``wilson_lower``/``wilson_upper``). Non-integer x is allowed.
    """
    x = _check_count(x, "x (the numerator)")
    n = _check_denominator(n, "n (the denominator)")
    if x > n:
        raise InputError(f"the numerator {x:g} is larger than the denominator {n:g}; "
                         "a proportion needs x <= n.")
    z = two_sided_z(confidence)
    centre = 2.0 * x + z * z
    spread = z * math.sqrt(z * z + 4.0 * x * (1.0 - x / n))
    scale = 2.0 * (n + z * z)
    # At x = 0 and x = n the limits are exactly 0 and 1; set them so rounding cannot stray.
    lower = 0.0 if x == 0 else max(0.0, (centre - spread) / scale)
    return lower, 1.0 if x == n else min(1.0, (centre + spread) / scale)


def byars_interval(x: float, confidence: float = 0.95) -> tuple[float | None, float]:
    """Byar's approximation to the Poisson interval for an observed count x.

    lower = x (1 - 1/(9x) - z/(3 sqrt x))^3, upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3
    (Breslow and Day 1987). For very small counts at high confidence the lower formula goes
    negative; like PHEindicatormethods, the lower limit is then not available (None) rather than
    a made-up number: use :func:`exact_poisson_interval` there. For x = 0 the lower limit is 0.
    """
    x = _check_count(x, "x (the count)")
    z = two_sided_z(confidence)
    if x == 0:
        lower: float | None = 0.0
    else:
        lower = x * (1.0 - 1.0 / (9.0 * x) - z / (3.0 * math.sqrt(x))) ** 3
        lower = lower if lower >= 0 else None
    y = x + 1.0
    upper = y * (1.0 - 1.0 / (9.0 * y) + z / (3.0 * math.sqrt(y))) ** 3
    return lower, upper


def exact_poisson_interval(x: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact Poisson interval for a count: chi2(alpha/2, 2x)/2 to chi2(1 - alpha/2, 2x + 2)/2.

    The chi-square/gamma relationship of the Poisson distribution (Armitage and Berry,
    *Statistical methods in medical research*, 4th edn, 2002), as in PHE's ``phe_rate``.
    """
    x = _check_count(x, "x (the count)")
    alpha = 1.0 - check_confidence(confidence)
    lower = chi_square_quantile(alpha / 2.0, 2.0 * x) / 2.0
    return lower, chi_square_quantile(1.0 - alpha / 2.0, 2.0 * x + 2.0) / 2.0


def rate_interval(count: float | None, denominator: float | None, multiplier: float = 100_000,
                  confidence: float = 0.95) -> Estimate:
    """A rate per ``multiplier`` with its interval: exact Poisson below 10 events, else Byar's.

    Follows PHEindicatormethods ``phe_rate``. A missing count or denominator gives an estimate
    with a reason, not a zero.
    """
    check_confidence(confidence)
    if count is None:
        return _unavailable("rate", confidence, "no count")
    if denominator is None:
        return _unavailable("rate", confidence, "no denominator")
    count = _check_count(count, "count")
    denominator = _check_denominator(denominator)
    lower: float | None
    if count < EXACT_POISSON_BELOW:
        lower, upper = exact_poisson_interval(count, confidence)
        method = "exact Poisson"
    else:
        lower, upper = byars_interval(count, confidence)
        method = "Byar's"
    scale = multiplier / denominator
    return Estimate(count * scale, None if lower is None else lower * scale, upper * scale,
                    method, confidence)


def proportion_interval(numerator: float | None, denominator: float | None,
                        multiplier: float = 1, confidence: float = 0.95) -> Estimate:
    """A proportion (times ``multiplier``, e.g. 100 for a percentage) with its Wilson interval."""
    check_confidence(confidence)
    if numerator is None:
        return _unavailable("Wilson", confidence, "no numerator")
    if denominator is None:
        return _unavailable("Wilson", confidence, "no denominator")
    lower, upper = wilson_interval(numerator, denominator, confidence)
    return Estimate(numerator / denominator * multiplier, lower * multiplier, upper * multiplier,
                    "Wilson", confidence)


def mean_interval(values: Iterable[float | None] | None = None, *, mean: float | None = None,
                  sd: float | None = None, n: int | None = None, confidence: float = 0.95,
                  distribution: str = "t") -> Estimate:
    """A mean with its interval: mean -/+ q * sd / sqrt(n).

    q is Student's t quantile with n - 1 degrees of freedom (as PHEindicatormethods ``phe_mean``)
    or, with ``distribution="normal"``, the normal quantile. Give either ``values`` (missing
    values, None, are left out, not counted as zero) or ``mean``, ``sd`` and ``n``.
    """
    check_confidence(confidence)
    if distribution not in ("t", "normal"):
        raise InputError(f"distribution must be 't' or 'normal'; got {distribution!r}.")
    method = "Student's t" if distribution == "t" else "normal"
    if values is not None:
        if mean is not None or sd is not None or n is not None:
            raise InputError("give either values or mean, sd and n, not both.")
        present = [_check_finite(v, "value") for v in values if v is not None]
        if len(present) < 2:
            return _unavailable(method, confidence, "too few values")
        mean, sd, n = statistics.fmean(present), statistics.stdev(present), len(present)
    elif mean is None or sd is None or n is None:
        return _unavailable(method, confidence, "no mean, standard deviation or count")
    else:
        _check_finite(mean, "mean")
        _check_count(sd, "sd (the standard deviation)")
        if _check_count(n, "n (the number of values)") < 2:
            return _unavailable(method, confidence, "too few values")
    if distribution == "t":
        q = t_quantile(1.0 - (1.0 - confidence) / 2.0, n - 1)
    else:
        q = two_sided_z(confidence)
    half = q * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, method, confidence)


def _check_finite(v: float, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise InputError(f"each {name} must be a finite number or None; got {v!r}.")
    return float(v)


# --- bands -------------------------------------------------------------------------------------

def _check_polarity(polarity: str) -> str:
    if polarity not in POLARITIES:
        raise InputError(f"polarity must be one of {', '.join(POLARITIES)}; got {polarity!r}.")
    return polarity


def _limits(interval: Estimate | Sequence[float | None] | None) -> tuple[float | None, ...]:
    if interval is None:
        return None, None
    if isinstance(interval, Estimate):
        return interval.lower, interval.upper
    if len(interval) != 2:
        raise InputError("an interval must be an Estimate or a pair (lower, upper).")
    return tuple(interval)


def compare_to_benchmark(value_interval: Estimate | Sequence[float | None] | None,
                         benchmark: float | None, polarity: str = "neutral") -> str:
    """The band of an interval against a benchmark (Fingertips "compared with benchmark").

    The value is significantly higher (lower) when its whole interval lies above (below) the
    benchmark; an interval that touches or contains it is "similar". By polarity, higher is
    "significantly better" (higher_is_better) or "significantly worse" (lower_is_better); for
    neutral indicators the bands are "significantly higher"/"significantly lower". Without an
    interval or a benchmark the band is "not available".
    """
    _check_polarity(polarity)
    lower, upper = _limits(value_interval)
    if lower is None or upper is None or benchmark is None:
        return NOT_AVAILABLE
    if lower > upper:
        raise InputError(f"the interval's lower limit {lower} is above its upper limit {upper}.")
    if lower > benchmark:
        higher = True
    elif upper < benchmark:
        higher = False
    else:
        return SIMILAR
    if polarity == "neutral":
        return HIGHER if higher else LOWER
    return BETTER if higher == (polarity == "higher_is_better") else WORSE


# --- quantiles ---------------------------------------------------------------------------------

def quantile(values: Iterable[float | None], q: float) -> float | None:
    """The ``q`` quantile (0 <= q <= 1) of the non-missing values: Hyndman and Fan (1996,
    *The American Statistician* 50) type 7, R's default and ``statistics.quantiles(...,
    method="inclusive")``: with the n values sorted, h = (n - 1) q and the quantile is
    x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). None (a missing value, never read
    as zero) is left out; no values give None."""
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 <= q <= 1:
        raise InputError(f"q must be a probability between 0 and 1; got {q!r}.")
    xs = sorted(_check_finite(v, "value") for v in values if v is not None)
    if not xs:
        return None
    h = (len(xs) - 1) * q
    lo = math.floor(h)
    if lo == len(xs) - 1:
        return xs[lo]
    return xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo])


# --- ranks -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RankedArea:
    """An area's rank (1 = best, or highest for neutral indicators) and its plausible range."""

    key: str
    value: float | None
    rank: int | None
    best_rank: int | None
    worst_rank: int | None
    of: int
    label: str


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _bounds(e: Estimate) -> tuple[float, float, float]:
    """(value, lower, upper) of an estimate that has an interval."""
    if e.value is None or e.lower is None or e.upper is None:
        raise ValueError("the estimate has no interval")
    return e.value, e.lower, e.upper


def rank_with_uncertainty(values_with_intervals: Mapping[str, Estimate],
                          polarity: str = "higher_is_better") -> list[RankedArea]:
    """Ranks, only on request, each with the range of ranks its interval allows.

    An area's best plausible rank is one more than the number of areas significantly better than
    it (their whole interval beyond its interval), its worst is the number of areas less the
    number significantly worse: the non-overlap method of Goldstein and Spiegelhalter (1996,
    JRSS A 159) in its simple conservative form. Areas without an interval are not ranked.
    Ties share the best rank (1, 2, 2, 4).
    """
    _check_polarity(polarity)
    sign = -1.0 if polarity == "lower_is_better" else 1.0
    ranked = {k: _bounds(e) for k, e in values_with_intervals.items() if e.available}
    total = len(ranked)
    out = []
    for key, e in values_with_intervals.items():
        if key not in ranked:
            out.append(RankedArea(key, e.value, None, None, None, total, NOT_AVAILABLE))
            continue
        value, lower, upper = ranked[key]
        lo, hi = sorted((sign * lower, sign * upper))
        rank = 1 + sum(sign * v > sign * value for v, _, _ in ranked.values())
        better = sum(min(sign * lw, sign * up) > hi for _, lw, up in ranked.values())
        worse = sum(max(sign * lw, sign * up) < lo for _, lw, up in ranked.values())
        best, worst = better + 1, total - worse
        label = (f"ranked {_ordinal(rank)} of {total} "
                 f"(could be anywhere from {_ordinal(best)} to {_ordinal(worst)})")
        out.append(RankedArea(key, e.value, rank, best, worst, total, label))
    return out
