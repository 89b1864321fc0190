"""JSON API for early-warning flags and whole-place spend, against the real loaded hub."""

import pytest
from fastapi.testclient import TestClient

from wholeplace.config import get_settings
from wholeplace.insight.early_warning import resilience
from wholeplace.insight.spend.compare import compare_spend
from wholeplace.insight.spend.wholeplace import place_spend
from wholeplace.web.app import create_app


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def test_flags_list_is_most_at_risk_first_and_matches_the_domain_function(client,
                                                                          loaded_store):
    resp = client.get("/api/flags", params={"year": 2018, "limit": 5})
    assert resp.status_code == 200
    body = resp.json()
    assert body["period"] == "2017-18" and len(body["councils"]) == 5
    expected = resilience.flags(loaded_store, 2018)[:5]
    assert [c["code"] for c in body["councils"]] == [c["code"] for c in expected]
    counts = [c["higher_risk"] for c in body["councils"]]
    assert counts == sorted(counts, reverse=True)


def test_backtesting_year_uses_only_what_was_published(client):
    body = client.get("/api/flags", params={"year": 2015}).json()
    assert body["period"] == "2013-14"
    assert "2017-18" not in body["periods_used"]


def test_one_councils_flags(client):
    body = client.get("/api/councils/E10000003/flags", params={"year": 2018}).json()
    assert body["council"]["code"] == "E10000003"
    assert {i["band"] for i in body["council"]["indicators"]}


def test_spend_matches_the_domain_function_and_compares(client, loaded_store):
    resp = client.get("/api/councils/E07000008/spend", params={"year": 2017,
                                                               "compare": "region"})
    assert resp.status_code == 200
    body = resp.json()
    direct = place_spend(loaded_store, "E07000008", 2017)
    assert body["spend"]["area"]["gss_code"] == direct["area"]["gss_code"] == "E07000008"
    assert body["spend"]["totals"][0]["total_per_head"] == pytest.approx(
        direct["totals"][0]["total_per_head"])
    assert body["comparison"] is not None
    assert body["comparison"]["rank"] is False
    assert all("rank" not in line for line in body["comparison"]["lines"])


def test_spend_ranks_only_on_request(client, loaded_store):
    body = client.get("/api/councils/E07000008/spend", params={
        "year": 2017, "compare": "national", "rank": "true"}).json()
    direct = compare_spend(loaded_store, "E07000008", 2017, "national", rank=True)
    got = {line["id"]: line["rank"] for line in body["comparison"]["lines"]}
    assert got == {line["id"]: line["rank"] for line in direct["lines"]}
    assert got["rs.nce.police"]["best"] is None and got["rs.nce.police"]["reason"]
    assert got["rs.nce.education"]["label"].startswith("joint ")


@pytest.mark.parametrize("url,status", [
    ("/api/flags?year=1999", 400),
    ("/api/flags?year=2009", 400),
    ("/api/councils/E99999999/spend?year=2017", 404),
    ("/api/councils/E07000008/spend?year=2017&compare=nonsense", 400),
    ("/api/councils/E07000008/spend?year=2017&rank=true", 400),
])
def test_errors_have_the_pinned_json_shape(client, url, status):
    resp = client.get(url)
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) >= {"error", "message"}


def test_routes_are_in_openapi(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/flags", "/api/councils/{code}/flags",
            "/api/councils/{code}/spend"} <= set(paths)
