"""Trend tests for a council's time series: Mann-Kendall with Sen's slope, least-squares slope
with its confidence interval, change since a baseline and "N periods running".

Sources:

* Mann-Kendall: Mann (1945), Kendall (1975); S, its variance with the tie correction and the
  continuity-corrected z as in Gilbert, *Statistical Methods for Environmental Pollution
  Monitoring* (1987), section 16.4; Sen's slope (Sen 1968, JASA 63) is the median of the pairwise
  slopes.
* Least squares: slope b = Sxy / Sxx with standard error sqrt(SSE / (n - 2) / Sxx) and a
  Student's t interval on n - 2 degrees of freedom (any regression text, e.g. Draper and Smith).

Missing values (None) are left out together with their times; they are never read as zero.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from wholeplace.errors import InputError
from wholeplace.insight.distributions import (
    check_confidence,
    check_probability,
    normal_cdf,
    t_quantile,
    t_upper_tail,
)

INCREASING = "increasing"
DECREASING = "decreasing"
NO_TREND = "no significant trend"
NOT_AVAILABLE = "not available"
#: Fewest points for a Mann-Kendall test.
MIN_MANN_KENDALL_POINTS = 4
#: Fewest points for a least-squares slope with an interval.
MIN_REGRESSION_POINTS = 3

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten")


def _present(values: Sequence[float | None],
             times: Sequence[float] | None) -> tuple[list[float], list[float]]:
    """The non-missing values with their times (default: positions 0, 1, 2, ...)."""
    if times is None:
        times = range(len(values))
    elif len(times) != len(values):
        raise InputError(f"got {len(values)} values but {len(times)} times; give one time "
                         "per value.")
    pairs = [(float(t), float(v)) for t, v in zip(times, values) if v is not None]
    ts = [t for t, _ in pairs]
    if any(b <= a for a, b in zip(ts, ts[1:])):
        raise InputError("times must be strictly increasing; sort the series by period first.")
    if any(not math.isfinite(v) for _, v in pairs):
        raise InputError("values must be finite numbers or None for missing.")
    return ts, [v for _, v in pairs]


def direction_label(p_value: float | None, slope: float | None, alpha: float = 0.05) -> str:
    """"increasing"/"decreasing" when p < alpha, else "no significant trend"."""
    check_probability(alpha, "alpha")
    if p_value is None or slope is None:
        return NOT_AVAILABLE
    if p_value >= alpha or slope == 0:
        return NO_TREND
    return INCREASING if slope > 0 else DECREASING


@dataclass(frozen=True)
class MannKendall:
    n: int
    s: int | None
    variance: float | None
    z: float | None
    p_value: float | None
    sen_slope: float | None
    direction: str
    reason: str | None = None


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def mann_kendall_s(values: Sequence[float]) -> int:
    """S = the sum over all pairs i < j of sign(x_j - x_i)."""
    return sum(_sign(values[j] - values[i])
               for i in range(len(values)) for j in range(i + 1, len(values)))


def mann_kendall_variance(values: Sequence[float]) -> float:
    """Var(S) = [n(n-1)(2n+5) - sum over tied groups of t(t-1)(2t+5)] / 18."""
    n = len(values)
    ties = [t for t in _group_sizes(values) if t > 1]
    return (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18.0


def _group_sizes(values: Sequence[float]) -> list[int]:
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return list(counts.values())


def sen_slope(values: Sequence[float], times: Sequence[float]) -> float:
    """Sen's slope: the median of (x_j - x_i) / (t_j - t_i) over all pairs i < j."""
    slopes = [(values[j] - values[i]) / (times[j] - times[i])
              for i in range(len(values)) for j in range(i + 1, len(values))]
    if not slopes:
        raise InputError("Sen's slope needs at least two points.")
    return statistics.median(slopes)


def mann_kendall(values: Sequence[float | None], times: Sequence[float] | None = None,
                 alpha: float = 0.05) -> MannKendall:
    """Mann-Kendall test for a monotonic trend, two-sided, with Sen's slope.

    z = (S - 1)/sqrt(Var S) for S > 0, (S + 1)/sqrt(Var S) for S < 0, else 0; p = 2(1 - Phi(|z|)).
    Fewer than four non-missing points give a result with reason "too few points".
    """
    check_probability(alpha, "alpha")
    ts, xs = _present(values, times)
    n = len(xs)
    if n < MIN_MANN_KENDALL_POINTS:
        return MannKendall(n, None, None, None, None, None, NOT_AVAILABLE, "too few points")
    s = mann_kendall_s(xs)
    variance = mann_kendall_variance(xs)
    if variance == 0:  # every value the same
        z = 0.0
    else:
        z = (s - _sign(s)) / math.sqrt(variance)
    p_value = 2.0 * (1.0 - normal_cdf(abs(z)))
    slope = sen_slope(xs, ts)
    return MannKendall(n, s, variance, z, p_value, slope,
                       direction_label(p_value, s, alpha))


@dataclass(frozen=True)
class LinearTrend:
    n: int
    slope: float | None
    intercept: float | None
    standard_error: float | None
    lower: float | None
    upper: float | None
    confidence: float
    p_value: float | None
    direction: str
    reason: str | None = None


def linear_trend(values: Sequence[float | None], times: Sequence[float] | None = None,
                 confidence: float = 0.95) -> LinearTrend:
    """Ordinary least-squares slope per unit of time, with a t interval on n - 2 df.

    The direction is "increasing"/"decreasing" when the interval excludes 0 (p < 1 -
    confidence). Fewer than three points give a result with reason "too few points".
    """
    confidence = check_confidence(confidence)
    ts, xs = _present(values, times)
    n = len(xs)
    if n < MIN_REGRESSION_POINTS:
        return LinearTrend(n, None, None, None, None, None, confidence, None, NOT_AVAILABLE,
                           "too few points")
    t_mean, x_mean = statistics.fmean(ts), statistics.fmean(xs)
    sxx = sum((t - t_mean) ** 2 for t in ts)
    sxy = sum((t - t_mean) * (x - x_mean) for t, x in zip(ts, xs))
    slope = sxy / sxx
    intercept = x_mean - slope * t_mean
    sse = sum((x - intercept - slope * t) ** 2 for t, x in zip(ts, xs))
    se = math.sqrt(sse / (n - 2) / sxx)
    half = t_quantile(1.0 - (1.0 - confidence) / 2.0, n - 2) * se
    if se > 0:
        p_value = 2.0 * t_upper_tail(abs(slope) / se, n - 2)
    else:
        p_value = 0.0 if slope != 0 else 1.0
    return LinearTrend(n, slope, intercept, se, slope - half, slope + half, confidence, p_value,
                       direction_label(p_value, slope, 1.0 - confidence))


@dataclass(frozen=True)
class Change:
    baseline: float | None
    latest: float | None
    absolute: float | None
    percent: float | None
    reason: str | None = None


def change_since(baseline: float | None, latest: float | None) -> Change:
    """Change from a baseline value to the latest: absolute, and percent of the baseline.

    A missing value gives no change ("no baseline value"/"no latest value"); a zero baseline
    gives the absolute change but no percentage.
    """
    if baseline is None:
        return Change(baseline, latest, None, None, "no baseline value")
    if latest is None:
        return Change(baseline, latest, None, None, "no latest value")
    absolute = latest - baseline
    if baseline == 0:
        return Change(baseline, latest, absolute, None, "baseline is zero: no percentage change")
    return Change(baseline, latest, absolute, 100.0 * absolute / abs(baseline))


@dataclass(frozen=True)
class Run:
    direction: str  # "up", "down", "unchanged" or "not available"
    periods: int
    label: str


def periods_running(values: Sequence[float | None], unit: str = "year") -> Run:
    """How many periods running the latest value has moved the same way ("down three years
    running"). A missing value breaks the run: only an unbroken stretch at the end counts."""
    tail: list[float] = []
    for v in reversed(values):
        if v is None:
            break
        tail.append(v)
    tail.reverse()
    if len(tail) < 2:
        return Run(NOT_AVAILABLE, 0, NOT_AVAILABLE)
    steps = [_sign(b - a) for a, b in zip(tail, tail[1:])]
    last = steps[-1]
    count = 0
    for step in reversed(steps):
        if step != last:
            break
        count += 1
    direction = {1: "up", -1: "down", 0: "unchanged"}[last]
    words = _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else str(count)
    if count == 1:
        label = f"{direction} on the previous {unit}"
    else:
        label = f"{direction} {words} {unit}s running"
    return Run(direction, count, label)
