"""Loads cannot silently damage the hub: each test is one review finding, on a real store.

Uploaded files are test fixtures with illustrative values, not real data; the published data
(place register, ONS population, Revenue Outturn) is the real bundle. Every refusal is checked
to leave the store exactly as it was (snapshot before == after).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from wholeplace.errors import InputError, SourceError, ValidationError
from wholeplace.hub import queries
from wholeplace.hub import registry as reg
from wholeplace.hub.load import apply_batch, load_registered
from wholeplace.hub.loaders import get_reader
from wholeplace.hub.uploads import load_file, upload_info

HEADER = "area_code,period,indicator_id,value,numerator,denominator,unit,status,note"
ROWS = [
    "E07000008,2022-23,fixture.recycling_rate,40,20000,50000,percent,,fixture value",
    "E06000001,2022-23,fixture.households,50000,,,count,,fixture value",
]
CAMBRIDGE = "Cambridge City Council"
SOUTH_CAMBS = "South Cambridgeshire District Council"


def write(folder: Path, rows: list[str], name: str = "data.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def refused(store, *phrases: str, **load) -> ValidationError:
    """Load (``load_file`` keyword arguments), expect a refusal, and check nothing changed."""
    before = store.snapshot()
    with pytest.raises(ValidationError) as info:
        load_file(store, **load)
    for phrase in phrases:
        assert phrase in str(info.value), str(info.value)
    assert store.snapshot() == before
    return info.value


def current(store, indicator: str, area: str) -> dict[str, float | None]:
    return {r["period"]: r["value"] for r in store.rows(
        "SELECT period, value FROM current_observations WHERE indicator_id = ? "
        "AND area_code = ?", [indicator, area])}


# 1. Two councils' files with the same name are two sources -------------------------------------

def test_same_file_name_from_two_councils_is_two_sources(register_store, tmp_path, metadata):
    ours = load_file(register_store, write(tmp_path / "a", ROWS), metadata=metadata,
                     publisher=CAMBRIDGE, release="r1")
    theirs = load_file(register_store,
                       write(tmp_path / "b", [ROWS[0].replace("40,20000", "45,22500")]),
                       metadata=metadata, publisher=SOUTH_CAMBS)
    assert ours.source_id == "upload:cambridge-city-council:data"
    assert theirs.source_id == "upload:south-cambridgeshire-district-council:data"
    assert register_store.scalar("SELECT count(*) FROM datasets WHERE superseded_by IS NOT NULL "
                                 "AND source_id LIKE 'upload:%'") == 0
    # Another publisher's file under Cambridge's source id is refused, naming both publishers.
    refused(register_store, ours.source_id, CAMBRIDGE, SOUTH_CAMBS, "same publisher",
            path=write(tmp_path / "c", [ROWS[0].replace("40,20000", "46,23000")]),
            metadata=metadata, source_id=ours.source_id, publisher=SOUTH_CAMBS)
    # Cambridge's own new release supersedes its first, and says so.
    newer = load_file(register_store,
                      write(tmp_path / "d", [ROWS[0].replace("40,20000", "41,20500")]),
                      metadata=metadata, publisher=CAMBRIDGE, release="r2")
    assert newer.source_id == ours.source_id
    assert (f"Supersedes dataset {ours.dataset_id} (publisher {CAMBRIDGE}, release r1)."
            in newer.messages)


# 2. One upload cannot redefine another upload's indicator ---------------------------------------

def test_upload_cannot_redefine_another_sources_indicator(register_store, tmp_path):
    percent = tmp_path / "percent.yaml"
    percent.write_text("- id: council.recycling_rate\n  title: Fixture recycling rate\n"
                       "  unit: percent\n  polarity: higher_is_better\n", encoding="utf-8")
    count = tmp_path / "count.yaml"
    count.write_text(percent.read_text().replace("unit: percent", "unit: count"),
                     encoding="utf-8")
    first = load_file(register_store, write(tmp_path / "a", [
        "E07000008,2022-23,council.recycling_rate,42.5,17000,40000,percent,,fixture"]),
        metadata=percent, publisher=CAMBRIDGE)
    err = refused(register_store, "redefines indicator 'council.recycling_rate'",
                  "unit 'percent' -> 'count'", first.source_id,
                  path=write(tmp_path / "b", [
                      "E07000012,2022-23,council.recycling_rate,17000,,,count,,fixture"]),
                  metadata=count, publisher=SOUTH_CAMBS)
    assert [(p.line, p.column) for p in err.problems] == [(2, "indicator_id")]
    assert register_store.scalar("SELECT unit FROM indicators "
                                 "WHERE indicator_id = 'council.recycling_rate'") == "percent"
    # A new release of the same source may correct its own metadata (here the polarity).
    neutral = tmp_path / "neutral.yaml"
    neutral.write_text(percent.read_text().replace("higher_is_better", "neutral"),
                       encoding="utf-8")
    again = load_file(register_store, write(tmp_path / "c", [
        "E07000008,2022-23,council.recycling_rate,43,17200,40000,percent,,fixture"]),
        metadata=neutral, publisher=CAMBRIDGE, source_id=first.source_id)
    assert again.status == "loaded"
    assert register_store.scalar("SELECT polarity FROM indicators "
                                 "WHERE indicator_id = 'council.recycling_rate'") == "neutral"


# 3. A header-only file does not wipe a source's current data ------------------------------------

def test_header_only_file_is_refused(register_store, tmp_path, metadata):
    first = load_file(register_store, write(tmp_path / "a", ROWS), metadata=metadata,
                      source_id="upload:fixture")
    err = refused(register_store, "The file has a header but no data rows",
                  path=write(tmp_path / "b", []), metadata=metadata, source_id="upload:fixture")
    assert len(err.problems) == 1
    assert register_store.scalar("SELECT superseded_by FROM datasets WHERE dataset_id = ?",
                                 [first.dataset_id]) is None
    assert current(register_store, "fixture.recycling_rate", "E07000008") == {"2022-23": 40.0}


# 4. One release order for the view, supersession and "as published" ----------------------------

def test_one_release_order_everywhere(register_store, tmp_path, metadata):
    """A dated release of 2024, then an undated one: the undated one is effective the day it
    was loaded (today), so it is the newest by the one rule in all three places."""
    sid = "upload:fixture-order"
    dated = load_file(register_store, write(tmp_path / "a", ROWS), metadata=metadata,
                      source_id=sid, release="dated", released_on="2024-07-15")
    undated = load_file(register_store,
                        write(tmp_path / "b", [ROWS[0].replace("40,20000", "41,20500")]),
                        metadata=metadata, source_id=sid, release="undated")
    assert register_store.scalar("SELECT superseded_by FROM datasets WHERE dataset_id = ?",
                                 [dated.dataset_id]) == undated.dataset_id
    assert current(register_store, "fixture.recycling_rate", "E07000008") == {"2022-23": 41.0}

    def as_published(on: date) -> dict:
        rows = queries.observations_as_published(register_store, on,
                                                 indicator_id="fixture.recycling_rate")
        return {r["period"]: (r["value"], r["dataset_id"]) for r in rows}

    assert as_published(date.today()) == {"2022-23": (41.0, undated.dataset_id)}
    assert as_published(date(2024, 8, 1)) == {"2022-23": (40.0, dated.dataset_id)}
    # An older release loaded after the newer one is superseded on arrival, and says so.
    older = load_file(register_store,
                      write(tmp_path / "c", [ROWS[0].replace("40,20000", "39,19500")]),
                      metadata=metadata, source_id=sid, release="older",
                      released_on="2024-01-15")
    assert any(m.startswith(f"Superseded on arrival by dataset {undated.dataset_id}")
               for m in older.messages), older.messages
    assert register_store.scalar("SELECT superseded_by FROM datasets WHERE dataset_id = ?",
                                 [older.dataset_id]) == undated.dataset_id
    assert current(register_store, "fixture.recycling_rate", "E07000008") == {"2022-23": 41.0}
    assert as_published(date(2024, 3, 1)) == {"2022-23": (39.0, older.dataset_id)}


# 5. An upload cannot override a published national figure --------------------------------------

def test_upload_cannot_replace_a_published_figure(loaded_copy, tmp_path):
    published = current(loaded_copy, "population.all_ages", "E07000008")["mid-2019"]
    # ONS mid-2019 estimate for Cambridge, as revised after Census 2021 (MYE23, MYE4); the
    # original estimate in population_la.csv was 124,798
    assert published == 143153.0
    err = refused(loaded_copy, "'population.all_ages' for E07000008 mid-2019 is published by "
                  "'ONS mid-year population estimates", "value 124798",
                  "an indicator of its own",
                  path=write(tmp_path, ["E07000008,mid-2019,population.all_ages,1000,,,,,"]))
    assert [(p.line, p.column) for p in err.problems] == [(2, "indicator_id")]
    # A catalogue indicator for a cell no published source covers is still allowed.
    later = load_file(loaded_copy, write(tmp_path / "later", [
        "E07000008,mid-2024,population.all_ages,146000,,,,,fixture value"]))
    assert later.status == "loaded"
    assert current(loaded_copy, "population.all_ages", "E07000008")["mid-2019"] == published


# 6. An indicator's range narrows the unit's range -----------------------------------------------

def test_indicator_range_narrows_the_unit_range(register_store, tmp_path):
    meta = tmp_path / "wide.yaml"
    meta.write_text("- id: council.share\n  title: Fixture share\n  unit: percent\n"
                    "  value_max: 1000\n", encoding="utf-8")
    refused(register_store, "140 is above the largest possible value (100)",
            path=write(tmp_path, ["E07000008,2022-23,council.share,140,,,,,"]), metadata=meta)
    swapped = tmp_path / "swapped.yaml"
    swapped.write_text("- id: council.share\n  title: Fixture share\n  unit: percent\n"
                       "  value_min: 80\n  value_max: 20\n", encoding="utf-8")
    err = refused(register_store, "value_min 80 is above value_max 20",
                  path=write(tmp_path, ["E07000008,2022-23,council.share,40,,,,,"]),
                  metadata=swapped)
    assert ("swapped.yaml", 4, "value_min") in [(p.file, p.line, p.column)
                                                for p in err.problems]


# 7. A value must agree with its numerator and denominator ---------------------------------------

@pytest.mark.parametrize("value, ok", [("42.5", True), ("42", True), ("42.4", True),
                                       ("41.9", False), ("0.425", False)])
def test_value_must_match_numerator_and_denominator(register_store, tmp_path, metadata, value,
                                                    ok):
    path = write(tmp_path, [f"E07000008,2022-23,fixture.recycling_rate,{value},17000,40000,,,"])
    if ok:
        assert load_file(register_store, path, metadata=metadata).status == "loaded"
        return
    err = refused(register_store, f"The value {float(value):g} does not match",
                  "100 x 17000 / 40000 = 42.5", path=path, metadata=metadata)
    assert [(p.line, p.column) for p in err.problems] == [(2, "value")]


# 8. A combined authority's own population for one year keeps the derived sum for the others ----

def test_combined_authority_population_is_replaced_per_year(loaded_copy, tmp_path):
    ca = "E47000008"  # Cambridgeshire and Peterborough Combined Authority
    sql = ("SELECT indicator_id, period, value, note FROM observations WHERE area_code = ? "
           "AND status = 'derived' ORDER BY ALL")
    before = loaded_copy.rows(sql, [ca])
    assert before and all("the sum of the estimates of the 6 council areas" in r["note"]
                          for r in before)
    # Fixture: an estimate of the body's own for mid-2024, a year no published source covers
    # (so the upload is allowed); every money value's own year has a summed estimate, which
    # stays nearer than mid-2024, so no per-head value changes.
    load_file(loaded_copy, write(tmp_path, [f"{ca},mid-2024,population.all_ages,900000,,,,,"
                                            "fixture value"]))
    assert loaded_copy.rows(sql, [ca]) == before


# 9. "Already loaded" is per source id ----------------------------------------------------------

def test_same_bytes_under_another_source_id_is_a_new_dataset(register_store, tmp_path, metadata):
    path = write(tmp_path, ROWS)
    first = load_file(register_store, path, metadata=metadata, source_id="upload:fixture-a")
    other = load_file(register_store, path, metadata=metadata, source_id="upload:fixture-b")
    assert other.status == "loaded" and other.dataset_id != first.dataset_id
    assert register_store.scalar("SELECT source_id FROM datasets WHERE dataset_id = ?",
                                 [other.dataset_id]) == "upload:fixture-b"
    before = register_store.snapshot()
    again = load_file(register_store, path, metadata=metadata, source_id="upload:fixture-a")
    assert (again.status, again.dataset_id) == ("unchanged", first.dataset_id)
    assert register_store.snapshot() == before


# 10. `wholeplace load` checks every file before loading any -------------------------------------

def test_every_missing_or_changed_file_is_reported_before_anything_loads(empty_store, tmp_path,
                                                                        sources_dir):
    sources = tmp_path / "sources"
    sources.mkdir()
    for entry in sources_dir.iterdir():
        (sources / entry.name).symlink_to(entry)
    oflog, cipfa = reg.get_spec("oflog_asc"), reg.get_spec("cipfa_nearest_neighbours")
    (sources / oflog.path).unlink()
    shutil.copyfile(sources_dir / oflog.path, sources / oflog.path)
    with open(sources / oflog.path, "a", encoding="utf-8") as f:
        f.write("\n")  # changed since publication
    (sources / cipfa.path).unlink()  # missing
    before = empty_store.snapshot()
    with pytest.raises(SourceError) as info:
        load_registered(empty_store, sources)
    message = str(info.value)
    assert f"2 of the {len(reg.registry())} source file(s)" in message
    assert "nothing was loaded" in message
    assert f"oflog_asc: {sources / oflog.path} is" in message
    assert f"cipfa_nearest_neighbours: {cipfa.title}: {sources / cipfa.path} is missing" \
        in message
    assert empty_store.snapshot() == before


def test_a_refused_source_carries_what_loaded_before_it(empty_store, sources_dir):
    """Without the place register, the population file's areas are unknown: it is refused, and
    the error says the LSOA lookup loaded before it (and stays loaded)."""
    with pytest.raises(ValidationError) as info:
        load_registered(empty_store, sources_dir, only=["lsoa11_lookup", "population_mye"])
    assert [(r.source_id, r.status) for r in info.value.results] == [
        ("lsoa11_lookup", "loaded")]
    assert empty_store.scalar("SELECT list(source_id) FROM datasets") == ["lsoa11_lookup"]


# 11. The place register can only be replaced by the published register -------------------------

def test_reference_loader_refuses_an_unregistered_file(loaded_copy, tmp_path, sources_dir):
    small = tmp_path / "reg_small.csv"
    lines = (sources_dir / "la_register.csv").read_text(encoding="utf-8").splitlines()
    small.write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    before = loaded_copy.snapshot()
    with pytest.raises(InputError, match="not the registered published file"):
        load_file(loaded_copy, small, loader="places.register")
    assert loaded_copy.snapshot() == before
    # Even read directly, a register that drops a code in use is refused: here the full
    # register without Buckinghamshire (E06000060), which has values and successor rules.
    without = tmp_path / "reg_without_buckinghamshire.csv"
    without.write_text("\n".join(ln for ln in lines if not ln.startswith("E06000060,")) + "\n",
                       encoding="utf-8")
    info = upload_info(without, source_id="upload:reg-without", title=None, publisher=None,
                       release=None, released_on=None, loader="places.register")
    batch = get_reader("places.register")(without, info, {})
    with pytest.raises(ValidationError) as err:
        apply_batch(loaded_copy, batch)
    text = str(err.value)
    assert "lacks 1 area code(s) that the hub's observations use: E06000060 (" in text
    assert "lacks 1 code(s) that successor rules point to: E06000060" in text
    assert loaded_copy.snapshot() == before
    assert loaded_copy.scalar("SELECT count(*) FROM places") == 380
