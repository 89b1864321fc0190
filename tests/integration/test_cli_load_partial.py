"""`wholeplace load` of every source: each file is its own transaction, so when one is refused
the CLI says which sources loaded (and were kept) before it."""

import shutil

from typer.testing import CliRunner

from wholeplace.cli.main import app
from wholeplace.hub.store import open_store

runner = CliRunner()


def test_a_refused_source_reports_what_loaded_before_it(register_db, sources_dir, tmp_path):
    db = tmp_path / "partial.duckdb"
    shutil.copy(register_db, db)
    with open_store(db) as store:
        # Population for the Isles of Scilly can no longer be placed: its load must be refused.
        store.execute("DELETE FROM places WHERE gss_code = 'E06000053'")
        store.execute("DELETE FROM lsoas")
        store.execute("DELETE FROM datasets WHERE source_id = 'lsoa11_lookup'")
    result = runner.invoke(app, ["--db", str(db), "--sources", str(sources_dir), "load"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Loaded before the failure (kept):" in result.output
    assert "lsoa11_lookup: loaded" in result.output
    assert "E06000053" in result.output
    with open_store(db, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM lsoas") == 32844
        assert not store.scalar(
            "SELECT count(*) FROM datasets WHERE source_id = 'population_mye'")
