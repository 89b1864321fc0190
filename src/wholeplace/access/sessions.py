"""Server-side sessions: the cookie holds a random token, the table its keyed hash, the user,
the organisation they act for, a CSRF synchronizer token and the expiry."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, event, select, update
from sqlalchemy.orm import Session, aliased

from wholeplace.access.actor import Actor
from wholeplace.access.anonymous import AnonymousSessions
from wholeplace.access.models import Membership, Organisation, User, WebSession
from wholeplace.access.tokens import keyed_hash, new_token
from wholeplace.appdb import utcnow
from wholeplace.appdb.base import UTCDateTime


def create(session: Session, secret: str, lifetime: timedelta, user_id: int | None = None,
           acting_org_id: int | None = None) -> tuple[str, WebSession]:
    """A new session; returns the token for the cookie (only its hash is stored)."""
    token = new_token()
    now = utcnow()
    web = WebSession(id_hash=keyed_hash(secret, token), user_id=user_id,
                     acting_org_id=acting_org_id, csrf_token=new_token(), created_at=now,
                     expires_at=now + lifetime, last_seen_at=now)
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
    id_hash = web.id_hash
    LIVE.forget(id_hash)
    session.delete(web)
    session.flush()
    # A request between this and the commit still finds the row and could remember it again:
    # forgotten once more when the deletion is committed.
    event.listen(session, "after_commit", lambda _s: LIVE.forget(id_hash), once=True)


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
    #: This lookup stamped the session as seen (a write: the caller commits).
    touched: bool = False
    expires_at: datetime | None = None
    #: When it was last stamped as seen (now, if this lookup stamped it).
    seen_at: datetime | None = None


_ACTING, _MEMBER_ORG = aliased(Organisation), aliased(Organisation)

#: The one query a signed-in request pays for (built once: constructing a statement costs about
#: as much as running it on SQLite).
_LOOKUP = (
    select(WebSession.csrf_token, WebSession.expires_at, WebSession.user_id,
           WebSession.acting_org_id, _ACTING.code, User.email, User.display_name,
           User.disabled, _MEMBER_ORG.code, Membership.role, User.demonstration,
           WebSession.last_seen_at, WebSession.created_at)
    .outerjoin(_ACTING, _ACTING.id == WebSession.acting_org_id)
    .outerjoin(User, User.id == WebSession.user_id)
    .outerjoin(Membership, Membership.user_id == User.id)
    .outerjoin(_MEMBER_ORG, _MEMBER_ORG.id == Membership.organisation_id)
    .where(WebSession.id_hash == bindparam("id_hash")))
_REMOVE = delete(WebSession).where(WebSession.id_hash == bindparam("id_hash"))
#: Stamp a session as seen, unless a concurrent request just did.
_SEEN = (update(WebSession)
         .where(WebSession.id_hash == bindparam("session_id"),
                (WebSession.last_seen_at.is_(None))
                | (WebSession.last_seen_at < bindparam("stale_before", type_=UTCDateTime)))
         .values(last_seen_at=bindparam("now", type_=UTCDateTime)))

#: How often a session's last-seen time is written: at most once a minute, so most requests
#: only read (the idle timeout is then exact to the minute).
SEEN_EVERY = timedelta(minutes=1)

#: Live anonymous sessions this process has read or created (access/anonymous.py): the web
#: middleware asks it before the database, and only for anonymous sessions. Set
#: ``WHOLEPLACE_ANONYMOUS_SESSION_MEMORY=0`` to read the database on every request (several
#: processes sharing one database, or measuring the cost without it).
LIVE = AnonymousSessions(
    timedelta(0) if os.environ.get("WHOLEPLACE_ANONYMOUS_SESSION_MEMORY", "1").strip() == "0"
    else SEEN_EVERY)


def lookup(session: Session, secret: str, token: str | None,
           now: datetime | None = None, idle: timedelta | None = None) -> SessionView | None:
    """The session a cookie's token stands for, with its person, their roles and the acting
    organisation, in one round trip (every request of a signed-in person pays for it). An
    expired session (past its lifetime, or unused for ``idle`` when given), or one of a
    disabled or deleted person, is removed and gives None.

    A live session is stamped as seen at most once every :data:`SEEN_EVERY` (``touched``);
    otherwise it is only read. The caller commits when this gives None (a removal) or a
    touched view, and need not otherwise."""
    if not token or len(token) > 100:
        return None
    id_hash = keyed_hash(secret, token)
    rows = session.execute(_LOOKUP, {"id_hash": id_hash}).all()
    if not rows:
        return None
    csrf, expires, user_id, acting_id, acting_code, email, name, disabled = rows[0][:8]
    now = now or utcnow()
    seen = rows[0][11] or rows[0][12]
    if expires <= now or (idle is not None and seen + idle <= now) \
            or (user_id is not None and (email is None or disabled)):
        LIVE.forget(id_hash)
        session.execute(_REMOVE, {"id_hash": id_hash})
        return None
    touched = False
    if now - seen >= SEEN_EVERY:
        session.execute(_SEEN, {"session_id": id_hash, "stale_before": now - SEEN_EVERY,
                                "now": now})
        touched, seen = True, now
    if user_id is None:
        return SessionView(id_hash, csrf, None, None, None, None, touched, expires, seen)
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
    return SessionView(id_hash, csrf, user_id, acting_id, chosen, actor, touched, expires, seen)
