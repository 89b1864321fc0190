"""Ofsted children's services judgements, loaded from the REAL file, and the ordinal rule: a
grade is shown as its word and never averaged, banded, ranked or given a trend line.

Spot values were read by hand from ``raw/outcomes/ofsted_childrens_services_inspections.ods``,
sheet ``Provider_level_data`` (row numbers and column letters as the spreadsheet shows them).
"""

from __future__ import annotations

import shutil

import html5lib
import pytest
from fastapi.testclient import TestClient

from wholeplace.config import get_settings
from wholeplace.hub.load import load_registered
from wholeplace.hub.store import open_store
from wholeplace.hub.units import UNITS, is_ordinal
from wholeplace.insight.comparison.compare import compare_area
from wholeplace.insight.comparison.ordinal import distribution
from wholeplace.insight.trends.view import area_trends
from wholeplace.web.app import create_app

SOURCE = "ofsted_childrens_services"
OVERALL = "ofsted.overall_effectiveness"
KENT, BIRMINGHAM, BCP = "E10000016", "E08000025", "E06000058"


@pytest.fixture(scope="module")
def ofsted_db(register_db, tmp_path_factory, sources_dir):
    path = tmp_path_factory.mktemp("ofsted") / "ofsted.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        result = load_registered(store, sources_dir, only=[SOURCE])[0]
    return path, result


@pytest.fixture
def store(ofsted_db):
    with open_store(ofsted_db[0], read_only=True) as s:
        yield s


def value(store, indicator, area, period):
    return store.row("SELECT value, status, note FROM observations "
                     "WHERE indicator_id = ? AND area_code = ? AND period = ?",
                     [indicator, area, period])


def test_rows_and_areas(store, ofsted_db):
    assert ofsted_db[1].status == "loaded"
    # 758 authority rows x 5 judgements; every name maps to a council.
    assert store.scalar("SELECT count(*) FROM observations") == 3790
    per_date = dict(store.execute(
        "SELECT period, count(DISTINCT area_code) FROM observations GROUP BY 1").fetchall())
    assert per_date == {"2019-03-31": 152, "2020-03-31": 151, "2021-03-31": 151,
                        "2022-03-31": 152, "2023-03-31": 152}
    assert not any("Not mapped" in m for m in ofsted_db[1].messages)


def test_spot_values_against_the_published_cells(store):
    # Provider_level_data row 10, column O (Birmingham, as at 31/03/2023): 2 = Good.
    b = value(store, OVERALL, BIRMINGHAM, "2023-03-31")
    assert b["value"] == 2 and b["note"].startswith("Good")
    # row 66, column O (Kent, 2023): 1 = Outstanding; column Q: 2 = Good.
    assert value(store, OVERALL, KENT, "2023-03-31")["value"] == 1
    assert value(store, "ofsted.help_and_protection", KENT, "2023-03-31")["value"] == 2
    # row 616, column O (Birmingham, as at 31/03/2019): 3 = Requires improvement.
    assert value(store, OVERALL, BIRMINGHAM, "2019-03-31")["value"] == 3
    # row 14, column S (BCP, 2023): 9, the judgement did not exist: missing, never 9 or 0.
    leavers = value(store, "ofsted.care_leavers", BCP, "2023-03-31")
    assert leavers["value"] is None and "did not exist" in leavers["note"]


def test_dorset_before_2019_is_the_county(store):
    assert value(store, OVERALL, "E10000009", "2019-03-31")["value"] is not None
    assert value(store, OVERALL, "E06000059", "2019-03-31") is None


def test_the_unit_is_ordinal_with_words():
    unit = UNITS["ofsted_grade"]
    assert is_ordinal("ofsted_grade") and not is_ordinal("percent")
    assert [unit.label_of(g) for g in (1, 2, 3, 4)] == [
        "Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert unit.label_of(None) is None and unit.label_of(2.5) is None
    dist = distribution([1, 2, 2, None, 4], unit)
    assert [d["n"] for d in dist] == [1, 2, 0, 1, 1]


def test_compare_gives_no_verdict_and_the_distribution_of_grades(store):
    result = compare_area(store, KENT, method="region", indicators=[OVERALL], rank=True)
    row = result["indicators"][0]
    assert row["value"] == 1 and row["value_label"] == "Outstanding"
    group = row["group"]
    assert group["band"]["verdict"] == "ordinal" and group["band"]["side"] is None
    assert group["mean"] is None and group["median"] is None and group["q1"] is None
    grades = {d["label"]: d["n"] for d in group["grades"]}
    assert sum(grades.values()) == group["n_members"] == 5
    # the other South East county councils' grades, as published (2023-03-31)
    named = {v["code"]: v["label"] for v in group["values"]}
    assert named["E10000014"] == value_label(store, "E10000014")
    assert row["england"]["band"]["verdict"] == "ordinal" and row["england"]["value"] is None
    assert row["funnel"] is None and row["rank"]["rank"] is None
    assert row["interval"]["lower"] is None and "ordinal" in row["interval"]["reason"]
    assert {s["verdict"] for s in row["sensitivity"]} == {"ordinal"}
    assert row["depends_on_group"] is False


def value_label(store, code):
    v = value(store, OVERALL, code, "2023-03-31")["value"]
    return UNITS["ofsted_grade"].label_of(v)


def test_trends_list_the_grades_without_trend_tests(store):
    trend = area_trends(store, BIRMINGHAM, indicators=[OVERALL])["indicators"][0]
    assert trend["ordinal"] is True
    assert "mann_kendall" not in trend["measures"]["value"]
    assert [p["label"] for p in trend["series"]][0] == "Requires improvement"
    assert trend["series"][-1]["label"] == "Good"


def test_the_council_page_shows_the_word(ofsted_db):
    with TestClient(create_app(get_settings(db=ofsted_db[0]))) as client:
        page = client.get(f"/council/{KENT}")
        assert page.status_code == 200
        tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.text)
        rows = {" ".join("".join(tr.find("th").itertext()).split()):
                " ".join("".join(tr.find("td").itertext()).split())
                for tr in tree.iter("tr") if tr.find("th") is not None
                and tr.find("td") is not None}
        overall = next(v for k, v in rows.items() if k.startswith(
            "Ofsted children's services judgement, overall effectiveness"))
        assert overall.startswith("Outstanding")
        twin = client.get(f"/council/{KENT}.json").json()
        assert any(i["indicator_id"] == OVERALL and i["value"] == 1
                   and i["value_label"] == "Outstanding"
                   for t in twin["themes"] for i in t["indicators"])
