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
