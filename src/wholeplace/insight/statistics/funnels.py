"""Funnel plots for proportions, with Spiegelhalter's adjustments for overdispersion.

Control limits (Spiegelhalter, "Funnel plots for comparing institutional performance",
*Statistics in Medicine* 24, 2005, 1185-1202; PHE Fingertips technical guidance): for a target
(baseline) proportion p and an area of size n, the limits at two-sided level L are

    p -/+ z sqrt(p (1 - p) / n),   z = the normal quantile at 1 - (1 - L) / 2,

clipped to [0, 1]. PHEindicatormethods (``sigma_adjustment``) writes these limits as the observed
proportion whose Wilson score interval just reaches the baseline; solving that quadratic gives
exactly the expression above, since the Wilson interval inverts the score test. The baseline is
the overall proportion, the sum of the numerators over the sum of the denominators.

Overdispersion (Spiegelhalter 2005, section 6; Spiegelhalter, "Handling over-dispersion of
performance indicators", *Quality and Safety in Health Care* 14, 2005, 347-351): with z-scores
z_i = (y_i - p) / s_i, s_i = sqrt(p (1 - p) / n_i), winsorised at the 10th and 90th percentiles,

* multiplicative: phi = mean(z_i^2); where phi > 1 the limits become p -/+ z sqrt(phi) s_i;
* additive random effects: tau^2 = max(0, (I phi - (I - 1)) / (sum w_i - sum w_i^2 / sum w_i))
  with w_i = 1 / s_i^2 (a DerSimonian-Laird moment estimator); the limits become
  p -/+ z sqrt(s_i^2 + tau^2).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wholeplace.errors import InputError
from wholeplace.insight.statistics.distributions import check_confidence, two_sided_z

DEFAULT_LEVELS = (0.95, 0.998)
#: Fewest areas from which overdispersion is estimated.
MIN_OVERDISPERSION_AREAS = 10
NOT_AVAILABLE = "not available"
NOT_SIGNIFICANT = "Not significant"


@dataclass(frozen=True)
class FunnelLimit:
    level: float
    lower: float
    upper: float


@dataclass(frozen=True)
class FunnelPoint:
    """The funnel's limits at one denominator, scaled by the multiplier (100: percentages)."""

    denominator: float
    baseline: float
    limits: tuple[FunnelLimit, ...]

    def limit(self, level: float) -> FunnelLimit:
        for item in self.limits:
            if math.isclose(item.level, level):
                return item
        raise InputError(f"no funnel limit at level {level}; the levels are "
                         f"{', '.join(str(x.level) for x in self.limits)}.")


@dataclass(frozen=True)
class Overdispersion:
    """Spiegelhalter's overdispersion estimates from winsorised z-scores (None: not estimated)."""

    phi: float | None
    tau2: float | None
    n_areas: int
    winsor: float
    reason: str | None = None

    @property
    def overdispersed(self) -> bool:
        """True when phi > 1: the spread between areas exceeds what chance alone gives."""
        return self.phi is not None and self.phi > 1.0


def _check_baseline(baseline: float) -> float:
    if isinstance(baseline, bool) or not isinstance(baseline, (int, float)) \
            or not 0.0 <= baseline <= 1.0:
        raise InputError(f"the baseline must be a proportion between 0 and 1; got {baseline!r}. "
                         "Divide a percentage by 100.")
    return float(baseline)


def _check_area(numerator: float, denominator: float) -> tuple[float, float]:
    if denominator <= 0:
        raise InputError(f"denominators must be greater than zero; got {denominator!r}. "
                         "Pass None for a missing denominator.")
    if numerator < 0 or numerator > denominator:
        raise InputError(f"a numerator must lie between 0 and its denominator; got "
                         f"{numerator!r} of {denominator!r}.")
    return float(numerator), float(denominator)


def _check_adjustment(phi: float | None, tau2: float | None) -> None:
    if phi is not None and tau2 is not None:
        raise InputError("give phi (multiplicative) or tau2 (additive) overdispersion, not both.")
    if (phi is not None and phi < 0) or (tau2 is not None and tau2 < 0):
        raise InputError("phi and tau2 must not be negative; estimate them with "
                         "estimate_overdispersion.")


def _half_widths(p: float, n: float, levels: Sequence[float], phi: float | None,
                 tau2: float | None) -> list[tuple[float, float]]:
    variance = p * (1.0 - p) / n
    if phi is not None and phi > 1.0:
        variance *= phi
    if tau2 is not None:
        variance += tau2
    return [(level, two_sided_z(level) * math.sqrt(variance)) for level in levels]


def baseline_proportion(numerators: Iterable[float | None],
                        denominators: Iterable[float | None]) -> float | None:
    """Sum of numerators over sum of denominators, over areas that have both (None if none)."""
    pairs = [_check_area(x, n) for x, n in zip(numerators, denominators, strict=True)
             if x is not None and n is not None]
    if not pairs:
        return None
    return sum(x for x, _ in pairs) / sum(n for _, n in pairs)


def funnel_limits(baseline: float, denominators: Iterable[float],
                  levels: Sequence[float] = DEFAULT_LEVELS, multiplier: float = 100, *,
                  phi: float | None = None, tau2: float | None = None) -> list[FunnelPoint]:
    """Funnel control limits around ``baseline`` (a proportion of 1) at each denominator.

    Limits are clipped to [0, 1] and then scaled by ``multiplier``. ``phi`` inflates them by
    sqrt(phi) when phi > 1 (multiplicative overdispersion); ``tau2`` adds a between-area
    variance (additive random effects). See the module docstring for the formulas and sources.
    """
    p = _check_baseline(baseline)
    levels = [check_confidence(level) for level in levels]
    _check_adjustment(phi, tau2)
    points = []
    for n in denominators:
        if n <= 0:
            raise InputError(f"denominators must be greater than zero; got {n!r}.")
        limits = tuple(
            FunnelLimit(level, max(0.0, p - half) * multiplier, min(1.0, p + half) * multiplier)
            for level, half in _half_widths(p, n, levels, phi, tau2))
        points.append(FunnelPoint(float(n), p * multiplier, limits))
    return points


def funnel_significance(numerator: float | None, denominator: float | None, baseline: float,
                        levels: Sequence[float] = DEFAULT_LEVELS, *, phi: float | None = None,
                        tau2: float | None = None) -> str:
    """Where an area's proportion falls against the funnel, as PHE labels it.

    "Low (0.001)" / "High (0.001)" beyond the 99.8% limits, "Low (0.025)" / "High (0.025)"
    beyond the 95% limits only (the one-sided tail probability of each), otherwise
    "Not significant"; "not available" when the numerator or denominator is missing.
    Limits are compared unclipped, as in PHEindicatormethods ``phe_funnel_significance``.
    """
    p = _check_baseline(baseline)
    _check_adjustment(phi, tau2)
    if numerator is None or denominator is None:
        return NOT_AVAILABLE
    x, n = _check_area(numerator, denominator)
    widest_first = sorted((check_confidence(level) for level in levels), reverse=True)
    halves = _half_widths(p, n, widest_first, phi, tau2)
    value = x / n
    for side, beyond in (("Low", lambda h: value < p - h), ("High", lambda h: value > p + h)):
        for level, half in halves:
            if beyond(half):
                return f"{side} ({(1.0 - level) / 2.0:g})"
    return NOT_SIGNIFICANT


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile of sorted values (Hyndman and Fan type 7, R's default)."""
    h = (len(ordered) - 1) * q
    below = math.floor(h)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (h - below) * (ordered[above] - ordered[below])


def estimate_overdispersion(numerators: Iterable[float | None],
                            denominators: Iterable[float | None],
                            baseline: float | None = None,
                            winsor: float = 0.10) -> Overdispersion:
    """Estimate phi (multiplicative) and tau^2 (additive) overdispersion, Spiegelhalter 2005.

    z-scores against the baseline (default: the overall proportion) are winsorised at the
    ``winsor`` and 1 - ``winsor`` quantiles; phi is their mean square and tau^2 the moment
    estimator in the module docstring (never below 0). Areas with a missing numerator or
    denominator are left out; fewer than ten areas give no estimate ("too few areas").
    """
    if not 0.0 <= winsor < 0.5:
        raise InputError(f"winsor must be a fraction from 0 up to 0.5; got {winsor!r}.")
    pairs = [_check_area(x, n) for x, n in zip(numerators, denominators, strict=True)
             if x is not None and n is not None]
    count = len(pairs)
    if count < MIN_OVERDISPERSION_AREAS:
        return Overdispersion(None, None, count, winsor, "too few areas")
    if baseline is None:
        baseline = sum(x for x, _ in pairs) / sum(n for _, n in pairs)
    p = _check_baseline(baseline)
    if p in (0.0, 1.0):
        return Overdispersion(None, None, count, winsor, "baseline is 0 or 1: no variation")
    weights = [n / (p * (1.0 - p)) for _, n in pairs]
    z = [(x / n - p) * math.sqrt(w) for (x, n), w in zip(pairs, weights)]
    ordered = sorted(z)
    low, high = _quantile(ordered, winsor), _quantile(ordered, 1.0 - winsor)
    phi = sum(min(max(v, low), high) ** 2 for v in z) / count
    total = sum(weights)
    tau2 = max(0.0, (count * phi - (count - 1)) / (total - sum(w * w for w in weights) / total))
    return Overdispersion(phi, tau2, count, winsor)


def _digits(value: int) -> int:
    return len(str(abs(int(value))))


def funnel_axis_populations(denominators: Sequence[float], points: int = 100) -> list[float]:
    """The denominators at which PHEindicatormethods ``phe_funnels`` draws its limits.

    From max(1, axis minimum) to the axis maximum in ``points`` near-geometric integer steps
    (each at least one more than the last). The axis maximum is 1.05 times the largest
    denominator rounded up to two significant figures; the minimum is 0 when the largest
    denominator is more than twice the smallest, else 0.95 times the smallest rounded down to
    one significant figure.
    """
    if not denominators or min(denominators) <= 0 or points < 2:
        raise InputError("give at least one positive denominator and at least 2 points.")
    smallest, largest = min(denominators), max(denominators)
    top = largest * 1.05
    scale = 10.0 ** (_digits(math.ceil(top)) - 2)
    axis_max = math.ceil(top / scale) * scale
    if largest > 2 * smallest:
        axis_min = 0.0
    else:
        bottom = smallest * 0.95
        scale = 10.0 ** (_digits(math.floor(bottom)) - 1)
        axis_min = math.floor(bottom / scale) * scale
    populations: list[float] = [max(1, axis_min)]
    for j in range(1, points):
        previous = populations[-1]
        step = round((axis_max / previous) ** (1.0 / (points - j)) * previous)
        populations.append(max(step, previous + 1))
    return populations
