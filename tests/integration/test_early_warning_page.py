"""The early-warning page and its JSON twin, on the real loaded hub."""

import pytest
from fastapi.testclient import TestClient

from wholeplace.config import get_settings
from wholeplace.insight import resilience
from wholeplace.web.app import create_app


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def test_twin_lists_the_flagged_councils_most_at_risk_first(client, loaded_store):
    body = client.get("/early-warning.json", params={"year": 2018}).json()
    expected = [c for c in resilience.flags(loaded_store, 2018) if c["higher_risk"]]
    assert [c["code"] for c in body["councils"]] == [c["code"] for c in expected]
    assert body["flagged"] == len(expected) < body["assessed"]
    assert body["assessment"]["period"] == "2017-18"


def test_page_shows_each_flag_with_its_explanation(client, loaded_store):
    first = [c for c in resilience.flags(loaded_store, 2018) if c["higher_risk"]][0]
    html = client.get("/early-warning", params={"year": 2018}).text
    assert first["name"] in html
    assert first["flags"][0]["explanation"].split(":")[0] in html
    assert "Early warning, 2017-18" in html


def test_an_earlier_year_uses_only_what_was_published_then(client):
    body = client.get("/early-warning.json", params={"year": 2015, "show": "all"}).json()
    assert body["assessment"]["period"] == "2013-14"
    assert "2017-18" not in body["assessment"]["periods_used"]
    assert body["assessed"] == len(body["councils"])


def test_a_year_before_any_release_is_a_clear_error(client):
    resp = client.get("/early-warning.json", params={"year": 2009})
    assert resp.status_code == 400
    assert "No Revenue Outturn data had been published" in resp.json()["message"]
