"""Trend tests for a council's time series: Mann-Kendall with Sen's slope, least-squares slope
with its confidence interval, change since a baseline and "N periods running".

Sources:

* Mann-Kendall: Mann (1945), Kendall (1975), as in Gilbert, *Statistical Methods for
  Environmental Pollution Monitoring* (1987), section 16.4. For n <= 10 values without ties the
  p-value comes from the exact null distribution of S (Gilbert's Table A18): every ordering of n
  distinct values is equally likely under no trend, and an ordering with k inversions has
  S = n(n-1)/2 - 2k, so the distribution of S is that of the inversion counts (the Mahonian
  numbers). Above 10 values, or with ties, the normal approximation with the tie-corrected
  variance and the continuity-corrected z. When no ordering of the values could reach the
  significance level (four distinct values: the smallest two-sided p-value is 2/24 = 0.083) the
  direction is "too few values to detect a trend", never "no significant trend". Sen's slope (Sen
  1968, JASA 63) is the median of the pairwise slopes.
* Least squares: slope b = Sxy / Sxx with standard error sqrt(SSE / (n - 2) / Sxx) and a
  Student's t interval on n - 2 degrees of freedom (any regression text, e.g. Draper and Smith).

Missing values (None) are left out together with their times; they are never read as zero.
"""

from __future__ import annotations

import functools
import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from wholeplace.errors import InputError
from wholeplace.insight.statistics.distributions import (
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
#: No ordering of the values could give p < alpha: the test cannot find a trend, so its silence
#: says nothing.
TOO_FEW_TO_DETECT = "too few values to detect a trend"
#: Fewest points for a Mann-Kendall test.
MIN_MANN_KENDALL_POINTS = 4
#: Most points, without ties, for which the p-value comes from the exact distribution of S.
EXACT_MAX_POINTS = 10
EXACT, NORMAL = "exact", "normal approximation"
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
    if any(b <= a for a, b in itertools.pairwise(ts)):
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
    #: How the p-value was found: "exact" or "normal approximation".
    method: str | None = None
    #: The smallest p-value any ordering of these values could give.
    min_p_value: float | None = None


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


@functools.cache
def inversion_counts(n: int) -> tuple[int, ...]:
    """How many orderings of n distinct values have k inversions, for k = 0 .. n(n-1)/2 (the
    Mahonian numbers). Built one value at a time: the m-th value adds 0 to m - 1 inversions."""
    counts = [1]
    for m in range(2, n + 1):
        grown = [0] * (len(counts) + m - 1)
        for k, c in enumerate(counts):
            for extra in range(m):
                grown[k + extra] += c
        counts = grown
    return tuple(counts)


def exact_upper_tail(s: int, n: int) -> float:
    """P(S >= s) under no trend for n distinct values (Gilbert 1987, Table A18)."""
    counts = inversion_counts(n)
    most = (n * (n - 1) // 2 - s) // 2  # S >= s  <=>  inversions <= (n(n-1)/2 - s) / 2
    if most < 0:
        return 0.0
    return sum(counts[:most + 1]) / math.factorial(n)


def exact_p_value(s: int, n: int) -> float:
    """Two-sided exact p-value of S for n distinct values: 2 P(S >= |s|), 1 for s = 0."""
    return 1.0 if s == 0 else min(1.0, 2.0 * exact_upper_tail(abs(s), n))


def normal_p_value(s: int, variance: float) -> tuple[float, float]:
    """(z, two-sided p) by the normal approximation: z = (S - sign S) / sqrt(Var S)."""
    z = 0.0 if variance == 0 else (s - _sign(s)) / math.sqrt(variance)
    return z, 2.0 * (1.0 - normal_cdf(abs(z)))


def smallest_p_value(values: Sequence[float]) -> float:
    """The smallest two-sided p-value any ordering of ``values`` could give: that of the values
    sorted, S = n(n-1)/2 less the pairs within tied groups."""
    n, sizes = len(values), _group_sizes(values)
    if n <= EXACT_MAX_POINTS and len(sizes) == n:
        return 2.0 / math.factorial(n)
    s_max = n * (n - 1) // 2 - sum(t * (t - 1) // 2 for t in sizes)
    return normal_p_value(s_max, mann_kendall_variance(values))[1]


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

    p is exact for n <= 10 values without ties (:func:`exact_p_value`), else by the normal
    approximation: z = (S - 1)/sqrt(Var S) for S > 0, (S + 1)/sqrt(Var S) for S < 0, else 0;
    p = 2(1 - Phi(|z|)). ``z`` is always the normal statistic. Fewer than four non-missing
    points give a result with reason "too few points"; values that no ordering could make
    significant at ``alpha`` give the direction "too few values to detect a trend" with the
    reason (a flat series has no trend).
    """
    check_probability(alpha, "alpha")
    ts, xs = _present(values, times)
    n = len(xs)
    if n < MIN_MANN_KENDALL_POINTS:
        return MannKendall(n, None, None, None, None, None, NOT_AVAILABLE, "too few points")
    s = mann_kendall_s(xs)
    variance = mann_kendall_variance(xs)
    z, p_value = normal_p_value(s, variance)
    method = NORMAL
    if n <= EXACT_MAX_POINTS and len(set(xs)) == n:
        p_value, method = exact_p_value(s, n), EXACT
    slope = sen_slope(xs, ts)
    floor = smallest_p_value(xs)
    if floor >= alpha and variance > 0:
        return MannKendall(n, s, variance, z, p_value, slope, TOO_FEW_TO_DETECT,
                           f"with {n} values no trend could reach the {100 * alpha:g}% level: "
                           f"the smallest possible two-sided p-value is {floor:.3f}", method, floor)
    return MannKendall(n, s, variance, z, p_value, slope, direction_label(p_value, s, alpha),
                       None, method, floor)


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
    steps = [_sign(b - a) for a, b in itertools.pairwise(tail)]
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
