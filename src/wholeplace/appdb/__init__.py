"""The application database: transactional state (organisations, people, sessions, agreements,
audit, later consultations and plans) in SQLAlchemy 2 models with Alembic migrations.

SQLite (WAL, foreign keys on) beside the hub by default; PostgreSQL (psycopg 3) when
``WHOLEPLACE_DATABASE_URL`` says so. The hub (DuckDB) stays the store of published data.
"""

from wholeplace.appdb.base import Base, utcnow
from wholeplace.appdb.engine import make_engine, session_factory
from wholeplace.appdb.migrate import (
    NotMigratedError,
    current_revisions,
    head_revisions,
    require_migrated,
    upgrade,
)

__all__ = [
    "Base",
    "NotMigratedError",
    "current_revisions",
    "head_revisions",
    "make_engine",
    "require_migrated",
    "session_factory",
    "upgrade",
    "utcnow",
]
