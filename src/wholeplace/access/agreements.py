"""Data-sharing agreements between two or more organisations.

Status: draft -> awaiting_approval (each party's data protection officer approves) -> active;
then revoked, or expired once past its end date (derived, never stored). Access follows an
agreement only while it is in force: active, on or after its start date, on or before its end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, bindparam, select
from sqlalchemy.orm import Session, aliased

from wholeplace.access import organisations
from wholeplace.access.models import (
    ARTICLE6_BASES,
    ARTICLE9_CONDITIONS,
    Agreement,
    AgreementItem,
    AgreementParty,
    Organisation,
    User,
)
from wholeplace.access.policy import AgreementRef, agreement_in_force
from wholeplace.appdb import utcnow
from wholeplace.errors import InputError, NotFoundError


@dataclass(frozen=True)
class Terms:
    """What a new agreement says."""

    title: str
    purpose: str
    parties: tuple[str, ...]
    items: tuple[str, ...]  # "dataset:<source id>" or "indicator:<indicator id>"
    article6_basis: str
    start_date: date
    end_date: date
    review_date: date | None = None
    article9_condition: str | None = None


def _problems(session: Session, terms: Terms) -> list[str]:
    problems = []
    if not terms.title.strip() or len(terms.title) > 200:
        problems.append("the title must be 1 to 200 characters")
    if not terms.purpose.strip():
        problems.append("the purpose must be given")
    if len(set(terms.parties)) < 2:
        problems.append("an agreement needs at least two different parties")
    unknown = [p for p in terms.parties if organisations.find(session, p) is None]
    if unknown:
        problems.append(f"unknown organisations: {', '.join(unknown)}")
    bad = [i for i in terms.items if i.partition(":")[0] not in ("dataset", "indicator")
           or not i.partition(":")[2]]
    if not terms.items or bad:
        problems.append("items must be given as dataset:<id> or indicator:<id>"
                        + (f"; not {', '.join(bad)}" if bad else ""))
    if terms.article6_basis not in ARTICLE6_BASES:
        problems.append(f"the article 6 basis must be one of {', '.join(ARTICLE6_BASES)}")
    if terms.article9_condition is not None and terms.article9_condition not in \
            ARTICLE9_CONDITIONS:
        problems.append("the article 9 condition must be a letter from a to j (article 9(2))")
    if terms.end_date < terms.start_date:
        problems.append("the end date is before the start date")
    if terms.review_date and not terms.start_date <= terms.review_date <= terms.end_date:
        problems.append("the review date must fall between the start and end dates")
    return problems


def add(session: Session, terms: Terms, draft: bool = False) -> Agreement:
    problems = _problems(session, terms)
    if problems:
        raise InputError("Cannot add the agreement: " + "; ".join(problems) + ".")
    agreement = Agreement(
        title=terms.title.strip(), purpose=terms.purpose.strip(),
        article6_basis=terms.article6_basis, article9_condition=terms.article9_condition,
        start_date=terms.start_date, end_date=terms.end_date, review_date=terms.review_date,
        status="draft" if draft else "awaiting_approval",
        parties=[AgreementParty(organisation_id=organisations.get(session, p).id)
                 for p in dict.fromkeys(terms.parties)],
        items=[AgreementItem(kind=i.partition(":")[0], ref=i.partition(":")[2])
               for i in dict.fromkeys(terms.items)])
    session.add(agreement)
    session.flush()
    return agreement


def get(session: Session, agreement_id: int) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFoundError(f"There is no agreement {agreement_id}. "
                            "'wholeplace admin agreement list' lists them.")
    return agreement


def all_agreements(session: Session) -> Sequence[Agreement]:
    return session.scalars(select(Agreement).order_by(Agreement.id)).all()


def party_codes(agreement: Agreement) -> frozenset[str]:
    return frozenset(p.organisation.code for p in agreement.parties)


def status(agreement: Agreement, today: date) -> str:
    """The effective status: ``expired`` once an active agreement is past its end date."""
    if agreement.status == "active" and today > agreement.end_date:
        return "expired"
    return agreement.status


def ref(agreement: Agreement, today: date) -> AgreementRef:
    return AgreementRef(parties=party_codes(agreement), status=status(agreement, today))


def submit(session: Session, agreement: Agreement) -> None:
    if agreement.status != "draft":
        raise InputError(f"Agreement {agreement.id} is {agreement.status}, not a draft.")
    agreement.status = "awaiting_approval"
    session.flush()


def approve(session: Session, agreement: Agreement, org_code: str, user: User) -> bool:
    """Record ``org_code``'s approval by ``user``; True when that made the agreement active.

    The caller has asked the policy whether ``user`` (acting for ``org_code``) may approve."""
    if agreement.status != "awaiting_approval":
        raise InputError(f"Agreement {agreement.id} is {agreement.status}; only an agreement "
                         "awaiting approval can be approved.")
    party = next((p for p in agreement.parties if p.organisation.code == org_code), None)
    if party is None:
        raise InputError(f"{org_code} is not a party to agreement {agreement.id}.")
    if party.approved_at is not None:
        raise InputError(f"{org_code} has already approved agreement {agreement.id}.")
    party.approved_by, party.approved_at = user.id, utcnow()
    if all(p.approved_at is not None for p in agreement.parties):
        agreement.status, agreement.activated_at = "active", utcnow()
    session.flush()
    return agreement.status == "active"


def revoke(session: Session, agreement: Agreement) -> None:
    if agreement.status == "revoked":
        raise InputError(f"Agreement {agreement.id} is already revoked.")
    agreement.status, agreement.revoked_at = "revoked", utcnow()
    session.flush()


def in_force_items(session: Session, org_code: str, today: date) -> set[tuple[str, str]]:
    """(kind, ref) of every dataset and indicator shared with ``org_code`` today."""
    found: set[tuple[str, str]] = set()
    for agreement in all_agreements(session):
        if org_code in party_codes(agreement) and agreement_in_force(
                agreement.status, agreement.start_date, agreement.end_date, today):
            found.update((i.kind, i.ref) for i in agreement.items)
    return found


def summary(agreement: Agreement, today: date) -> dict[str, object]:
    """What the public sees: that the agreement exists, its parties, purpose and status."""
    return {"id": agreement.id, "title": agreement.title, "purpose": agreement.purpose,
            "parties": sorted(party_codes(agreement)), "status": status(agreement, today)}


def detail(agreement: Agreement, today: date) -> dict[str, object]:
    """What the parties see as well: items, lawful basis, dates, approvals."""
    return {**summary(agreement, today),
            "items": [f"{i.kind}:{i.ref}" for i in agreement.items],
            "article6_basis": agreement.article6_basis,
            "article9_condition": agreement.article9_condition,
            "start_date": agreement.start_date.isoformat(),
            "end_date": agreement.end_date.isoformat(),
            "review_date": agreement.review_date.isoformat() if agreement.review_date else None,
            "approvals": {p.organisation.code: p.approved_at.isoformat() if p.approved_at
                          else None for p in agreement.parties}}


def codes(values: Iterable[str]) -> tuple[str, ...]:
    """Split comma-separated command-line values."""
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


_PARTY_ORG, _ASKING_ORG = aliased(Organisation), aliased(Organisation)
_ASKING_PARTY = aliased(AgreementParty)

#: Every (agreement, party code, item) of the agreements in force on ``today`` that the
#: organisation ``org`` is a party to, in one query (built once). The dates and status test is
#: :func:`wholeplace.access.policy.agreement_in_force`, done by the database.
_IN_FORCE = (
    select(Agreement.id, _PARTY_ORG.code, AgreementItem.kind, AgreementItem.ref)
    .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
    .join(_PARTY_ORG, _PARTY_ORG.id == AgreementParty.organisation_id)
    .join(AgreementItem, AgreementItem.agreement_id == Agreement.id)
    .where(Agreement.status == "active",
           Agreement.start_date <= bindparam("today", type_=Date),
           Agreement.end_date >= bindparam("today", type_=Date),
           Agreement.id.in_(
               select(_ASKING_PARTY.agreement_id)
               .join(_ASKING_ORG, _ASKING_ORG.id == _ASKING_PARTY.organisation_id)
               .where(_ASKING_ORG.code == bindparam("org"))))
    .order_by(Agreement.id, AgreementItem.kind, AgreementItem.ref))


def shared_with(session: Session, org_code: str, today: date
                ) -> list[tuple[frozenset[str], tuple[str, str]]]:
    """For every agreement in force today that ``org_code`` is a party to: (its parties, each
    (kind, ref) it covers). What a party may share is only its own data: the hub side
    (:func:`wholeplace.web.access.viewer.viewer_for`) keeps the datasets owned by a party.

    Asked on every signed-in request (so a revocation takes effect at once): one query, rows
    read as tuples rather than loaded as objects."""
    parties: dict[int, set[str]] = {}
    items: dict[int, dict[tuple[str, str], None]] = {}
    for agreement_id, party, kind, ref in session.execute(
            _IN_FORCE, {"today": today, "org": org_code}):
        parties.setdefault(agreement_id, set()).add(party)
        items.setdefault(agreement_id, {})[(kind, ref)] = None
    out: list[tuple[frozenset[str], tuple[str, str]]] = []
    for agreement_id, covered in items.items():
        frozen = frozenset(parties[agreement_id])
        out.extend((frozen, item) for item in covered)
    return out
