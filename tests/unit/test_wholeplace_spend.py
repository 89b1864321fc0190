"""Whole-place spend, pure parts: apportionment, per head, totals with missing parts, tiers, and
the comparison statistics. No database.

Figures are the published ones: RS 2017-18 total service expenditure (line 699, £ thousand) of
Cambridge City Council (24,384), Cambridgeshire County Council (629,189) and the Cambridgeshire
and Peterborough Combined Authority (6,741); ONS mid-2019 populations of Cambridge (124,798) and
Cambridgeshire (653,537), and the sum over the combined authority's six council areas (855,796).
"""

from __future__ import annotations

import statistics
from datetime import date

import pytest

from wholeplace.hub.periods import financial_year
from wholeplace.insight.spend.compare import compare_line, position, quartiles, rank
from wholeplace.insight.spend.wholeplace import (
    COMPARABLE_TOTAL,
    NO_FIGURES,
    NOT_CREATED,
    REPORTED,
    TOTAL,
    SpendInputs,
    apportion,
    compose,
    less_police_fire,
    per_head,
    period_of,
    population_year,
    sum_parts,
    tier_bodies,
    tier_status,
)

CAM, CAMBS, CPCA = "E07000008", "E10000003", "E47000008"
TSE = {CAM: 24384.0, CAMBS: 629189.0, CPCA: 6741.0}
POP = {CAM: 124798.0, CAMBS: 653537.0, CPCA: 855796.0}


def place(code, name, tier, la_type, county=None, ca=None, start=None):
    return {"gss_code": code, "la_code": None, "name": name, "official_name": name,
            "la_type": la_type, "tier": tier, "current": True, "start_date": start,
            "end_date": None, "parent_county_gss": county, "region": "East of England",
            "combined_authority_gss": ca, "dluhc_ecode": None, "area_km2": None}


def inputs(values=None, pops=None, ca_start=None, year=2017) -> SpendInputs:
    places = {CAM: place(CAM, "Cambridge", "lower", "shire district", CAMBS, CPCA),
              CAMBS: place(CAMBS, "Cambridgeshire", "upper", "county council", None, CPCA),
              CPCA: place(CPCA, "CPCA", "combined", "combined authority", start=ca_start)}
    if values is None:
        values = {}
        for code, tse in TSE.items():
            values[(code, TOTAL.id)] = (tse, "published")
            values[(code, "rs.nce.police")] = (0.0, "published")
            values[(code, "rs.nce.fire_rescue")] = (0.0, "published")
    if pops is None:
        pops = {code: {2019: (p, 6 if code == CPCA else None)} for code, p in POP.items()}
    return SpendInputs(financial_year(year), places, values, pops,
                       frozenset(k[1] for k in values))


def total_row(result, line_id=TOTAL.id):
    return next(r for r in result["totals"] if r["id"] == line_id)


# -- arithmetic ---------------------------------------------------------------------------------
def test_per_head_converts_thousands_and_keeps_missing():
    assert per_head(629189, 653537) == pytest.approx(629189000 / 653537)
    assert per_head(None, 653537) is None
    assert per_head(629189, None) is None
    assert per_head(0.0, 653537) == 0.0  # a published 0 stays 0


def test_apportioned_share_per_head_equals_the_bodys_per_head():
    share = apportion(629189, 124798, 653537)
    assert share == pytest.approx(629189 * 124798 / 653537)
    assert per_head(share, 124798) == pytest.approx(per_head(629189, 653537))
    assert apportion(None, 124798, 653537) is None
    assert apportion(629189, None, 653537) is None
    assert apportion(629189, 124798, None) is None


def test_sum_parts_never_treats_missing_as_zero():
    assert sum_parts([("a", 1.0), ("b", 2.5)]) == {"total": 3.5, "known": 3.5, "lacks": []}
    got = sum_parts([("district", 195.0), ("county", None), ("ca", 7.9)])
    assert got["total"] is None and got["known"] == pytest.approx(202.9)
    assert got["lacks"] == ["county"]
    assert sum_parts([("a", None)]) == {"total": None, "known": None, "lacks": ["a"]}
    assert sum_parts([])["total"] is None


def test_less_police_fire():
    assert less_police_fire(4851942, 2962650, 364707) == 4851942 - 2962650 - 364707
    assert less_police_fire(4851942, None, 364707) is None


@pytest.mark.parametrize("years, period_year, expected", [
    ([2019, 2020, 2021], 2017, 2019),   # nearest, within 3 years
    ([2019, 2020, 2021], 2020, 2020),   # the same year
    ([2019, 2020, 2021], 2014, None),   # five years away: no basis
    ([2016, 2018], 2017, 2016),         # a tie: the earlier year, as the hub's rule
    ([], 2017, None),
])
def test_population_year_follows_the_hub_rule(years, period_year, expected):
    assert population_year(years, period_year) == expected


def test_period_of_accepts_a_start_year_or_a_label():
    assert period_of(2017).label == "2017-18"
    assert period_of("2017-18").label == "2017-18"
    with pytest.raises(ValueError, match="not a financial year"):
        period_of("mid-2019")


# -- tiers --------------------------------------------------------------------------------------
def test_tier_bodies_of_a_district():
    data = inputs()
    kinds = [(k, p["gss_code"]) for k, p in tier_bodies(data.places[CAM], data.places)]
    assert kinds == [("own", CAM), ("county", CAMBS), ("combined", CPCA)]


def test_tier_status():
    p = financial_year(2014)
    later = place(CPCA, "CPCA", "combined", "combined authority", start=date(2017, 3, 3))
    assert tier_status(later, "combined", False, p) == NOT_CREATED
    assert tier_status(later, "combined", True, financial_year(2017)) == REPORTED
    assert tier_status(later, "combined", False, financial_year(2017)) == NO_FIGURES


# -- composition -----------------------------------------------------------------------------------
def test_compose_sums_each_tiers_per_head():
    got = compose(inputs(), CAM)
    row = total_row(got)
    expected = sum(TSE[c] * 1000 / POP[c] for c in (CAM, CAMBS, CPCA))
    assert row["total_per_head"] == pytest.approx(expected)
    cells = {c["code"]: c for c in row["tiers"]}
    assert cells[CAMBS]["apportioned_gbp_thousands"] == pytest.approx(
        629189 * 124798 / 653537)
    assert cells[CAM]["apportioned_gbp_thousands"] == 24384.0
    assert row["total_gbp_thousands"] == pytest.approx(
        sum(c["apportioned_gbp_thousands"] for c in row["tiers"]))
    assert got["population"]["label"] == "mid-2019" and got["population"]["same_year"] is False
    assert total_row(got, COMPARABLE_TOTAL.id)["total_per_head"] == pytest.approx(expected)


def test_a_missing_tier_value_makes_the_total_missing():
    data = inputs()
    data.values[(CAMBS, TOTAL.id)] = (None, "missing")
    row = total_row(compose(data, CAM))
    assert row["total_per_head"] is None
    assert row["lacks"] == ["Cambridgeshire"]
    assert row["known_per_head"] == pytest.approx(24384000 / 124798 + 6741000 / 855796)
    assert row["total_gbp_thousands"] is None


def test_a_body_without_figures_is_unknown_not_zero():
    data = inputs()
    for key in [k for k in data.values if k[0] == CPCA]:
        del data.values[key]
    got = compose(data, CAM)
    ca = next(t for t in got["tiers"] if t["code"] == CPCA)
    assert ca["status"] == NO_FIGURES and "unknown" in ca["note"]
    assert total_row(got)["total_per_head"] is None
    assert total_row(got)["lacks"] == ["CPCA"]


def test_a_body_created_after_the_year_is_not_part_of_it():
    data = inputs(ca_start=date(2018, 11, 2))
    for key in [k for k in data.values if k[0] == CPCA]:
        del data.values[key]
    got = compose(data, CAM)
    row = total_row(got)
    assert [c["code"] for c in row["tiers"]] == [CAM, CAMBS]
    assert row["total_per_head"] == pytest.approx(24384000 / 124798 + 629189000 / 653537)
    assert any("after 2017-18" in n for n in got["notes"])


def test_no_population_basis_gives_no_per_head_and_says_why():
    data = inputs(pops={c: {2019: (p, None)} for c, p in POP.items()}, year=2014)
    got = compose(data, CAM)
    assert got["per_head_available"] is False
    assert "no population estimate within 3 years of this year (2014-15)" in \
        got["population"]["note"].lower()
    row = total_row(got)
    assert all(c["per_head"] is None for c in row["tiers"])
    own = next(c for c in row["tiers"] if c["code"] == CAM)
    assert own["cash_gbp_thousands"] == 24384.0  # the council's own figure is still shown
    assert row["total_gbp_thousands"] is None  # the county's share cannot be apportioned


def test_a_body_without_that_years_population_has_unknown_per_head():
    data = inputs()
    data.pops[CPCA] = {2020: (860000.0, 6)}
    got = compose(data, CAM)
    ca = next(t for t in got["tiers"] if t["code"] == CPCA)
    assert ca["population"] is None and "No mid-2019 population" in ca["note"]
    assert total_row(got)["total_per_head"] is None


def test_police_and_fire_reported_by_a_tier_are_named():
    data = inputs()
    data.values[(CPCA, "rs.nce.fire_rescue")] = (100.0, "published")
    got = compose(data, CAM)
    assert any("fire and rescue spending here is reported by CPCA" in n for n in got["notes"])
    comparable = total_row(got, COMPARABLE_TOTAL.id)
    assert comparable["total_per_head"] == pytest.approx(
        total_row(got)["total_per_head"] - 100000 / 855796)


# -- comparison statistics ----------------------------------------------------------------------
def test_quartiles_match_the_inclusive_method():
    vals = [1077.32, 1078.53, 1103.75, 1105.69]
    got = quartiles(vals)
    q1, q2, q3 = statistics.quantiles(vals, n=4, method="inclusive")
    assert got["q1"] == pytest.approx(q1) and got["q3"] == pytest.approx(q3)
    assert got["median"] == q2
    # By hand (type 7): h = 3 x 0.25 = 0.75 -> 1077.32 + 0.75 x 1.21 = 1078.2275; h = 2.25 ->
    # 1103.75 + 0.25 x 1.94 = 1104.235.
    assert got["q1"] == pytest.approx(1078.2275) and got["q3"] == pytest.approx(1104.235)
    assert got["n"] == 4 and got["min"] == 1077.32 and got["max"] == 1105.69
    assert quartiles([5.0])["median"] == 5.0 and quartiles([5.0])["q1"] is None
    assert quartiles([])["median"] is None


def test_rank_and_position():
    stats = quartiles([10.0, 20.0, 30.0, 40.0, 50.0])
    assert rank(45.0, [10.0, 20.0, 30.0, 40.0, 50.0]) == {
        "best": 2, "worst": 2, "of": 6, "label": "2nd highest of 6", "reason": None}
    assert rank(55.0, [10.0, 20.0])["label"] == "the highest of 3"
    assert rank(5.0, [10.0, 20.0])["label"] == "the lowest of 3"
    assert position(5.0, stats) == "below the lower quartile"
    assert position(55.0, stats) == "above the upper quartile"
    assert position(30.0, stats) == "at the median"
    assert position(35.0, stats) == "between the median and the upper quartile"
    assert position(25.0, stats) == "between the lower quartile and the median"


def test_a_tie_shares_a_range_of_ranks_never_the_top_rank_alone():
    got = rank(0.0, [0.0, 0.0, 5.0, 0.0])
    assert (got["best"], got["worst"], got["of"]) == (2, 5, 5)
    assert got["label"] == "joint 2nd to 5th highest of 5"
    top = rank(7.0, [7.0, 3.0])
    assert (top["best"], top["worst"]) == (1, 2) and top["label"] == "joint 1st to 2nd highest of 3"


def test_no_rank_when_every_value_is_the_same_or_there_is_nothing_to_rank():
    same = rank(0.0, [0.0] * 187)
    assert same["best"] is None and same["label"] is None
    assert same["reason"] == "all 188 areas have the same value"
    assert rank(None, [1.0])["reason"] == "no value for this area"
    assert rank(None, [1.0])["best"] is None
    assert rank(3.0, [])["reason"] == "no comparator has a value"


def test_compare_line_ranks_only_when_asked_and_leaves_unknown_members_out():
    members = {"a": 10.0, "b": None, "c": 50.0}
    got = compare_line("x", "X", 30.0, members)
    assert got["n"] == 2 and got["median"] == 30.0 and got["unknown"] == ["b"]
    assert "rank" not in got
    ranked = compare_line("x", "X", 30.0, members, ranked=True)
    assert ranked["rank"]["best"] == 2 and ranked["rank"]["of"] == 3
