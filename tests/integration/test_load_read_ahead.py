"""Reading files ahead in a worker process while earlier ones are written loads exactly what
reading them in order does; a file the worker cannot read is read (and refused) as before."""

from __future__ import annotations

import shutil

import pytest

from wholeplace.errors import WholeplaceError
from wholeplace.hub import registry as reg
from wholeplace.hub.load import load_registered
from wholeplace.hub.read_worker import ReadAhead
from wholeplace.hub.store import open_store

#: The register first (its lookups change what later readers see), then files of several loaders.
SOURCES = ["la_register", "lsoa11_lookup", "population_mye", "rs_2021_22", "rs_2022_23",
           "ra_2021_22", "ctr_2022_23", "hclic_2023_q1"]

CONTENT = """
SELECT o.indicator_id, o.area_code, o.period, o.value, o.numerator, o.denominator, o.status,
       o.note, o.source_area_code, d.source_id
FROM observations o JOIN datasets d USING (dataset_id)
ORDER BY ALL
"""


def _load(path, sources_dir, monkeypatch, depth: int):
    monkeypatch.setenv("WHOLEPLACE_LOAD_READ_AHEAD", str(depth))
    with open_store(path) as store:
        results = load_registered(store, sources_dir, only=SOURCES)
        rows = store.execute(CONTENT).fetchall()
        places = store.execute("SELECT * EXCLUDE (dataset_id) FROM places ORDER BY ALL"
                               ).fetchall()
        indicators = store.execute("SELECT * FROM indicators ORDER BY ALL").fetchall()
    return [(r.source_id, r.status, r.rows) for r in results], rows, places, indicators


def test_read_ahead_loads_what_reading_in_order_loads(tmp_path, sources_dir, monkeypatch):
    ahead = _load(tmp_path / "ahead.duckdb", sources_dir, monkeypatch, 2)
    in_order = _load(tmp_path / "in_order.duckdb", sources_dir, monkeypatch, 0)
    assert ahead[0] == in_order[0]
    assert [s for s, status, _ in ahead[0] if status == "loaded"] == SOURCES
    assert len(ahead[1]) > 50_000
    assert ahead[1] == in_order[1]
    assert ahead[2] == in_order[2]
    assert ahead[3] == in_order[3]


def test_a_file_the_worker_cannot_read_is_refused_as_without_it(tmp_path, sources_dir,
                                                                monkeypatch):
    """A changed file is refused before anything loads; a file whose reader fails in the worker
    (here: its bytes replaced after the check) is read again here and refused with the loader's
    own message, and the files before it stay loaded."""
    copy = tmp_path / "sources"
    for source_id in ("la_register", "rs_2021_22"):
        rel = reg.get_spec(source_id).path
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).symlink_to(sources_dir / rel)
    spec = reg.get_spec("rs_2022_23")
    target = copy / spec.path
    shutil.copy(sources_dir / spec.path, target)
    monkeypatch.setenv("WHOLEPLACE_LOAD_READ_AHEAD", "2")
    real_verify = reg.locate_copy

    def verify_then_break(s, sources):
        found = real_verify(s, sources)
        if s.id == spec.id:  # passes the hash check, then is not a workbook any more
            target.chmod(0o644)
            target.write_bytes(b"not a workbook")
        return found

    monkeypatch.setattr(reg, "locate_copy", verify_then_break)
    with open_store(tmp_path / "hub.duckdb") as store, pytest.raises(WholeplaceError) as err:
        load_registered(store, copy, only=["la_register", "rs_2021_22", "rs_2022_23"])
    assert "could not be opened" in str(err.value)
    assert [r.source_id for r in err.value.results] == ["la_register", "rs_2021_22"]


def test_the_worker_answers_reads_and_ends_when_closed(sources_dir):
    from wholeplace.hub.load import source_info

    spec = reg.get_spec("hclic_2023_q1")
    path, copy = reg.locate_copy(spec, sources_dir)
    worker = ReadAhead()
    try:
        assert worker.submit(1, spec.loader, path, source_info(spec, path, copy),
                             {**spec.options, "register_codes": {}, "ecode_to_gss": {},
                              "register_places": {}, "recoded_codes": {}})
        assert worker.submit(2, "no_such_loader", path, source_info(spec, path, copy), {})
        batch = worker.take(1)
        assert batch is not None and batch.source.source_id == "hclic_2023_q1"
        assert worker.take(2) is None  # an error in the worker: the caller reads it itself
    finally:
        worker.close()
    assert worker.proc.returncode == 0
