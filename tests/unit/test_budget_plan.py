"""The multi-year plan engine against plans worked by hand (illustrative figures, not data)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from wholeplace.budget.files import parse
from wholeplace.budget.plan import compute
from wholeplace.budget.plan_model import Plan
from wholeplace.errors import ValidationError

#: A small 3-year plan; every figure is made up for the test.
SMALL = {
    "id": "small", "title": "Three-year test plan (illustrative)", "start_year": 2025,
    "years": 3, "illustration": True,
    "assumptions": {"pay_inflation": {"value": 0.04}, "non_pay_inflation": {"value": 0.02},
                    "interest_rate": {"value": 0.05, "as_of": "2025-04-01",
                                      "source": "test value"}},
    "population": {"age_65_plus": [100, 102, 104, 106]},
    "partners": [{
        "id": "county", "name": "County", "kind": "county",
        "revenue_lines": [
            {"id": "asc", "name": "Adult social care", "base": 1000, "pay_share": 0.5,
             "demand_driver": "age_65_plus"},
            {"id": "other", "name": "Other services", "base": 500, "pay_share": 0.0}],
        "income_lines": [{"id": "grant", "name": "Grant", "kind": "grant", "base": 100,
                          "growth": {"value": 0.0}}],
        "council_tax": {"band_d": 1500, "tax_base": 1000, "growth": {"value": 0.02},
                        "tax_base_growth": {"value": 0.01},
                        "cap": {"limit": 0.0299, "capped": True}},
        "savings": [{"line": "other", "year": "2026-27", "amount": 20}],
        "capital_lines": [{"id": "depot", "name": "Depot", "spend": {"2025-26": 200},
                           "life": 4, "method": "asset_life"}],
        "reserves": {"earmarked": 50, "unallocated": 40}}],
    "scenarios": [{"id": "baseline", "title": "Baseline"},
                  {"id": "cut", "title": "Cut other services",
                   "adjustments": [{"partner": "county", "line": "other",
                                    "amounts": {"2026-27": -30, "2027-28": -30}}]}],
}


def plan(data):
    return parse(Plan, data, "test")


def test_small_three_year_plan_by_hand():
    r = compute(plan(SMALL))
    assert r.labels == ["2025-26", "2026-27", "2027-28"]
    c = r.scenarios["baseline"].partners["county"]
    # asc: 1000 x 1.03^t (half pay at 4%, half non-pay at 2%) x population 102/100, 104/100 ...
    assert c.spend_lines["asc"] == pytest.approx([1050.6, 1103.336, 1158.290620])
    # other: 500 x 1.02^t, less a recurring 20 from 2026-27
    assert c.spend_lines["other"] == pytest.approx([510.0, 500.2, 510.604])
    # depot: 200 borrowed in 2025-26, 4 years equal MRP from 2026-27 (50), 5% on the debt
    # at the start of the year (200, then 150)
    assert c.spend_lines["capital_financing"] == pytest.approx([0.0, 60.0, 57.5])
    # council tax: Band D 1500 x 1.02^t times tax base 1000 x 1.01^t, / 1000 for £ thousand
    ct = [1530 * 1010 / 1000, 1560.6 * 1020.1 / 1000, 1591.812 * 1030.301 / 1000]
    assert c.income_lines["council_tax"] == pytest.approx(ct)
    spend = [1560.6, 1663.536, 1726.39462]
    income = [x + 100 for x in ct]
    assert c.spend == pytest.approx(spend)
    assert c.gap == pytest.approx([s - i for s, i in zip(spend, income)])
    # every year is a surplus here, so it adds to unallocated reserves
    assert c.unallocated_end == pytest.approx(40 - np.cumsum(c.gap))
    assert list(c.earmarked_end) == [50, 50, 50] and c.run_out is None


def test_scenario_difference_per_year_and_total():
    r = compute(plan(SMALL))
    diff = r.difference("cut")
    assert diff["county"] == pytest.approx([0, -30, -30])
    assert float(diff["total"].sum()) == pytest.approx(-60)
    out = r.to_dict()["scenarios"]["cut"]["funding_gap_difference"]["total"]
    assert out["total"] == pytest.approx(-60) and out["by_year"]["2025-26"] == 0


RUN_OUT = {
    "id": "runout", "title": "Reserves run out (illustrative)", "start_year": 2025,
    "years": 4,
    "assumptions": {"pay_inflation": {"value": 0.0}, "non_pay_inflation": {"value": 0.0}},
    "partners": [{
        "id": "d", "name": "District", "kind": "district",
        "revenue_lines": [{"id": "all", "name": "All services", "base": 100}],
        "income_lines": [{"id": "g", "name": "Grant", "kind": "grant", "base": 80,
                          "growth": {"value": 0.0}}],
        "reserves": {"earmarked": 15, "unallocated": 30, "earmarked_use": {"2025-26": 5}}}],
}


def test_reserves_run_out_year_by_hand():
    # gap 20 a year. 2025-26: 5 planned from earmarked (15 -> 10), 15 from unallocated (30 ->
    # 15). 2026-27: 15 from unallocated (-> 0), 5 from earmarked (-> 5). 2027-28: the last 5
    # of earmarked, 15 unfunded: reserves run out in 2027-28.
    d = compute(plan(RUN_OUT)).scenarios["baseline"].partners["d"]
    assert list(d.gap) == [20, 20, 20, 20]
    assert list(d.earmarked_end) == [10, 5, 0, 0]
    assert list(d.unallocated_end) == [15, 0, 0, 0]
    assert list(d.unfunded) == [0, 0, 15, 20]
    assert d.run_out == "2027-28"


def test_population_arrays_given_to_the_engine_replace_the_plans():
    r = compute(plan(SMALL), population={"age_65_plus": [100, 100, 100, 100]})
    asc = r.scenarios["baseline"].partners["county"].spend_lines["asc"]
    assert asc == pytest.approx([1030, 1060.9, 1092.727])


def _problems(data):
    with pytest.raises(ValidationError) as exc:
        compute(plan(data))
    return {(p.column, p.message) for p in exc.value.problems}


def test_bad_input_refused_naming_the_field():
    bad = copy.deepcopy(SMALL)
    c = bad["partners"][0]
    c["council_tax"]["growth"] = {"value": 0.0499}
    c["savings"].append({"line": "nope", "year": "2031-32", "amount": 1})
    bad["scenarios"][1]["adjustments"].append({"partner": "icb", "line": "x",
                                               "amounts": {"2025-26": 1}})
    bad["assumptions"].pop("interest_rate")
    got = _problems(bad)
    fields = {f for f, _ in got}
    assert "partners[county].council_tax.growth" in fields
    assert any("above the referendum limit of 2.99%" in m for _, m in got)
    assert "partners[county].savings[2]" in fields            # unknown line
    assert "partners[county].savings[2].year" in fields       # year outside the plan
    assert "scenarios[cut].adjustments[2].partner" in fields
    assert "assumptions.interest_rate" in fields


def test_schema_problems_name_the_field():
    bad = copy.deepcopy(SMALL)
    bad["partners"][0]["revenue_lines"][0]["base"] = -5
    with pytest.raises(ValidationError) as exc:
        plan(bad)
    assert exc.value.problems[0].column == "partners.0.revenue_lines.0.base"


def test_capped_false_allows_a_referendum_rise_and_zero_life_refused():
    ok = copy.deepcopy(SMALL)
    ok["partners"][0]["council_tax"]["growth"] = {"value": 0.0499}
    ok["partners"][0]["council_tax"]["cap"]["capped"] = False
    compute(plan(ok))
    bad = copy.deepcopy(SMALL)
    bad["partners"][0]["capital_lines"][0]["life"] = 0
    assert ("partners[county].capital_lines[depot].life" in
            {f for f, _ in _problems(bad)})
