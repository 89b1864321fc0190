"""The consultation officer's side of the storage: the organisation's consultations; moderate
comments (hide or show with a reason, never delete); record what the council adopted; read the
rows the results are computed from; paper responses. One function per step, each in the
caller's transaction (the route audits it in the same one). Creating, editing, publishing and
closing a consultation are store.py's (one implementation for the web, the CLI and the demo)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wholeplace.appdb import utcnow
from wholeplace.consult import results
from wholeplace.consult.store import find, new_reference
from wholeplace.consult.tables import (
    CommentModeration,
    ConsultationRow,
    EventRow,
    ResponseRow,
)
from wholeplace.errors import InputError, NotFoundError


def for_org(s: Session, org_code: str) -> list[ConsultationRow]:
    return list(s.scalars(select(ConsultationRow).where(ConsultationRow.org_code == org_code)
                          .order_by(ConsultationRow.created_at.desc(), ConsultationRow.id)))


def owned(s: Session, slug: str, org_code: str | None) -> ConsultationRow:
    """The consultation if it belongs to ``org_code``; otherwise not found (another council's
    consultations are not even confirmed to exist)."""
    row = find(s, slug)
    if row is None or row.org_code != org_code:
        raise NotFoundError(f"Your organisation has no consultation called {slug!r}. The list "
                            "at /consult/manage shows each one.")
    return row


def set_adopted(s: Session, row: ConsultationRow, adopted: dict[str, Any]) -> None:
    if row.status != "closed":
        raise InputError("Enter the adopted budget after the consultation closes.")
    row.adopted = adopted
    row.updated_at = utcnow()
    s.flush()


def responses(s: Session, row: ConsultationRow) -> list[ResponseRow]:
    return list(s.scalars(select(ResponseRow).where(ResponseRow.consultation_id == row.id)
                          .order_by(ResponseRow.submitted_at, ResponseRow.id)))


def result_rows(stored: Sequence[ResponseRow]) -> list[results.ResponseRow]:
    return [results.ResponseRow(
        reference=r.reference, channel=r.channel, choices=r.choices,
        above_referendum_limit=r.above_referendum_limit, submitted_at=r.submitted_at,
        started_at=r.started_at, age_band=r.age_band, area=r.area, comment=r.comment,
        comment_hidden=r.comment_hidden, definition_version=r.definition_version,
        surge_flag=r.surge_flag)
        for r in stored]


def events(s: Session, row: ConsultationRow) -> list[results.EventRow]:
    found = s.execute(select(EventRow.stage, EventRow.visitor_hash, EventRow.at)
                      .where(EventRow.consultation_id == row.id))
    return [results.EventRow(stage, visitor, at) for stage, visitor, at in found]


def signature(s: Session, row: ConsultationRow) -> tuple[int, int, int]:
    """(responses, newest response id, moderations): changes whenever the results do."""
    n, newest = s.execute(select(func.count(ResponseRow.id), func.max(ResponseRow.id))
                          .where(ResponseRow.consultation_id == row.id)).one()
    moderations = s.scalar(select(func.count(CommentModeration.id))
                           .join(ResponseRow, CommentModeration.response_id == ResponseRow.id)
                           .where(ResponseRow.consultation_id == row.id))
    return int(n or 0), int(newest or 0), int(moderations or 0)


@dataclass(frozen=True)
class Comment:
    response_id: int
    reference: str
    channel: str
    submitted_at: datetime
    text: str
    hidden: bool
    history: tuple[dict[str, Any], ...]


def comments(s: Session, row: ConsultationRow) -> list[Comment]:
    stored = [r for r in responses(s, row) if r.comment]
    ids = [r.id for r in stored]
    history: dict[int, list[dict[str, Any]]] = {}
    if ids:
        for m in s.scalars(select(CommentModeration).where(CommentModeration.response_id
                                                           .in_(ids))
                           .order_by(CommentModeration.at, CommentModeration.id)):
            history.setdefault(m.response_id, []).append(
                {"action": m.action, "reason": m.reason, "by_user": m.by_user, "at": m.at})
    return [Comment(r.id, r.reference, r.channel, r.submitted_at, r.comment or "",
                    r.comment_hidden, tuple(history.get(r.id, ()))) for r in stored]


def moderate(s: Session, row: ConsultationRow, response_id: int, action: str, reason: str,
             user_id: int) -> ResponseRow:
    """Hide or show one comment, with the reason recorded. The comment itself is kept."""
    if action not in ("hide", "show"):
        raise InputError("Choose hide or show.")
    reason = reason.strip()
    if not reason:
        raise InputError("Give the reason for hiding or showing this comment.")
    found = s.get(ResponseRow, response_id)
    if found is None or found.consultation_id != row.id or not found.comment:
        raise NotFoundError(f"Response {response_id} has no comment in this consultation.")
    found.comment_hidden = action == "hide"
    s.add(CommentModeration(response_id=found.id, action=action, reason=reason,
                            by_user=user_id, at=utcnow()))
    s.flush()
    return found


def add_paper(s: Session, row: ConsultationRow, choices: dict[str, Any],
              outcome: dict[str, Any], council_tax_change: Any, above_limit: bool,
              answers: dict[str, str | None], user_id: int | None) -> ResponseRow:
    """A paper response typed in by an officer (already checked by the rules engine)."""
    if row.status != "published":
        raise InputError(f"{row.title} is {row.status}: paper responses are entered while it "
                         "is published.")
    now = utcnow()
    found = ResponseRow(
        consultation_id=row.id, reference=new_reference(), definition_version=row.version,
        channel="paper", entered_by=user_id, choices=choices, outcome=outcome,
        council_tax_change=council_tax_change, above_referendum_limit=above_limit,
        age_band=answers.get("age_band"), area=answers.get("area"),
        comment=answers.get("comment"), started_at=None, submitted_at=now)
    s.add(found)
    s.flush()
    return found
