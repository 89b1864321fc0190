"""The decade measures of the early warning (pure): each computed by hand, and each that cannot
be computed says why, never 0."""

from __future__ import annotations

import math

import pytest

from wholeplace.insight.early_warning import measures as m
from wholeplace.insight.early_warning.backtest import compare_groups


def test_reserves_runout_uses_the_latest_year_only():
    # 31 March 2021: 50, 2022: 40, 2023: 10 -> fell 30 in 2022-23; 10 left: a third of a year.
    got = m.reserves_runout({2021: 50.0, 2022: 40.0, 2023: 10.0}, 2022)
    assert got["value"] == pytest.approx(10 / 30)
    assert got["span"]["text"] == "31 March 2022 to 31 March 2023 (1 year)"
    assert math.isinf(m.reserves_runout({2022: 10.0, 2023: 12.0}, 2022)["value"])
    gone = m.reserves_runout({2023: 10.0}, 2022)
    assert gone["value"] is None and gone["missing"] == ("usable reserves at 31 March 2022 is "
                                                         "not in the data")


def test_pct_nre_changes_over_3_and_5_years():
    series = {2015: 20.0, 2016: 18.0, 2017: 15.0, 2018: 14.0, 2019: 12.0, 2020: 8.0}
    assert m.pct_nre_change(series, 2020, 3, "x")["value"] == pytest.approx(8 - 15)
    assert m.pct_nre_change(series, 2020, 5, "x")["value"] == pytest.approx(8 - 20)
    # A gap inside the window is named; the window starts at the earliest year inside it.
    gap = m.pct_nre_change({2015: 20.0, 2018: 14.0, 2020: 8.0}, 2020, 5, "x")
    assert gap["span"]["text"] == ("2015-16 to 2020-21 (5 years; 2016-17, 2017-18, 2019-20 "
                                   "not in the data)")
    none = m.pct_nre_change({2020: 8.0}, 2020, 3, "usable reserves")
    assert none["value"] is None and "no change over 3 years" in none["missing"]


def test_debt_as_pct_of_nre_and_growth():
    v = {m.DEBT: {2016: 0.0, 2017: 50.0, 2019: 300.0}, m.NRE: {2019: 200.0}}
    got = m.debt_measures(v, 2019, 3)
    assert got["debt_pct_nre"]["value"] == pytest.approx(150.0)
    # Growth from zero borrowing has no percentage: not meaningful, with the reason.
    assert got["debt_growth_pct"]["value"] is None
    assert "is zero" in got["debt_growth_pct"]["reason"]
    v[m.DEBT][2016] = 100.0
    assert m.debt_measures(v, 2019, 3)["debt_growth_pct"]["value"] == pytest.approx(200.0)
    later = m.debt_measures(v, 2021, 3)
    assert later["debt_pct_nre"]["value"] is None
    assert later["debt_pct_nre"]["missing"].startswith("total external borrowing")


def test_social_care_overspend_against_the_same_years_budget():
    v = {m.ASC: {2019: 110.0, 2020: None}, m.RA_ASC: {2019: 100.0, 2020: 105.0}}
    got = m.overspend(v, 2019, m.ASC, m.RA_ASC, "adult social care")
    assert got["value"] == pytest.approx(10.0)
    missing = m.overspend(v, 2020, m.ASC, m.RA_ASC, "adult social care")
    assert missing["value"] is None
    assert missing["missing"] == ("adult social care outturn (RS line 360) for 2020-21 is "
                                  "not in the data")
    assert m.overspend({m.ASC: {2019: 5.0}, m.RA_ASC: {2019: -1.0}}, 2019, m.ASC, m.RA_ASC,
                       "adult social care")["reason"]


def test_neighbourhood_squeeze_is_a_change_in_share():
    def year(hood: float, total: float) -> dict:
        return {i: hood / 4 for i in m.NEIGHBOURHOOD} | {m.TOTAL: total}

    rows = {2015: year(40.0, 200.0), 2020: year(30.0, 250.0)}
    v = {k: {fy: r[k] for fy, r in rows.items()} for k in (*m.NEIGHBOURHOOD, m.TOTAL)}
    got = m.neighbourhood_squeeze(v, 2020, 5)
    assert got["value"] == pytest.approx(100 * 30 / 250 - 100 * 40 / 200)
    v[m.NEIGHBOURHOOD[0]][2020] = -100.0
    assert "not meaningful" in m.neighbourhood_squeeze(v, 2020, 5)["reason"]


def test_welch_interval_by_hand():
    got = compare_groups([1.0, 3.0], [4.0, 5.0, 6.0, 7.0])
    assert got["difference"] == pytest.approx(2.0 - 5.5)
    from scipy import stats

    se = math.sqrt(2 / 2 + (5 / 3) / 4)
    df = se ** 4 / ((2 / 2) ** 2 / 1 + ((5 / 3) / 4) ** 2 / 3)
    assert got["ci_low"] == pytest.approx(-3.5 - stats.t.ppf(0.975, df) * se)
    assert compare_groups([1.0], [2.0, 3.0])["ci_low"] is None
    assert compare_groups([], [2.0])["difference"] is None
