"""Trends on the real hub: the Revenue Outturn gap stays visible, per-head twins are shown with
their money indicator, and real terms come from a deflator uploaded for England (a TEST FIXTURE
with made-up index values: no real deflator ships with wholeplace)."""

from __future__ import annotations

import itertools

import pytest

from wholeplace.errors import NotFoundError, ValidationError
from wholeplace.hub.uploads import load_file
from wholeplace.insight.trends.view import area_trends

CAMBRIDGE = "E07000008"
NRE = "rs.net_revenue_expenditure"

# TEST FIXTURE: made-up index values (NOT HM Treasury's GDP deflators). 2012-13 is left out on
# purpose, to show a period without a deflator value has no real-terms value.
FIXTURE_INDEX = {"2010-11": 80.0, "2011-12": 82.0, "2013-14": 88.0, "2014-15": 90.0,
                 "2017-18": 100.0}


def test_rs_series_shows_the_2015_16_and_2016_17_gap(loaded_store):
    result = area_trends(loaded_store, CAMBRIDGE, [NRE])
    (ind,) = result["indicators"]
    periods = [p["period"] for p in ind["series"]]
    assert periods == ["2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2015-16",
                       "2016-17", "2017-18"]
    assert ind["gaps"] == ["2015-16", "2016-17"]
    for p in ind["series"]:
        assert (p["value"] is None) == p["gap"]
    cash = ind["measures"]["cash"]
    assert cash["n"] == 6 and cash["mann_kendall"]["n"] == 6
    assert cash["linear_trend"]["lower"] <= cash["linear_trend"]["slope"] <= \
        cash["linear_trend"]["upper"]
    assert cash["running"]["periods"] == 0  # 2017-18 follows a gap: no run across it
    assert cash["change"]["baseline_period"] == "2010-11"
    assert ind["series"][-1]["per_head"] is not None  # the per-head twin, same period
    assert ind["measures"]["real"]["reason"].startswith("no deflator")
    assert all(i["indicator_id"] != NRE + ".per_head" for i in
               area_trends(loaded_store, CAMBRIDGE)["indicators"])


def test_last_n_periods_and_a_baseline(loaded_store):
    (ind,) = area_trends(loaded_store, CAMBRIDGE, [NRE], last=4, baseline="2014-15")[
        "indicators"]
    assert [p["period"] for p in ind["series"]] == ["2014-15", "2015-16", "2016-17", "2017-18"]
    change = ind["measures"]["cash"]["change"]
    assert change["baseline_period"] == "2014-15" and change["latest_period"] == "2017-18"
    assert change["absolute"] == pytest.approx(change["latest"] - change["baseline"])


def test_four_real_values_are_too_few_to_detect_a_trend(loaded_store):
    # Hackney's ASCOF quality of life has four published years: no ordering of four values can
    # reach the 5% level (smallest two-sided p = 2/24), so the test must not say "no trend".
    (ind,) = area_trends(loaded_store, "E09000012", ["oflog.asc2_quality_of_life"])[
        "indicators"]
    values = [p["value"] for p in ind["series"] if p["value"] is not None]
    assert len(values) == len(set(values)) == 4
    mk = ind["measures"]["value"]["mann_kendall"]
    assert mk["method"] == "exact" and mk["min_p_value"] == pytest.approx(2 / 24)
    assert mk["direction"] == "too few values to detect a trend"
    assert "no trend could reach the 5% level" in mk["reason"]
    # The exact p-value: the share of the 24 orderings of these values with |S| >= |S observed|.
    def s_of(xs):
        return sum((b > a) - (b < a) for a, b in itertools.combinations(xs, 2))
    orders = list(itertools.permutations(values))
    assert mk["s"] == s_of(values)
    assert mk["p_value"] == pytest.approx(
        sum(abs(s_of(o)) >= abs(mk["s"]) for o in orders) / len(orders))


def test_six_real_values_use_the_exact_distribution(loaded_store):
    (ind,) = area_trends(loaded_store, CAMBRIDGE, [NRE])["indicators"]
    mk = ind["measures"]["cash"]["mann_kendall"]
    assert mk["n"] == 6 and mk["method"] == "exact"
    assert mk["direction"] in ("increasing", "decreasing", "no significant trend")


@pytest.fixture
def deflated(loaded_copy, tmp_path):
    data = tmp_path / "test_fixture_deflator.csv"
    data.write_text("area_code,period,indicator_id,value,unit,note\n" + "".join(
        f"E92000001,{p},deflator.test_fixture,{v},index,TEST FIXTURE: made-up value\n"
        for p, v in FIXTURE_INDEX.items()), encoding="utf-8")
    meta = tmp_path / "test_fixture_deflator.yaml"
    meta.write_text("- id: deflator.test_fixture\n"
                    "  title: TEST FIXTURE deflator (made-up index values)\n"
                    "  unit: index\n", encoding="utf-8")
    load_file(loaded_copy, data, metadata=meta)
    return loaded_copy


def test_deflator_fixture_gives_real_terms(deflated):
    result = area_trends(deflated, CAMBRIDGE, [NRE])
    assert result["deflator"]["indicator_id"] == "deflator.test_fixture"
    (ind,) = result["indicators"]
    real = ind["measures"]["real"]
    assert real["prices_of"] == "2017-18" and real["base_index"] == 100.0
    for p in ind["series"]:
        if p["value"] is not None and p["period"] in FIXTURE_INDEX:
            assert p["real"] == pytest.approx(p["value"] * 100.0 / FIXTURE_INDEX[p["period"]])
        else:
            assert p["real"] is None and p["real_reason"]
    # every fixture year has a population estimate within reach (mid-2011 to mid-2023 loaded)
    assert ind["measures"]["real_per_head"]["n"] == 5


def test_only_national_areas_are_allowed_beside_councils(loaded_copy, tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("area_code,period,indicator_id,value,unit\n"
                    "E12000006,2017-18,deflator.bad_fixture,90,index\n", encoding="utf-8")
    meta = tmp_path / "bad.yaml"
    meta.write_text("- id: deflator.bad_fixture\n  title: TEST FIXTURE\n  unit: index\n",
                    encoding="utf-8")
    with pytest.raises(ValidationError, match="E12000006"):
        load_file(loaded_copy, data, metadata=meta)


def test_unknown_deflator_or_indicator_is_refused(loaded_store):
    with pytest.raises(NotFoundError, match="deflator"):
        area_trends(loaded_store, CAMBRIDGE, [NRE], deflator="deflator.none")
    with pytest.raises(NotFoundError, match="wholeplace indicators"):
        area_trends(loaded_store, CAMBRIDGE, ["no.such"])
