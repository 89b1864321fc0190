"""Server-side sessions: the cookie holds a random token, the table its keyed hash, the user,
the organisation they act for, a CSRF synchronizer token and the expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wholeplace.access.models import WebSession
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
