"""Visibility at the store: the scoped views, an old hub file's migration, the CLI's --org,
publish and datasets --org, and supersession waiting for publication."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from wholeplace.cli.main import app
from wholeplace.hub import queries as hub
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file, publish_dataset
from wholeplace.hub.visibility import Viewer

OWNER, OTHER = "E07000008", "E07000012"
METADATA = """\
# Test fixture metadata (illustrative values, not real data).
- id: fixture.scoped_rate
  title: "Example indicator (illustrative values): scoped rate"
  unit: percent
  theme: environment
"""
runner = CliRunner()


def _files(tmp_path, value: float, name: str = "scoped.csv"):
    meta, data = tmp_path / "scoped.yaml", tmp_path / name
    meta.write_text(METADATA, encoding="utf-8")
    data.write_text("area_code,period,indicator_id,value\n"
                    f"{OWNER},2023-24,fixture.scoped_rate,{value}\n", encoding="utf-8")
    return data, meta


def _values(store) -> list[float]:
    return [r["value"] for r in hub.series(store, "fixture.scoped_rate", OWNER)]


def test_scoped_cursors_see_their_own_scope_only(register_store, tmp_path):
    data, meta = _files(tmp_path, 61.5)
    ds = load_file(register_store, data, metadata=meta, owner_org=OWNER).dataset_id
    mine = register_store.scoped(Viewer.for_org(OWNER))
    theirs = register_store.scoped(Viewer.for_org(OTHER))
    shared = register_store.scoped(Viewer(frozenset({OTHER}), frozenset({ds})))
    try:
        assert mine.visible_private == (ds,) and theirs.visible_private == ()
        assert _values(mine) == [61.5] and _values(shared) == [61.5]
        with pytest.raises(Exception, match="no indicator"):
            _values(theirs)
        with pytest.raises(Exception, match="no indicator"):
            _values(register_store)  # the unscoped store reads as the public
        assert theirs.data_version() == register_store.data_version() != mine.data_version()
        assert mine.data_version() == shared.data_version()  # same data seen: same caches
    finally:
        for s in (mine, theirs, shared):
            s.close()


def test_a_private_release_supersedes_the_public_one_only_when_published(register_store,
                                                                         tmp_path):
    data, meta = _files(tmp_path, 40.0, "r1.csv")
    first = load_file(register_store, data, metadata=meta, owner_org=OWNER, public=True,
                      source_id="upload:fixture-scoped", released_on="2024-01-01")
    data, meta = _files(tmp_path, 44.0, "r2.csv")
    second = load_file(register_store, data, metadata=meta, owner_org=OWNER,
                       source_id="upload:fixture-scoped", released_on="2024-06-01")
    assert register_store.scalar("SELECT superseded_by FROM datasets WHERE dataset_id = ?",
                                 [first.dataset_id]) is None
    with register_store.scoped(Viewer.for_org(OWNER)) as mine:
        assert _values(mine) == [44.0]  # the newest the owner can see
    assert _values(register_store) == [40.0]  # the public keeps the published release
    publish_dataset(register_store, second.dataset_id, by="Fixture data team")
    assert register_store.scalar("SELECT superseded_by FROM datasets WHERE dataset_id = ?",
                                 [first.dataset_id]) == second.dataset_id
    assert _values(register_store) == [44.0]


def test_another_organisation_cannot_add_to_a_source(register_store, tmp_path):
    from wholeplace.errors import InputError

    data, meta = _files(tmp_path, 40.0, "r1.csv")
    load_file(register_store, data, metadata=meta, owner_org=OWNER, source_id="upload:x")
    data, meta = _files(tmp_path, 41.0, "r2.csv")
    with pytest.raises(InputError, match="already used"):
        load_file(register_store, data, metadata=meta, owner_org=OTHER, source_id="upload:x")
    with pytest.raises(InputError, match="not a council in the place register"):
        load_file(register_store, data, metadata=meta, owner_org="E07999999")


def test_an_old_hub_file_is_migrated_and_read_only_it_reads_as_public(register_db, tmp_path):
    path = tmp_path / "old.duckdb"
    shutil.copy(register_db, path)
    con = duckdb.connect(str(path))
    for view in ("visible_indicators", "current_observations", "visible_observations",
                 "visible_datasets"):
        con.execute(f"DROP VIEW {view}")
    for col in ("owner_org", "visibility", "published_at", "published_by"):
        con.execute(f"ALTER TABLE datasets DROP COLUMN {col}")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    with open_store(path, read_only=True) as store:
        assert store.legacy and len(hub.datasets(store)) == 2
        with store.scoped(Viewer.for_org(OWNER)) as scoped:
            assert len(hub.datasets(scoped)) == 2
    with open_store(path) as store:
        assert {r["visibility"] for r in hub.datasets(store)} == {"public"}
        data, meta = _files(tmp_path, 50.0)
        load_file(store, data, metadata=meta, owner_org=OWNER)
        assert len(hub.datasets(store)) == 2
    with open_store(path, read_only=True) as store:
        assert not store.legacy


def test_the_cli_loads_privately_lists_and_publishes(register_db, sources_dir, tmp_path):
    db = tmp_path / "hub.duckdb"
    shutil.copy(register_db, db)

    def run(*args):
        return runner.invoke(app, ["--db", str(db), "--sources", str(sources_dir), *args])

    data, meta = _files(tmp_path, 52.25)
    loaded = run("load", str(data), "--metadata", str(meta), "--org", OWNER, "--json")
    assert loaded.exit_code == 0, loaded.output
    ds = json.loads(loaded.stdout)[0]["dataset_id"]
    assert ds not in [d["dataset_id"] for d in json.loads(run("datasets", "--json").stdout)]
    listed = run("datasets", "--org", OWNER)
    assert f"(private to {OWNER})" in listed.stdout
    wrong = run("publish", str(ds), "--org", OTHER)
    assert wrong.exit_code != 0 and f"There is no dataset {ds}" in wrong.output
    done = run("publish", str(ds), "--org", OWNER, "--by", "Fixture data team")
    assert done.exit_code == 0, done.output
    assert "is now public: published by Fixture data team" in done.stdout
    assert ds in [d["dataset_id"] for d in json.loads(run("datasets", "--json").stdout)]
    stray = run("load", str(data), "--metadata", str(meta), "--public")
    assert stray.exit_code != 0 and "--org" in stray.output
