"""The prevention value model against a three-partner case worked by hand (made-up figures),
and Monte Carlo properties (reproducible for a seed, converging as draws grow)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wholeplace.budget.files import parse
from wholeplace.budget.prevention import (
    central,
    monte_carlo,
    prepare,
    sensitivities,
    summary,
    who_pays_who_saves,
)
from wholeplace.budget.prevention_model import Intervention
from wholeplace.errors import InputError, ValidationError

THREE = {
    "id": "t", "title": "Three-partner test (illustrative figures)", "start_year": 2025,
    "years": 3, "price_base": "2015-16",
    "partners": {"ph": "Public health", "icb": "ICB", "asc": "Adult social care"},
    "cohort": {"value": 100}, "take_up": {"value": 0.5},
    "cost_per_participant": {"value": 200},
    "cost_bearers": [{"partner": "ph", "share": 1.0}],
    "outcomes": [{
        "id": "adm", "title": "Admissions", "baseline_rate": {"value": 0.2},
        "effect": {"value": 0.25}, "lag_years": 1, "decay": {"value": 0.0},
        "unit_cost": {"value": 1000, "price_year": "2015-16", "source": "test"},
        "public_value": [{"value": 500, "price_year": "2015-16", "source": "test"}],
        "receivers": [{"partner": "icb", "share": 0.6, "cashable": {"value": 0.5}},
                      {"partner": "asc", "share": 0.4, "cashable": {"value": 1.0}}]}],
}
D1, D2 = 1 / 1.035, 1 / 1.035**2


def model(data=THREE):
    return prepare(parse(Intervention, data, "test"))


def test_three_partner_who_pays_who_saves_by_hand():
    mdl = model()
    e = mdl.run(central(mdl.params))
    # 50 participants a year; the effect starts a year later and lasts, cohorts overlap:
    # avoided = 0, 50 x 0.25 x 0.2 = 2.5, (50 + 50) x 0.25 x 0.2 = 5
    assert e.avoided["adm"][0] == pytest.approx([0, 2.5, 5.0])
    assert e.cost["ph"][0] == pytest.approx([10000] * 3)
    assert e.saving["icb"][0] == pytest.approx([0, 1500, 3000])
    assert e.cashable["icb"][0] == pytest.approx([0, 750, 1500])
    assert e.saving["asc"][0] == pytest.approx([0, 1000, 2000])
    rows = {r["partner"]: r for r in who_pays_who_saves(mdl, e)}
    cost_pv = 10000 * (1 + D1 + D2)
    assert rows["ph"]["cost_pv"] == pytest.approx(cost_pv)
    assert rows["ph"]["saving_pv"] == 0 and rows["ph"]["net_pv"] == pytest.approx(-cost_pv)
    assert rows["icb"]["saving_pv"] == pytest.approx(1500 * D1 + 3000 * D2)
    assert rows["icb"]["cashable_saving_pv"] == pytest.approx(750 * D1 + 1500 * D2)
    assert rows["asc"]["net_cashable_pv"] == pytest.approx(1000 * D1 + 2000 * D2)
    s = summary(mdl, e)
    fiscal_pv = 2500 * D1 + 5000 * D2
    assert s["fiscal_npv"][0] == pytest.approx(fiscal_pv - cost_pv)
    assert s["fiscal_roi"][0] == pytest.approx((fiscal_pv - cost_pv) / cost_pv)
    # public value adds 500 per avoided admission, kept apart from the fiscal view
    assert s["public_value_benefit_pv"][0] == pytest.approx(fiscal_pv + 1250 * D1 + 2500 * D2)
    assert s["fiscal_payback"][0] == -1


def test_decay_and_rate_ratio():
    data = copy.deepcopy(THREE)
    o = data["outcomes"][0]
    o["decay"] = {"value": 0.5}
    o.pop("effect")
    o["rate_ratio"] = {"value": 0.75}
    e = model(data).run(central(model(data).params))
    # kernel: year after 0.25, then 0.125; avoided y2 = (50 x 0.125 + 50 x 0.25) x 0.2
    assert e.avoided["adm"][0] == pytest.approx([0, 2.5, 3.75])


RANGED = copy.deepcopy(THREE)
RANGED["outcomes"][0]["effect"] = {"value": 0.25, "low": 0.1, "high": 0.4,
                                   "distribution": "triangular"}
RANGED["take_up"] = {"value": 0.5, "low": 0.4, "high": 0.6, "distribution": "uniform"}


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_monte_carlo_reproducible_for_a_seed(seed):
    mdl = model(RANGED)
    assert monte_carlo(mdl, 500, seed) == monte_carlo(mdl, 500, seed)


def test_monte_carlo_converges_as_draws_grow():
    mdl = model(RANGED)
    # the NPV is linear in the effect given take-up, and the two are drawn independently,
    # so its mean is the NPV at the means (triangular: (0.1 + 0.25 + 0.4) / 3; uniform: 0.5)
    exact = copy.deepcopy(RANGED)
    exact["outcomes"][0]["effect"] = {"value": 0.25}
    exact["take_up"] = {"value": 0.5}
    target = float(summary(model(exact), model(exact).run(central(model(exact).params)))[
        "fiscal_npv"][0])
    errors = {n: np.mean([abs(monte_carlo(mdl, n, s)["fiscal"]["npv_mean"] - target)
                          for s in range(5)]) for n in (200, 20000)}
    assert errors[20000] < errors[200] / 3
    assert errors[20000] < 0.01 * abs(target)


def test_sensitivities_sorted_by_swing():
    rows = sensitivities(model(RANGED))
    assert {r["parameter"] for r in rows} == {"adm.effect", "take_up"}
    assert rows[0]["swing"] >= rows[1]["swing"] > 0
    effect = next(r for r in rows if r["parameter"] == "adm.effect")
    assert effect["npv_at_high"] > effect["npv_at_low"]
    # linear in the effect: the swing is the saving at an effect of 0.3 (0.4 - 0.1)
    assert effect["swing"] == pytest.approx((2500 * D1 + 5000 * D2) * 0.3 / 0.25)


def _bad(change):
    data = copy.deepcopy(THREE)
    change(data)
    with pytest.raises((ValidationError, InputError)) as exc:
        model(data)
    return str(exc.value) + " ".join(str(p) for p in getattr(exc.value, "problems", []))


def test_bad_input_refused_naming_the_field():
    assert "take_up" in _bad(lambda d: d.update(take_up={"value": 1.2}))
    assert "cohort" in _bad(lambda d: d.update(cohort={"value": -1}))
    assert "inverted" in _bad(lambda d: d["outcomes"][0].update(
        effect={"value": 0.2, "low": 0.3, "high": 0.1, "distribution": "uniform"}))
    assert "lag_years" in _bad(lambda d: d["outcomes"][0].update(lag_years=3))
    assert "'fire' is not one of" in _bad(
        lambda d: d.update(cost_bearers=[{"partner": "fire", "share": 1.0}]))
    assert "add up to 0.9" in _bad(lambda d: d["outcomes"][0]["receivers"][0].update(
        share=0.5))
    assert "price year" in _bad(lambda d: d["outcomes"][0].update(unit_cost={"value": 5}))
    assert "deflator" in _bad(lambda d: d["outcomes"][0].update(
        unit_cost={"value": 5, "price_year": "2010-11"}))


def test_negative_cost_and_proportions_outside_0_1_refused_naming_the_field():
    assert "'cost_per_participant'" in _bad(
        lambda d: d.update(cost_per_participant={"value": -200}))
    assert "'cost_per_participant'" in _bad(lambda d: d.update(cost_per_participant={
        "value": 200, "low": -10, "high": 300, "distribution": "uniform"}))
    assert "'outcomes[adm].receivers[icb].cashable'" in _bad(
        lambda d: d["outcomes"][0]["receivers"][0].update(cashable={"value": 1.5}))
    assert "'outcomes[adm].decay'" in _bad(lambda d: d["outcomes"][0].update(
        decay={"value": -0.1}))
    assert "'outcomes[adm].effect'" in _bad(lambda d: d["outcomes"][0].update(
        effect={"value": 1.25}))
    assert "'plan_lines.fire'" in _bad(lambda d: d.update(
        plan_lines={"fire": {"partner": "county", "line": "asc"}}))


def test_user_deflator_uprates():
    data = copy.deepcopy(THREE)
    data["outcomes"][0]["unit_cost"] = {"value": 800, "price_year": "2010-11"}
    data["deflator"] = {"id": "test-index", "source": "made up for the test",
                        "index": {"2010-11": 80.0, "2015-16": 100.0}}
    assert model(data).prices["adm"][0] == pytest.approx(1000.0)


def test_applied_to_a_plan_cashable_savings_after_the_lag():
    from tests.unit.test_budget_plan import SMALL
    from wholeplace.budget.plan import compute
    from wholeplace.budget.plan_model import Plan
    from wholeplace.budget.prevention_plan import apply_to_plan

    plan_data = copy.deepcopy(SMALL)
    plan_data["partners"].append({
        "id": "icb", "name": "ICB", "kind": "icb",
        "revenue_lines": [{"id": "acute", "name": "Acute", "base": 5000}],
        "reserves": {"earmarked": 0, "unallocated": 0}})
    data = copy.deepcopy(THREE)
    data["plan_lines"] = {"ph": {"partner": "county", "line": "other"},
                          "icb": {"partner": "icb", "line": "acute"},
                          "asc": {"partner": "county", "line": "asc"}}
    plan = parse(Plan, plan_data, "plan")
    applied = apply_to_plan(plan, model(data))
    r = compute(applied.plan)
    diff = r.difference(applied.scenario, "baseline", attr="spend")
    # £ thousand: icb saves its cashable 750 then 1500 (after the one-year lag); the county
    # pays 10,000 a year and saves asc's cashable 1000 then 2000
    assert diff["icb"] == pytest.approx([0, -0.75, -1.5])
    assert diff["county"] == pytest.approx([10, 10 - 1, 10 - 2])
    assert applied.outside_plan == []


def test_applying_to_an_unknown_base_scenario_is_refused_naming_it():
    from tests.unit.test_budget_plan import SMALL
    from wholeplace.budget.plan_model import Plan
    from wholeplace.budget.prevention_plan import apply_to_plan

    data = copy.deepcopy(THREE)
    data["plan_lines"] = {"ph": {"partner": "county", "line": "other"}}
    plan = parse(Plan, copy.deepcopy(SMALL), "plan")
    with pytest.raises(InputError, match="base: 'nope' is not a scenario of the plan"):
        apply_to_plan(plan, model(data), base="nope")
    assert len(plan.scenarios) == len(SMALL["scenarios"])


OWN_SCHEDULE = {"id": "test-flat-5", "title": "A flat 5% (made up for the test)",
                "source": "test", "edition": "1", "bands": [{"from": 0, "to": None,
                                                            "rate": 0.05}]}


def test_a_model_can_give_its_own_discount_schedule():
    data = copy.deepcopy(THREE)
    data["discount"] = OWN_SCHEDULE
    mdl = model(data)
    assert mdl.factors == pytest.approx([1, 1 / 1.05, 1 / 1.05**2])
    s = summary(mdl, mdl.run(central(mdl.params)))
    cost_pv = 10000 * (1 + 1 / 1.05 + 1 / 1.05**2)
    assert s["fiscal_npv"][0] == pytest.approx(2500 / 1.05 + 5000 / 1.05**2 - cost_pv)


def test_a_discount_schedule_with_a_gap_is_refused_naming_the_field():
    gap = copy.deepcopy(OWN_SCHEDULE)
    gap["bands"] = [{"from": 0, "to": 1, "rate": 0.05}, {"from": 3, "to": None, "rate": 0.04}]
    got = _bad(lambda d: d.update(discount=gap))
    assert "'discount.own'" in got and "years 2 to 2 have no rate" in got


def test_health_effects_discounted_at_the_health_rate_where_chosen():
    # the 500 of public value per avoided admission marked as a health effect (e.g. QALYs):
    # with health_discount "health" it is discounted at 1.5%, everything else at 3.5%
    data = copy.deepcopy(THREE)
    data["outcomes"][0]["public_value"][0]["health"] = True
    same = model(data)  # no health schedule chosen: the model's own rate for everything
    e = same.run(central(same.params))
    fiscal_pv = 2500 * D1 + 5000 * D2
    assert summary(same, e)["public_value_benefit_pv"][0] == pytest.approx(
        fiscal_pv + 1250 * D1 + 2500 * D2)
    data["health_discount"] = "health"
    mdl = model(data)
    e = mdl.run(central(mdl.params))
    s = summary(mdl, e)
    h1, h2 = 1 / 1.015, 1 / 1.015**2
    assert s["public_value_benefit_pv"][0] == pytest.approx(fiscal_pv + 1250 * h1 + 2500 * h2)
    cost_pv = 10000 * (1 + D1 + D2)
    assert s["public_value_npv"][0] == pytest.approx(fiscal_pv + 1250 * h1 + 2500 * h2 - cost_pv)
    assert s["fiscal_npv"][0] == pytest.approx(fiscal_pv - cost_pv)  # fiscal view unchanged
    # a fiscal unit cost cannot be a health effect
    assert "unit_cost.health" in _bad(lambda d: d["outcomes"][0]["unit_cost"].update(
        health=True))
