"""The indicator's ``interval`` rule: "none" marks a complete count (no sampling interval),
set in the catalogue (population.share_65_plus) or by an upload's metadata file; hub files
created before the column existed gain it when opened writable and read as "auto" read-only."""

from __future__ import annotations

import shutil

import pytest

from wholeplace.errors import ValidationError
from wholeplace.hub import schema
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.load import known_indicators
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file
from wholeplace.insight.comparison.compare import COMPLETE_COUNT, compare_area, has_interval_rule

CAMBRIDGE = "E07000008"
SHARE_65 = "population.share_65_plus"
# Fixture rows (illustrative values).
ROWS = """area_code,period,indicator_id,value,numerator,denominator,unit
E07000008,2022-23,fixture.census_share,40,20000,50000,percent
E06000001,2022-23,fixture.census_share,35,14000,40000,percent
"""


def test_the_catalogue_marks_the_share_aged_65_plus_as_a_complete_count(loaded_store):
    assert builtin_catalogue()[SHARE_65].interval == "none"
    assert builtin_catalogue()["population.all_ages"].interval == "auto"
    stored = dict(loaded_store.execute("SELECT indicator_id, interval FROM indicators").fetchall())
    assert stored[SHARE_65] == "none"
    assert set(stored.values()) == {"auto", "none"}


@pytest.mark.parametrize("suffix, text", [
    (".yaml", "- id: fixture.census_share\n  title: Fixture census share\n  unit: percent\n"
              "  interval: none\n"),
    (".csv", "id,title,unit,interval\nfixture.census_share,Fixture census share,percent,none\n"),
])
def test_an_upload_may_declare_a_complete_count(register_store, tmp_path, suffix, text):
    meta = tmp_path / f"meta{suffix}"
    meta.write_text(text, encoding="utf-8")
    data = tmp_path / "census.csv"
    data.write_text(ROWS, encoding="utf-8")
    load_file(register_store, data, metadata=meta)
    assert register_store.scalar("SELECT interval FROM indicators WHERE indicator_id = ?",
                                 ["fixture.census_share"]) == "none"
    assert known_indicators(register_store)["fixture.census_share"].interval == "none"


def test_an_unknown_interval_rule_is_reported_with_its_line(register_store, tmp_path):
    meta = tmp_path / "meta.yaml"
    meta.write_text("- id: fixture.census_share\n  title: Fixture census share\n"
                    "  unit: percent\n  interval: wide\n", encoding="utf-8")
    data = tmp_path / "census.csv"
    data.write_text(ROWS, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_file(register_store, data, metadata=meta)
    (problem,) = [p for p in err.value.problems if p.column == "interval"]
    assert problem.file == "meta.yaml" and problem.line == 4
    assert "'auto'" in problem.message and "'none'" in problem.message


@pytest.fixture
def version_1_hub(loaded_db, tmp_path):
    """A copy of the loaded hub as schema version 1 wrote it: no indicators.interval column."""
    path = tmp_path / "old.duckdb"
    shutil.copy(loaded_db, path)
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE indicators DROP COLUMN interval")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    return path


def test_an_old_hub_read_only_still_compares_without_intervals(version_1_hub):
    with open_store(version_1_hub, read_only=True) as store:
        assert not has_interval_rule(store)
        row = compare_area(store, CAMBRIDGE, indicators=[SHARE_65])["indicators"][0]
    # the catalogue's rule holds for its own indicators even before the hub has the column
    assert row["interval"]["reason"] == COMPLETE_COUNT and row["funnel"] is None


def test_an_old_hub_gains_the_column_when_opened_writable(version_1_hub):
    with open_store(version_1_hub) as store:
        assert has_interval_rule(store)
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == \
            schema.SCHEMA_VERSION == "3"
        assert store.scalar("SELECT count(*) FROM indicators WHERE interval IS NULL") == 0
        assert store.execute("SELECT DISTINCT interval FROM indicators").fetchall() == [("auto",)]
        assert len(known_indicators(store)) > 100  # the loader reads every column again
    with open_store(version_1_hub) as store:  # and opening it again changes nothing
        assert store.scalar("SELECT count(*) FROM indicators WHERE interval = 'auto'") > 100
