"""Early-warning arithmetic: rates of use over years with gaps, quantiles, banding, trends."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from wholeplace.insight.early_warning import flags as rules
from wholeplace.insight.early_warning import resilience
def test_sustainability_years_from_a_falling_series_with_a_gap():
    # Levels at 31 March 2015, 2017 and 2018 (2016 is not in the data): the window from 2018
    # reaches back to 2015, three years, and the rate is the average over those three years.
    levels = {2014: 80.0, 2015: 60.0, 2017: 40.0, 2018: 30.0}
    ch = rules.change_over_window(levels, 2018, 3)
    assert (ch["from"], ch["to"], ch["years"]) == (2015, 2018, 3)
    assert ch["annual_change"] == pytest.approx(-10.0)
    assert ch["change_pct"] == pytest.approx(-50.0)
    assert rules.sustainability_years(30.0, ch["annual_change"]) == pytest.approx(3.0)


def test_sustainability_is_not_falling_or_missing_never_zero():
    assert math.isinf(rules.sustainability_years(100.0, 0.0))
    assert math.isinf(rules.sustainability_years(100.0, 5.0))
    assert rules.sustainability_years(None, -5.0) is None
    assert rules.sustainability_years(100.0, None) is None
    assert rules.sustainability_years(-3.0, -5.0) == 0.0


def test_window_uses_the_nearest_year_inside_the_window_and_says_so():
    # 2012-13 assessed with data from 2010-11 only: two years, not three.
    ch = rules.change_over_window({2010: 100.0, 2011: 90.0, 2012: 70.0}, 2012, 3)
    assert (ch["from"], ch["years"]) == (2010, 2)
    assert rules.change_over_window({2012: 70.0}, 2012, 3) is None
    assert rules.change_over_window({2010: 100.0, 2012: None}, 2012, 3) is None
    assert rules.window_base([2010, 2014, 2017], 2017, 3) == 2014
    assert rules.window_base([2010, 2013], 2017, 3) is None


def test_percentage_change_of_a_non_positive_base_is_missing():
    ch = rules.change_over_window({2014: 0.0, 2017: 10.0}, 2017, 3)
    assert ch["change"] == 10.0 and ch["change_pct"] is None


def test_quantile_matches_r_type_7():
    # R: quantile(c(1, 2, 3, 4, 10)) -> 1, 2, 3, 4, 10; quantile(c(1, 2, 3, 4), .25) -> 1.75
    assert rules.quantile([10, 1, 3, 2, 4], 0.25) == 2
    assert rules.quantile([10, 1, 3, 2, 4], 0.5) == 3
    assert rules.quantile([1, 2, 3, 4], 0.25) == pytest.approx(1.75)
    assert rules.quantile([1, 2, 3, 4], 0.75) == pytest.approx(3.25)
    assert rules.quantile([], 0.5) is None
    assert math.isinf(rules.quantile([1.0, math.inf, math.inf], 0.75))
    assert rules.quantile([1.0, 2.0, math.inf], 0.5) == 2.0


def test_percentile_is_mid_rank():
    values = [1, 2, 3, 4]
    assert rules.percentile(1, values) == pytest.approx(12.5)
    assert rules.percentile(4, values) == pytest.approx(87.5)
    assert rules.percentile(2, [2, 2, 2, 2]) == pytest.approx(50.0)


USABLE = rules.DEFAULT_SETTINGS.indicator("usable_reserves_pct_nre")  # threshold 5%, lower riskier
CARE = rules.DEFAULT_SETTINGS.indicator("social_care_share")  # relative-only, higher riskier


def test_threshold_and_quartile_both_needed_for_higher_risk():
    peers = [3.0, 4.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    low = rules.risk_band(USABLE, 3.0, peers)
    assert low["band"] == rules.HIGHER and low["beyond_threshold"] and low["in_riskiest_quartile"]
    # In the riskiest quartile but above 5%: some risk only.
    peers2 = [6.0, 7.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    assert rules.risk_band(USABLE, 6.0, peers2)["band"] == rules.SOME
    # Below 5% but most comparators are lower still: beyond the threshold only, some risk.
    peers3 = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 4.5, 40.0]
    assert rules.risk_band(USABLE, 4.5, peers3)["band"] == rules.SOME
    assert rules.risk_band(USABLE, 40.0, peers2 + [40.0])["band"] == rules.LOWER


def test_relative_only_rule_uses_the_riskiest_tenth_and_quartile():
    peers = [float(x) for x in range(1, 21)]  # 20 comparators
    assert rules.risk_band(CARE, 20.0, peers)["band"] == rules.HIGHER  # percentile 97.5
    assert rules.risk_band(CARE, 16.0, peers)["band"] == rules.SOME  # percentile 77.5
    assert rules.risk_band(CARE, 10.0, peers)["band"] == rules.LOWER


def test_not_enough_data_without_a_value_or_comparators():
    assert rules.risk_band(CARE, None, [1.0] * 10)["band"] == rules.NO_DATA
    small = rules.risk_band(CARE, 1.0, [1.0, 2.0, 3.0])
    assert small["band"] == rules.NO_DATA and "3 comparator" in small["reason"]


def test_settings_are_configurable():
    strict = replace(rules.DEFAULT_SETTINGS, min_comparators=2, relative_only_higher=0.5)
    assert rules.risk_band(CARE, 3.0, [1.0, 2.0, 3.0], strict)["band"] == rules.HIGHER
    tighter = replace(USABLE, threshold=50.0)
    assert tighter.beyond_threshold(40.0) is True and USABLE.beyond_threshold(40.0) is False
    assert CARE.beyond_threshold(90.0) is None


def test_position_phrase_names_the_risky_side():
    assert rules.position_phrase(rules.LOWER_RISKIER, 4.0, 36, "metropolitan districts") == \
        "lowest 5% of 36 metropolitan districts"
    assert rules.position_phrase(rules.HIGHER_RISKIER, 92.0, 27, "county councils") == \
        "highest 10% of 27 county councils"
    assert rules.position_phrase(rules.LOWER_RISKIER, 80.0, 10, "x") == "highest 25% of 10 x"


def test_trend_names_the_gap_years_and_never_fills_them():
    t = rules.trend_phrase({2011: 50.0, 2012: 40.0, 2013: 30.0, 2014: 20.0, 2017: 10.0})
    assert t["direction"] == "falling" and t["since"] == 2011
    assert t["text"] == ("falling each available year since 2011-12 "
                         "(2015-16, 2016-17 not in the data)")
    mixed = rules.trend_phrase({2010: 1.0, 2011: 3.0, 2012: 2.0})
    assert mixed["direction"] == "falling" and "latest step" in mixed["text"]
    assert rules.trend_phrase({2017: 1.0})["direction"] == rules.NO_DATA
    assert rules.trend_phrase({2016: 1.0, 2017: None})["direction"] == rules.NO_DATA


def test_usable_levels_prefer_year_end_and_fill_gaps_from_the_next_start():
    v = {"rs.reserves.unallocated.end": {2014: 10.0, 2017: 5.0},
         "rs.reserves.other_earmarked.end": {2014: 20.0, 2017: None},
         "rs.reserves.unallocated.start": {2014: 99.0, 2017: 8.0},
         "rs.reserves.other_earmarked.start": {2014: 99.0, 2017: 12.0}}
    levels = resilience.usable_levels(v)
    # 31 March 2015 from 2014-15's year end; 31 March 2017 from 2017-18's start; 31 March 2014
    # from 2014-15's start; 31 March 2018 missing (earmarked not published): not 5 + 0.
    assert levels == {2015: 30.0, 2017: 20.0, 2014: 198.0}


def test_council_indicators_from_published_style_values():
    v = {"rs.reserves.unallocated.end": {2014: 12009.0, 2017: 0.0},
         "rs.reserves.other_earmarked.end": {2014: 47695.0, 2017: 5185.0},
         "rs.net_revenue_expenditure": {2014: 425586.0, 2017: 421883.8066307113}}
    got = resilience.council_indicators(v, 2017)
    assert got["usable_reserves_pct_nre"]["value"] == pytest.approx(100 * 5185 / 421883.8066)
    assert got["reserves_sustainability"]["value"] == pytest.approx(5185 / ((59704 - 5185) / 3))
    # Only the 31 March 2015 and 2018 levels are given: the span names the dates between.
    assert got["reserves_sustainability"]["span"]["text"] == \
        "31 March 2015 to 31 March 2018 (3 years; 31 March 2016, 31 March 2017 not in the data)"
    assert got["reserves_sustainability"]["span"]["missing"] == ["31 March 2016", "31 March 2017"]
    assert got["social_care_share"]["value"] is None  # no service lines: missing, not 0
    assert got["council_tax_pct_nre"]["value"] is None


def test_undated_sql_binds_every_id():
    sql = resilience.undated_sql(3)
    assert sql.count("?") == 4 and "released_on IS NULL" in sql


def test_a_change_names_the_years_between_its_ends_that_are_missing():
    ch = rules.change_over_window({2012: 1.0, 2013: 2.0, 2014: 3.0, 2017: 4.0}, 2017, 3)
    assert (ch["from"], ch["missing"]) == (2014, [2015, 2016])
    assert rules.change_over_window({2015: 1.0, 2016: 2.0, 2017: 4.0}, 2017, 3)["missing"] == []
    step = rules.latest_step({2013: 5.0, 2014: 4.0, 2017: 3.0})
    assert step["text"] == "2014-15 to 2017-18 (2015-16, 2016-17 not in the data)"
    assert step["missing"] == ["2015-16", "2016-17"]
    assert rules.latest_step({2016: 1.0, 2017: 2.0})["text"] == "2016-17 to 2017-18"
    assert rules.latest_step({2017: 2.0, 2016: None}) is None


def test_money_text_uses_a_minus_sign_and_millions():
    assert rules.money_text(4363.0) == "£4.4m"
    assert rules.money_text(-10884.0) == "\u2212£10.9m"
    assert rules.money_text(-56.0) == "\u2212£56k"
    assert rules.money_text(0.0) == "£0k"


def test_a_net_change_across_zero_is_not_meaningful():
    # Forest Heath's published neighbourhood totals (RS 2014-15 and 2017-18, £ thousand).
    why = rules.net_change_reason("net spending", 4363.0, -10884.0, "2014-15", "2017-18")
    assert why.startswith("net spending went from £4.4m in 2014-15 to \u2212£10.9m in 2017-18")
    assert "not meaningful" in why and "not read as a cut" in why
    assert rules.net_change_reason("x", -5.0, 10.0, "a", "b") is not None  # from below zero
    assert rules.net_change_reason("x", 10.0, 0.0, "a", "b") is not None  # to zero
    assert rules.net_change_reason("x", 10.0, 5.0, "a", "b") is None  # a real fall
    assert rules.nonpositive_base_reason("net revenue expenditure in 2017-18", -2757.0) == (
        "net revenue expenditure in 2017-18 is negative (\u2212£2.8m), so a percentage of it is "
        "not meaningful")


# Published RS values (£ thousand) for Spelthorne (E07000213): 2014-15 and 2017-18 workbooks.
SPELTHORNE = {
    "rs.net_revenue_expenditure": {2014: 12404.0, 2017: -2757.0},
    "rs.council_tax_requirement": {2014: 6541.0, 2017: 7488.0},
    "rs.reserves.unallocated.end": {2014: 1966.0, 2017: 1000.0},
    "rs.reserves.other_earmarked.end": {2014: 10625.0, 2017: 26525.0},
    "rs.nce.cultural": {2014: 1970.0, 2017: 2254.0},
    "rs.nce.environmental_regulatory": {2014: 4378.0, 2017: 4233.0},
    "rs.nce.planning_development": {2014: 2810.0, 2017: -18980.0},
    "rs.nce.highways_transport": {2014: -306.0, 2017: -211.0},
}


def test_council_indicators_carry_the_reason_a_value_is_not_meaningful():
    got = resilience.council_indicators(SPELTHORNE, 2017)
    for ind in ("usable_reserves_pct_nre", "unallocated_pct_nre", "earmarked_pct_nre",
                "council_tax_pct_nre"):
        assert got[ind]["value"] is None
        assert got[ind]["reason"] == ("net revenue expenditure in 2017-18 is negative "
                                      "(\u2212£2.8m), so a percentage of it is not meaningful")
    hood = got["neighbourhood_spend_change_pct"]
    assert hood["value"] is None and hood["span"]["missing"] == ["2015-16", "2016-17"]
    assert hood["reason"].startswith(
        "net spending on these services went from £8.9m in 2014-15 to \u2212£12.7m in 2017-18 "
        "(below zero in 2017-18: planning and development \u2212£19.0m, highways and transport "
        "\u2212£211k)")
    # Missing stays missing, without a reason: no social care lines were given.
    assert got["social_care_share"]["value"] is None and got["social_care_share"]["reason"] is None


def test_a_positive_net_total_keeps_its_percentage_change():
    # Spelthorne 2014-15 assessed against 2011-12: both totals above zero, so the change stands
    # (2011-12 values from the RS 2011-12 workbook).
    v = {k: dict(s) for k, s in SPELTHORNE.items()}
    for ind, x in (("rs.nce.cultural", 2170.0), ("rs.nce.environmental_regulatory", 3325.0),
                   ("rs.nce.planning_development", 1216.0), ("rs.nce.highways_transport", -345.0)):
        v[ind][2011] = x
    got = resilience.council_indicators(v, 2014)
    hood = got["neighbourhood_spend_change_pct"]
    total_2011, total_2014 = 2170 + 3325 + 1216 - 345, 1970 + 4378 + 2810 - 306
    assert hood["reason"] is None
    assert hood["value"] == pytest.approx(100 * (total_2014 - total_2011) / total_2011)
    # And with NRE above zero in 2014-15, its ratios have values.
    assert got["council_tax_pct_nre"]["value"] == pytest.approx(100 * 6541 / 12404)
    assert got["council_tax_pct_nre"]["reason"] is None
