"""Compare takes each indicator's latest period in which the council has a value, says when a
newer period has none, and compares the group and England in the period shown: Cambridge City
Council sent no 2023-24 Revenue Outturn return (its RS 2023-24 rows are published as missing)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wholeplace.cli.main import app as cli
from wholeplace.config import get_settings
from wholeplace.insight.comparison.compare import compare_area, newer_period
from wholeplace.web.app import create_app

CAMBRIDGE, ADUR = "E07000008", "E07000223"
TOTAL = "rs.nce.total_service"
IDS = [TOTAL, f"{TOTAL}.per_head"]


def value_in(store, indicator: str, code: str, period: str) -> float | None:
    return store.scalar("SELECT value FROM current_observations WHERE indicator_id = ? "
                        "AND area_code = ? AND period = ?", [indicator, code, period])


def test_cambridge_is_compared_in_its_latest_return_and_says_so(loaded_store):
    assert loaded_store.scalar(  # the newest period is there, without a value
        "SELECT status FROM current_observations WHERE indicator_id = ? AND area_code = ? "
        "AND period = '2023-24'", [TOTAL, CAMBRIDGE]) == "missing"
    result = compare_area(loaded_store, CAMBRIDGE, indicators=IDS)
    rows = {r["indicator_id"]: r for r in result["indicators"]}
    for i in IDS:
        r = rows[i]
        assert r["period"] == "2022-23"
        assert r["value"] == pytest.approx(value_in(loaded_store, i, CAMBRIDGE, "2022-23"))
        assert r["newer"] == {"period": "2023-24", "status": "missing",
                              "note": "no 2023-24 return; showing 2022-23"}
        # every member's value is its own 2022-23 value, never its 2023-24 one
        members = [v for v in r["group"]["values"] if v["value"] is not None]
        assert len(members) >= 10
        for v in members:
            assert v["value"] == pytest.approx(value_in(loaded_store, i, v["code"], "2022-23"))
    assert rows[TOTAL]["value"] == 32061.0  # RS 2022-23, Cambridge, RS line 699 (£ thousand)
    assert "Cambridge has no value for 2023-24" in result["newer_note"]


def test_a_council_that_sent_its_return_shows_the_newest_year(loaded_store):
    result = compare_area(loaded_store, ADUR, indicators=IDS)
    for r in result["indicators"]:
        assert r["period"] == "2023-24" and r["value"] is not None and r["newer"] is None
    assert result["newer_note"] is None


def test_a_period_asked_for_is_that_period_even_when_missing(loaded_store):
    result = compare_area(loaded_store, CAMBRIDGE, indicators=[TOTAL], period="2023-24")
    r = result["indicators"][0]
    assert (r["period"], r["value"], r["status"], r["newer"]) == ("2023-24", None, "missing",
                                                                 None)


def test_the_newer_note_words():
    row = {"indicator_id": "waste.household_recycling_rate", "period": "2022-23",
           "value": 40.0, "newest_period": "2023-24", "newest_status": "suppressed"}
    assert newer_period(row)["note"] == "no 2023-24 value (suppressed); showing 2022-23"
    assert newer_period(row | {"newest_period": "2022-23"}) is None
    assert newer_period(row | {"value": None}) is None


def test_the_cli_and_the_api_say_so(loaded_db):
    out = CliRunner().invoke(cli, ["--db", str(loaded_db), "compare", CAMBRIDGE,
                                   "--indicator", TOTAL])
    assert out.exit_code == 0, out.output
    assert "2022-23 (no 2023-24 return; showing 2022-23)" in out.output
    with TestClient(create_app(get_settings(db=loaded_db))) as client:
        data = client.get(f"/api/councils/{CAMBRIDGE}/compare",
                          params={"indicator": TOTAL}).json()
    assert data["indicators"][0]["newer"]["note"] == "no 2023-24 return; showing 2022-23"
