"""Engines for the application database: SQLite (WAL, foreign keys on) or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from wholeplace.errors import ConfigError

#: Drivers accepted, by URL scheme.
SUPPORTED = ("sqlite", "postgresql")
#: Connections an SQLite engine keeps open (and as many again at the busiest).
SQLITE_POOL = 40
POSTGRES_POOL = 20


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Set on every new SQLite connection: WAL journal synced on every commit, foreign keys
    enforced, a busy timeout."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: each commit syncs the WAL, so an acknowledged write survives power loss, not only
    # a killed process (NORMAL in WAL mode survives only the latter).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; PostgreSQL URLs are given the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError(f"WHOLEPLACE_DATABASE_URL {url!r} is not a database URL: {exc}. "
                          "Use e.g. postgresql+psycopg://user@host/wholeplace.") from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise ConfigError(f"The application database must be SQLite or PostgreSQL, not "
                          f"{backend!r}. Set WHOLEPLACE_DATABASE_URL to a postgresql+psycopg:// "
                          "URL, or leave it unset for SQLite.")
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        # Fewer than SQLite's (each is a server process), but enough that a busy web server
        # does not connect afresh on most requests (the default keeps 5).
        return create_engine(parsed, pool_pre_ping=True, pool_size=POSTGRES_POOL,
                             max_overflow=POSTGRES_POOL)
    pool: dict[str, Any] = {}
    if parsed.database and parsed.database != ":memory:":
        from pathlib import Path

        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # As many pooled connections as the server's worker threads (anyio's default is 40):
        # with the default pool of 5 (+10 overflow) a busy server opened and closed a
        # connection, and set its pragmas, on most requests. An SQLite connection is a small
        # in-process object. (An in-memory database keeps one connection a thread.)
        pool = {"pool_size": SQLITE_POOL, "max_overflow": SQLITE_POOL}
    engine = create_engine(parsed, connect_args={"check_same_thread": False}, **pool)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
