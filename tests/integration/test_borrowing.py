"""Borrowing and investment year-ends 2013-14 to 2019-20 on the real live table, with the derived
% of net revenue expenditure twins. Cells are named by sheet!cell of
raw/finance_other/Borrowing_and_Investment_Live_Table_Q4_2019-20.xlsx."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wholeplace.hub.load import load_registered
from wholeplace.hub.store import open_store

KENT, BIRMINGHAM = "E10000016", "E08000025"
SOURCES = ["la_register", "borrowing_investment_q4_2019_20", "rs_2013_14", "rs_2019_20"]


@pytest.fixture(scope="module")
def debt_db(register_db, sources_dir, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("debt") / "debt.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        load_registered(store, sources_dir, only=SOURCES)
    return path


@pytest.fixture
def store(debt_db):
    with open_store(debt_db, read_only=True) as s:
        yield s


def _value(store, indicator, area, period):
    return store.scalar("SELECT value FROM observations WHERE indicator_id = ? AND area_code = ? "
                        "AND period = ?", [indicator, area, period])


@pytest.mark.parametrize("indicator, area, period, expected", [
    ("debt.borrowing.pwlb", KENT, "2019-20", 473277.0),  # LA Borrowing 19-20 Q4!N235
    # banks: short-term D235 (0) + longer-term O235
    ("debt.borrowing.banks", KENT, "2019-20", 351800.0),
    ("debt.borrowing.total", KENT, "2019-20", 883823.0),  # N + O + Q + V, row 235
    ("debt.borrowing.pwlb", KENT, "2013-14", 569473.0),  # LA Borrowing 13-14!M245
    ("debt.borrowing.short_term", KENT, "2013-14", 144.0),  # LA Borrowing 13-14!C245
    # Birmingham 2019-20: short-term households J43 and other LA loans W43 (short) + X43 (long)
    ("debt.borrowing.local_authorities", BIRMINGHAM, "2019-20", 291065.0 + 10626.0),
    ("debt.borrowing.bonds", BIRMINGHAM, "2019-20", 287971.0),  # LA Borrowing 19-20 Q4!M43
    ("debt.investments.total", BIRMINGHAM, "2016-17", 45595.0 + 119.0 + 257.0 + 20000.0),
])
def test_spot_values(store, indicator, area, period, expected):
    assert _value(store, indicator, area, period) == pytest.approx(expected)


def test_every_year_end_and_council(store):
    rows = {r["period"]: r["n"] for r in store.rows(
        "SELECT o.period, count(DISTINCT o.area_code) AS n FROM observations o JOIN places p "
        "ON p.gss_code = o.area_code WHERE o.indicator_id = 'debt.borrowing.total' "
        "AND p.tier NOT IN ('combined', 'strategic') GROUP BY 1")}
    assert rows == {"2013-14": 353, "2014-15": 353, "2015-16": 353, "2016-17": 353,
                    "2017-18": 353, "2018-19": 353, "2019-20": 343}


def test_pct_nre_is_derived_from_the_same_years_nre(store):
    debt = _value(store, "debt.borrowing.total", KENT, "2019-20")
    nre = _value(store, "rs.net_revenue_expenditure", KENT, "2019-20")
    row = store.row("SELECT value, status, note FROM observations WHERE indicator_id = "
                    "'debt.borrowing.total.pct_nre' AND area_code = ? AND period = '2019-20'",
                    [KENT])
    assert row["status"] == "derived" and row["value"] == pytest.approx(100 * debt / nre)
    assert "net revenue expenditure" in row["note"]
    # No RS 2016-17 in this store: no twin that year (missing stays missing).
    assert _value(store, "debt.borrowing.total.pct_nre", KENT, "2016-17") is None
    assert _value(store, "debt.borrowing.total", KENT, "2016-17") is not None
