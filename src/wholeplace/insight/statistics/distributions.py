"""Distribution functions for the insight statistics: normal, Student's t, gamma and chi-square
cumulative distribution functions and quantiles, from scipy (``scipy.stats`` and
``scipy.special``), behind small functions that check their arguments and say what is wrong.

scipy's functions are the ones R's ``qnorm``, ``qt`` and ``qchisq`` are checked against (they
rest on the Cephes and Boost implementations); tests/unit/test_stats_reference.py keeps every
published reference value this module is tested against.
"""

from __future__ import annotations

from scipy import special, stats

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
    return float(stats.norm.ppf(check_probability(p)))


def normal_cdf(z: float) -> float:
    """P(Z <= z) for a standard normal Z."""
    return float(stats.norm.cdf(z))


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
    return float(stats.gamma.ppf(p, shape))


def chi_square_quantile(p: float, df: float) -> float:
    """The chi-square quantile (R's ``qchisq``); 0 for 0 degrees of freedom, as in R."""
    if df < 0:
        raise InputError(f"degrees of freedom must not be negative; got {df!r}.")
    p = check_probability(p)
    if df == 0:
        return 0.0
    return float(stats.chi2.ppf(p, df))


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
    return float(stats.t.sf(t, _check_df(df)))


def t_density(t: float, df: float) -> float:
    """The density of Student's t at t."""
    return float(stats.t.pdf(t, _check_df(df)))


def t_quantile(p: float, df: float) -> float:
    """The Student's t quantile (R's ``qt``): the t with P(T <= t) = p."""
    p = check_probability(p)
    return float(stats.t.ppf(p, _check_df(df)))
