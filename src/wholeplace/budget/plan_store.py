"""Stored, shared plans: create, read, save (a new version each time) and who may do which.

Every decision is the policy's (:func:`wholeplace.access.policy.allowed` with a
:class:`~wholeplace.access.policy.PlanRef`); every change is audited. A save is refused, with
nothing saved, when the definition does not check or when it changes a part the person's
organisation does not answer for (the message names each such line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wholeplace.access import audit, organisations
from wholeplace.access.actor import Actor
from wholeplace.access.policy import PLAN_WIDE, Org, PlanRef, allowed
from wholeplace.budget.files import parse
from wholeplace.budget.plan import compute
from wholeplace.budget.plan_model import Plan
from wholeplace.budget.plan_tables import PlanPartner, PlanVersion, StoredPlan
from wholeplace.errors import InputError, NotFoundError, WholeplaceError

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


class PlanEditRefused(WholeplaceError, PermissionError):
    """A save that touches lines the person may not edit (nothing was saved)."""

    status_code = 403


def checked(definition: Mapping[str, Any], where: str = "plan") -> Plan:
    """The definition as a Plan that computes; every problem raised at once."""
    plan = parse(Plan, dict(definition), where)
    compute(plan)
    return plan


def ref(plan: StoredPlan, touched: frozenset[str] = frozenset()) -> PlanRef:
    parties: dict[str, set[str]] = {}
    for p in plan.partners:
        parties.setdefault(p.organisation.code, set()).add(p.partner_id)
    return PlanRef(plan.owner.code, {k: frozenset(v) for k, v in parties.items()}, touched)


def get(session: Session, slug: str) -> StoredPlan:
    found = session.scalar(select(StoredPlan).where(StoredPlan.slug == slug))
    if found is None:
        raise NotFoundError(f"No plan {slug!r}. See the list of plans.")
    return found


def visible(session: Session, actor: Actor | None) -> list[StoredPlan]:
    """Every plan the person may see, newest first."""
    plans: Sequence[StoredPlan] = session.scalars(
        select(StoredPlan).order_by(StoredPlan.created_at.desc(), StoredPlan.id.desc())).all()
    return [p for p in plans if allowed(actor, "plan.view", ref(p))]


def latest(session: Session, plan: StoredPlan) -> PlanVersion:
    version = session.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                             .order_by(PlanVersion.number.desc()).limit(1))
    if version is None:
        raise NotFoundError(f"The plan {plan.slug!r} has no saved version.")
    return version


def versions(session: Session, plan: StoredPlan) -> list[PlanVersion]:
    return list(session.scalars(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                                .order_by(PlanVersion.number.desc())))


def create(session: Session, actor: Actor, owner: str, definition: Mapping[str, Any],
           partners: Mapping[str, str], slug: str | None = None,
           demonstration: bool = False,
           interventions: list[dict[str, Any]] | None = None) -> StoredPlan:
    """A new plan owned by ``owner`` with ``partners`` (plan partner id -> organisation code)."""
    if not allowed(actor, "plan.create", Org(owner)):
        raise PlanEditRefused(f"You may not create plans for {owner}: a finance officer or "
                              "administrator acting for it can.")
    plan = checked(definition)
    slug = slug or plan.id.replace("_", "-")
    if not SLUG.match(slug):
        raise InputError(f"slug: {slug!r} is not a plan address (lower-case letters, digits, "
                         "hyphens; at most 80).")
    if session.scalar(select(StoredPlan.id).where(StoredPlan.slug == slug)) is not None:
        raise InputError(f"slug: a plan {slug!r} exists already; choose another.")
    ids = {p.id for p in plan.partners}
    unknown = sorted(set(partners) - ids)
    if unknown:
        raise InputError(f"partners: {', '.join(unknown)} are not partners of the plan "
                         f"({', '.join(sorted(ids))}).")
    stored = StoredPlan(slug=slug, title=plan.title,
                        owner=organisations.get(session, owner), demonstration=demonstration)
    for pid, code in partners.items():
        stored.partners.append(PlanPartner(partner_id=pid,
                                           organisation=organisations.get(session, code)))
    session.add(stored)
    session.flush()
    _add_version(session, stored, actor, dict(definition), "created", interventions)
    audit.record(session, actor, "plan.create", f"plan:{slug}",
                 detail={"owner": owner, "partners": dict(partners)})
    return stored


def _add_version(session: Session, plan: StoredPlan, actor: Actor,
                 definition: dict[str, Any], note: str | None,
                 interventions: list[dict[str, Any]] | None) -> PlanVersion:
    number = (session.scalar(select(PlanVersion.number).where(PlanVersion.plan_id == plan.id)
                             .order_by(PlanVersion.number.desc()).limit(1)) or 0) + 1
    version = PlanVersion(plan_id=plan.id, number=number, definition=definition,
                          saved_by=actor.id, saved_for=actor.acting_for, note=note,
                          interventions=interventions)
    session.add(version)
    session.flush()
    return version


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[str]]:
    """What a save changes: partner id (or PLAN_WIDE) -> the names of the changed parts."""
    out: dict[str, list[str]] = {}
    before = {p["id"]: p for p in old.get("partners", [])}
    after = {p["id"]: p for p in new.get("partners", [])}
    for pid in sorted(set(before) | set(after)):
        a, b = before.get(pid), after.get(pid)
        if a == b:
            continue
        if a is None or b is None:
            out.setdefault(PLAN_WIDE, []).append(f"partners[{pid}] (added or removed)")
            continue
        out[pid] = _partner_changes(pid, a, b)
    for key in sorted((set(old) | set(new)) - {"partners"}):
        if old.get(key) != new.get(key):
            out.setdefault(PLAN_WIDE, []).append(key)
    return out


def _partner_changes(pid: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    named = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x == y:
            continue
        if isinstance(x, list) and isinstance(y, list) and all(
                isinstance(i, dict) and "id" in i for i in [*x, *y]):
            xs, ys = {i["id"]: i for i in x}, {i["id"]: i for i in y}
            named += [f"partners[{pid}].{key}[{i}]" for i in sorted(set(xs) | set(ys))
                      if xs.get(i) != ys.get(i)]
        else:
            named.append(f"partners[{pid}].{key}")
    return named


def save(session: Session, actor: Actor, plan: StoredPlan, definition: Mapping[str, Any],
         note: str | None = None) -> PlanVersion:
    """A new version of ``plan``; refused (nothing saved) if it does not check or touches
    lines the person's organisation does not answer for."""
    previous = latest(session, plan)
    current = previous.definition
    changed = changes(current, definition)
    if not changed:
        raise InputError("Nothing changed: the definition is the same as the latest version.")
    # a partner no organisation answers for is the owner's to edit, like the plan-wide parts
    attached = {p.partner_id for p in plan.partners}
    touched = frozenset(k if k in attached else PLAN_WIDE for k in changed)
    if not allowed(actor, "plan.edit", ref(plan, touched)):
        mine = ref(plan).partners.get(actor.acting_for or "", frozenset())
        owner = actor.acting_for == plan.owner.code
        theirs = [n for part, names in changed.items() for n in names if part not in mine
                  and not (owner and (part == PLAN_WIDE or part not in attached))]
        raise PlanEditRefused(
            "You may edit only the lines of the partner your organisation answers for "
            f"({', '.join(sorted(mine)) or 'none'}); this change touches "
            f"{', '.join(theirs) or 'lines you may not edit'}. Nothing was saved.")
    checked(definition)
    version = _add_version(session, plan, actor, dict(definition), note,
                           previous.interventions)
    plan.title = str(definition.get("title", plan.title))
    audit.record(session, actor, "plan.edit", f"plan:{plan.slug}",
                 detail={"version": version.number,
                         "changed": {k: v for k, v in changed.items()}})
    return version


def as_row(plan: StoredPlan, version: PlanVersion | None = None) -> dict[str, Any]:
    return {"slug": plan.slug, "title": plan.title, "owner": plan.owner.code,
            "owner_name": plan.owner.name, "demonstration": plan.demonstration,
            "partners": [{"partner": p.partner_id, "organisation": p.organisation.code,
                          "organisation_name": p.organisation.name} for p in plan.partners],
            "version": None if version is None else {
                "number": version.number, "saved_by": version.saved_by,
                "saved_for": version.saved_for, "saved_at": version.saved_at.isoformat(),
                "note": version.note}}
