"""Roles per organisation: grant, revoke, and the map an :class:`Actor` carries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wholeplace.access.models import ROLES, Membership, Organisation, User
from wholeplace.errors import InputError


def grant(session: Session, user: User, org: Organisation, role: str) -> bool:
    """Give ``user`` ``role`` in ``org``; False when they already hold it."""
    if role not in ROLES:
        raise InputError(f"Unknown role {role!r}. Roles: {', '.join(ROLES)}.")
    if role == "hub_admin" and org.org_type != "hub":
        raise InputError(f"hub_admin is a role in a subregional hub organisation; {org.code} "
                         f"is a {org.org_type}.")
    if _find(session, user, org, role) is not None:
        return False
    session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
    session.flush()
    session.refresh(user)
    return True


def revoke(session: Session, user: User, org: Organisation, role: str) -> None:
    membership = _find(session, user, org, role)
    if membership is None:
        raise InputError(f"{user.email} does not hold {role} in {org.code}; nothing to revoke.")
    session.delete(membership)
    session.flush()
    session.refresh(user)


def _find(session: Session, user: User, org: Organisation, role: str) -> Membership | None:
    return session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.organisation_id == org.id,
        Membership.role == role))


def roles_of(user: User) -> dict[str, frozenset[str]]:
    """Organisation code -> the roles ``user`` holds there."""
    found: dict[str, set[str]] = {}
    for membership in user.memberships:
        found.setdefault(membership.organisation.code, set()).add(membership.role)
    return {code: frozenset(roles) for code, roles in found.items()}
