"""The web app's writable hub (setting ``hub_writable``): one DuckDB connection, a cursor per
request; an upload loads on its own cursor while reads go on, and every read sees the hub
either before the load or after it, never half-loaded."""

from __future__ import annotations

import shutil
import threading

import pytest

from wholeplace.errors import ConfigError
from wholeplace.hub.store import open_store
from wholeplace.web.deps import StoreProvider, load_upload_for

OWNER = "E07000008"
METADATA = """\
# Test fixture metadata (illustrative values, not real data).
- id: fixture.concurrent_count
  title: "Example indicator (illustrative values): concurrent count"
  unit: count
  theme: environment
"""
COUNT_SQL = "SELECT count(*) FROM main.observations"
#: A deliberately long read: every observation against every dataset's row count.
LONG_SQL = """
SELECT count(*), sum(d.row_count) FROM main.observations o
JOIN main.datasets d USING (dataset_id) JOIN main.indicators i USING (indicator_id)"""


@pytest.fixture
def provider(loaded_db, tmp_path):
    path = tmp_path / "hub.duckdb"
    shutil.copy(loaded_db, path)
    stores = StoreProvider(path, writable=True)
    yield stores
    stores.close()


def _upload(tmp_path, areas: list[str]):
    data, meta = tmp_path / "concurrent.csv", tmp_path / "concurrent.yaml"
    meta.write_text(METADATA, encoding="utf-8")
    rows = [f"{a},{y}-{(y + 1) % 100:02d},fixture.concurrent_count,{n}"
            for n, a in enumerate(areas) for y in range(2000, 2020)]
    data.write_text("area_code,period,indicator_id,value\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return data, meta


def test_reads_go_on_while_an_upload_loads_and_see_it_whole_or_not_at_all(provider, tmp_path):
    with provider.cursor() as probe:
        areas = [r[0] for r in probe.execute(
            "SELECT gss_code FROM places WHERE current AND tier IN ('lower', 'single') "
            "ORDER BY gss_code").fetchall()]
        before = probe.scalar(COUNT_SQL)
        before_long = probe.execute(LONG_SQL).fetchone()
    data, meta = _upload(tmp_path, areas)
    loaded = threading.Event()
    results: dict[str, object] = {}
    snapshot_reads: list[int] = []
    plain_reads: list[int] = []

    def snapshot_reader() -> None:  # one transaction, as a web request reads
        with provider.cursor() as store:
            store.execute("BEGIN TRANSACTION")
            started.set()
            while not loaded.is_set():
                snapshot_reads.append(store.scalar(COUNT_SQL))
                results["long"] = store.execute(LONG_SQL).fetchone()
            snapshot_reads.append(store.scalar(COUNT_SQL))  # the load has committed by now
            store.execute("ROLLBACK")

    def plain_reader() -> None:  # statement by statement
        with provider.cursor() as store:
            while not loaded.is_set():
                plain_reads.append(store.scalar(COUNT_SQL))

    def loader() -> None:
        started.wait(30)
        with provider.cursor() as store:
            results["load"] = load_upload_for(store, data, meta, OWNER)
        loaded.set()

    started = threading.Event()
    threads = [threading.Thread(target=f) for f in (snapshot_reader, plain_reader, loader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    load = results["load"]
    assert load.status == "loaded" and load.rows == 20 * len(areas)
    with provider.cursor() as store:
        after = store.scalar(COUNT_SQL)
        assert store.scalar("SELECT visibility FROM datasets WHERE dataset_id = ?",
                            [load.dataset_id]) == "private"
    assert after == before + 20 * len(areas)
    # the reader's transaction was open throughout the load and saw the hub as it was
    assert snapshot_reads and set(snapshot_reads) == {before}
    assert results["long"] == before_long
    # reads statement by statement saw either state, never a half-loaded one
    assert plain_reads and set(plain_reads) <= {before, after}


def test_loading_needs_a_writable_hub(loaded_db, tmp_path):
    stores = StoreProvider(loaded_db)
    data, meta = _upload(tmp_path, [OWNER])
    try:
        with stores.cursor() as store, pytest.raises(ConfigError, match="HUB_WRITABLE"):
            load_upload_for(store, data, meta, OWNER)
    finally:
        stores.close()
    with open_store(loaded_db, read_only=True) as store:
        assert not store.scalar("SELECT count(*) FROM datasets WHERE owner_org IS NOT NULL")
