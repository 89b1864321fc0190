"""Alembic revisions of the consult branch (applied by wholeplace.appdb.migrate)."""
