"""Signing in: argon2id verification, per-account lockout, per-address rate limit, one message
for an unknown account and a wrong password, and every attempt audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wholeplace.access import audit, memberships, users
from wholeplace.access.actor import Actor
from wholeplace.access.models import AuditEntry, User
from wholeplace.access.passwords import hash_password, needs_rehash, verify_password
from wholeplace.appdb import utcnow
from wholeplace.errors import InputError

#: Failed attempts on one account (known or not) before it is locked, and for how long.
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
#: Failed attempts from one address within LOCK_FOR before it is refused.
ADDRESS_LIMIT = 20

WRONG = ("The email address or password is not right. Check them and try again, or ask your "
         "administrator for a reset link.")
LOCKED = ("Too many failed sign-in attempts for this account. It is locked for 15 minutes; try "
          "again later or ask your administrator for a reset link.")
THROTTLED = ("Too many failed sign-in attempts from your network. Wait 15 minutes and try "
             "again.")


class SignInError(InputError):
    """Sign-in refused; the message never says whether the account exists."""

    status_code = 400


def _failures(session: Session, since: datetime, *, email: str | None = None,
              ip: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "sign_in.failed", AuditEntry.at > since)
    if email is not None:
        query = query.where(AuditEntry.target == email)
    if ip is not None:
        query = query.where(AuditEntry.ip == ip)
    return int(session.scalar(query) or 0)


def authenticate(session: Session, email: str, password: str, ip: str | None,
                 now: datetime | None = None, allow_demonstration: bool = False) -> User:
    """The account for these credentials, or :class:`SignInError`. The caller commits (the
    audit entry of a failure must be kept, so commit even when this raises). Demonstration
    accounts sign in only when ``allow_demonstration`` (development and demo environments)."""
    now = now or utcnow()
    email = users.normalise(email)[:320]
    since = now - LOCK_FOR
    if ip is not None and _failures(session, since, ip=ip) >= ADDRESS_LIMIT:
        audit.record(session, None, "sign_in.throttled", email, ip=ip)
        raise SignInError(THROTTLED)
    user = users.find(session, email)
    locked = (user is not None and user.locked_until is not None and user.locked_until > now) \
        or _failures(session, since, email=email) >= LOCK_AFTER
    if locked:
        verify_password(None, password)  # the same time as any other refusal
        audit.record(session, None, "sign_in.locked", email, ip=ip)
        raise SignInError(LOCKED)
    good = verify_password(user.password_hash if user else None, password)
    demo_refused = user is not None and user.demonstration and not allow_demonstration
    if user is None or not good or user.disabled or demo_refused:
        reason = "wrong" if not (user and good) else \
            "disabled" if user.disabled else "demonstration account outside development"
        _fail(session, user, email, ip, now, reason)
        raise SignInError(WRONG)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_attempts, user.locked_until = 0, None
    audit.record(session, user.email, "sign_in", user.email, ip=ip)
    return user


def _fail(session: Session, user: User | None, email: str, ip: str | None, now: datetime,
          reason: str) -> None:
    if user is not None:
        user.failed_attempts += 1
        if user.failed_attempts >= LOCK_AFTER:
            user.locked_until = now + LOCK_FOR
            user.failed_attempts = 0
    audit.record(session, None, "sign_in.failed", email, ip=ip, detail={"reason": reason})


def actor_of(user: User, acting_for: str | None) -> Actor:
    """The Actor for a signed-in person; ``acting_for`` only if they belong there."""
    roles = memberships.roles_of(user)
    chosen = acting_for if acting_for in roles else None
    if chosen is None and len(roles) == 1:
        chosen = next(iter(roles))
    return Actor(id=user.email, display_name=user.display_name, user_id=user.id,
                 acting_for=chosen, roles=roles, demonstration=user.demonstration)
