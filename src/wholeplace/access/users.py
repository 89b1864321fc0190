"""People: local accounts with argon2id password hashes, a disabled flag and lockout state."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wholeplace.access.models import User
from wholeplace.access.passwords import hash_password
from wholeplace.errors import InputError, NotFoundError

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]+$")


def normalise(email: str) -> str:
    return email.strip().lower()


def find(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise(email)))


def get(session: Session, email: str) -> User:
    user = find(session, email)
    if user is None:
        raise NotFoundError(f"There is no account for {email!r}. "
                            "'wholeplace admin user list' lists them.")
    return user


def add(session: Session, email: str, display_name: str, password: str | None = None,
        demonstration: bool = False) -> User:
    """Add an account. Without a password the person sets one through a reset link."""
    email = normalise(email)
    problems = []
    if not EMAIL.match(email):
        problems.append(f"{email!r} is not an email address")
    if not display_name.strip() or len(display_name) > 200:
        problems.append("the display name must be 1 to 200 characters")
    if find(session, email) is not None:
        problems.append(f"an account for {email!r} already exists")
    if problems:
        raise InputError("Cannot add the account: " + "; ".join(problems) + ".")
    user = User(email=email, display_name=display_name.strip(),
                password_hash=hash_password(password) if password is not None else None,
                demonstration=demonstration, disabled=False, failed_attempts=0)
    session.add(user)
    session.flush()
    return user


def all_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.email)).all()


def disable(session: Session, user: User) -> None:
    """Disable the account and end every session it has."""
    from wholeplace.access import sessions

    user.disabled = True
    sessions.end_all(session, user.id)
    session.flush()


def as_row(user: User) -> dict[str, object]:
    return {"email": user.email, "display_name": user.display_name, "disabled": user.disabled,
            "locked_until": user.locked_until.isoformat() if user.locked_until else None,
            "demonstration": user.demonstration,
            "roles": sorted(f"{m.organisation.code}:{m.role}" for m in user.memberships)}
