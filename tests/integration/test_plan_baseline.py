"""A plan's baseline from the real hub: Cambridge, Cambridgeshire County Council and the
Cambridgeshire and Peterborough Combined Authority, with spot values checked against the hub."""

from __future__ import annotations

import pytest

from wholeplace.budget.baseline import baseline
from wholeplace.budget.plan import compute
from wholeplace.errors import InputError

CAMBRIDGE, COUNTY, CA = "E07000008", "E10000003", "E47000008"


def _value(store, indicator, code, period):
    return store.scalar("SELECT value FROM current_observations WHERE indicator_id = ? AND "
                        "area_code = ? AND period = ?", [indicator, code, period])


@pytest.fixture
def cambridge(loaded_store):
    return baseline(loaded_store, CAMBRIDGE, 5)


def _partner(b, code):
    return next(p for p in b.definition["partners"] if p["gss_code"] == code)


def test_every_tier_serving_the_place_is_a_partner(cambridge):
    assert [(p["gss_code"], p["kind"]) for p in cambridge.definition["partners"]] == [
        (CAMBRIDGE, "district"), (COUNTY, "county"), (CA, "combined_authority")]
    assert cambridge.definition["start_year"] == 2024  # after the 2023-24 RA budgets
    assert cambridge.missing == []


def test_lines_are_the_ra_budget_with_year_and_source(cambridge, loaded_store):
    county = {x["id"]: x for x in _partner(cambridge, COUNTY)["revenue_lines"]}
    asc = county["adult_social_care"]
    assert asc["base"] == _value(loaded_store, "ra.nce.adult_social_care", COUNTY, "2023-24")
    assert asc["base"] == 237902.0
    assert asc["source"] == "RA budget 2023-24 (ra.nce.adult_social_care)"
    assert asc["demand_driver"] == "age_65_plus"
    assert county["childrens_social_care"]["demand_driver"] == "age_0_17"
    # Cambridge's highways line is a net income (parking): an income line, not a negative cost
    cam = _partner(cambridge, CAMBRIDGE)
    assert "highways_transport" not in {x["id"] for x in cam["revenue_lines"]}
    net = next(x for x in cam["income_lines"] if x["id"] == "net_income_highways_transport")
    assert net["base"] == -_value(loaded_store, "ra.nce.highways_transport", CAMBRIDGE,
                                  "2023-24") == 4124.0


def test_council_tax_from_ctr_with_growth_at_the_referendum_limit(cambridge, loaded_store):
    ct = _partner(cambridge, CAMBRIDGE)["council_tax"]
    assert ct["band_d"] == 218.85 == _value(loaded_store, "ctr.band_d.billing", CAMBRIDGE,
                                            "2023-24")
    assert ct["tax_base"] == 44837.4
    # Band D x tax base is the published council tax requirement
    assert ct["band_d"] * ct["tax_base"] / 1000 == pytest.approx(
        _value(loaded_store, "ctr.requirement", CAMBRIDGE, "2023-24"), abs=0.01)
    assert ct["growth"]["value"][0] == 0.0299 and ct["cap"]["capped"]
    county = _partner(cambridge, COUNTY)["council_tax"]
    assert county["band_d"] == 1542.87 and county["tax_base"] == 240987.0
    assert county["growth"]["value"][0] == 0.0499
    assert _partner(cambridge, CA)["council_tax"]["band_d"] == 12.0


def test_reserves_at_the_last_31_march_say_which(cambridge, loaded_store):
    county = _partner(cambridge, COUNTY)["reserves"]
    assert county["unallocated"] == _value(loaded_store, "rs.reserves.unallocated.end", COUNTY,
                                           "2023-24")
    assert county["earmarked"] == (
        _value(loaded_store, "rs.reserves.other_earmarked.end", COUNTY, "2023-24")
        + _value(loaded_store, "rs.reserves.public_health.end", COUNTY, "2023-24"))
    # Cambridge sent no 2023-24 RS return: its reserves are at 31 March 2023, said so
    cam = _partner(cambridge, CAMBRIDGE)["reserves"]
    assert "RS 2022-23" in cam["source"]
    assert cam["unallocated"] == _value(loaded_store, "rs.reserves.unallocated.end", CAMBRIDGE,
                                        "2022-23")


def test_population_drives_demand_from_the_estimates(cambridge, loaded_store):
    county = _partner(cambridge, COUNTY)
    assert county["population"]["age_65_plus"][0] == _value(
        loaded_store, "population.age_65_plus", COUNTY, "mid-2023")
    assert len(county["population"]["age_65_plus"]) == 6
    assert "not an ONS projection" in county["population_source"]
    assert "population" not in _partner(cambridge, CAMBRIDGE)  # no demand-driven lines


def test_the_baseline_computes_and_balances_in_the_base_year(cambridge):
    result = compute(cambridge.plan())
    assert set(result.scenarios["baseline"].partners) == {
        "cambridge", "cambridgeshire", "cambridgeshire_and_peterborough"}
    for p in cambridge.definition["partners"]:
        spend = sum(x["base"] for x in p["revenue_lines"])
        ct = p["council_tax"]["band_d"] * p["council_tax"]["tax_base"] / 1000
        income = sum(x["base"] for x in p["income_lines"]) + ct
        assert income == pytest.approx(spend)


def test_missing_stays_missing_and_blocks_the_plan(loaded_store):
    b = baseline(loaded_store, CAMBRIDGE, 5)
    b.missing.append("a figure")
    with pytest.raises(InputError, match="a figure"):
        b.plan()
    with pytest.raises(InputError, match="district or a single-tier"):
        baseline(loaded_store, COUNTY, 5)
