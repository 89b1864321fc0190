"""The demonstration plan: Cambridge, Cambridgeshire County Council and the Cambridgeshire and
Peterborough Combined Authority, five years from their real RA budgets, RS outturn, CTR council
tax and reserves in the hub, with the worked falls-prevention example applied as a scenario.

Clearly marked "DEMONSTRATION", owned by the demonstration hub (access/demo.py), with one
demonstration finance officer per party so each can edit only their own lines. Idempotent: an
existing demonstration plan is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from wholeplace.access import demo, memberships, organisations, users
from wholeplace.access.actor import Actor
from wholeplace.access.signin import actor_of
from wholeplace.budget import plan_store
from wholeplace.budget.baseline import baseline
from wholeplace.budget.files import load
from wholeplace.budget.plan_tables import StoredPlan
from wholeplace.budget.prevention import Lookup, prepare
from wholeplace.budget.prevention_model import Intervention
from wholeplace.budget.prevention_plan import apply_to_plan
from wholeplace.hub.store import Store

PLACE = demo.COUNCILS[0]  # Cambridge: a district, its county and the combined authority
SLUG = "demonstration-cambridge"
FALLS = Path("examples/prevention/falls.yaml")


@dataclass(frozen=True)
class FinanceAccount:
    email: str
    name: str
    org: str


def accounts(county: str) -> tuple[FinanceAccount, ...]:
    return (
        FinanceAccount("finance.hub@demo.invalid", "Demonstration finance officer (hub)",
                       demo.HUB_CODE),
        FinanceAccount("finance.cambridge@demo.invalid",
                       "Demonstration finance officer (Cambridge)", PLACE),
        FinanceAccount("finance.county@demo.invalid",
                       "Demonstration finance officer (Cambridgeshire)", county))


def _accounts(session: Session, county: str) -> None:
    for a in accounts(county):
        user = users.find(session, a.email) or users.add(
            session, a.email, a.name, demo.DEMO_PASSWORD, demonstration=True)
        memberships.grant(session, user, organisations.get(session, a.org), "finance_officer")


def seed(session: Session, store: Store, lookup: Lookup | None, falls: Path = FALLS
         ) -> tuple[StoredPlan, bool, list[str]]:
    """(the demonstration plan, whether it was created now, the finance officers' emails)."""
    demo.create(session)
    b = baseline(store, PLACE, 5, demonstration=True)
    # councils are organisations (admin org sync); a combined authority is not: its lines
    # stay the owner's to edit
    partners = {p["id"]: p["gss_code"] for p in b.definition["partners"]
                if organisations.find(session, p["gss_code"]) is not None}
    county = next(p for p in b.definition["partners"] if p["kind"] == "county")
    _accounts(session, county["gss_code"])
    emails = [a.email for a in accounts(county["gss_code"])]
    existing = session.scalar(select(StoredPlan)
                              .where(StoredPlan.slug == SLUG))
    if existing is not None:
        return existing, False, emails
    plan = b.plan()
    m = load(Intervention, falls)
    lines = {"public_health": {"partner": county["id"], "line": "public_health"},
             "adult_social_care": {"partner": county["id"], "line": "adult_social_care"}}
    intervention = m.model_copy(update={"plan_lines": lines})
    applied = apply_to_plan(plan, prepare(intervention, lookup),
                            scenario_id="with_falls_prevention")
    definition = applied.plan.model_dump(mode="json", exclude_none=True)
    definition["note"] = (f"{definition.get('note', '')} The falls-prevention scenario is the "
                          f"worked illustration ({falls.name}), applied at {applied.price_base} "
                          "prices; the NHS's savings fall outside these councils' plans.")
    user = users.find(session, accounts(county["gss_code"])[0].email)
    assert user is not None
    actor: Actor = actor_of(user, demo.HUB_CODE)
    stored = plan_store.create(session, actor, demo.HUB_CODE, definition, partners, SLUG,
                               demonstration=True,
                               interventions=[intervention.model_dump(mode="json")])
    return stored, True, emails
