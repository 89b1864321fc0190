"""Pure parts of stored plans: a partner's own population drives its demand; what a save
changes, named by line; the assumptions form applied to a definition; the plan's chart scenes."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from wholeplace.access.policy import PLAN_WIDE
from wholeplace.budget.files import parse
from wholeplace.budget.plan import compute
from wholeplace.budget.plan_model import Plan
from wholeplace.budget.plan_store import changes
from wholeplace.budget.plan_web import percent, updated
from wholeplace.report.plan_charts import difference_chart, funding_gap_chart, tornado_chart
from wholeplace.report.scene import to_svg

EXAMPLE = Path(__file__).parents[2] / "examples" / "plans" / "illustrative_place.yaml"


def _definition() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def test_a_partners_own_population_drives_its_demand():
    d = _definition()
    county = d["partners"][0]
    county["population"] = {**d["population"], "age_65_plus": [100, 110, 121, 133.1, 146.41,
                                                                 161.051]}
    own = compute(parse(Plan, d, "t")).scenarios["baseline"].partners["county"]
    plain = compute(parse(Plan, _definition(), "t")).scenarios["baseline"].partners["county"]
    asc_own, asc_plain = own.spend_lines["adult_social_care"], plain.spend_lines[
        "adult_social_care"]
    # demand grows 10% a year with the county's own 65+, 2.4% a year with the plan's
    assert asc_own[1] / asc_own[0] == pytest.approx(1.1 * asc_plain[1] / asc_plain[0] /
                                                     (26200 / 25600))
    assert not np.allclose(asc_own, asc_plain)


def test_changes_name_each_line_and_the_plan_wide_parts():
    old = _definition()
    new = copy.deepcopy(old)
    new["partners"][0]["revenue_lines"][0]["base"] = 1
    new["partners"][1]["council_tax"]["band_d"] = 201
    new["assumptions"]["pay_inflation"]["value"] = 0.04
    assert changes(old, new) == {
        "county": ["partners[county].revenue_lines[adult_social_care]"],
        "district": ["partners[district].council_tax"],
        PLAN_WIDE: ["assumptions"]}
    assert changes(old, copy.deepcopy(old)) == {}


def test_the_form_changes_only_what_was_edited():
    d = _definition()
    same = {"pay_inflation": percent(d["assumptions"]["pay_inflation"]["value"]),
            "council_tax_growth.county": "4.99"}
    new, errors = updated(d, same)
    assert errors == [] and changes(d, new) == {}
    new, errors = updated(d, {"council_tax_growth.district": "2.5"})
    assert errors == [] and new["partners"][1]["council_tax"]["growth"]["value"] == 0.025
    assert list(changes(d, new)) == ["district"]
    _, errors = updated(d, {"pay_inflation": "lots", "council_tax_growth.nobody": "1"})
    assert [f for f, _ in errors] == ["pay_inflation", "council_tax_growth.nobody"]


def test_chart_scenes_say_what_they_show():
    sc = funding_gap_chart(["2025-26", "2026-27"], {"a": [100.0, -50.0], "b": [120.0, 10.0]},
                           {"a": "Baseline", "b": "Invest"})
    assert "Baseline: 2025-26 £100k, 2026-27 −£50k" in sc.desc
    assert "Baseline" in sc.texts() and "Invest" in sc.texts()
    assert to_svg(sc).count("<rect") >= 4 + 2
    d = difference_chart(["2025-26", "2026-27"], {"b": [20.0, 60.0]}, {"b": "Invest"}, "Baseline")
    assert d.title.startswith("Difference from Baseline")
    assert "Invest: 2025-26 £20k, 2026-27 £60k" in d.desc and "Invest" in d.texts()
    assert to_svg(d).count("<rect") >= 2 + 1
    t = tornado_chart([{"parameter": "take_up", "npv_at_low": -10.0, "npv_at_high": 30.0}], 5.0)
    assert "take_up" in t.texts() and "central NPV £5" in t.desc
