"""Council Tax Requirement returns 2015-16 to 2023-24, loaded from the real published files.

Spot values are the published cells, named by file, sheet, row (1-based) and column.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from wholeplace.errors import InputError, ValidationError
from wholeplace.hub import queries
from wholeplace.hub import registry as reg
from wholeplace.hub.batch import SourceInfo
from wholeplace.hub.load import apply_batch, read_registered, reader_options
from wholeplace.hub.loaders import council_tax
from wholeplace.hub.loaders.workbook import read_sheet
from wholeplace.hub.store import open_store

CTR_IDS = [f"ctr_{y}_{(y + 1) % 100:02d}" for y in range(2015, 2024)]
ADUR, YORK, KENT = "E07000223", "E06000014", "E10000016"
WINDSOR = "E06000040"


def value(store, indicator: str, area: str, period: str) -> float | None:
    return store.scalar("SELECT value FROM current_observations WHERE indicator_id = ? "
                        "AND area_code = ? AND period = ?", [indicator, area, period])


@pytest.mark.parametrize(("indicator", "area", "period", "published"), [
    # CTR_2022-23_by_LA.xlsx, sheet Data, row 8 (Adur): AJ area Band D, AF county, AG police
    ("ctr.band_d.area", ADUR, "2022-23", 2118.55),
    ("ctr.band_d.county", ADUR, "2022-23", 1555.74),
    ("ctr.band_d.police", ADUR, "2022-23", 224.91),
    # CTR_Table_9_2023-24.ods, sheet Data_Billing, row York: AL area, AB own Band D (current),
    # AD ASC element, AI police, AJ fire, N requirement (£107,782,790), X tax base
    ("ctr.band_d.area", YORK, "2023-24", 1959.63),
    ("ctr.band_d.billing", YORK, "2023-24", 1570.42),
    ("ctr.band_d.billing_incl_parish", YORK, "2023-24", 1583.93),
    ("ctr.band_d.adult_social_care", YORK, "2023-24", 29.92),
    ("ctr.band_d.police", YORK, "2023-24", 295.09),
    ("ctr.band_d.fire", YORK, "2023-24", 80.61),
    ("ctr.requirement", YORK, "2023-24", 107782.79),
    ("ctr.tax_base", YORK, "2023-24", 68633.1),
    ("ctr.collection_rate", YORK, "2023-24", 99.0),
    # CTR_Table_9_2023-24.ods, sheet Data_Precepting, row Kent: N own Band D, P ASC element
    ("ctr.band_d.county", KENT, "2023-24", 1534.23),
    ("ctr.band_d.adult_social_care", KENT, "2023-24", 29.16),
])
def test_spot_values_match_the_published_cells(loaded_store, indicator, area, period,
                                                published):
    assert value(loaded_store, indicator, area, period) == pytest.approx(published, abs=0.005)


def test_parish_average_is_the_difference_of_the_two_published_band_ds(loaded_store):
    # York 2023-24: 1583.93 including parish precepts minus 1570.42 excluding them
    assert value(loaded_store, "ctr.band_d.parish_average", YORK, "2023-24") == 13.51


def test_absent_where_the_area_has_no_such_preceptor_or_column(loaded_store):
    # York is a unitary: the file's county cell is 0, so nothing is stored (not 0)
    assert value(loaded_store, "ctr.band_d.county", YORK, "2023-24") is None
    # the adult social care precept began in 2016-17: absent in the 2015-16 file
    assert loaded_store.scalar(
        "SELECT count(*) FROM observations WHERE indicator_id = "
        "'ctr.band_d.adult_social_care' AND period IN ('2014-15', '2015-16')") == 0
    # a district sets no ASC precept: none stored on Adur's code
    assert value(loaded_store, "ctr.band_d.adult_social_care", ADUR, "2022-23") is None
    # Band D amounts are per household: no per-head twin
    assert loaded_store.scalar("SELECT count(*) FROM indicators WHERE indicator_id = "
                               "'ctr.band_d.area.per_head'") == 0
    assert loaded_store.scalar("SELECT count(*) FROM indicators WHERE indicator_id = "
                               "'ctr.requirement.per_head'") == 1


def test_police_and_fire_bodies_are_never_given_invented_codes(loaded_store):
    codes = loaded_store.rows(
        "SELECT DISTINCT area_code FROM observations o WHERE indicator_id LIKE 'ctr.%' "
        "AND NOT EXISTS (SELECT 1 FROM places p WHERE p.gss_code = o.area_code)")
    assert codes == []


def test_coverage_and_row_counts(loaded_store):
    # every billing authority of 2023-24 has an area Band D (296 billing authorities)
    assert loaded_store.scalar("SELECT count(DISTINCT area_code) FROM current_observations "
                               "WHERE indicator_id = 'ctr.band_d.area' "
                               "AND period = '2023-24'") == 296
    # both releases kept: ten financial years, 2014-15 (prior year of the first file) on
    assert loaded_store.scalar("SELECT count(DISTINCT period) FROM observations "
                               "WHERE indicator_id = 'ctr.band_d.billing'") == 10
    for sid in CTR_IDS:
        assert loaded_store.scalar("SELECT row_count FROM datasets WHERE source_id = ?",
                                   [sid]) > 4500


def test_both_releases_of_a_year_answer_as_published(loaded_store):
    """Windsor and Maidenhead's 2020-21 Band D: £1,077.41 in the 2020-21 file (CTR_2020-21,
    Data, column X), £1,095.12 as the prior year in the 2021-22 file (column Y)."""
    def on(day: date) -> float:
        rows = queries.observations_as_published(loaded_store, day, "ctr.band_d.billing",
                                                 WINDSOR)
        return next(r["value"] for r in rows if r["period"] == "2020-21")

    assert on(date(2020, 12, 1)) == pytest.approx(1077.41)
    assert on(date(2021, 6, 1)) == pytest.approx(1095.12)
    assert value(loaded_store, "ctr.band_d.billing", WINDSOR, "2020-21") == pytest.approx(
        1095.12)


def test_skipped_bodies_are_listed(loaded_store, sources_dir):
    batch = read_registered(reg.get_spec("ctr_2023_24"), sources_dir, loaded_store)
    skipped = next(m for m in batch.messages if m.startswith("Skipped"))
    assert "Avon & Somerset Police and Crime Commissioner (E7050, PCC)" in skipped


def _source(name: str) -> SourceInfo:
    return SourceInfo(source_id="ctr_test", title="test", file_name=name, sha256="0" * 64,
                      size=1, loader="council_tax", loader_version="test")


def _truncated_copy(sources_dir: Path, tmp_path: Path, drop_heading: str | None,
                    sheet: str = "Data") -> Path:
    """The first 40 rows of the real CTR 2022-23 Data sheet re-written with openpyxl, with one
    heading blanked (a damaged file for the bad-input tests; the values are the real ones)."""
    from openpyxl import Workbook

    rows = read_sheet(sources_dir / "raw/council_tax/CTR_2022-23_by_LA.xlsx", "Data")[:40]
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for r in rows:
        ws.append([None if (drop_heading and isinstance(c, str) and c.startswith(drop_heading))
                   else c for c in r])
    path = tmp_path / "CTR_damaged.xlsx"
    book.save(path)
    return path


def test_a_missing_column_is_named_and_nothing_is_loaded(loaded_db, sources_dir, tmp_path):
    path = _truncated_copy(sources_dir, tmp_path, "7. Council tax base for council tax")
    copy = tmp_path / "hub.duckdb"
    shutil.copy(loaded_db, copy)
    with open_store(copy) as store:
        before = (store.scalar("SELECT count(*) FROM observations"),
                  store.scalar("SELECT count(*) FROM datasets"))
        batch = council_tax.read(path, _source(path.name),
                                 {**reader_options(store, {}), "year": 2022})
        with pytest.raises(ValidationError) as err:
            apply_batch(store, batch)
        after = (store.scalar("SELECT count(*) FROM observations"),
                 store.scalar("SELECT count(*) FROM datasets"))
    text = str(err.value)
    assert "CTR_damaged.xlsx" in text and "tax base" in text and "'Data'" in text
    assert before == after


def test_a_missing_sheet_is_named(sources_dir, tmp_path):
    path = _truncated_copy(sources_dir, tmp_path, None, sheet="Sheet1")
    with pytest.raises(InputError, match=r"CTR_damaged.xlsx: no sheet called 'Data'"):
        council_tax.read(path, _source(path.name), {"year": 2022})
