"""DfT RDC0120 road condition, loaded from the REAL file.

Spot values were read by hand from ``raw/outcomes/dft_rdc0120_road_condition.ods`` (row numbers
and column letters as the spreadsheet shows them).
"""

from __future__ import annotations

import shutil

import pytest

from wholeplace.errors import InputError
from wholeplace.hub.load import load_registered
from wholeplace.hub.loaders.roads import cell_notes
from wholeplace.hub.loaders.workbook import read_workbook
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file
from tests.integration.outcome_helpers import write_xlsx

SOURCE = "dft_rdc0120"
FILE = "raw/outcomes/dft_rdc0120_road_condition.ods"
A, BC = "roads.a_roads_maintenance_considered", "roads.bc_roads_maintenance_considered"


@pytest.fixture(scope="module")
def roads_db(register_db, tmp_path_factory, sources_dir):
    path = tmp_path_factory.mktemp("roads") / "roads.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        result = load_registered(store, sources_dir, only=[SOURCE])[0]
    return path, result


@pytest.fixture
def store(roads_db):
    with open_store(roads_db[0], read_only=True) as s:
        yield s


def value(store, indicator, area, period):
    return store.row("SELECT value, status, note FROM observations "
                     "WHERE indicator_id = ? AND area_code = ? AND period = ?",
                     [indicator, area, period])


def test_rows_and_areas(store, roads_db):
    assert roads_db[1].status == "loaded"
    # 157 highway authorities x 18 years x 2 road classes.
    assert store.scalar("SELECT count(*) FROM observations") == 5652
    assert store.scalar("SELECT count(DISTINCT area_code) FROM observations") == 157
    assert store.scalar("SELECT min(period) || ' ' || max(period) FROM observations"
                        ) == "2007-08 2024-25"
    assert "Skipped 6 rows for 3 bodies" in " ".join(roads_db[1].messages)


def test_spot_values_against_the_published_cells(store):
    # RDC0120_A_Roads_and_Motorways row 7, column T (Darlington, FYE 2024): 7, note 7 applies.
    darlington = value(store, A, "E06000005", "2023-24")
    assert darlington["value"] == 7.0 and "not directly comparable" in darlington["note"]
    # RDC0120_B_and_C_Roads row 8, column D (Gateshead, FYE 2008): 5.
    assert value(store, BC, "E08000037", "2007-08")["value"] == 5.0
    # RDC0120_B_and_C_Roads row 9, column E (Hartlepool, FYE 2009): 11.
    assert value(store, BC, "E06000001", "2008-09")["value"] == 11.0
    # RDC0120_A_Roads_and_Motorways row 6, column F (County Durham, FYE 2010): [x].
    durham = value(store, A, "E06000047", "2009-10")
    assert durham["value"] is None and durham["status"] == "missing" and "[x]" in durham["note"]


def test_notes_column_is_read_cell_by_cell():
    found = cell_notes("[7] applies to S12, T12 and U12, [8] applies to O12, [r] applies to T12")
    assert set(found) == {"S12", "T12", "U12", "O12"}
    assert "revised" in found["T12"] and len(found["T12"]) == 2


def test_missing_year_columns_say_which_sheet(register_store, sources_dir, tmp_path):
    sheets = dict(read_workbook(sources_dir / FILE))
    rows = [r[:3] + r[-1:] for r in sheets["RDC0120_B_and_C_Roads"]]  # no FYE columns
    path = write_xlsx(tmp_path / "roads_no_years.xlsx", {
        "RDC0120_A_Roads_and_Motorways": sheets["RDC0120_A_Roads_and_Motorways"],
        "RDC0120_B_and_C_Roads": rows})
    before = register_store.snapshot()
    with pytest.raises(InputError, match=r"roads_no_years.xlsx, sheet 'RDC0120_B_and_C_Roads'"):
        load_file(register_store, path, loader="dft_roads")
    assert register_store.snapshot() == before
