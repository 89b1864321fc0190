"""The application database on SQLite and PostgreSQL: migrations, pragmas, refusal when
unmigrated."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from wholeplace.appdb import (
    NotMigratedError,
    current_revisions,
    head_revisions,
    make_engine,
    require_migrated,
    upgrade,
)
from wholeplace.appdb.migrate import applied_revisions
from wholeplace.config import Settings, database_url
from wholeplace.errors import ConfigError

TABLES = {"organisations", "organisation_areas", "users", "memberships", "web_sessions",
          "reset_tokens", "agreements", "agreement_parties", "agreement_items", "audit_entries"}


def test_unmigrated_database_is_refused_with_what_to_do(app_url):
    engine = make_engine(app_url)
    with pytest.raises(NotMigratedError, match="Run 'wholeplace db upgrade'"):
        require_migrated(engine)
    engine.dispose()


def test_upgrade_creates_every_table_and_reaches_every_head(app_url):
    # An empty database migrated here (app_engine copies a template migrated once a session).
    engine = make_engine(app_url)
    upgrade(engine)
    assert TABLES <= set(sa.inspect(engine).get_table_names())
    heads = head_revisions(engine)
    assert "0001_access" in heads
    current = current_revisions(engine)
    assert heads <= applied_revisions(engine, current)  # branches depend on the base
    require_migrated(engine)
    upgrade(engine)  # idempotent
    assert current_revisions(engine) == current
    engine.dispose()


def test_foreign_keys_are_enforced(app_engine):
    with app_engine.connect() as c, pytest.raises(sa.exc.IntegrityError):
        c.execute(sa.text("INSERT INTO memberships (user_id, organisation_id, role, granted_at)"
                          " VALUES (999, 999, 'viewer', CURRENT_TIMESTAMP)"))
        c.commit()


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite'}")
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_default_database_is_sqlite_beside_the_hub(tmp_path):
    url = database_url(Settings(db=tmp_path / "hub.duckdb", database_url=None))
    assert url == f"sqlite:///{tmp_path.resolve() / 'wholeplace-app.sqlite'}"


def test_postgresql_urls_get_psycopg_and_other_engines_are_refused():
    assert make_engine("postgresql://u@localhost/x").url.drivername == "postgresql+psycopg"
    with pytest.raises(ConfigError, match="SQLite or PostgreSQL"):
        make_engine("mysql://u@localhost/x")
    with pytest.raises(ConfigError, match="not a database URL"):
        make_engine("not a url")


def test_the_web_app_refuses_to_start_on_an_unmigrated_database(tmp_path):
    from wholeplace.web.app import create_app

    settings = Settings(db=tmp_path / "hub.duckdb", database_url=f"sqlite:///{tmp_path}/a.sqlite",
                        env="development")
    with pytest.raises(NotMigratedError, match="wholeplace db upgrade"):
        create_app(settings)


def test_the_web_app_refuses_a_placeholder_secret_in_production(tmp_path):
    from wholeplace.web.app import create_app

    with pytest.raises(ConfigError, match="WHOLEPLACE_SECRET_KEY"):
        create_app(Settings(db=tmp_path / "hub.duckdb", env="production", secret_key="changeme"))


def test_cli_db_upgrade_then_current(tmp_path):
    from typer.testing import CliRunner

    from wholeplace.cli.main import app

    env = {"WHOLEPLACE_DATABASE_URL": f"sqlite:///{tmp_path}/c.sqlite"}
    runner = CliRunner()
    behind = runner.invoke(app, ["db", "current"], env=env)
    assert behind.exit_code == 1 and "no revision" in behind.output
    done = runner.invoke(app, ["db", "upgrade"], env=env)
    assert done.exit_code == 0 and "migrated at " in done.output
    assert runner.invoke(app, ["db", "current"], env=env).exit_code == 0
