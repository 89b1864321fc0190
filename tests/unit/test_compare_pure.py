"""The comparison rules, pure: bands without intervals, the comparator threshold, the sensitivity
flag, England pooling, intervals by unit, gap filling and real terms. No database."""

from __future__ import annotations

from datetime import date

import pytest

from wholeplace.errors import InputError
from wholeplace.hub.units import UNITS
from wholeplace.insight.comparison import banding
from wholeplace.insight.comparison import compare
from wholeplace.insight.statistics import stats
from wholeplace.insight.trends import view as tv
TEN = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]  # type-7 quartiles 3.25 and 7.75


def test_summary_leaves_missing_out_and_never_reads_it_as_zero():
    s = banding.summary([None, 4.0, None, 2.0, 6.0])
    assert s["n"] == 3 and s["min"] == 2.0 and s["mean"] == 4.0 and s["median"] == 4.0
    assert (s["q1"], s["q3"]) == (3.0, 5.0)
    empty = banding.summary([None, None])
    assert empty["n"] == 0 and empty["median"] is None and empty["q1"] is None


@pytest.mark.parametrize("value, verdict, band", [
    (8.0, banding.ABOVE, "above the upper quartile of similar councils"),
    (7.75, banding.MIDDLE, "within the middle half of similar councils"),  # quartile included
    (5.0, banding.MIDDLE, "within the middle half of similar councils"),
    (3.25, banding.MIDDLE, "within the middle half of similar councils"),
    (3.0, banding.BELOW, "below the lower quartile of similar councils"),
])
def test_position_bands_without_an_interval_are_not_significance(value, verdict, band):
    got = banding.band(value, None, TEN, "higher_is_better", "similar councils")
    assert (got["verdict"], got["band"]) == (verdict, band)
    assert got["significant_test"] is False
    assert "significan" not in got["band"]
    assert "not a significance test" in got["basis"]


def test_fewer_than_the_threshold_of_comparators_is_not_enough_data():
    assert banding.MIN_COMPARATORS == 5
    four = [1.0, 2.0, 3.0, 4.0, None, None]
    got = banding.band(9.0, None, four, "neutral", "similar councils")
    assert got["verdict"] == "not_enough_data" and got["band"] == "not enough data"
    assert "4 of similar councils" in got["reason"]
    five = [*four[:4], 5.0]
    assert banding.band(9.0, None, five, "neutral", "similar councils")["verdict"] == \
        banding.ABOVE


def test_a_missing_value_is_not_available_with_its_reason():
    got = banding.band(None, None, TEN, "neutral", "x", missing_reason="suppressed")
    assert got["band"] == "not available" and got["reason"] == "suppressed"


def test_with_an_interval_the_band_is_a_significance_test_by_polarity():
    est = stats.proportion_interval(300, 1000, 100)  # 30% (27.2 to 32.9)
    low = [10.0, 11.0, 12.0, 13.0, 14.0]
    got = banding.band(est.value, est, low, "higher_is_better", "g")
    assert got["band"] == "significantly better" and got["significant_test"]
    assert got["benchmark"] == 12.0 and "mean of g" in got["basis"]
    assert banding.band(est.value, est, low, "lower_is_better", "g")["band"] == \
        "significantly worse"
    assert banding.band(est.value, est, low, "neutral", "g")["band"] == "significantly higher"
    similar = banding.band(est.value, est, low, "neutral", "g", benchmark=30.5,
                           benchmark_basis="pooled value of g")
    assert similar["verdict"] == "similar" and similar["benchmark"] == 30.5


def test_unknown_polarity_is_refused():
    with pytest.raises(InputError, match="polarity"):
        banding.band(1.0, None, TEN, "up", "g")


def test_depends_on_group_ignores_groups_that_give_no_verdict():
    assert banding.depends_on_group(["above_upper_quartile", "middle_half"])
    assert not banding.depends_on_group(["similar", "similar", "not_enough_data"])
    assert not banding.depends_on_group(["not_available", "not_enough_data"])
    assert banding.depends_on_group(["better", "similar"])


def test_side_follows_polarity_only_for_positions():
    assert banding.side(banding.ABOVE, "higher_is_better") == "better"
    assert banding.side(banding.ABOVE, "lower_is_better") == "worse"
    assert banding.side(banding.BELOW, "lower_is_better") == "better"
    assert banding.side(banding.ABOVE, "neutral") is None
    assert banding.side("better", "higher_is_better") is None


def row(value, num=None, den=None):
    return {"value": value, "numerator": num, "denominator": den}


def test_england_pools_shares_with_numerators_and_denominators():
    rows = [row(10.0, 10, 100), row(50.0, 500, 1000), row(None)]
    got = banding.england_value(rows, share=True, scale=100.0)
    assert got["value"] == pytest.approx(510 / 1100 * 100) and got["n"] == 2
    assert got["basis"].startswith("pooled")


def test_england_is_the_median_when_any_council_lacks_a_denominator():
    rows = [row(10.0, 10, 100), row(50.0, 500, 1000), row(20.0)]
    got = banding.england_value(rows, share=True, scale=100.0)
    assert got["value"] == 20.0 and got["basis"].startswith("median")
    assert banding.england_value([row(1.0), row(3.0)], share=False, scale=None)["value"] == 2.0
    none = banding.england_value([row(None)], share=False, scale=None)
    assert none["value"] is None and none["reason"]


def test_pooled_ignores_pairs_with_a_missing_part():
    assert banding.pooled([(1, 10), (None, 10), (3, None), (2, 10)], 100) == 15.0
    assert banding.pooled([(None, None)], 100) is None


def test_intervals_follow_the_unit():
    est, why = compare.interval_for(25.0, 25, 100, UNITS["percent"])
    assert why is None and est.method == "Wilson" and est.lower < 25 < est.upper
    est, _ = compare.interval_for(5.0, 5, 1000, UNITS["rate_per_1000"])
    assert est.method == "exact Poisson" and est.value == 5.0
    est, _ = compare.interval_for(50.0, 50, 1000, UNITS["rate_per_1000"])
    assert est.method == "Byar's"
    assert compare.interval_for(7.0, None, None, UNITS["score"]) == (None, compare.NO_NUM_DEN)
    est, why = compare.interval_for(7.0, 7, 1, UNITS["score"])
    assert est is None and "does not say" in why
    assert compare.interval_for(None, 1, 2, UNITS["percent"]) == (None, "no value")


def test_sql_builders_bind_every_value():
    sql, params = compare.subject_sql("E07000008", "2017-18", ["rs.x"])
    assert "E07000008" not in sql and "2017-18" not in sql and "rs.x" not in sql
    assert params == ["E07000008", "2017-18", ["rs.x"]]
    sql, params = compare.peers_sql("E07000008", [("a", "2019")], ["E1"], ["shire district"])
    assert "shire" not in sql and params[0] == ["a"] and params[1] == ["2019"]
    sql, params = tv.series_sql("E07000008", None)
    assert "E07000008" not in sql and params == ["E07000008"]


def fy(year, value):
    p = tv.P.financial_year(year)
    return {"period": p.label, "period_type": p.type, "period_start": p.start, "value": value,
            "status": "published", "note": None}


def test_gaps_in_a_yearly_series_are_entries_without_values():
    points = tv.with_gaps([fy(2013, 5.0), fy(2014, 6.0), fy(2017, 7.0)])
    assert [p["period"] for p in points] == ["2013-14", "2014-15", "2015-16", "2016-17",
                                             "2017-18"]
    assert [p["gap"] for p in points] == [False, False, True, True, False]
    assert points[2]["value"] is None and points[2]["status"] == "not published"
    quarterly = [{"period": "2019-Q1", "period_type": "quarter",
                  "period_start": date(2019, 1, 1), "value": 1.0}]
    assert len(tv.with_gaps(quarterly)) == 1


def test_a_gap_breaks_the_run_and_the_trend_uses_real_years():
    points = tv.with_gaps([fy(2010, 1.0), fy(2011, 2.0), fy(2012, 3.0), fy(2013, 4.0),
                          fy(2016, 5.0)])
    got = tv.analyse(points)
    assert got["running"]["periods"] == 0  # one value after the gap: no run
    assert got["mann_kendall"]["n"] == 5 and got["linear_trend"]["n"] == 5
    # On the real axis (2010..2013, 2016) the OLS slope is below 1 a year; by position it is 1.
    assert got["linear_trend"]["slope"] < 0.8
    assert got["change"]["absolute"] == 4.0 and got["change"]["percent"] == 400.0


def test_real_terms_use_the_deflator_of_each_period_and_never_guess():
    points = [fy(2016, 100.0), fy(2017, 110.0), fy(2018, 120.0)]
    out, info = tv.add_real_terms(points, {"2016-17": 80.0, "2018-19": 100.0}, None)
    assert info["prices_of"] == "2018-19" and info["base_index"] == 100.0
    assert out[0]["real"] == pytest.approx(125.0) and out[2]["real"] == 120.0
    assert out[1]["real"] is None and "2017-18" in out[1]["real_reason"]
