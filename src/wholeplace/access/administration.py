"""What web administration needs from the application database: the hubs serving an
organisation, the policy resource of a change, and an organisation's people."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wholeplace.access import memberships
from wholeplace.access.models import Membership, Organisation, OrganisationArea, User
from wholeplace.access.policy import AdminTarget

#: The types of organisation added through the web (councils come from the place register).
PARTNER_TYPES = ("icb", "police", "fire", "voluntary", "hub")


def hubs_serving(session: Session, code: str) -> frozenset[str]:
    """The codes of the subregional hubs that serve the organisation ``code``."""
    rows = session.scalars(
        select(Organisation.code).join(OrganisationArea,
                                       OrganisationArea.organisation_id == Organisation.id)
        .where(Organisation.org_type == "hub", OrganisationArea.area_code == code))
    return frozenset(rows)


def org_target(session: Session, code: str, role: str | None = None) -> AdminTarget:
    return AdminTarget(((code, hubs_serving(session, code)),), role)


def person_target(session: Session, user: User, code: str,
                  role: str | None = None) -> AdminTarget:
    """A change to a person: every organisation they hold a role in, and the page's."""
    codes = sorted(set(memberships.roles_of(user)) | {code})
    return AdminTarget(tuple((c, hubs_serving(session, c)) for c in codes), role)


def people_of(session: Session, org: Organisation) -> list[User]:
    """The people holding a role in ``org``, by email."""
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id).distinct().order_by(User.email)))


def person_row(user: User, org: Organisation) -> dict[str, object]:
    """A person as the organisation's page shows them: roles there, and elsewhere only how
    many organisations (another organisation's roles are not this administrator's business)."""
    roles = memberships.roles_of(user)
    return {"email": user.email, "display_name": user.display_name,
            "roles": sorted(roles.get(org.code, frozenset())),
            "other_organisations": len(set(roles) - {org.code}),
            "disabled": user.disabled, "has_password": user.password_hash is not None,
            "locked_until": user.locked_until.isoformat() if user.locked_until else None}
