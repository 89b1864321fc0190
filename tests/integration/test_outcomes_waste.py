"""DEFRA collected waste (Table_3), loaded from the REAL file.

Spot values were read by hand from ``raw/outcomes/defra_la_collected_waste_2023-24.ods``, sheet
``Table_3`` (row numbers as the spreadsheet shows them), not recomputed by the code under test.
"""

from __future__ import annotations

import shutil

import pytest

from wholeplace.errors import InputError, ValidationError
from wholeplace.hub.load import load_registered
from wholeplace.hub.loaders.workbook import read_sheet
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file
from tests.integration.outcome_helpers import write_xlsx

SOURCE = "defra_waste_2023_24"
FILE = "raw/outcomes/defra_la_collected_waste_2023-24.ods"


@pytest.fixture(scope="module")
def waste_db(register_db, tmp_path_factory, sources_dir):
    path = tmp_path_factory.mktemp("waste") / "waste.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        result = load_registered(store, sources_dir, only=[SOURCE])[0]
    return path, result


@pytest.fixture
def store(waste_db):
    with open_store(waste_db[0], read_only=True) as s:
        yield s


def value(store, indicator, area, period):
    return store.row("SELECT value, status, note, source_area_code FROM observations "
                     "WHERE indicator_id = ? AND area_code = ? AND period = ?",
                     [indicator, area, period])


def test_rows_areas_and_skipped_bodies(store, waste_db):
    result = waste_db[1]
    assert result.status == "loaded"
    # 4,724 council rows x 4 measures (England, regions and joint bodies: 239 rows skipped).
    # Each year: its rows less 10 totals and the joint bodies (6 in 2010-11, 7 in 2023-24).
    assert store.scalar("SELECT count(*) FROM observations WHERE indicator_id LIKE 'waste.%'"
                        ) == 18896
    assert store.scalar("SELECT count(DISTINCT period) FROM observations "
                        "WHERE indicator_id = 'waste.household_recycling_rate'") == 14
    per_year = dict(store.execute(
        "SELECT period, count(DISTINCT area_code) FROM observations "
        "WHERE indicator_id = 'waste.household_recycling_rate' GROUP BY period").fetchall())
    assert per_year["2010-11"] == 352 and per_year["2023-24"] == 314
    messages = " ".join(result.messages)
    assert "Skipped 239 rows for 10 bodies" in messages
    assert "East London Waste Authority (E50000001) x14" in messages
    assert "Total (Total) x140" in messages


def test_spot_values_against_the_published_cells(store):
    # Table_3 row 5, column H (Adur 2010-11, NI192): 0.367 -> 36.7 percent.
    assert value(store, "waste.household_recycling_rate", "E07000223", "2010-11")["value"] == 36.7
    # Table_3 row 5, column G (Adur 2010-11, NI191): 454.3 kg per household.
    assert value(store, "waste.residual_household_waste_per_household", "E07000223",
                 "2010-11")["value"] == 454.3
    # Table_3 row 4774, column I (Kent CC 2023-24, NI193, a disposal authority): 0.004 -> 0.4.
    kent = value(store, "waste.municipal_waste_landfilled", "E10000016", "2023-24")
    assert kent["value"] == 0.4 and "Disposal" in kent["note"]
    # Table_3 row 4651, column J (Birmingham 2023-24, BVPI 84a): 334.5 kg per person.
    assert value(store, "waste.household_waste_per_person", "E08000025", "2023-24"
                 )["value"] == 334.5


def test_markers_are_missing_never_zero(store):
    # Table_3 row 5, column I (Adur 2010-11, a collection authority): '-'.
    adur = value(store, "waste.municipal_waste_landfilled", "E07000223", "2010-11")
    assert adur["value"] is None and adur["status"] == "missing" and "'-'" in adur["note"]
    # Bristol 2023-24 (row 4666): ':' in every column.
    bristol = value(store, "waste.household_recycling_rate", "E06000023", "2023-24")
    assert bristol["value"] is None and "':'" in bristol["note"]


def test_former_codes_are_read_as_todays_council(store):
    # Hertfordshire districts published under their pre-2020 codes keep them as source codes.
    row = store.row("SELECT count(*) AS n, min(source_area_code) AS src FROM observations "
                    "WHERE area_code = 'E07000240' AND source_area_code = 'E07000100'")
    assert row["n"] > 0


def test_indicators_have_units_polarity_and_no_interval(store):
    rows = {r["indicator_id"]: r for r in store.rows(
        "SELECT indicator_id, unit, polarity, interval FROM indicators "
        "WHERE indicator_id LIKE 'waste.%'")}
    assert rows["waste.household_recycling_rate"]["unit"] == "percent"
    assert rows["waste.household_recycling_rate"]["polarity"] == "higher_is_better"
    assert rows["waste.residual_household_waste_per_household"]["polarity"] == "lower_is_better"
    assert {r["interval"] for r in rows.values()} == {"none"}


# -- bad input ---------------------------------------------------------------------------------

def _table3(sources_dir):
    return read_sheet(sources_dir / FILE, "Table_3")


def test_missing_column_says_which_and_loads_nothing(register_store, sources_dir, tmp_path):
    rows = [r[:5] + r[6:] for r in _table3(sources_dir)[:60]]  # no 'Authority type'
    path = write_xlsx(tmp_path / "waste_no_type.xlsx", {"Table_3": rows})
    before = register_store.snapshot()
    with pytest.raises(InputError) as err:
        load_file(register_store, path, loader="defra_waste")
    assert "waste_no_type.xlsx" in str(err.value) and "'type'" in str(err.value)
    assert "Table_3" in str(err.value)
    assert register_store.snapshot() == before


def test_missing_sheet_says_which(register_store, sources_dir, tmp_path):
    path = write_xlsx(tmp_path / "waste_no_sheet.xlsx", {"Table_2": _table3(sources_dir)[:20]})
    before = register_store.snapshot()
    with pytest.raises(InputError, match=r"waste_no_sheet.xlsx: no sheet called 'Table_3'"):
        load_file(register_store, path, loader="defra_waste")
    assert register_store.snapshot() == before


def test_a_share_above_one_is_refused_with_row_and_column(register_store, sources_dir,
                                                          tmp_path):
    rows = [list(r) for r in _table3(sources_dir)[:60]]
    rows[4][7] = 3.67  # Adur's 0.367 mistyped: 367 percent
    path = write_xlsx(tmp_path / "waste_bad_value.xlsx", {"Table_3": rows})
    before = register_store.snapshot()
    with pytest.raises(ValidationError) as err:
        load_file(register_store, path, loader="defra_waste")
    text = str(err.value)
    assert "Table_3!H" in text and "5" in text
    assert register_store.snapshot() == before
