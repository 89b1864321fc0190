"""ONS mid-year estimates on 2023 boundaries (MYE23, MYE22UK), loaded from the real files.

Spot values are cells of ons_mye23_tables_ew.xlsx (row 1-based): MYE4 row 14 Hartlepool, D
mid-2023 95,366, N mid-2020 92,202 (ONS's revised estimate; the first bundle's original is
93,836); MYE4 row 30 Cumberland D 276,876; MYE5 row 274 Kent F (2023 people per sq. km) 454;
MYE6 row 30 Cumberland D 46.8; and of ons_mye22_final_uk.xlsx, MYE2 - Persons row 330
Hartlepool D (all ages, mid-2022) 93,861.
"""

from __future__ import annotations

from datetime import date

import pytest

from wholeplace.errors import InputError
from wholeplace.hub import queries
from wholeplace.hub.batch import SourceInfo
from wholeplace.hub.loaders import population_mye

HARTLEPOOL, CUMBERLAND, KENT = "E06000001", "E06000063", "E10000016"
ALLERDALE = "E07000026"  # abolished 2023: not in MYE23


def value(store, indicator: str, area: str, period: str) -> float | None:
    return store.scalar("SELECT value FROM current_observations WHERE indicator_id = ? "
                        "AND area_code = ? AND period = ?", [indicator, area, period])


@pytest.mark.parametrize(("indicator", "area", "period", "published"), [
    ("population.all_ages", HARTLEPOOL, "mid-2023", 95366),
    ("population.all_ages", HARTLEPOOL, "mid-2020", 92202),
    ("population.all_ages", CUMBERLAND, "mid-2023", 276876),
    ("population.all_ages", HARTLEPOOL, "mid-2011", 92088),
    ("population.density", KENT, "mid-2023", 454),
    ("population.median_age", CUMBERLAND, "mid-2023", 46.8),
])
def test_spot_values(loaded_store, indicator, area, period, published):
    assert value(loaded_store, indicator, area, period) == pytest.approx(published)


def test_age_bands_add_up_to_all_ages(loaded_store):
    sums = loaded_store.rows("""
        SELECT b.area_code, b.period, sum(b.value) AS bands, any_value(a.value) AS total
        FROM current_observations b
        JOIN observations a ON a.indicator_id = 'population.all_ages'
         AND a.area_code = b.area_code AND a.period = b.period AND a.dataset_id = b.dataset_id
        WHERE b.period IN ('mid-2022', 'mid-2023') AND b.indicator_id IN
              ('population.age_0_17', 'population.age_18_64', 'population.age_65_plus')
        GROUP BY b.area_code, b.period""")
    assert len(sums) == 2 * 317  # every area in the register, both years
    assert [r for r in sums if r["bands"] != r["total"]] == []
    assert (value(loaded_store, "population.age_85_plus", CUMBERLAND, "mid-2023")
            < value(loaded_store, "population.age_65_plus", CUMBERLAND, "mid-2023"))


def test_coverage_every_current_council_every_year(loaded_store):
    missing = loaded_store.rows("""
        SELECT p.gss_code, y.y FROM places p
        CROSS JOIN range(2011, 2024) y(y)
        WHERE p.current AND p.tier IN ('lower', 'single', 'upper')
          AND NOT EXISTS (SELECT 1 FROM current_observations o
                          WHERE o.indicator_id = 'population.all_ages'
                            AND o.area_code = p.gss_code AND o.period = 'mid-' || y.y)""")
    assert missing == []


def test_newest_release_wins_and_older_stays_as_published(loaded_store):
    assert value(loaded_store, "population.all_ages", HARTLEPOOL, "mid-2022") == 93847

    def on(day: date) -> float:
        rows = queries.observations_as_published(loaded_store, day, "population.all_ages",
                                                 HARTLEPOOL)
        return next(r["value"] for r in rows if r["period"] == "mid-2022")

    assert on(date(2024, 5, 1)) == 93861   # MYE22UK, 26 March 2024
    assert on(date(2024, 8, 1)) == 93847   # MYE23, 15 July 2024


def test_abolished_councils_keep_their_older_populations(loaded_store):
    assert value(loaded_store, "population.all_ages", ALLERDALE, "mid-2021") == 96384
    assert value(loaded_store, "population.all_ages", ALLERDALE, "mid-2023") is None


def test_per_head_uses_the_same_year(loaded_store):
    note = loaded_store.scalar(
        "SELECT note FROM current_observations WHERE indicator_id = "
        "'ctr.requirement.per_head' AND area_code = ? AND period = '2015-16'", [HARTLEPOOL])
    assert note.startswith("per head using the mid-2015 population estimate")


def test_a_missing_sheet_is_named(sources_dir, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "MYE4"
    path = tmp_path / "mye_damaged.xlsx"
    book.save(path)
    source = SourceInfo(source_id="t", title="t", file_name=path.name, sha256="0" * 64,
                        size=1, loader="population_mye23", loader_version="t")
    with pytest.raises(InputError, match=r"mye_damaged.xlsx: no sheet called 'MYE2 - Persons'"):
        population_mye.read_mye23(path, source, {})


def test_a_missing_year_column_is_named(sources_dir, tmp_path):
    from openpyxl import Workbook

    from wholeplace.hub.loaders.workbook import read_sheet

    real = sources_dir / "raw/population/ons_mye23_tables_ew.xlsx"
    book = Workbook()
    book.remove(book.active)
    for sheet in ("MYE2 - Persons", "MYE4", "MYE5", "MYE6"):
        ws = book.create_sheet(sheet)
        for r in read_sheet(real, sheet)[:20]:
            ws.append([None if (sheet == "MYE4" and c == "Mid-2015") else c for c in r])
    path = tmp_path / "mye_nocol.xlsx"
    book.save(path)
    source = SourceInfo(source_id="t", title="t", file_name=path.name, sha256="0" * 64,
                        size=1, loader="population_mye23", loader_version="t")
    batch = population_mye.read_mye23(path, source, {})
    text = " ".join(p.message for p in batch.problems.problems)
    assert "sheet 'MYE4': no column for mid-2015" in text
    assert batch.problems.problems[0].file == "mye_nocol.xlsx"
