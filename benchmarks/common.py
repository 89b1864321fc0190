"""What the benchmarks share: where the published sources are, a free port, and a loaded hub."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sources() -> Path:
    """``WHOLEPLACE_SOURCES``, else ``../shared/data`` beside the checkout."""
    env = os.environ.get("WHOLEPLACE_SOURCES")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def loaded_hub(db: Path | None, only: list[str] | None = None) -> Iterator[Path]:
    """``db`` if given (an already loaded hub), else a new hub in a temporary folder."""
    if db is not None:
        yield db
        return
    from wholeplace.hub.load import load_registered
    from wholeplace.hub.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hub.duckdb"
        with open_store(path) as store:
            load_registered(store, sources(), only=only)
        yield path


@contextlib.contextmanager
def server_env(db: Path) -> Iterator[dict[str, str]]:
    """The environment a benchmark's web server needs: the hub, a migrated SQLite application
    database in a temporary folder, and the development environment (a generated secret; the
    benchmark has no real accounts)."""
    from wholeplace.appdb.engine import make_engine
    from wholeplace.appdb.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'app.sqlite'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield dict(os.environ, WHOLEPLACE_DB=str(db), WHOLEPLACE_DATABASE_URL=url,
                   WHOLEPLACE_ENV="development")
