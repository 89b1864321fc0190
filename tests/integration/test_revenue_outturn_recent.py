"""Revenue outturn 2015-16 to 2023-24 (the second bundle's RS files) on the real workbooks.

Spot values were read from the files in raw/revenue_outturn_rs/ (sheet!cell given beside each);
Kent is E-code E2221. Birmingham (E4601) did not submit its 2022-23 and 2023-24 returns: the
files print '[x]', which must load as missing, never 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from wholeplace.errors import ValidationError
from wholeplace.hub.load import load_registered
from wholeplace.hub.loaders.revenue_outturn import front_page_date
from wholeplace.hub.loaders.workbook import read_workbook
from wholeplace.hub.registry import registry
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file

NEW_YEARS = {"rs_2015_16": "2015-16", "rs_2016_17": "2016-17", "rs_2018_19": "2018-19",
             "rs_2019_20": "2019-20", "rs_2020_21": "2020-21", "rs_2021_22": "2021-22",
             "rs_2022_23": "2022-23", "rs_2023_24": "2023-24"}
ALL_YEARS = ["rs_2010_11", "rs_2011_12", "rs_2012_13", "rs_2013_14", "rs_2014_15",
             *list(NEW_YEARS)[:2], "rs_2017_18", *list(NEW_YEARS)[2:]]

#: Councils (not combined authorities or the GLA) per year: 353 until the 2019 reorganisations
#: (Dorset, BCP, East and West Suffolk, Somerset West and Taunton), Buckinghamshire 2020,
#: Northamptonshire 2021, Cumbria, North Yorkshire and Somerset 2023.
COUNCILS = {"2015-16": 353, "2016-17": 353, "2018-19": 353, "2019-20": 343, "2020-21": 339,
            "2021-22": 333, "2022-23": 333, "2023-24": 317}

KENT, BIRMINGHAM = "E10000016", "E08000025"

SPOTS = [
    ("2015-16", "rs.nce.adult_social_care", 381371.0),  # RS LA Data 2015-16!I150
    ("2015-16", "rs.net_revenue_expenditure", 906931.0),  # RS LA Data 2015-16!BF150
    ("2015-16", "rs.reserves.unallocated.end", 37213.0),  # RS LA Data 2015-16!BX150
    ("2016-17", "rs.nce.adult_social_care", 385007.0),  # RS LA Data 2016-17!I150
    ("2016-17", "rs.net_revenue_expenditure", 904612.0),  # RS LA Data 2016-17!BG150
    ("2016-17", "rs.reserves.unallocated.end", 37213.0),  # RS LA Data 2016-17!BY150
    ("2018-19", "rs.nce.adult_social_care", 419383.949735091),  # RS_LA_Data_2018-19!I63
    ("2018-19", "rs.net_revenue_expenditure", 896919.1751599999),  # RS_LA_Data_2018-19!BG63
    ("2018-19", "rs.reserves.dsg.end", -6500.3197),  # RS_LA_Data_2018-19!BZ63
    ("2019-20", "rs.nce.adult_social_care", 454013.0),  # RS_LA_Data_2019-20!I143
    ("2019-20", "rs.net_revenue_expenditure", 940877.0),  # RS_LA_Data_2019-20!BH143
    ("2019-20", "rs.reserves.unallocated.end", 37183.0),  # RS_LA_Data_2019-20!CF143
    ("2020-21", "rs.nce.adult_social_care", 542843.0),  # RS_LA_Data_2020-21!J139
    ("2020-21", "rs.net_revenue_expenditure", 925923.0),  # RS_LA_Data_2020-21!BK139
    ("2020-21", "rs.reserves.unallocated.end", 37075.0),  # RS_LA_Data_2020-21!CW139
    ("2021-22", "rs.nce.adult_social_care", 557555.0),  # RS_LA_Data_2021-22!J196
    ("2021-22", "rs.net_revenue_expenditure", 1010701.0),  # RS_LA_Data_2021-22!BT196
    ("2021-22", "rs.reserves.earmarked.budget_stabilisation.end", 72463.0),  # ...!DK196
    ("2021-22", "rs.grants.revenue_support", -9695.0),  # RS_LA_Data_2021-22!CE196
    ("2022-23", "rs.nce.adult_social_care", 574994.0),  # RS_LA_Data_2022-23!K145
    ("2022-23", "rs.reserves.unallocated.end", 36917.0),  # RS_LA_Data_2022-23!DM145
    ("2022-23", "rs.reserves.earmarked.budget_stabilisation.end", 23534.0),  # ...!DG145
    ("2023-24", "rs.nce.adult_social_care", 663100.0),  # RS_LA_Data_2023-24!K190
    ("2023-24", "rs.net_revenue_expenditure", 1180713.0),  # RS_LA_Data_2023-24!BU190
    ("2023-24", "rs.reserves.unallocated.end", 43030.0),  # RS_LA_Data_2023-24!DM190
    ("2023-24", "rs.grants.revenue_support", -11073.0),  # RS_LA_Data_2023-24!CD190
]


@pytest.fixture(scope="module")
def rs_all_db(register_db, sources_dir, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rs_all") / "rs.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        results = load_registered(store, sources_dir, only=["la_register", *ALL_YEARS])
        assert {r.source_id for r in results if r.status == "loaded"} == set(ALL_YEARS)
    return path


@pytest.fixture
def store(rs_all_db):
    with open_store(rs_all_db, read_only=True) as s:
        yield s


def _value(store, indicator, area, period):
    return store.row("SELECT value, status, note FROM observations WHERE indicator_id = ? "
                     "AND area_code = ? AND period = ?", [indicator, area, period])


@pytest.mark.parametrize("period, expected", COUNCILS.items())
def test_each_new_year_covers_every_council(store, period, expected):
    n = store.scalar(
        "SELECT count(DISTINCT o.area_code) FROM observations o JOIN places p "
        "ON p.gss_code = o.area_code WHERE o.period = ? AND o.indicator_id = 'rs.nce.education' "
        "AND p.tier NOT IN ('combined', 'strategic')", [period])
    assert n == expected
    counts = store.rows("SELECT area_code, count(*) AS n FROM observations WHERE period = ? "
                        "AND indicator_id LIKE 'rs.%' GROUP BY 1", [period])
    assert len({r["n"] for r in counts}) == 1  # every council has every line once


def test_lines_by_year(store):
    def ids(period):
        return {r["indicator_id"] for r in store.rows(
            "SELECT DISTINCT indicator_id FROM observations WHERE period = ?", [period])}
    assert "rs.reserves.dsg.end" not in ids("2017-18")
    assert {"rs.reserves.dsg.start", "rs.reserves.dsg.end"} <= ids("2018-19")
    split = {i for i in ids("2021-22") if i.startswith("rs.reserves.earmarked.")}
    assert len(split) == 16
    assert "rs.reserves.other_earmarked_adjusted.end" in ids("2022-23")
    assert {"rs.grants.revenue_support", "rs.retained_business_rates"} <= ids("2023-24")


@pytest.mark.parametrize("period, indicator, expected", SPOTS)
def test_kent_spot_values(store, period, indicator, expected):
    row = _value(store, indicator, KENT, period)
    assert row["value"] == pytest.approx(expected) and row["status"] == "published"


def test_new_councils_are_matched_by_their_ons_code(store):
    # Dorset Council (E1203 in the file) has no E-code in the register.
    row = _value(store, "rs.nce.education", "E06000059", "2019-20")
    assert row is not None and row["value"] is not None


@pytest.mark.parametrize("period", ["2022-23", "2023-24"])
def test_birmingham_unsubmitted_years_are_missing_not_zero(store, period):
    rows = store.rows("SELECT value, status, note FROM observations WHERE area_code = ? "
                      "AND period = ? AND indicator_id LIKE 'rs.%'", [BIRMINGHAM, period])
    assert rows and all(r["value"] is None and r["status"] == "missing" for r in rows)
    assert {r["note"] for r in rows} == {"published as '[x]'"}


def test_birmingham_unallocated_reserves_chain(store):
    """SOURCES.md: 110.8, 100.8, 144.1, 133.0, 197.7, 230.1 £m at 31 March 2016, 2017, 2019,
    2020, 2021, 2022; each 31 March carries to the next 1 April except 2020-21, whose opening
    balance the council restated (141.7 £m, as published)."""
    end = {p: _value(store, "rs.reserves.unallocated.end", BIRMINGHAM, p)["value"]
           for p in ("2015-16", "2016-17", "2017-18", "2018-19", "2019-20", "2020-21",
                     "2021-22")}
    start = {p: _value(store, "rs.reserves.unallocated.start", BIRMINGHAM, p)["value"]
             for p in ("2016-17", "2017-18", "2018-19", "2019-20", "2020-21", "2021-22")}
    published = [end[p] / 1000 for p in ("2015-16", "2016-17", "2018-19", "2019-20", "2020-21",
                                         "2021-22")]
    assert [round(v, 1) for v in published] == [110.8, 100.8, 144.1, 133.0, 197.7, 230.1]
    for before, after in [("2015-16", "2016-17"), ("2016-17", "2017-18"),
                          ("2017-18", "2018-19"), ("2018-19", "2019-20"),
                          ("2020-21", "2021-22")]:
        assert start[after] == end[before]
    assert round(start["2020-21"] / 1000, 1) == 141.7


@pytest.mark.parametrize("source_id", NEW_YEARS)
def test_front_page_date_agrees_with_the_registry(sources_dir, source_id):
    spec = registry()[source_id]
    on_page = front_page_date(read_workbook(sources_dir / spec.path))
    assert on_page == spec.released_on  # both None for 2020-21 and 2021-22


def test_provisional_and_later_releases_are_labelled():
    reg = registry()
    assert "PROVISIONAL" in reg["rs_2018_19"].release
    assert "third release" in reg["rs_2022_23"].release
    assert "second release" in reg["rs_2023_24"].release
    assert all(reg[s].resaved for s in NEW_YEARS if s != "rs_2015_16")


def test_missing_column_code_names_file_and_line_and_changes_nothing(
        register_store, sources_dir, tmp_path):
    src = sources_dir / registry()["rs_2021_22"].path
    book = openpyxl.load_workbook(src)
    sheet = book["RS_LA_Data_2021-22"]
    for row in sheet.iter_rows(min_row=1, max_row=12):
        for cell in row:
            if cell.value in ("RS-resunall-end-cy", "C3R916"):
                cell.value = None
    broken = tmp_path / "RS_2021-22_broken.xlsx"
    book.save(broken)
    before = register_store.snapshot()
    with pytest.raises(ValidationError) as err:
        load_file(register_store, broken, source_id="rs_broken", loader="rs_spreadsheet",
                  publisher="MHCLG", options={"year": 2021})
    text = str(err.value)
    assert "RS_2021-22_broken.xlsx" in text and "RS_LA_Data_2021-22" in text
    assert "rs.reserves.unallocated.end" in text and "916" in text
    assert register_store.snapshot() == before
