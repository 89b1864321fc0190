"""Consultations: definitions, responses, saved drafts, the drop-off funnel, moderation.

Revision ID: 0001_consult
Revises: (none; a branch of its own that depends on the access base)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_consult"
down_revision = None
branch_labels = ("consult",)
depends_on = "0001_access"


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=40), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("budget_year", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("privacy_notice", sa.Text(), nullable=False),
        sa.Column("allow_multiple", sa.Boolean(), nullable=False),
        sa.Column("household_check", sa.Boolean(), nullable=False),
        sa.Column("adopted", sa.JSON(), nullable=True),
        sa.Column("demonstration", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'published', 'closed')",
                           name=op.f("ck_consultations_status")),
        sa.ForeignKeyConstraint(["org_code"], ["organisations.code"],
                                name=op.f("fk_consultations_org_code_organisations")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name=op.f("fk_consultations_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
        sa.UniqueConstraint("slug", name=op.f("uq_consultations_slug")),
    )
    op.create_table(
        "consultation_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("council_tax_change", sa.Numeric(precision=7, scale=3), nullable=False),
        sa.Column("above_referendum_limit", sa.Boolean(), nullable=False),
        sa.Column("age_band", sa.String(length=20), nullable=True),
        sa.Column("area", sa.String(length=120), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("comment_hidden", sa.Boolean(), nullable=False),
        sa.Column("browser_token_hash", sa.String(length=64), nullable=True),
        sa.Column("household_hash", sa.String(length=64), nullable=True),
        sa.Column("surge_flag", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('online', 'paper')",
                           name=op.f("ck_consultation_responses_channel")),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"],
                                name=op.f("fk_consultation_responses_consultation_id_consultations")),
        sa.ForeignKeyConstraint(["entered_by"], ["users.id"],
                                name=op.f("fk_consultation_responses_entered_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_responses")),
        sa.UniqueConstraint("reference", name=op.f("uq_consultation_responses_reference")),
    )
    for column in ("consultation_id", "browser_token_hash", "household_hash", "submitted_at"):
        op.create_index(op.f(f"ix_consultation_responses_{column}"), "consultation_responses",
                        [column], unique=False)
    op.create_table(
        "consultation_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"],
                                name=op.f("fk_consultation_drafts_consultation_id_consultations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_drafts")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_consultation_drafts_token_hash")),
    )
    op.create_table(
        "consultation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("visitor_hash", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stage IN ('opened', 'started', 'completed')",
                           name=op.f("ck_consultation_events_stage")),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"],
                                name=op.f("fk_consultation_events_consultation_id_consultations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_events")),
    )
    op.create_index(op.f("ix_consultation_events_consultation_id"), "consultation_events",
                    ["consultation_id"], unique=False)
    op.create_table(
        "comment_moderations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_user", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("action IN ('hide', 'show')",
                           name=op.f("ck_comment_moderations_action")),
        sa.CheckConstraint("reason <> ''", name=op.f("ck_comment_moderations_reason")),
        sa.ForeignKeyConstraint(["response_id"], ["consultation_responses.id"],
                                name=op.f("fk_comment_moderations_response_id_consultation_responses")),
        sa.ForeignKeyConstraint(["by_user"], ["users.id"],
                                name=op.f("fk_comment_moderations_by_user_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_moderations")),
    )


def downgrade() -> None:
    op.drop_table("comment_moderations")
    op.drop_index(op.f("ix_consultation_events_consultation_id"),
                  table_name="consultation_events")
    op.drop_table("consultation_events")
    op.drop_table("consultation_drafts")
    for column in ("submitted_at", "household_hash", "browser_token_hash", "consultation_id"):
        op.drop_index(op.f(f"ix_consultation_responses_{column}"),
                      table_name="consultation_responses")
    op.drop_table("consultation_responses")
    op.drop_table("consultations")
