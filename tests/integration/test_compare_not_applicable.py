"""Spending lines of services another body delivers, on which the council published exactly 0, are
"not applicable" in compare_area, the `compare` CLI and `/api/councils/{code}/compare` (one rule,
which the place profile reads): the value as published, every band "not applicable" with who
delivers the service, never significant, never a position, no rank and no part in
depends_on_group. A missing value stays "not available"; a non-zero value is always compared."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wholeplace.cli.main import app
from wholeplace.config import get_settings
from wholeplace.hub import queries as hub
from wholeplace.insight.comparison import banding
from wholeplace.insight.comparison.compare import compare_area
from wholeplace.insight.profile.build import build_profile, key_indicators
from wholeplace.web.app import create_app

CAMBRIDGE, HARTLEPOOL = "E07000008", "E06000001"
#: A Cambridgeshire district whose latest RS return (2023-24) is published: Cambridge sent none
#: for 2023-24 ('[x]' in 'RS LA Data 2023-24'), so its latest values are missing, not 0.
HUNTINGDONSHIRE = "E07000011"
CRAVEN, COPELAND = "E07000163", "E07000029"  # districts abolished in 2023 (lad2021 universe)
COUNTY = "Cambridgeshire County Council"
EDUCATION = ("rs.nce.education", "rs.nce.education.per_head")
HIGHWAYS = "rs.nce.highways_transport.per_head"
POSITIONS = (banding.ABOVE, banding.MIDDLE, banding.BELOW)


def by_id(result: dict) -> dict[str, dict]:
    return {r["indicator_id"]: r for r in result["indicators"]}


def bands(row: dict) -> list[dict]:
    return [row["group"]["band"], row["england"]["band"], *row["sensitivity"]]


def assert_not_applicable(row: dict, body: str) -> None:
    assert row["not_applicable"]["reason"] == f"delivered by {body}"
    assert row["not_applicable"]["delivered_by"] == body
    for b in bands(row):
        assert b["verdict"] == "not_applicable" and b["band"] == "not applicable"
        assert b["verdict"] not in (*banding.SIGNIFICANCE_VERDICTS.values(), *POSITIONS)
        assert not b.get("significant_test") and b["side"] is None
    assert row["group"]["band"]["reason"] == f"delivered by {body}"
    assert row["depends_on_group"] is False and row["funnel"] is None


def test_a_districts_zero_education_is_not_applicable(loaded_store):
    result = compare_area(loaded_store, HUNTINGDONSHIRE, indicators=[*EDUCATION, HIGHWAYS],
                          rank=True)
    rows = by_id(result)
    for i in EDUCATION:
        latest = hub.series(loaded_store, i, HUNTINGDONSHIRE)[-1]
        assert latest["period"] == "2023-24"
        assert latest["value"] == 0 and latest["status"] != "missing"  # a published zero
        assert (rows[i]["period"], rows[i]["value"]) == (latest["period"], 0)
        assert_not_applicable(rows[i], COUNTY)
        assert rows[i]["not_applicable"]["service"].startswith("Education")
        rank = rows[i]["rank"]
        assert rank["rank"] is None and rank["label"] == "not applicable"
    assert [r["indicator_id"] for r in result["not_applicable"]] == list(EDUCATION)
    assert all(r["value"] == 0 and r["delivered_by"] == COUNTY for r in result["not_applicable"])
    assert f"which {COUNTY} delivers here" in result["not_applicable_note"]
    # Huntingdonshire's -£4.51 a head on highways and transport in 2023-24 is not 0: it stays
    # compared.
    highways = rows[HIGHWAYS]
    assert highways["value"] < 0 and highways["not_applicable"] is None
    assert highways["group"]["band"]["verdict"] in POSITIONS


def test_not_applicable_lines_never_depend_on_the_group(loaded_store):
    result = compare_area(loaded_store, HUNTINGDONSHIRE)
    na = {r["indicator_id"] for r in result["not_applicable"]}
    assert set(EDUCATION) <= na
    assert na == {r["indicator_id"] for r in result["indicators"] if r["not_applicable"]}
    assert not na & set(result["sensitivity"]["depends_on_group"])
    assert all(r["indicator_id"].startswith("rs.nce.") for r in result["not_applicable"])


def test_a_unitary_is_compared_on_education(loaded_store):
    result = compare_area(loaded_store, HARTLEPOOL, indicators=list(EDUCATION))
    assert result["not_applicable"] == [] and result["not_applicable_note"] is None
    for r in result["indicators"]:
        assert r["value"] > 0 and r["not_applicable"] is None
        assert r["group"]["band"]["verdict"] in POSITIONS


def test_a_missing_value_is_not_available_not_zero(loaded_store):
    # Copeland's 2017-18 education line was published as '…': missing, never read as 0 (its
    # latest, 2022-23, is a published 0, hence the period).
    result = compare_area(loaded_store, COPELAND, settings={"universe": "lad2021"},
                          indicators=["rs.nce.education"], period="2017-18")
    (row,) = result["indicators"]
    assert row["period"] == "2017-18"
    assert row["value"] is None and row["status"] == "missing"
    assert row["not_applicable"] is None and result["not_applicable"] == []
    assert row["group"]["band"]["verdict"] == "not_available"


def test_a_former_district_names_its_county_of_the_time(loaded_store):
    # Craven's area is now North Yorkshire Council's (a unitary), but in 2022-23, Craven's last
    # year (abolished April 2023), the county council delivered education there.
    result = compare_area(loaded_store, CRAVEN, settings={"universe": "lad2021"},
                          indicators=["rs.nce.education.per_head"])
    (row,) = result["indicators"]
    assert row["value"] == 0 and row["period"] == "2022-23"
    assert_not_applicable(row, "North Yorkshire County Council")


def test_the_profile_reads_the_same_rule(loaded_store):
    p = build_profile(loaded_store, CAMBRIDGE)["outcomes"]
    result = compare_area(loaded_store, CAMBRIDGE,
                          indicators=key_indicators(loaded_store, CAMBRIDGE))
    assert p["not_applicable"] == result["not_applicable"]
    assert p["not_applicable_note"] == result["not_applicable_note"]
    assert {r["indicator_id"] for r in p["indicators"]} == {
        r["indicator_id"] for r in result["indicators"] if not r["not_applicable"]}


def test_cli_prints_not_applicable_with_who_delivers(loaded_db):
    args = ["--db", str(loaded_db), "compare", HUNTINGDONSHIRE]
    for i in (*EDUCATION, HIGHWAYS):
        args += ["--indicator", i]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for i in EDUCATION:
        lines = out.split(f"[{i}]", 1)[1].split("\n")
        assert lines[1].strip() == f"value 0; not applicable (delivered by {COUNTY})"
        assert not lines[2].startswith("    ")  # no group median, band or rank lines follow
    highways = out.split(f"[{HIGHWAYS}]", 1)[1].split("\n\n", 1)[0]
    assert "vs group: within the middle half" in highways and "not applicable" not in highways
    assert "Not compared: spending on education" in out
    got = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert [r["indicator_id"] for r in got["not_applicable"]] == list(EDUCATION)


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def test_api_says_not_applicable_with_the_reason(client):
    resp = client.get(f"/api/councils/{HUNTINGDONSHIRE}/compare",
                      params={"indicator": [*EDUCATION, HIGHWAYS], "rank": "true"})
    assert resp.status_code == 200, resp.text
    got = resp.json()
    rows = by_id(got)
    for i in EDUCATION:
        assert rows[i]["value"] == 0
        assert_not_applicable(rows[i], COUNTY)
    assert rows[HIGHWAYS]["not_applicable"] is None
    assert got["not_applicable_note"].startswith("Not compared: spending on education")
    unitary = client.get(f"/api/councils/{HARTLEPOOL}/compare",
                         params={"indicator": list(EDUCATION)}).json()
    assert unitary["not_applicable"] == []
    assert all(r["not_applicable"] is None for r in unitary["indicators"])
