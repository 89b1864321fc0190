"""Sessions: when each was last used, for the idle timeout.

Revision ID: 0001_session_seen
Depends on: 0001_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_session_seen"
down_revision = None
branch_labels = ("sessions",)
depends_on = "0001_access"


def upgrade() -> None:
    # NULL for sessions made before: their creation time stands in until the next request.
    op.add_column("web_sessions",
                  sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("last_seen_at")
