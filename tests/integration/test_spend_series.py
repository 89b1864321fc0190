"""Whole-place spend by year, 2010-11 to 2023-24, on the real loaded hub: each year sums the
tiers' figures for that same year only, and a year in which a tier has no figures (Cambridge
City Council sent no 2023-24 RS return) says "incomplete" instead of undercounting."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wholeplace.cli.main import app as cli
from wholeplace.config import get_settings
from wholeplace.errors import InputError
from wholeplace.insight.profile.build import build_profile
from wholeplace.insight.spend.series import latest_year, place_spend_series
from wholeplace.insight.spend.wholeplace import place_spend
from wholeplace.web.app import create_app

CAMBRIDGE, ADUR, CAMBRIDGESHIRE = "E07000008", "E07000223", "E10000003"
TOTAL = "total_excluding_police_fire"
YEARS = [f"{y}-{str(y + 1)[2:]}" for y in range(2010, 2024)]


def by_period(series: dict) -> dict[str, dict]:
    return {y["period"]: y for y in series["years"]}


def test_every_year_is_there_and_sums_that_year_only(loaded_store):
    series = place_spend_series(loaded_store, ADUR)
    years = by_period(series)
    assert list(years) == YEARS
    assert series["incomplete"] == []
    for year in (2010, 2017, 2023):
        one = place_spend(loaded_store, ADUR, year)
        row = years[one["period"]]
        comparable = next(t for t in one["totals"] if t["id"] == TOTAL)
        assert row["status"] == "complete"
        assert row[TOTAL]["total_per_head"] == pytest.approx(comparable["total_per_head"])
        assert row[TOTAL]["total_per_head"] == pytest.approx(
            sum(c["per_head"] for c in comparable["tiers"]))


def test_a_tier_without_a_return_makes_the_year_incomplete(loaded_store):
    years = by_period(place_spend_series(loaded_store, CAMBRIDGE))
    last = years["2023-24"]
    assert last["status"] == "incomplete"
    assert last[TOTAL]["total_per_head"] is None and last[TOTAL]["lacks"] == ["Cambridge"]
    assert "no figures for Cambridge in 2023-24" in last["note"]
    one = place_spend(loaded_store, CAMBRIDGE, 2023)
    others = [c["per_head"] for c in next(t for t in one["totals"] if t["id"] == TOTAL)["tiers"]
              if c["code"] != CAMBRIDGE]
    assert last[TOTAL]["known_per_head"] == pytest.approx(sum(others))  # never the total
    assert years["2022-23"]["status"] == "complete"
    assert {t["code"]: t["status"] for t in last["tiers"]}[CAMBRIDGE] == "no_figures"


def test_a_county_asks_for_a_district(loaded_store):
    with pytest.raises(InputError, match="districts"):
        place_spend_series(loaded_store, CAMBRIDGESHIRE)


def test_the_api_cli_and_profile_give_the_series(loaded_db, loaded_store):
    assert latest_year(loaded_store) == 2023
    with TestClient(create_app(get_settings(db=loaded_db))) as client:
        data = client.get(f"/api/councils/{CAMBRIDGE}/spend", params={"series": True}).json()
        assert data["spend"]["period"] == "2023-24"  # no year: the latest loaded
        assert by_period(data["series"])["2023-24"]["status"] == "incomplete"
        older = client.get(f"/api/councils/{CAMBRIDGE}/spend", params={"year": 2015}).json()
        assert older["spend"]["period"] == "2015-16" and older["series"] is None
        page = client.get(f"/council/{ADUR}/profile").text
    assert 'id="spend-by-year"' in page and 'data-period="2010-11"' in page
    out = CliRunner().invoke(cli, ["--db", str(loaded_db), "spend", CAMBRIDGE, "--series"])
    assert out.exit_code == 0, out.output
    assert [ln for ln in out.output.splitlines() if ln.startswith("2023-24")][0].split()[1:3] \
        == ["unknown", "incomplete"]
    p = build_profile(loaded_store, CAMBRIDGE)
    assert [y["period"] for y in p["spend"]["series"]] == YEARS
