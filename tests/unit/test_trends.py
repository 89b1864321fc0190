"""Trend tests against worked examples: Mann-Kendall S and variance by hand, Sen's slope, and the
least-squares slope against Anscombe's (1973) published regression statistics."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wholeplace.errors import InputError
from wholeplace.insight.trends import (
    change_since,
    linear_trend,
    mann_kendall,
    mann_kendall_s,
    mann_kendall_variance,
    periods_running,
    sen_slope,
)


def test_mann_kendall_small_series_by_hand():
    # 1, 3, 2, 5. Pairs (i < j): 1<3 +, 1<2 +, 1<5 +, 3>2 -, 3<5 +, 2<5 +  ->  S = 5 - 1 = 4.
    # Var S = n(n-1)(2n+5)/18 = 4*3*13/18 = 26/3 (no ties). z = (S - 1)/sqrt(Var) = 3/sqrt(26/3).
    # Pairwise slopes 2, 1/2, 4/3, -1, 1, 3: median (1 + 4/3)/2 = 7/6.
    result = mann_kendall([1, 3, 2, 5])
    assert result.s == 4
    assert result.variance == pytest.approx(26 / 3, rel=1e-12)
    assert result.z == pytest.approx(1.019049, abs=1e-6)
    assert result.p_value == pytest.approx(0.308180, abs=1e-6)  # 2(1 - Phi(1.019049))
    assert result.sen_slope == pytest.approx(7 / 6, rel=1e-12)
    assert result.direction == "no significant trend"


def test_mann_kendall_tie_correction_by_hand():
    # 2, 2, 3, 1, 4. From the first 2: (2,2) 0, (2,3) +, (2,1) -, (2,4) + -> +1;
    # from the second 2: +, -, + -> +1; from 3: -, + -> 0; from 1: + -> +1. S = 3.
    # Var = [5*4*15 - 2*1*9]/18 = (300 - 18)/18 = 15.666..., z = 2/sqrt(15.666...) = 0.505291.
    assert mann_kendall_s([2, 2, 3, 1, 4]) == 3
    assert mann_kendall_variance([2, 2, 3, 1, 4]) == pytest.approx(282 / 18, rel=1e-12)
    assert mann_kendall([2, 2, 3, 1, 4]).z == pytest.approx(0.505291, abs=1e-6)


def test_mann_kendall_detects_a_steady_rise():
    # Eight rising values: S = 8*7/2 = 28, Var = 8*7*21/18 = 65.333, z = 27/8.082904 = 3.340384,
    # p = 0.000837 (normal table).
    result = mann_kendall([10, 12, 13, 15, 18, 20, 21, 25])
    assert result.s == 28 and result.variance == pytest.approx(196 / 3)
    assert result.z == pytest.approx(3.340384, abs=1e-6)
    assert result.p_value == pytest.approx(0.000837, abs=1e-6)
    assert result.direction == "increasing"
    assert mann_kendall([25, 21, 20, 18, 15, 13, 12, 10]).direction == "decreasing"


def test_sen_slope_on_known_series():
    assert sen_slope([1 + 3 * t for t in range(6)], list(range(6))) == pytest.approx(3)
    # One wild value: the six pairwise slopes of 1, 2, 3, 4 are 1; the four involving 100 are
    # 24.75, 32.67, 48.5 and 96. The median of the ten is 1: Sen's slope ignores the outlier.
    assert sen_slope([1, 2, 3, 4, 100], [0, 1, 2, 3, 4]) == 1


def test_missing_values_are_left_out_with_their_times():
    # 1, None, 3, 2, 5 at times 0, 2, 3, 4: S as for 1, 3, 2, 5; slopes 1, 1/3, 1, -1, 1, 3.
    result = mann_kendall([1, None, 3, 2, 5])
    assert result.n == 4 and result.s == 4 and result.sen_slope == 1


def test_too_few_points():
    for values in ([], [1.0], [1.0, 2.0, 3.0], [1.0, None, 2.0, None, 3.0]):
        result = mann_kendall(values)
        assert result.reason == "too few points" and result.direction == "not available"
        assert result.s is None and result.p_value is None
    assert linear_trend([1.0, 2.0]).reason == "too few points"


def test_a_flat_series_has_no_trend():
    result = mann_kendall([5, 5, 5, 5, 5])
    assert result.s == 0 and result.z == 0 and result.p_value == 1
    assert result.direction == "no significant trend"


@given(st.lists(st.floats(-1e3, 1e3), min_size=4, max_size=25))
def test_reversing_a_series_negates_s_and_keeps_p(values):
    forward, backward = mann_kendall(values), mann_kendall(values[::-1])
    assert backward.s == -forward.s
    assert backward.p_value == pytest.approx(forward.p_value, abs=1e-12)


# Anscombe, "Graphs in statistical analysis", The American Statistician 27 (1973): for each of
# the first three data sets the regression line is y = 3 + 0.5x, the standard error of the slope
# 0.118 and t = 4.24 on 9 degrees of freedom.
ANSCOMBE_X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
ANSCOMBE_Y = {
    "I": [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68],
    "II": [9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74],
    "III": [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73],
}


@pytest.mark.parametrize("name", sorted(ANSCOMBE_Y))
def test_least_squares_slope_matches_anscombe(name):
    pairs = sorted(zip(ANSCOMBE_X, ANSCOMBE_Y[name]))
    result = linear_trend([y for _, y in pairs], [x for x, _ in pairs])
    assert round(result.slope, 3) == 0.500
    assert round(result.intercept, 2) == 3.00
    assert round(result.standard_error, 3) == 0.118
    assert round(result.slope / result.standard_error, 2) == 4.24
    # 95% interval: slope -/+ t(0.975, 9) * se, t(0.975, 9) = 2.262157 from tables.
    assert result.lower == pytest.approx(result.slope - 2.262157 * result.standard_error,
                                         abs=1e-6)
    assert result.upper == pytest.approx(result.slope + 2.262157 * result.standard_error,
                                         abs=1e-6)
    assert round(result.p_value, 4) == 0.0022 and result.direction == "increasing"


def test_linear_trend_of_an_exact_line():
    result = linear_trend([2.0, 4.0, 6.0, 8.0])
    assert result.slope == pytest.approx(2) and result.standard_error == pytest.approx(0)
    assert result.direction == "increasing"
    with pytest.raises(InputError, match="strictly increasing"):
        linear_trend([1.0, 2.0, 3.0], [2020, 2020, 2021])


def test_change_since_a_baseline():
    change = change_since(50, 60)
    assert change.absolute == 10 and change.percent == pytest.approx(20)
    assert change_since(-40, -30).percent == pytest.approx(25)
    zero = change_since(0, 5)
    assert zero.absolute == 5 and zero.percent is None and "zero" in zero.reason
    missing = change_since(None, 5)
    assert missing.absolute is None and missing.reason == "no baseline value"
    assert change_since(5, None).reason == "no latest value"


def test_periods_running():
    assert periods_running([10, 9, 8, 7]).label == "down three years running"
    assert periods_running([5, 6, 5, 4, 3]).periods == 3
    assert periods_running([1, 2]).label == "up on the previous year"
    assert periods_running([4, 4, 4], unit="quarter").label == "unchanged two quarters running"
    # A missing value breaks the run: only 4 -> 5 after the gap counts.
    assert periods_running([6, 5, None, 4, 5]).label == "up on the previous year"
    assert periods_running([1, None]).label == "not available"
    assert math.isfinite(periods_running(list(range(20))).periods)
    assert periods_running(list(range(20))).label == "up 19 years running"
