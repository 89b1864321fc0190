"""Distribution functions for the insight statistics: normal, Student's t, gamma and chi-square
cumulative distribution functions and quantiles, from scipy, behind small functions that check
their arguments and say what is wrong.

They call ``scipy.special``'s ufuncs (``ndtri``, ``ndtr``, ``stdtr``, ``stdtrit``,
``gammainc``, ``gammaincinv``, ``betainc``: the Cephes and Boost implementations behind
``scipy.stats.norm``, ``t``, ``gamma`` and ``chi2``) rather than the ``scipy.stats``
distribution objects, whose argument handling costs about a hundred times more per scalar call
and these functions are called per council and per indicator. tests/unit/test_stats_reference.py
keeps every published reference value this module is tested against.
"""

from __future__ import annotations

import functools
import math

from scipy import special

from wholeplace.errors import InputError


def check_probability(p: float, name: str = "probability") -> float:
    """Return ``p`` as a float if it lies strictly between 0 and 1, else raise InputError."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 < p < 1.0:
        raise InputError(
            f"{name} must be a number strictly between 0 and 1 (such as 0.95 or 0.998); "
            f"got {p!r}. Give a percentage divided by 100.")
    return float(p)


def check_confidence(confidence: float) -> float:
    """Validate a two-sided confidence level such as 0.95 or 0.998."""
    return check_probability(confidence, "confidence")


def normal_quantile(p: float) -> float:
    """The standard normal quantile: the z with P(Z <= z) = p."""
    return float(special.ndtri(check_probability(p)))


def normal_cdf(z: float) -> float:
    """P(Z <= z) for a standard normal Z."""
    return float(special.ndtr(z))


@functools.lru_cache(maxsize=64)
def two_sided_z(confidence: float) -> float:
    """The z for a two-sided interval: 1.959964 for 0.95, 3.090232 for 0.998."""
    confidence = check_confidence(confidence)
    return normal_quantile(confidence + (1.0 - confidence) / 2.0)


def regularised_gamma_p(a: float, x: float) -> float:
    """P(a, x) = gamma(a, x) / Gamma(a), the cdf at x of a gamma distribution of shape a."""
    if a <= 0:
        raise InputError(f"the gamma shape must be positive; got {a!r}.")
    return 0.0 if x <= 0 else float(special.gammainc(a, x))


def gamma_quantile(p: float, shape: float) -> float:
    """The x with P(shape, x) = p: the quantile of a gamma distribution with unit scale."""
    p = check_probability(p)
    if shape <= 0:
        raise InputError(f"the gamma shape must be positive; got {shape!r}.")
    return float(special.gammaincinv(shape, p))


def chi_square_quantile(p: float, df: float) -> float:
    """The chi-square quantile (R's ``qchisq``); 0 for 0 degrees of freedom, as in R."""
    if df < 0:
        raise InputError(f"degrees of freedom must not be negative; got {df!r}.")
    p = check_probability(p)
    if df == 0:
        return 0.0
    return 2.0 * float(special.gammaincinv(df / 2.0, p))


def regularised_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the cdf at x of a beta(a, b) distribution."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    return float(special.betainc(a, b, x))


def _check_df(df: float) -> float:
    if isinstance(df, bool) or not isinstance(df, (int, float)) or not df > 0:
        raise InputError(f"degrees of freedom must be positive; got {df!r}.")
    return float(df)


def t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom."""
    return float(special.stdtr(_check_df(df), -t))


def t_density(t: float, df: float) -> float:
    """The density of Student's t at t."""
    df = _check_df(df)
    log_density = (special.gammaln((df + 1.0) / 2.0) - special.gammaln(df / 2.0)
                   - 0.5 * math.log(df * math.pi) - (df + 1.0) / 2.0 * math.log1p(t * t / df))
    return math.exp(float(log_density))


def t_quantile(p: float, df: float) -> float:
    """The Student's t quantile (R's ``qt``): the t with P(T <= t) = p."""
    p = check_probability(p)
    return float(special.stdtrit(_check_df(df), p))
