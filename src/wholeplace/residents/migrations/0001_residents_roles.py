"""The residents index's roles: a caseworker (looks up a resident's or a household's services)
and a linkage reviewer (decides pairs in the clerical review queue), added to the roles a
membership may hold.

Revision ID: 0001_residents_roles
Revises: (none; depends on the access base)
"""

from __future__ import annotations

from alembic import op

revision = "0001_residents_roles"
down_revision = None
branch_labels = ("residents",)
depends_on = "0001_access"

BASE_ROLES = ("viewer", "analyst", "finance_officer", "consultation_officer",
              "data_protection_officer", "admin", "hub_admin")
NEW_ROLES = ("caseworker", "linkage_reviewer")


def _check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


def _replace(roles: tuple[str, ...]) -> None:
    with op.batch_alter_table("memberships", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_memberships_role"), type_="check")
        batch.create_check_constraint(op.f("ck_memberships_role"), _check(roles))


def upgrade() -> None:
    _replace(BASE_ROLES + NEW_ROLES)


def downgrade() -> None:
    op.execute("DELETE FROM memberships WHERE role IN ('caseworker', 'linkage_reviewer')")
    _replace(BASE_ROLES)
