"""One-time password-reset links an administrator issues (printed: no mail server needed)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from wholeplace.access import sessions
from wholeplace.access.models import ResetToken, User
from wholeplace.access.passwords import hash_password
from wholeplace.access.tokens import keyed_hash, new_token
from wholeplace.appdb import utcnow
from wholeplace.errors import InputError

LIFETIME = timedelta(hours=24)

REFUSED = ("This reset link has expired or has already been used. Ask your administrator for a "
           "new one.")


def issue(session: Session, secret: str, user: User, lifetime: timedelta = LIFETIME) -> str:
    """A new reset token for ``user`` (earlier unused links stay valid until they expire)."""
    token = new_token()
    now = utcnow()
    session.add(ResetToken(token_hash=keyed_hash(secret, token), user_id=user.id,
                           created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def check(session: Session, secret: str, token: str) -> ResetToken:
    """The live token, or InputError for an unknown, used or expired one."""
    found = session.get(ResetToken, keyed_hash(secret, token)) if 0 < len(token) <= 100 \
        else None
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        raise InputError(REFUSED)
    return found


def consume(session: Session, secret: str, token: str, new_password: str) -> User:
    """Set the password, spend the link, unlock the account and end its sessions."""
    found = check(session, secret, token)
    user = session.get(User, found.user_id)
    if user is None or user.disabled:
        raise InputError(REFUSED)
    user.password_hash = hash_password(new_password)
    user.failed_attempts, user.locked_until = 0, None
    found.used_at = utcnow()
    sessions.end_all(session, user.id)
    session.flush()
    return user
