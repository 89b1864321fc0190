"""Stored plans: plans, plan_versions, plan_partners (the "budget" branch).

Revision ID: 0001_plans
Depends on: 0001_access (organisations)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_plans"
down_revision = None
branch_labels = ("budget",)
depends_on = "0001_access"


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("demonstration", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["organisations.id"],
                                name=op.f("fk_plans_owner_id_organisations"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("slug", name=op.f("uq_plans_slug")),
    )
    op.create_index(op.f("ix_plans_owner_id"), "plans", ["owner_id"])
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("interventions", sa.JSON(), nullable=True),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.Column("saved_for", sa.String(length=40), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"],
                                name=op.f("fk_plan_versions_plan_id_plans"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_plan_versions_plan_id")),
    )
    op.create_table(
        "plan_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"],
                                name=op.f("fk_plan_partners_plan_id_plans"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_plan_partners_organisation_id_organisations"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_partners")),
        sa.UniqueConstraint("plan_id", "partner_id", name=op.f("uq_plan_partners_plan_id")),
    )
    op.create_index(op.f("ix_plan_partners_organisation_id"), "plan_partners",
                    ["organisation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_partners_organisation_id"), table_name="plan_partners")
    op.drop_table("plan_partners")
    op.drop_table("plan_versions")
    op.drop_index(op.f("ix_plans_owner_id"), table_name="plans")
    op.drop_table("plans")
