"""The council page reads the place register, and the area's current values, once per request
(``Store.memo``): a change committed between two requests is on the next page, and a store
without a memo (the CLI's) reads afresh on every call."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from wholeplace.config import Settings
from wholeplace.hub.store import Store, open_store
from wholeplace.places.queries import place_row
from wholeplace.web.app import create_app
from wholeplace.web.deps import load_upload_for

CAMBRIDGE = "E07000008"
METADATA = """\
# Test fixture metadata (illustrative values, not real data).
- id: fixture.page_reads_count
  title: "Example indicator (illustrative values): page reads count"
  unit: count
  theme: environment
"""


@pytest.fixture
def writable_client(loaded_db, tmp_path):
    path = tmp_path / "hub.duckdb"
    shutil.copy(loaded_db, path)
    with TestClient(create_app(Settings(db=path, hub_writable=True))) as client:
        yield client


def _writer(client: TestClient) -> Store:
    """A cursor of the app's own connection (the one its requests read on)."""
    shared = client.app.state.stores._shared()
    return Store(shared.con.cursor(), shared.path, read_only=False)


def test_a_change_between_two_requests_is_on_the_next_page(writable_client, tmp_path):
    before = writable_client.get(f"/council/{CAMBRIDGE}.json").json()
    name = before["council"]["official_name"]
    shown = {v["indicator_id"] for t in before["themes"] for v in t["indicators"]}
    assert "fixture.page_reads_count" not in shown
    data, meta = tmp_path / "reads.csv", tmp_path / "reads.yaml"
    meta.write_text(METADATA, encoding="utf-8")
    data.write_text(f"area_code,period,indicator_id,value\n{CAMBRIDGE},2030-31,"
                    "fixture.page_reads_count,7\n", encoding="utf-8")
    writer = _writer(writable_client)
    try:
        writer.execute("UPDATE places SET official_name = ? WHERE gss_code = ?",
                       [f"{name} (renamed)", CAMBRIDGE])
        load_upload_for(writer, data, meta, CAMBRIDGE, public=True)
    finally:
        writer.close()

    after = writable_client.get(f"/council/{CAMBRIDGE}.json").json()
    # the register: the council, who serves it and its bill all read the new name
    assert after["council"]["official_name"] == f"{name} (renamed)"
    assert after["served_by"]["councils"][0]["official_name"] == f"{name} (renamed)"
    assert after["council_tax"]["name"] == f"{name} (renamed)"
    # the area's values: the new public dataset's figure is among the latest values
    rows = {v["indicator_id"]: v for t in after["themes"] for v in t["indicators"]}
    assert rows["fixture.page_reads_count"]["value"] == 7
    assert rows["fixture.page_reads_count"]["period"] == "2030-31"
    assert f"{name} (renamed)" in writable_client.get(f"/council/{CAMBRIDGE}").text


def test_a_store_without_a_memo_reads_the_register_on_every_call(loaded_db, tmp_path):
    path = tmp_path / "hub.duckdb"
    shutil.copy(loaded_db, path)
    with open_store(path) as store:
        assert store.memo is None
        name = place_row(store, CAMBRIDGE)["official_name"]
        store.execute("UPDATE places SET official_name = ? WHERE gss_code = ?",
                      [f"{name} (renamed)", CAMBRIDGE])
        assert place_row(store, CAMBRIDGE)["official_name"] == f"{name} (renamed)"
        store.memo = {}  # one snapshot: read once, then kept
        assert place_row(store, CAMBRIDGE)["official_name"] == f"{name} (renamed)"
        store.execute("UPDATE places SET official_name = ? WHERE gss_code = ?",
                      [name, CAMBRIDGE])
        assert place_row(store, CAMBRIDGE)["official_name"] == f"{name} (renamed)"
        store.memo = None
        assert place_row(store, CAMBRIDGE)["official_name"] == name
