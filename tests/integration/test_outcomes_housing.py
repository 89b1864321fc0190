"""MHCLG Live Table 122 and the Housing Delivery Test 2023, loaded from the REAL files.

Spot values were read by hand from the workbooks in ``raw/outcomes/`` (row numbers and column
letters as the spreadsheet shows them).
"""

from __future__ import annotations

import shutil

import pytest

from wholeplace.errors import InputError
from wholeplace.hub.load import load_registered
from wholeplace.hub.loaders.workbook import read_sheet
from wholeplace.hub.store import open_store
from wholeplace.hub.units import UNITS
from wholeplace.hub.uploads import load_file
from tests.integration.outcome_helpers import write_xlsx

SOURCES = ["mhclg_live_table_122", "mhclg_hdt_2023"]
NET = "housing.net_additional_dwellings"


@pytest.fixture(scope="module")
def housing_db(register_db, tmp_path_factory, sources_dir):
    path = tmp_path_factory.mktemp("housing") / "housing.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        results = {r.source_id: r for r in load_registered(store, sources_dir, only=SOURCES)}
    return path, results


@pytest.fixture
def store(housing_db):
    with open_store(housing_db[0], read_only=True) as s:
        yield s


def value(store, indicator, area, period):
    return store.row("SELECT value, status, note FROM observations "
                     "WHERE indicator_id = ? AND area_code = ? AND period = ?",
                     [indicator, area, period])


def test_rows_and_areas(store, housing_db):
    assert {r.status for r in housing_db[1].values()} == {"loaded"}
    # 338 districts and unitary councils (current and former) x 24 years.
    assert store.scalar("SELECT count(*) FROM observations WHERE indicator_id = ?", [NET]) == 8112
    assert store.scalar("SELECT count(DISTINCT period) FROM observations WHERE indicator_id = ?",
                        [NET]) == 24
    messages = " ".join(housing_db[1]["mhclg_live_table_122"].messages)
    assert "27 county rows (sums of their districts) skipped" in messages
    assert store.scalar("SELECT count(DISTINCT area_code) FROM observations "
                        "WHERE indicator_id = 'housing.hdt_measurement'") == 311
    assert "London Legacy Development Corporation" in " ".join(
        housing_db[1]["mhclg_hdt_2023"].messages)


def test_spot_values_against_the_published_cells(store):
    # LT_122 row 137, column E (Birmingham 2001-02): 1434; column AB (2024-25 [p]): 4454.
    assert value(store, NET, "E08000025", "2001-02")["value"] == 1434
    latest = value(store, NET, "E08000025", "2024-25")
    assert latest["value"] == 4454 and latest["note"] == "provisional"
    # LT_122 row 408, column W (Adur 2019-20): 9.
    assert value(store, NET, "E07000223", "2019-20")["value"] == 9
    # HDT Sheet1 row 7 (Adur): column K 0.81, column L 'Buffer', column C 117.8716...
    assert value(store, "housing.hdt_measurement", "E07000223", "2023")["value"] == 0.81
    adur = value(store, "housing.hdt_consequence", "E07000223", "2023")
    assert adur["value"] == 3 and UNITS["hdt_consequence"].label_of(adur["value"]).startswith(
        "Buffer")
    assert value(store, "housing.hdt_homes_required", "E07000223", "2020-21"
                 )["value"] == pytest.approx(117.87164383561645)
    # HDT row 10 (Arun): 'Presumption'.
    assert value(store, "housing.hdt_consequence", "E07000224", "2023")["value"] == 4


def test_markers_and_joint_plans(store):
    # LT_122 row 8 (Bedford UA 2001-02): [x], missing.
    bedford = value(store, NET, "E06000055", "2001-02")
    assert bedford["value"] is None and "[x]" in bedford["note"]
    # HDT row 307 (Broadland, measured jointly with Norwich and South Norfolk): the joint result.
    broadland = value(store, "housing.hdt_measurement", "E07000144", "2023")
    assert broadland["value"] == 1.11 and "Joint plans" in broadland["note"]


def test_a_missing_column_says_which(register_store, sources_dir, tmp_path):
    rows = read_sheet(sources_dir / "raw/outcomes/mhclg_live_table_122_net_additional_dwellings"
                      ".ods", "LT_122")
    path = write_xlsx(tmp_path / "lt122_no_code.xlsx",
                      {"LT_122": [r[:2] + r[3:] for r in rows[:40]]})
    before = register_store.snapshot()
    with pytest.raises(InputError, match=r"lt122_no_code.xlsx, sheet 'LT_122'"):
        load_file(register_store, path, loader="mhclg_net_additions")
    assert register_store.snapshot() == before
