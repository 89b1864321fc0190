"""The comparison CLI (`neighbours`, `compare`, run with CliRunner on the real loaded hub) and
JSON API (`/api/councils/{code}/neighbours|compare|trends`, with TestClient)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wholeplace.cli.main import app
from wholeplace.config import get_settings
from wholeplace.web.app import create_app

CAMBRIDGE = "E07000008"
CAMBRIDGESHIRE = "E10000003"
runner = CliRunner()


@pytest.fixture
def run(loaded_db):
    def invoke(*args):
        return runner.invoke(app, ["--db", str(loaded_db), *args])
    return invoke


def test_neighbours_text_most_similar_first(run):
    result = run("neighbours", CAMBRIDGE, "--k", "5")
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if re.match(r"\s*\d+\. E\d{8}", ln)]
    assert len(lines) == 5 and "distance" in lines[0]
    distances = [float(ln.rsplit("distance", 1)[1]) for ln in lines]
    assert distances == sorted(distances)


def test_neighbours_json_and_methods(run):
    got = json.loads(run("neighbours", CAMBRIDGE, "--method", "county", "--json").stdout)
    assert got["method"] == "county" and len(got["members"]) == 4
    bad = run("neighbours", CAMBRIDGESHIRE, "--method", "county")
    assert bad.exit_code == 1 and "not a shire district" in bad.output
    assert "Traceback" not in bad.output


def test_compare_text_table_and_sensitivity(run):
    result = run("compare", CAMBRIDGE, "--indicator", "population.share_65_plus",
                 "--indicator", "rs.net_revenue_expenditure")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Cambridge (E07000008)" in out
    # the share aged 65+ is a complete count: a position among the group, never "significantly"
    share = out.split("[population.share_65_plus]", 1)[1].split("\n\n", 1)[0]
    assert "vs group: below the lower quartile" in share
    assert "significantly" not in out and "vs group: similar" not in out
    assert "Sensitivity: groups compared: ours, cipfa, region, county." in out
    assert "rank" not in out.lower().replace("ranked", "")


def test_compare_json_with_rank(run):
    result = run("compare", CAMBRIDGESHIRE, "--group", "cipfa", "--indicator",
                 "population.share_65_plus", "--rank", "--json")
    got = json.loads(result.stdout)
    assert got["method"] == "cipfa" and got["rank"] is True
    rank = got["indicators"][0]["rank"]  # a complete count has no interval, so no rank range
    assert rank["rank"] is None and rank["label"] == "not available" and rank["reason"]


def test_compare_errors_are_clean(run):
    result = run("compare", CAMBRIDGE, "--indicator", "no.such")
    assert result.exit_code == 1 and "wholeplace indicators" in result.output
    assert run("compare", "E07999999").exit_code == 1
    helped = run("compare", "--help")
    assert "Example: wholeplace compare E07000008" in helped.stdout


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def test_api_neighbours(client):
    resp = client.get(f"/api/councils/{CAMBRIDGE}/neighbours?method=ours&k=4")
    assert resp.status_code == 200
    got = resp.json()
    assert len(got["members"]) == 4 and got["members"][0]["distance"] is not None


def test_api_compare(client):
    resp = client.get(f"/api/councils/{CAMBRIDGESHIRE}/compare",
                      params={"group": "region", "indicator": "population.share_65_plus",
                              "rank": "true"})
    assert resp.status_code == 200, resp.text
    got = resp.json()
    row = got["indicators"][0]
    assert got["method"] == "region" and row["interval"]["method"] is None
    assert row["interval"]["reason"] == "a complete count, not a sample: no sampling interval"
    assert row["funnel"] is None and row["rank"]["rank"] is None
    plain = client.get(f"/api/councils/{CAMBRIDGE}/compare").json()
    assert all("rank" not in r for r in plain["indicators"])


def test_api_trends(client):
    resp = client.get(f"/api/councils/{CAMBRIDGE}/trends",
                      params={"indicator": "rs.net_revenue_expenditure"})
    assert resp.status_code == 200
    (ind,) = resp.json()["indicators"]
    # RS 2010-11 to 2023-24 are all loaded; Cambridge's 2023-24 is published as '[x]': a null
    # entry with its status, not a gap and never 0
    assert ind["gaps"] == []
    assert [p["period"] for p in ind["series"]][::13] == ["2010-11", "2023-24"]
    assert (ind["series"][-1]["value"], ind["series"][-1]["status"]) == (None, "missing")
    # RA has no 2022-23 in the hub: the missing year is a null entry, not interpolated
    resp = client.get(f"/api/councils/{CAMBRIDGE}/trends",
                      params={"indicator": "ra.revenue_expenditure"})
    (ind,) = resp.json()["indicators"]
    assert ind["gaps"] == ["2022-23"]
    assert [p["value"] for p in ind["series"] if p["gap"]] == [None]


@pytest.mark.parametrize("url, status", [
    ("/api/councils/E07999999/compare", 404),
    (f"/api/councils/{CAMBRIDGE}/compare?indicator=no.such", 404),
    (f"/api/councils/{CAMBRIDGESHIRE}/neighbours?method=county", 400),
    (f"/api/councils/{CAMBRIDGE}/neighbours?method=nearest", 400),
    (f"/api/councils/{CAMBRIDGE}/trends?last=1", 400),
])
def test_api_errors_have_the_pinned_json_shape(client, url, status):
    resp = client.get(url)
    assert resp.status_code == status
    body = resp.json()
    assert set(body) <= {"error", "message", "problems"} and body["message"]


def test_api_is_in_openapi(client):
    paths = client.get("/openapi.json").json()["paths"]
    for tail in ("neighbours", "compare", "trends"):
        assert f"/api/councils/{{code}}/{tail}" in paths
