"""The residents index under the access layer: a source's authorisation read from the
data-sharing agreement it is held under, which sources a person may use for an action (asked of
:func:`wholeplace.access.policy.allowed`, the one policy function), the person a command acts
as, and the audit entry of every look-up of a person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from wholeplace.access import agreements, audit, memberships, users
from wholeplace.access.actor import Actor
from wholeplace.access.models import Agreement
from wholeplace.access.policy import Org, ResidentsSourceRef, allowed
from wholeplace.errors import InputError, NotFoundError, PermissionDeniedError
from wholeplace.residents.mapping import Authorisation
from wholeplace.residents.privacy import check_purpose
from wholeplace.residents.sources import registered
from wholeplace.residents.workspace import Workspace


def authorisation(session: Session, agreement_id: str, owner: str, purpose: str,
                  today: date) -> Authorisation:
    """What agreement ``agreement_id`` says today, for a source ``owner`` holds for
    ``purpose``."""
    try:
        number = int(str(agreement_id).strip())
    except ValueError:
        raise InputError(f"{agreement_id!r} is not an agreement number: give the number "
                         "'wholeplace admin agreement list' shows. Nothing was stored.") from None
    agreement = session.get(Agreement, number)
    if agreement is None:
        raise NotFoundError(f"There is no data-sharing agreement {number}; record it first "
                            "('wholeplace admin agreement add'). Nothing was stored.")
    return Authorisation(
        agreement_id=str(agreement.id), purpose=check_purpose(purpose),
        status=agreements.status(agreement, today), ends_on=agreement.end_date, owner=owner,
        parties=agreements.party_codes(agreement),
        items=frozenset(f"{i.kind}:{i.ref}" for i in agreement.items),
        starts_on=agreement.start_date)


def refresher(session: Session, today: date) -> Callable[[Authorisation], Authorisation]:
    """The current authorisation of a registered source (its agreement as it is today; one
    that no longer exists is refused)."""
    def refresh(old: Authorisation) -> Authorisation:
        try:
            return authorisation(session, old.agreement_id, old.owner, old.purpose, today)
        except (InputError, NotFoundError):
            return replace(old, status="missing")
    return refresh


def source_ref(auth: Authorisation, source: str, today: date) -> ResidentsSourceRef:
    """A source as the policy sees it: its owner, and its agreement's parties while the
    agreement is in force and covers it."""
    in_force = auth.refusal(today, source) is None
    return ResidentsSourceRef(owner=auth.owner,
                              shared_with=auth.parties if in_force else frozenset())


@dataclass(frozen=True)
class Permitted:
    """The sources a person may use for one action and purpose: source -> agreement id."""

    purpose: str
    sources: dict[str, str]

    def agreements(self) -> list[str]:
        return sorted(set(self.sources.values()))


def permitted(session: Session, ws: Workspace, actor: Actor, action: str, purpose: str,
              today: date) -> Permitted:
    """Every source of ``purpose`` the policy lets ``actor`` use for ``action``; refuses a
    missing purpose, and a person with none."""
    check_purpose(purpose)
    if not allowed(actor, action, Org(actor.acting_for) if actor.acting_for else None):
        raise PermissionDeniedError(
            f"{actor.id} acting for {actor.acting_for or 'no organisation'} may not "
            f"{action.removeprefix('residents.')} in the residents index: the role is missing. "
            "Ask the organisation's administrator.")
    found = {src.source: src.authorisation.agreement_id
             for src in registered(ws, purpose, refresher(session, today))
             if allowed(actor, action, source_ref(src.authorisation, src.source, today))}
    if not found:
        raise PermissionDeniedError(
            f"No source of the residents index for purpose {purpose!r} is held by "
            f"{actor.acting_for} or shared with it under an agreement in force, so there is "
            "nothing you may see. A data-sharing agreement between the councils is needed.")
    return Permitted(purpose, found)


def permitted_to_turn_off(session: Session, ws: Workspace, actor: Actor, purpose: str,
                          today: date) -> None:
    """Refuse unless ``actor`` may turn the purpose's kept comparison columns off. Turning off
    only deletes, so besides whoever may decide for the purpose's sources, the DPO of the
    organisation whose decision turned them on may, even when no source of the purpose is
    left to check against (moved, or its agreement gone): the files are never stranded."""
    from wholeplace.residents import comparisons

    try:
        permitted(session, ws, actor, "residents.retain_comparisons", purpose, today)
    except PermissionDeniedError:
        last = comparisons.decision(ws, purpose)
        if not (last is not None and last.on and actor.acting_for == last.organisation
                and allowed(actor, "residents.retain_comparisons", Org(last.organisation))):
            raise


def audit_lookup(session: Session, actor: Actor, target: str, allowed_to: Permitted,
                 detail: dict[str, Any] | None = None, ip: str | None = None,
                 action: str = "residents.lookup") -> None:
    """Record a look-up of a person: who, acting for whom, for which purpose, under which
    agreements (the pseudonymous target only: no identifier)."""
    audit.record(session, actor, action, target, ip=ip, detail={
        "purpose": allowed_to.purpose, "agreements": allowed_to.agreements(), **(detail or {})})


def cli_actor(session: Session, email: str | None, org: str | None, via: str) -> Actor:
    """The person a command acts as (``--as EMAIL --org CODE``): their roles from the access
    layer, acting for ``org``. The command line names a person; it never bypasses the
    policy for a look-up."""
    if not email or not org:
        raise InputError("Say who you are acting as and for which organisation: --as EMAIL "
                         "--org CODE (the person's roles there decide what is allowed).")
    user = users.find(session, email)
    if user is None or user.disabled:
        raise NotFoundError(f"There is no enabled account {email!r}; 'wholeplace admin user "
                            "list' lists them.")
    roles = memberships.roles_of(user)
    if org not in roles:
        raise PermissionDeniedError(f"{email} holds no role in {org}; choose an organisation "
                                    f"they belong to ({', '.join(sorted(roles)) or 'none'}).")
    return Actor(id=user.email, display_name=f"{user.display_name} (via {via})",
                 user_id=user.id, acting_for=org, roles=roles)


def register_source(session: Session, ws: Workspace, actor: Actor, path: Any, mapping: Any,
                    agreement_id: str, purpose: str, today: date) -> int:
    """Register an extract for ``actor``'s organisation under an agreement in force: refused,
    with nothing stored, unless the agreement is active (every party's DPO approved), in date,
    not revoked, names the organisation as a party and covers the source for the purpose, and
    the person is that organisation's data protection officer."""
    from wholeplace.residents.sources import register

    if actor.acting_for is None:
        raise InputError("Choose the organisation you register the source for (--org CODE).")
    auth = authorisation(session, agreement_id, actor.acting_for, purpose, today)
    auth.require(mapping.source, today)
    if not allowed(actor, "residents.register", source_ref(auth, mapping.source, today)):
        raise PermissionDeniedError(f"Only a data protection officer of {actor.acting_for} may "
                                    "register its sources; nothing was stored.")
    count = register(ws, path, mapping, auth, today)
    audit.record(session, actor, "residents.register", f"residents:{purpose}:{mapping.source}",
                 detail={"purpose": purpose, "agreement": auth.agreement_id,
                         "records": count})
    return count
