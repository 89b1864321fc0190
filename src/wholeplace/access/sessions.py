"""Server-side sessions: the cookie holds a random token, the table its keyed hash, the user,
the organisation they act for, a CSRF synchronizer token and the expiry."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.orm import Session, aliased

from wholeplace.access.actor import Actor
from wholeplace.access.models import Membership, Organisation, User, WebSession
from wholeplace.access.tokens import keyed_hash, new_token
from wholeplace.appdb import utcnow


def create(session: Session, secret: str, lifetime: timedelta, user_id: int | None = None,
           acting_org_id: int | None = None) -> tuple[str, WebSession]:
    """A new session; returns the token for the cookie (only its hash is stored)."""
    token = new_token()
    now = utcnow()
    web = WebSession(id_hash=keyed_hash(secret, token), user_id=user_id,
                     acting_org_id=acting_org_id, csrf_token=new_token(), created_at=now,
                     expires_at=now + lifetime)
    session.add(web)
    session.flush()
    return token, web


def load(session: Session, secret: str, token: str | None,
         now: datetime | None = None) -> WebSession | None:
    """The live session for a cookie's token; None (and the row removed) once expired."""
    if not token or len(token) > 100:
        return None
    web = session.get(WebSession, keyed_hash(secret, token))
    if web is None:
        return None
    if web.expires_at <= (now or utcnow()):
        session.delete(web)
        session.flush()
        return None
    return web


def end(session: Session, web: WebSession) -> None:
    session.delete(web)
    session.flush()


def end_all(session: Session, user_id: int) -> int:
    """End every session of a person (sign out everywhere, disable, password reset)."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def purge_expired(session: Session, now: datetime | None = None) -> None:
    session.execute(delete(WebSession).where(WebSession.expires_at <= (now or utcnow())))


def count_for(session: Session, user_id: int) -> int:
    return len(session.scalars(select(WebSession.id_hash)
                               .where(WebSession.user_id == user_id)).all())


@dataclass(frozen=True)
class SessionView:
    """A live session with everything a request needs, read in ONE query."""

    id_hash: str
    csrf: str
    user_id: int | None
    acting_org_id: int | None
    acting_code: str | None
    actor: Actor | None


@functools.cache
def _lookup_statement() -> Select[*tuple[Any, ...]]:
    """The one query behind :func:`lookup`, built once (building its joins costs more than
    running it); the session's hash is a bound parameter."""
    acting, member_org = aliased(Organisation), aliased(Organisation)
    return (select(WebSession.csrf_token, WebSession.expires_at, WebSession.user_id,
                   WebSession.acting_org_id, acting.code, User.email, User.display_name,
                   User.disabled, member_org.code, Membership.role, User.demonstration)
            .outerjoin(acting, acting.id == WebSession.acting_org_id)
            .outerjoin(User, User.id == WebSession.user_id)
            .outerjoin(Membership, Membership.user_id == User.id)
            .outerjoin(member_org, member_org.id == Membership.organisation_id)
            .where(WebSession.id_hash == bindparam("id_hash")))


def lookup(session: Session, secret: str, token: str | None,
           now: datetime | None = None) -> SessionView | None:
    """The session a cookie's token stands for, with its person, their roles and the acting
    organisation, in one round trip (every request of a signed-in person pays for it). An
    expired session, or one of a disabled or deleted person, is removed and gives None."""
    if not token or len(token) > 100:
        return None
    id_hash = keyed_hash(secret, token)
    rows = session.execute(_lookup_statement(), {"id_hash": id_hash}).all()
    if not rows:
        return None
    csrf, expires, user_id, acting_id, acting_code, email, name, disabled = rows[0][:8]
    if expires <= (now or utcnow()) or (user_id is not None and (email is None or disabled)):
        session.execute(delete(WebSession).where(WebSession.id_hash == id_hash))
        return None
    if user_id is None:
        return SessionView(id_hash, csrf, None, None, None, None)
    roles: dict[str, set[str]] = {}
    for row in rows:
        if row[8] is not None:
            roles.setdefault(row[8], set()).add(row[9])
    frozen = {code: frozenset(found) for code, found in roles.items()}
    chosen = acting_code if acting_code in frozen else None
    if chosen is None and len(frozen) == 1:
        chosen = next(iter(frozen))
    actor = Actor(id=email, display_name=name, user_id=user_id, acting_for=chosen, roles=frozen,
                  demonstration=bool(rows[0][10]))
    return SessionView(id_hash, csrf, user_id, acting_id, chosen, actor)
