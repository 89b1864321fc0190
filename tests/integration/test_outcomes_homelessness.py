"""H-CLIC homelessness (March quarters 2021-2025), loaded from the REAL files.

Spot values were read by hand from the workbooks in ``raw/homelessness/`` (row numbers and
column letters as the spreadsheet shows them).
"""

from __future__ import annotations

import shutil

import pytest

from wholeplace.errors import InputError
from wholeplace.hub.load import load_registered
from wholeplace.hub.loaders.workbook import read_workbook
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file
from tests.integration.outcome_helpers import write_xlsx

SOURCES = [f"hclic_{y}_q1" for y in range(2021, 2026)]
H = "homelessness."


@pytest.fixture(scope="module")
def hclic_db(register_db, tmp_path_factory, sources_dir):
    path = tmp_path_factory.mktemp("hclic") / "hclic.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        results = {r.source_id: r for r in load_registered(store, sources_dir, only=SOURCES)}
    return path, results


@pytest.fixture
def store(hclic_db):
    with open_store(hclic_db[0], read_only=True) as s:
        yield s


def value(store, indicator, area, period):
    return store.row("SELECT value, status, note FROM observations "
                     "WHERE indicator_id = ? AND area_code = ? AND period = ?",
                     [H + indicator, area, period])


def test_rows_and_areas_per_quarter(store, hclic_db):
    assert {r.status for r in hclic_db[1].values()} == {"loaded"}
    per_quarter = dict(store.execute(
        "SELECT period, count(DISTINCT area_code) FROM observations GROUP BY period").fetchall())
    # Councils before and after the 2021 (Northamptonshire) and 2023 reorganisations.
    assert per_quarter == {"2021-Q1": 314, "2022-Q1": 309, "2023-Q1": 309, "2024-Q1": 296,
                           "2025-Q1": 296}
    assert store.scalar("SELECT count(*) FROM observations") == 1884 + 2 * 1854 + 2 * 1776
    assert store.scalar("SELECT count(DISTINCT indicator_id) FROM observations") == 6
    assert "Skipped 24 rows for 12 bodies" in " ".join(hclic_db[1]["hclic_2021_q1"].messages)


def test_spot_values_against_the_published_cells(store):
    # Detailed_LA_2021-03_revised.ods, sheet A1, row 37 (Birmingham), column H: 273.
    assert value(store, "prevention_duty_owed", "E08000025", "2021-Q1")["value"] == 273
    # ... column P (households assessed as homeless per (000s)): 2.050035887355923.
    assert value(store, "relief_duty_owed.per_1000_households", "E08000025", "2021-Q1"
                 )["value"] == pytest.approx(2.050035887355923, rel=1e-12)
    # Detailed_LA_2024-03.xlsx, sheet TA1, row 169 (Manchester), column E: 2813; G: 12.7597...
    assert value(store, "temporary_accommodation", "E08000003", "2024-Q1")["value"] == 2813
    assert value(store, "temporary_accommodation.per_1000_households", "E08000003", "2024-Q1"
                 )["value"] == pytest.approx(12.7597421742818, rel=1e-12)
    # Detailed_LA_2025-03.ods, sheet TA1, row 77 (City of London), column E: 30.
    assert value(store, "temporary_accommodation", "E09000001", "2025-Q1")["value"] == 30


def test_dots_are_missing_never_zero(store):
    # Detailed_LA_2021-03_revised.ods, sheet A1, row 51 (Brighton and Hove), column H: '..'.
    row = value(store, "prevention_duty_owed", "E06000043", "2021-Q1")
    assert row["value"] is None and row["status"] == "missing" and "'..'" in row["note"]


def test_the_layouts_of_each_year_are_found_by_heading(store):
    # 2021 has five heading rows, 2022 onwards seven (the extra pivot-table rows): every
    # quarter has all six measures for nearly every council.
    rows = store.rows("SELECT period, count(DISTINCT indicator_id) AS n FROM observations "
                      "WHERE value IS NOT NULL GROUP BY period")
    assert {r["n"] for r in rows} == {6}


def test_a_missing_column_says_which_in_which_file(register_store, sources_dir, tmp_path):
    sheets = dict(read_workbook(sources_dir / "raw/homelessness/Detailed_LA_2023-03.ods",
                                ["A1", "TA1"]))
    sheets["TA1"] = [r[:6] + r[7:] for r in sheets["TA1"]]  # no 'TA per (000s)' column
    path = write_xlsx(tmp_path / "hclic_no_rate.xlsx", sheets)
    before = register_store.snapshot()
    with pytest.raises(InputError) as err:
        load_file(register_store, path, loader="hclic", options={"year": 2023})
    text = str(err.value)
    assert "hclic_no_rate.xlsx, sheet 'TA1'" in text
    assert "homelessness.temporary_accommodation.per_1000_households" in text
    assert register_store.snapshot() == before


def test_a_file_for_another_quarter_is_refused(register_store, sources_dir, tmp_path):
    sheets = dict(read_workbook(sources_dir / "raw/homelessness/Detailed_LA_2023-03.ods",
                                ["A1", "TA1"]))
    path = write_xlsx(tmp_path / "hclic_2023.xlsx", sheets)
    before = register_store.snapshot()
    with pytest.raises(InputError, match="not the quarter to March 2024"):
        load_file(register_store, path, loader="hclic", options={"year": 2024})
    assert register_store.snapshot() == before
