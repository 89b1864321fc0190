"""The GMCA Unit Cost Database loaded from the REAL workbook into the hub.

Expected values were read by hand from the workbook (sheet, row, column as Excel shows them).
"""

from __future__ import annotations

import pytest

from wholeplace.budget import unit_costs as uc
from wholeplace.errors import InputError, NotFoundError, ProblemLog
from wholeplace.hub.load import load_registered
from wholeplace.hub.loaders.unit_costs import parse_line, price_year
from wholeplace.hub.store import open_store


@pytest.fixture(scope="module")
def ucdb(tmp_path_factory, sources_dir):
    path = tmp_path_factory.mktemp("uc") / "uc.duckdb"
    with open_store(path) as store:
        results = load_registered(store, sources_dir, only=["gmca_unit_costs"])
    return path, results


@pytest.fixture
def store(ucdb):
    with open_store(ucdb[0], read_only=True) as s:
        yield s


def test_row_count_and_provenance(store, ucdb):
    assert store.scalar("SELECT count(*) FROM unit_costs") == 684
    assert store.scalar("SELECT count(DISTINCT cost_code) FROM unit_costs") == 683
    # Crime row 58 has a blank cost code in the workbook: kept, code NULL, flagged
    blank = store.row("SELECT * FROM unit_costs WHERE cost_code IS NULL")
    assert (blank["sheet"], blank["line"], blank["fiscal_value"]) == ("Crime", 58, 227.92)
    assert blank["flags"] == "no cost code in the workbook"
    per_sheet = dict(store.execute("SELECT sheet, count(*) FROM unit_costs GROUP BY sheet")
                     .fetchall())
    assert per_sheet == {"Crime": 185, "Education & Skills": 35, "Employment & Economy": 75,
                         "Fire": 15, "Health": 201, "Housing": 36, "Social Services": 137}
    d = store.row("SELECT * FROM datasets WHERE source_id = 'gmca_unit_costs'")
    assert d["licence"].startswith("CC-BY-4.0") and d["row_count"] == 684
    assert store.scalar("SELECT DISTINCT uprated_to FROM unit_costs") == "2015-16"


def test_spot_values(store):
    # Crime!C3:J3 (CR1.0): 500 at 2002/03 prices, updated 673.23...; Police / Local authority, R
    cr = uc.get(store, "CR1.0")
    assert (cr["sheet"], cr["line"]) == ("Crime", 3)
    assert cr["fiscal_value"] == 500.0 and cr["fiscal_price_year"] == "2002-03"
    assert cr["fiscal_value_uprated"] == pytest.approx(673.2312183155595)
    assert (cr["agency"], cr["agency_detail"], cr["rag"]) == ("Police", "Local authority", "R")
    # Crime!K12:P12 (CR2.0): economic 1473 and social 6795, both 2008/09
    dv = uc.get(store, "CR2.0")
    assert dv["economic_value"] == 1473.0 and dv["economic_price_year"] == "2008-09"
    assert dv["social_value_uprated"] == pytest.approx(7803.193251751973)
    # Health!H79:J79 (HE7.11): falls inpatient cost 2014 at 2000/01 prices, CCG, amber
    falls = uc.unit_cost(store, "HE7.11")
    assert (falls.value, falls.price_year, falls.agency, falls.rag) == (
        2014.0, "2000-01", "NHS", "A")
    assert uc.get(store, "HE7.11")["agency_detail"] == "Clinical Commissioning Group"
    assert falls.uprated_value == pytest.approx(2825.341817519678)
    # Education & Skills!H24 (E&S8.1): no fiscal value -> NULL, never 0
    app = uc.get(store, "E&S8.1")
    assert app["fiscal_value"] is None and app["fiscal_price_year"] is None
    with pytest.raises(InputError, match="no fiscal value"):
        uc.unit_cost(store, "E&S8.1")


def test_search_and_not_found(store):
    found = uc.search(store, "accidental falls", agency="clinical commissioning")
    assert [r["cost_code"] for r in found] == ["HE7.11", "HE7.11.1", "HE7.11.2", "HE7.11.3",
                                              "HE7.11.4"]
    assert uc.search(store, "no such outcome at all") == []
    with pytest.raises(NotFoundError, match="XX9"):
        uc.get(store, "XX9")


def test_a_line_without_a_price_year_is_flagged_and_refused():
    # A constructed line (not from the workbook): a fiscal value whose price year is empty.
    cells = ["HEALTH", "X", "TEST1", "Example line (constructed for this test)", "Each",
             "NHS", None, 100.0, None, 120.0, *[None] * 11]
    log = ProblemLog("test")
    row = parse_line("Health", 5, cells, "2015-16", log)
    assert not log
    assert row[-1] == "fiscal value without a price year"
    record = dict(zip(("cost_code", "fiscal_value", "fiscal_price_year"),
                      (row[0], row[9], row[10])))
    assert record == {"cost_code": "TEST1", "fiscal_value": 100.0, "fiscal_price_year": None}
    full = {"cost_code": "TEST1", "fiscal_value": 100.0, "fiscal_price_year": None,
            "fiscal_value_uprated": 120.0, "uprated_to": "2015-16", "description": "x",
            "unit": None, "agency": None, "rag": None, "source": None}
    with pytest.raises(InputError, match="no price year"):
        uc.from_row(full, "fiscal")


def test_price_years():
    assert price_year("2002/03") == "2002-03"
    assert price_year("1999/00") == "1999-00"
    assert price_year("2002/05") is None and price_year(2002) is None
