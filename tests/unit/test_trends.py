"""Trend tests against worked examples: Mann-Kendall S and variance by hand, its exact null
distribution against Gilbert's (1987) Table A18 and against every permutation, Sen's slope, and the
least-squares slope against Anscombe's (1973) published regression statistics."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wholeplace.errors import InputError
from wholeplace.insight.trends.analysis import (
    change_since,
    exact_p_value,
    exact_upper_tail,
    inversion_counts,
    linear_trend,
    mann_kendall,
    mann_kendall_s,
    mann_kendall_variance,
    normal_p_value,
    periods_running,
    sen_slope,
    smallest_p_value,
)


def test_mann_kendall_small_series_by_hand():
    # 1, 3, 2, 5. Pairs (i < j): 1<3 +, 1<2 +, 1<5 +, 3>2 -, 3<5 +, 2<5 +  ->  S = 5 - 1 = 4.
    # Var S = n(n-1)(2n+5)/18 = 4*3*13/18 = 26/3 (no ties). z = (S - 1)/sqrt(Var) = 3/sqrt(26/3).
    # Exact: P(S >= 4) = 0.167 for n = 4 (Gilbert Table A18; 4 of the 24 orderings have at most
    # one inversion), so p = 2 x 4/24 = 1/3 (the normal approximation would give 0.308).
    # Pairwise slopes 2, 1/2, 4/3, -1, 1, 3: median (1 + 4/3)/2 = 7/6.
    result = mann_kendall([1, 3, 2, 5])
    assert result.s == 4
    assert result.variance == pytest.approx(26 / 3, rel=1e-12)
    assert result.z == pytest.approx(1.019049, abs=1e-6)
    assert normal_p_value(4, 26 / 3)[1] == pytest.approx(0.308180, abs=1e-6)  # 2(1 - Phi(z))
    assert result.method == "exact" and result.p_value == pytest.approx(1 / 3, rel=1e-12)
    assert result.sen_slope == pytest.approx(7 / 6, rel=1e-12)
    # No ordering of four values can reach 5%: the test is silent, so it must not say "no trend".
    assert result.direction == "too few values to detect a trend"
    assert result.min_p_value == pytest.approx(2 / 24)
    assert result.reason == ("with 4 values no trend could reach the 5% level: the smallest "
                             "possible two-sided p-value is 0.083")


def test_four_rising_values_are_too_few_but_five_are_enough():
    four = mann_kendall([1, 2, 3, 4])
    assert four.p_value == pytest.approx(2 / 24) and four.direction != "no significant trend"
    assert four.direction == "too few values to detect a trend"
    # At the 10% level four values can show a trend (2/24 = 0.083 < 0.10).
    assert mann_kendall([1, 2, 3, 4], alpha=0.10).direction == "increasing"
    five = mann_kendall([1, 2, 3, 4, 5])
    assert five.p_value == pytest.approx(2 / 120) and five.direction == "increasing"
    assert mann_kendall([5, 4, 3, 2, 1]).direction == "decreasing"
    assert mann_kendall([1, 3, 2, 5, 4]).direction == "no significant trend"  # p = 0.233


# Gilbert (1987), Table A18 (Kendall's table): P(S >= s) under no trend, for n values.
GILBERT_A18 = [
    (4, 0, 0.625), (4, 2, 0.375), (4, 4, 0.167), (4, 6, 0.042),
    (5, 0, 0.592), (5, 2, 0.408), (5, 4, 0.242), (5, 6, 0.117), (5, 8, 0.042), (5, 10, 0.0083),
    (6, 1, 0.500), (6, 5, 0.235), (6, 9, 0.068), (6, 11, 0.028), (6, 13, 0.0083),
    (6, 15, 0.0014),
]


@pytest.mark.parametrize("n,s,published", GILBERT_A18)
def test_exact_distribution_matches_gilbert_table_a18(n, s, published):
    digits = len(str(published).split(".")[1])  # to the table's printed precision
    assert round(exact_upper_tail(s, n), digits) == published


def _s_of(order):
    return sum((b > a) - (b < a) for a, b in itertools.combinations(order, 2))


@pytest.mark.parametrize("n", range(1, 9))
def test_exact_distribution_matches_every_permutation(n):
    # An independent count: S of each of the n! orderings of n distinct values.
    s_values = [_s_of(order) for order in itertools.permutations(range(n))]
    for s in range(-n * (n - 1) // 2, n * (n - 1) // 2 + 1):
        count = sum(1 for v in s_values if v >= s)
        assert exact_upper_tail(s, n) == pytest.approx(count / math.factorial(n), abs=1e-15)
        if s:
            both = sum(1 for v in s_values if abs(v) >= abs(s))
            assert exact_p_value(s, n) == pytest.approx(both / math.factorial(n), abs=1e-15)


def test_inversion_counts_for_ten_values():
    # Too many to enumerate; Knuth, TAOCP vol. 3, 5.1.1: I(n, 1) = n - 1, I(n, 2) =
    # (n - 2)(n + 1)/2, I(n, 3) = n(n^2 - 7)/6; the counts are symmetric and add up to n!.
    counts = inversion_counts(10)
    assert counts[:4] == (1, 9, 44, 155) and counts == counts[::-1]
    assert sum(counts) == math.factorial(10) and len(counts) == 46
    assert exact_upper_tail(39, 10) == pytest.approx(209 / math.factorial(10))


def test_mann_kendall_uses_the_normal_approximation_with_ties_or_above_ten():
    assert mann_kendall([2, 2, 3, 1, 4]).method == "normal approximation"
    eleven = mann_kendall(list(range(11)))
    assert eleven.method == "normal approximation"
    assert eleven.p_value == pytest.approx(normal_p_value(55, 11 * 10 * 27 / 18)[1])
    ten = mann_kendall([3, 1, 2, 5, 4, 7, 6, 9, 8, 10])
    assert ten.method == "exact" and ten.p_value == pytest.approx(exact_p_value(ten.s, 10))


def test_smallest_p_value_with_ties():
    # 1, 1, 2, 3: at best S = 6 - 1 = 5, Var = (156 - 2*1*9)/18 = 23/3, z = 4/sqrt(23/3),
    # p = 0.1486: no ordering reaches 5%.
    assert smallest_p_value([1, 1, 2, 3]) == pytest.approx(normal_p_value(5, 23 / 3)[1])
    assert mann_kendall([3, 1, 1, 2]).direction == "too few values to detect a trend"
    assert smallest_p_value([1, 2, 3, 4, 5]) == pytest.approx(2 / 120)


def test_mann_kendall_tie_correction_by_hand():
    # 2, 2, 3, 1, 4. From the first 2: (2,2) 0, (2,3) +, (2,1) -, (2,4) + -> +1;
    # from the second 2: +, -, + -> +1; from 3: -, + -> 0; from 1: + -> +1. S = 3.
    # Var = [5*4*15 - 2*1*9]/18 = (300 - 18)/18 = 15.666..., z = 2/sqrt(15.666...) = 0.505291.
    assert mann_kendall_s([2, 2, 3, 1, 4]) == 3
    assert mann_kendall_variance([2, 2, 3, 1, 4]) == pytest.approx(282 / 18, rel=1e-12)
    assert mann_kendall([2, 2, 3, 1, 4]).z == pytest.approx(0.505291, abs=1e-6)


def test_mann_kendall_detects_a_steady_rise():
    # Eight rising values: S = 8*7/2 = 28, Var = 8*7*21/18 = 65.333, z = 27/8.082904 = 3.340384;
    # the normal approximation gives p = 0.000837 (normal table), the exact p is 2/8! = 0.0000496.
    result = mann_kendall([10, 12, 13, 15, 18, 20, 21, 25])
    assert result.s == 28 and result.variance == pytest.approx(196 / 3)
    assert result.z == pytest.approx(3.340384, abs=1e-6)
    assert normal_p_value(28, 196 / 3)[1] == pytest.approx(0.000837, abs=1e-6)
    assert result.p_value == pytest.approx(2 / 40320)
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
