"""Council Taxbase 2022 (CTB) by billing authority, loaded from the real published file.

Spot values are cells of Council_Taxbase_2022_by_LA.ods, sheet Council_Taxbase_Data (row
1-based): column I is Table 1.01 Band D, N its total, JD Table 1.25's total, LZ Table 1.31's.
"""

from __future__ import annotations

import pytest

from wholeplace.errors import ValidationError
from wholeplace.hub.batch import SourceInfo
from wholeplace.hub.loaders import council_taxbase
from wholeplace.hub.loaders.workbook import read_sheet

ARUN, BIRMINGHAM, WESTMINSTER = "E07000224", "E08000025", "E09000033"
FILE = "raw/council_tax/Council_Taxbase_2022_by_LA.ods"


def value(store, indicator: str, area: str) -> float | None:
    return store.scalar("SELECT value FROM current_observations WHERE indicator_id = ? "
                        "AND area_code = ? AND period = '2022'", [indicator, area])


@pytest.mark.parametrize(("indicator", "area", "published"), [
    ("ctb.dwellings.band_d", ARUN, 15975),               # row 11, column I
    ("ctb.dwellings.total", ARUN, 77248),                # row 11, column N
    ("ctb.dwellings.band_d", BIRMINGHAM, 42691),         # row 25, column I
    ("ctb.band_d_equivalents", BIRMINGHAM, 333993.2),    # row 25, column JD
    ("ctb.band_d_equivalents_after_support", WESTMINSTER, 141835.9),  # row 302, column LZ
])
def test_spot_values(loaded_store, indicator, area, published):
    assert value(loaded_store, indicator, area) == pytest.approx(published)


def test_every_billing_authority_and_bands_sum_to_the_total(loaded_store):
    assert loaded_store.scalar("SELECT count(DISTINCT area_code) FROM current_observations "
                               "WHERE indicator_id = 'ctb.dwellings.total'") == 309
    off = loaded_store.rows("""
        SELECT area_code, sum(value) FILTER (WHERE indicator_id LIKE 'ctb.dwellings.band_%')
               AS bands, max(value) FILTER (WHERE indicator_id = 'ctb.dwellings.total') AS total
        FROM current_observations WHERE indicator_id LIKE 'ctb.dwellings.%'
        GROUP BY area_code HAVING bands <> total""")
    assert off == []


def test_a_missing_table_is_named(sources_dir, tmp_path):
    """The real sheet's first 30 rows with Table 1.25's title removed (a damaged copy)."""
    from openpyxl import Workbook

    rows = read_sheet(sources_dir / FILE, "Council_Taxbase_Data")[:30]
    book = Workbook()
    ws = book.active
    ws.title = "Council_Taxbase_Data"
    for r in rows:
        ws.append([None if isinstance(c, str) and c.startswith("Table 1.25") else c for c in r])
    path = tmp_path / "ctb_damaged.xlsx"
    book.save(path)
    source = SourceInfo(source_id="ctb_test", title="t", file_name=path.name, sha256="0" * 64,
                        size=1, loader="council_taxbase", loader_version="t")
    batch = council_taxbase.read(path, source, {"year": 2022})
    with pytest.raises(ValidationError, match=r"ctb_damaged.xlsx.*Table 1.25"):
        batch.problems.raise_if_any()
    assert len(batch.observations) == 0
