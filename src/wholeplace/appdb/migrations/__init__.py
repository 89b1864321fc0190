"""Alembic environment and the access branch of migrations."""
