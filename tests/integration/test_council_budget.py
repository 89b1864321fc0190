"""The council page sets the latest budget beside the outturn of the same year, in HTML and in its
JSON twin; a year the council did not return (Birmingham 2022-23, 2023-24) is passed over."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from wholeplace.config import get_settings
from wholeplace.web.app import create_app

KENT, BIRMINGHAM = "E10000016", "E08000025"


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def test_budget_beside_outturn_in_html_and_json(client):
    data = client.get(f"/council/{KENT}.json").json()["budget_vs_outturn"]
    assert data["period"] == "2023-24"
    asc = next(r for r in data["lines"] if r["line"] == "nce.adult_social_care")
    # RA_2023-24_part1_budget_by_LA.csv line 187 column BG; RS_LA_Data_2023-24!K190
    assert (asc["budget"], asc["outturn"]) == (623684.0, 663100.0)
    page = client.get(f"/council/{KENT}").text
    assert 'id="budget-vs-outturn-table"' in page and "£623.7 million" in page


def test_a_year_without_an_outturn_is_passed_over(client):
    data = client.get(f"/council/{BIRMINGHAM}.json").json()["budget_vs_outturn"]
    assert data["period"] == "2021-22"
