"""The append-only audit trail: each entry carries the SHA-256 of itself and of the one before.

``hash = SHA-256(canonical JSON of the entry's fields, including seq and prev_hash)``; the
first entry's ``prev_hash`` is 64 zeros. :func:`verify` recomputes the chain and reports every
entry that was edited, and every gap in ``seq`` where an entry was deleted; given a head
(newest seq and hash) recorded earlier outside the database, also the newest entries deleted
or the whole trail rewritten, which no chain can show by itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wholeplace.access.actor import Actor
from wholeplace.access.models import AuditEntry
from wholeplace.appdb import utcnow
from wholeplace.errors import InputError

GENESIS = "0" * 64


def canonical(seq: int, at: datetime, actor: str, acting_for: str | None, action: str,
              target: str | None, ip: str | None, detail: dict[str, Any], prev_hash: str) -> str:
    """The exact bytes hashed: sorted keys, no spaces, timestamps in UTC to the microsecond."""
    return json.dumps({
        "seq": seq, "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor, "acting_for": acting_for, "action": action, "target": target,
        "ip": ip, "detail": detail, "prev_hash": prev_hash,
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(entry: AuditEntry) -> str:
    text = canonical(entry.seq, entry.at, entry.actor, entry.acting_for, entry.action,
                     entry.target, entry.ip, entry.detail, entry.prev_hash)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(session: Session, actor: Actor | str | None, action: str, target: str | None = None,
           *, ip: str | None = None, detail: dict[str, Any] | None = None,
           acting_for: str | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits with the change it records)."""
    if isinstance(actor, Actor):
        who, org = actor.id, acting_for or actor.acting_for
    else:
        who, org = actor or "anonymous", acting_for
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                           .order_by(AuditEntry.seq.desc()).limit(1)
                           .with_for_update()).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    clean = json.loads(json.dumps(detail or {}, default=str))
    entry = AuditEntry(seq=seq, at=utcnow(), actor=who, acting_for=org, action=action,
                       target=target, ip=ip, detail=clean, prev_hash=prev, hash="")
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Break:
    """One place the chain is broken."""

    entry_id: int | None
    seq: int
    problem: str

    def __str__(self) -> str:
        where = f"entry {self.entry_id} (seq {self.seq})" if self.entry_id else f"seq {self.seq}"
        return f"{where}: {self.problem}"


def head(session: Session) -> tuple[int, str] | None:
    """The newest entry's (seq, hash): the trail's head. Kept outside the database (a log, a
    ticket) it lets :func:`verify` detect what the chain alone cannot: the newest entries
    deleted, or the whole trail rewritten."""
    row = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                          .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return (int(row[0]), str(row[1])) if row else None


def parse_head(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` as printed by ``wholeplace audit verify``."""
    seq, _, digest = text.strip().partition(":")
    if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef"
                                                     for c in digest):
        raise InputError(f"{text!r} is not an audit head: give SEQ:HASH exactly as "
                         "'wholeplace audit verify' printed it (e.g. 42:3f5a...).")
    return int(seq), digest


def verify(session: Session, known_head: tuple[int, str] | None = None) -> list[Break]:
    """Every edited entry and every deletion, in order; an empty list when the trail is whole.

    With ``known_head`` (a head recorded earlier, see :func:`head`) it also reports that entry
    missing (it and every entry after it were deleted) or no longer the same entry."""
    breaks: list[Break] = []
    expected_seq, prev = 1, GENESIS
    found_head: AuditEntry | None = None
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        if entry.seq != expected_seq:
            missing = (f"seq {expected_seq}" if entry.seq == expected_seq + 1
                       else f"seq {expected_seq} to {entry.seq - 1}")
            breaks.append(Break(entry.id, entry.seq, f"{missing} deleted before this entry"))
        elif entry.prev_hash != prev:
            breaks.append(Break(entry.id, entry.seq, "does not follow the entry before it"))
        if entry_hash(entry) != entry.hash:
            breaks.append(Break(entry.id, entry.seq, "edited: its content does not match "
                                                     "its hash"))
        if known_head is not None and entry.seq == known_head[0]:
            found_head = entry
        expected_seq, prev = entry.seq + 1, entry.hash
    if known_head is not None:
        seq, digest = known_head
        if found_head is None:
            breaks.append(Break(None, seq, "the recorded head is missing: it and every entry "
                                           "after it were deleted"))
        elif found_head.hash != digest:
            breaks.append(Break(found_head.id, seq, "not the entry recorded as the head: the "
                                                    "trail was rewritten from here or before"))
    return breaks


def entries(session: Session, acting_for: str | None = None,
            limit: int | None = None) -> Sequence[AuditEntry]:
    """Newest first; only one organisation's entries when ``acting_for`` is given."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if acting_for is not None:
        query = query.where(AuditEntry.acting_for == acting_for)
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()


def as_row(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "seq": entry.seq, "at": entry.at.isoformat(), "actor": entry.actor,
            "acting_for": entry.acting_for, "action": entry.action, "target": entry.target,
            "ip": entry.ip, "detail": entry.detail, "hash": entry.hash}
