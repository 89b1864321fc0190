"""Stored plans on SQLite and PostgreSQL: versions with who and when, partners editing only
their own lines (refused with the line named, nothing saved), everyone party seeing the whole,
every change audited."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from wholeplace.access import audit, memberships, organisations, users
from wholeplace.access.models import AuditEntry
from wholeplace.access.organisations import Council
from wholeplace.access.policy import PLAN_WIDE, PlanRef, allowed
from wholeplace.access.signin import actor_of
from wholeplace.budget import plan_store
from wholeplace.budget.plan_tables import PlanVersion
from wholeplace.errors import ValidationError

EXAMPLE = Path(__file__).parents[2] / "examples" / "plans" / "illustrative_place.yaml"
DISTRICT, COUNTY, HUB, OTHER = "E07000008", "E10000003", "plan-hub", "E07000012"


@pytest.fixture
def people(app_session):
    s = app_session
    organisations.sync_councils(s, [Council(DISTRICT, "Cambridge"),
                                    Council(COUNTY, "Cambridgeshire"),
                                    Council(OTHER, "South Cambridgeshire")])
    organisations.add(s, HUB, "Plan hub", "hub", [DISTRICT])
    grants = {"fo.hub": (HUB, "finance_officer"), "fo.district": (DISTRICT, "finance_officer"),
              "fo.county": (COUNTY, "finance_officer"), "viewer.district": (DISTRICT, "viewer"),
              "fo.other": (OTHER, "finance_officer")}
    out = {}
    for name, (code, role) in grants.items():
        user = users.add(s, f"{name}@example.org", name, "a long enough password 1")
        memberships.grant(s, user, organisations.get(s, code), role)
        s.flush()
        s.refresh(user)
        out[name] = actor_of(user, code)
    return out


def _definition() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def _create(s, people):
    return plan_store.create(s, people["fo.hub"], HUB, _definition(),
                             {"district": DISTRICT, "county": COUNTY}, "test-plan")


def _line(d: dict, partner: str, line: str) -> dict:
    p = next(x for x in d["partners"] if x["id"] == partner)
    return next(x for x in p["revenue_lines"] if x["id"] == line)


def test_create_then_partner_saves_own_line_as_a_new_version(app_session, people):
    s = app_session
    plan = _create(s, people)
    d = copy.deepcopy(plan_store.latest(s, plan).definition)
    _line(d, "district", "housing")["base"] = 4100
    v = plan_store.save(s, people["fo.district"], plan, d, "housing budget revised")
    assert v.number == 2 and v.saved_by == "fo.district@example.org"
    assert v.saved_for == DISTRICT and v.saved_at is not None
    assert [x.number for x in plan_store.versions(s, plan)] == [2, 1]
    assert _line(plan_store.latest(s, plan).definition, "district", "housing")["base"] == 4100
    actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions[-2:] == ["plan.create", "plan.edit"]
    assert audit.verify(s) == []


def test_partner_editing_another_partners_line_is_refused_naming_it(app_session, people):
    s = app_session
    plan = _create(s, people)
    d = copy.deepcopy(plan_store.latest(s, plan).definition)
    _line(d, "county", "adult_social_care")["base"] = 1
    with pytest.raises(plan_store.PlanEditRefused,
                       match=r"partners\[county\]\.revenue_lines\[adult_social_care\]"):
        plan_store.save(s, people["fo.district"], plan, d)
    assert s.scalar(select(func.count()).select_from(PlanVersion)) == 1


def test_plan_wide_assumptions_are_the_owners(app_session, people):
    s = app_session
    plan = _create(s, people)
    d = copy.deepcopy(plan_store.latest(s, plan).definition)
    d["assumptions"]["pay_inflation"]["value"] = 0.04
    with pytest.raises(plan_store.PlanEditRefused, match="assumptions"):
        plan_store.save(s, people["fo.county"], plan, d)
    # the icb partner has no organisation attached: the owner's to edit, like the assumptions
    _line(d, "icb", "primary_care")["base"] = 31000
    assert plan_store.save(s, people["fo.hub"], plan, d).number == 2
    with pytest.raises(plan_store.PlanEditRefused):
        plan_store.save(s, people["viewer.district"], plan, _definition())


def test_bad_definition_is_refused_with_the_field_and_nothing_saved(app_session, people):
    s = app_session
    plan = _create(s, people)
    d = copy.deepcopy(plan_store.latest(s, plan).definition)
    _line(d, "district", "housing")["base"] = -5
    with pytest.raises(ValidationError, match="partners.1.revenue_lines.0.base"):
        plan_store.save(s, people["fo.district"], plan, d)
    assert len(plan_store.versions(s, plan)) == 1


def test_every_party_sees_the_whole_plan_and_no_one_else(app_session, people):
    s = app_session
    _create(s, people)
    for name in ("fo.hub", "fo.district", "fo.county", "viewer.district"):
        assert [p.slug for p in plan_store.visible(s, people[name])] == ["test-plan"], name
    assert plan_store.visible(s, people["fo.other"]) == []
    assert plan_store.visible(s, None) == []


def test_only_finance_officers_and_admins_create_plans(app_session, people):
    with pytest.raises(plan_store.PlanEditRefused, match="finance officer"):
        plan_store.create(app_session, people["viewer.district"], DISTRICT, _definition(), {})


def test_policy_plan_edit_by_parts():
    from wholeplace.access.actor import Actor

    fo = Actor("a", "A", 1, DISTRICT, {DISTRICT: frozenset({"finance_officer"})})
    ref = PlanRef(HUB, {DISTRICT: frozenset({"district"})})
    assert allowed(fo, "plan.view", ref)
    assert allowed(fo, "plan.edit", PlanRef(HUB, ref.partners, frozenset({"district"})))
    assert not allowed(fo, "plan.edit", PlanRef(HUB, ref.partners, frozenset({"county"})))
    assert not allowed(fo, "plan.edit", PlanRef(HUB, ref.partners, frozenset({PLAN_WIDE})))
    assert not allowed(None, "plan.view", ref)
