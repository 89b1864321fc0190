"""A file is loaded once per loader version: same content and version changes nothing; a newer
loader version reads it again and supersedes the older dataset, which stays queryable."""

from wholeplace.hub.load import load_registered
from wholeplace.hub.loaders import LOADER_VERSION


def test_same_file_same_loader_version_changes_nothing(register_store, sources_dir):
    before = register_store.snapshot()
    results = load_registered(register_store, sources_dir, only=["la_register"])
    assert [r.status for r in results] == ["unchanged"]
    assert register_store.snapshot() == before


def test_file_read_by_an_older_loader_version_is_read_again(register_store, sources_dir):
    load_registered(register_store, sources_dir, only=["population_mye"])
    old = register_store.scalar(
        "SELECT dataset_id FROM datasets WHERE source_id = 'population_mye'")
    # Pretend an older loader read it (as a hub built by an earlier release would hold).
    register_store.execute("UPDATE datasets SET loader_version = 'old' WHERE dataset_id = ?",
                           [old])
    [result] = load_registered(register_store, sources_dir, only=["population_mye"])
    assert result.status == "loaded" and result.dataset_id != old
    rows = register_store.rows(
        "SELECT dataset_id, loader_version, superseded_by FROM datasets "
        "WHERE source_id = 'population_mye' ORDER BY dataset_id")
    assert rows == [
        {"dataset_id": old, "loader_version": "old", "superseded_by": result.dataset_id},
        {"dataset_id": result.dataset_id, "loader_version": LOADER_VERSION,
         "superseded_by": None},
    ]
    # Current values come from the new dataset only; the old rows are still there.
    assert register_store.scalar(
        "SELECT count(DISTINCT dataset_id) FROM current_observations "
        "WHERE indicator_id = 'population.all_ages'") == 1
    assert register_store.scalar(
        "SELECT count(*) FROM observations WHERE dataset_id = ?", [old]) > 0
