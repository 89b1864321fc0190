"""Alembic environment: runs migrations on the engine given by wholeplace.appdb.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from wholeplace.appdb.base import Base
from wholeplace.appdb.engine import make_engine


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if engine is None:  # run by the alembic command itself: use the settings
        from wholeplace.config import database_url, get_settings

        engine = make_engine(database_url(get_settings()))
    return engine


def run() -> None:
    # Registers the tables on Base.metadata.
    import wholeplace.access.models
    import wholeplace.consult.tables  # noqa: F401

    with _engine().connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
