"""Indexes on responses within a consultation: by time, for the surge detector's counts (each
commit of submissions counts the consultation's responses in its window and before it), and by
browser and by household, for the duplicate checks (without them SQLite walks every response
of the consultation to find one browser's).

Revision ID: 0002_consult_response_time
Revises: 0001_consult
"""

from __future__ import annotations

from alembic import op

revision = "0002_consult_response_time"
down_revision = "0001_consult"
branch_labels = None
depends_on = None


INDEXES = {"ix_consultation_responses_consultation_time": "submitted_at",
           "ix_consultation_responses_consultation_browser": "browser_token_hash",
           "ix_consultation_responses_consultation_household": "household_hash"}


def upgrade() -> None:
    for name, column in INDEXES.items():
        op.create_index(name, "consultation_responses", ["consultation_id", column])


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="consultation_responses")
