"""Shared fixtures. Tests run against real DuckDB files built from the real published sources.

The sources directory is ``WHOLEPLACE_SOURCES`` or ``../shared/data`` beside the checkout; tests
never use the network.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from wholeplace.hub.load import load_registered
from wholeplace.hub.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def _sources() -> Path:
    env = os.environ.get("WHOLEPLACE_SOURCES")
    path = Path(env) if env else ROOT.parent / "shared" / "data"
    if not path.is_dir():
        pytest.exit(f"The published sources are not at {path}; set WHOLEPLACE_SOURCES.", 2)
    return path


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    return _sources()


@pytest.fixture(scope="session")
def loaded_db(tmp_path_factory, sources_dir) -> Path:
    """A DuckDB file with every registered source loaded once per test session. Read it only."""
    path = tmp_path_factory.mktemp("hub") / "loaded.duckdb"
    with open_store(path) as store:
        load_registered(store, sources_dir)
    return path


@pytest.fixture
def loaded_store(loaded_db):
    """The fully loaded hub, read-only."""
    with open_store(loaded_db, read_only=True) as store:
        yield store


@pytest.fixture
def loaded_copy(loaded_db, tmp_path):
    """A writable copy of the fully loaded hub, for tests that change it."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(loaded_db, path)
    with open_store(path) as store:
        yield store


@pytest.fixture(scope="session")
def register_db(tmp_path_factory, sources_dir) -> Path:
    """A DuckDB file holding only the place register and the LSOA lookup."""
    path = tmp_path_factory.mktemp("hub") / "register.duckdb"
    with open_store(path) as store:
        load_registered(store, sources_dir, only=["la_register", "lsoa11_lookup"])
    return path


@pytest.fixture
def register_store(register_db, tmp_path):
    """A writable store with the place register loaded (fast: for upload tests)."""
    path = tmp_path / "register.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        yield store


@pytest.fixture
def empty_store(tmp_path):
    with open_store(tmp_path / "empty.duckdb") as store:
        yield store


#: Metadata for the upload tests' two fixture indicators (illustrative, not real data).
UPLOAD_METADATA = """\
# Test fixture metadata (illustrative values).
- id: fixture.recycling_rate
  title: "Example indicator (illustrative values): recycling rate"
  unit: percent
  polarity: higher_is_better
  kind: outcome
  theme: environment
- id: fixture.households
  title: "Example indicator (illustrative values): households served"
  unit: count
  theme: environment
"""


@pytest.fixture
def metadata(tmp_path) -> Path:
    """A YAML metadata file describing fixture.recycling_rate (percent), fixture.households."""
    path = tmp_path / "fixture_metadata.yaml"
    path.write_text(UPLOAD_METADATA, encoding="utf-8")
    return path


# --- The application database (SQLite and a real PostgreSQL) -------------------------------

@pytest.fixture(scope="session", autouse=True)
def _app_environment(tmp_path_factory):
    """Every web app started by a test (in process or as a uvicorn process) gets a migrated
    SQLite application database, a generated development secret and cookies over http."""
    from wholeplace.appdb import make_engine, upgrade

    path = tmp_path_factory.mktemp("appdb") / "wholeplace-app.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    saved = {k: os.environ.get(k) for k in ("WHOLEPLACE_DATABASE_URL", "WHOLEPLACE_ENV",
                                             "WHOLEPLACE_COOKIE_SECURE")}
    os.environ.update({"WHOLEPLACE_DATABASE_URL": url, "WHOLEPLACE_ENV": "development",
                       "WHOLEPLACE_COOKIE_SECURE": "0"})
    yield url
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL cluster per test session (per xdist worker)."""
    from tests import pg

    if pg.bin_dir() is None:
        pytest.fail(pg.INSTALL_HINT)
    with pg.cluster() as url:
        yield url


_database_counter = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def app_url(request, tmp_path):
    """An empty application database: a SQLite file, or a fresh database in the cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.sqlite'}"
        return
    import sqlalchemy as sa

    server = request.getfixturevalue("postgres_server")
    name = f"t{os.getpid()}_{next(_database_counter)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite application database migrated once per session, copied by ``app_engine``
    (running the migrations for every test cost more than a second each)."""
    from wholeplace.appdb import make_engine, upgrade

    path = tmp_path_factory.mktemp("appdb-template") / "migrated.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closing checkpoints the WAL into the file
    return path


_PG_TEMPLATE = "wholeplace_migrated"


@pytest.fixture(scope="session")
def migrated_postgres(postgres_server) -> str:
    """A database in the session's cluster migrated once, the template ``app_engine`` clones
    (CREATE DATABASE ... TEMPLATE copies it at file level)."""
    import sqlalchemy as sa

    from wholeplace.appdb import make_engine, upgrade

    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{_PG_TEMPLATE}"')
    admin.dispose()
    engine = make_engine(postgres_server.rsplit("/", 1)[0] + "/" + _PG_TEMPLATE)
    upgrade(engine)
    engine.dispose()
    return _PG_TEMPLATE


def _migrate_by_copy(request, url: str) -> None:
    """Make the empty database at ``url`` (from ``app_url``) a copy of the migrated template."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), str(parsed.database))
        return
    template = request.getfixturevalue("migrated_postgres")
    server = request.getfixturevalue("postgres_server")
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE "{parsed.database}" WITH (FORCE)')
        c.exec_driver_sql(f'CREATE DATABASE "{parsed.database}" TEMPLATE "{template}"')
    admin.dispose()


@pytest.fixture
def app_engine(request, app_url):
    """A migrated application database on each engine (the test runs once per engine): a copy
    of the session's migrated template, so the migrations are run once, not per test.
    tests/integration/test_appdb.py runs them on empty databases."""
    from wholeplace.appdb import make_engine

    _migrate_by_copy(request, app_url)
    engine = make_engine(app_url)
    yield engine
    engine.dispose()


@pytest.fixture
def app_session(app_engine):
    from wholeplace.appdb import session_factory

    with session_factory(app_engine)() as session:
        yield session
