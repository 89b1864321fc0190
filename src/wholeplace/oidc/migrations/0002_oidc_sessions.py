"""OpenID Connect: the ID token each session signed in with (for RP-initiated logout).

Revision ID: 0002_oidc_sessions
Revises: 0001_oidc
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_oidc_sessions"
down_revision = "0001_oidc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.String(length=400), nullable=False),
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_hash"], ["web_sessions.id_hash"],
                                name=op.f("fk_oidc_sessions_session_hash_web_sessions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_hash", name=op.f("pk_oidc_sessions")),
    )


def downgrade() -> None:
    op.drop_table("oidc_sessions")
