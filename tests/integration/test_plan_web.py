"""The plan pages on the real hub and a real application database: the list, the plan with its
funding-gap chart and table, the assumptions form (a save changes the gap; another partner's
line is refused, naming it), prevention results, the XLSX, JSON twins, and who sees what."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.access_support import parse, settings_for, sign_in, token_in
from tests.plan_support import seed_demo_plan
from wholeplace.access.demo import DEMO_PASSWORD
from wholeplace.web.app import create_app

pytestmark = pytest.mark.xdist_group("plans_web")


@pytest.fixture(scope="module")
def app(loaded_db, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('plans') / 'app.sqlite'}"
    slug = seed_demo_plan(loaded_db, url)
    assert slug == "demonstration-cambridge"
    return create_app(settings_for(loaded_db, url, env="development"))


def _client(app, email: str | None) -> TestClient:
    c = TestClient(app)
    if email:
        assert sign_in(c, email, DEMO_PASSWORD).status_code == 303
    return c


PLAN = "/plans/demonstration-cambridge"


def _gap_total(c: TestClient) -> float:
    data = c.get(PLAN + ".json").json()
    return sum(data["totals"]["baseline"]["gap"])


def test_list_and_plan_pages_with_chart_table_and_json_twins(app):
    c = _client(app, "finance.hub@demo.invalid")
    listing = c.get("/plans.json").json()
    assert [p["slug"] for p in listing] == ["demonstration-cambridge"]
    assert listing[0]["demonstration"] and listing[0]["owner"] == "demo-hub"
    page = c.get(PLAN)
    assert page.status_code == 200
    parse(page.text)  # well-formed HTML
    assert "Demonstration" in page.text and "<svg" in page.text
    assert 'id="funding-gap-table"' in page.text
    data = c.get(PLAN + ".json").json()
    assert set(data["totals"]) == {"baseline", "with_falls_prevention"}
    # the second scenario's difference from the baseline, charted as well as tabled
    diff = data["totals"]["with_falls_prevention"]["difference"]
    assert 'id="scenario-difference"' in page.text
    from wholeplace.report.plan_charts import money
    desc = page.text.split('id="scenario-difference-desc"', 1)[1].split("</desc>", 1)[0]
    assert f'{data["result"]["years"][0]} {money(diff[0])}' in desc
    assert data["result"]["years"][0] == "2024-25"
    partners = {p["partner"] for p in data["result"]["scenarios"]["baseline"]["partners"]}
    assert partners == {"cambridge", "cambridgeshire", "cambridgeshire_and_peterborough"}


def test_owner_edits_an_assumption_and_the_gap_changes(app):
    c = _client(app, "finance.hub@demo.invalid")
    before = _gap_total(c)
    form = c.get(PLAN + "/assumptions")
    saved = c.post(PLAN + "/assumptions", data={"csrf_token": token_in(form.text),
                                                "pay_inflation": "4.5", "note": "higher pay"},
                   follow_redirects=False)
    assert saved.status_code == 303
    data = c.get(PLAN + ".json").json()
    assert data["plan"]["version"]["number"] >= 2
    assert data["plan"]["version"]["saved_by"] == "finance.hub@demo.invalid"
    assert _gap_total(c) > before


def test_partner_may_not_edit_another_partners_line(app):
    c = _client(app, "finance.cambridge@demo.invalid")
    version = c.get(PLAN + ".json").json()["plan"]["version"]["number"]
    fields = {f["name"]: f for f in c.get(PLAN + "/assumptions.json").json()["fields"]}
    assert fields["council_tax_growth.cambridge"]["editable"]
    assert not fields["council_tax_growth.cambridgeshire"]["editable"]
    assert not fields["pay_inflation"]["editable"]
    form = c.get(PLAN + "/assumptions")
    refused = c.post(PLAN + "/assumptions", data={
        "csrf_token": token_in(form.text), "council_tax_growth.cambridgeshire": "1"})
    assert refused.status_code == 422
    assert "partners[cambridgeshire].council_tax" in refused.text
    assert "Nothing was saved" in refused.text
    assert c.get(PLAN + ".json").json()["plan"]["version"]["number"] == version
    # above the referendum limit where the plan says capped: refused, the field named
    over = c.post(PLAN + "/assumptions", data={
        "csrf_token": token_in(form.text), "council_tax_growth.cambridge": "9"})
    assert over.status_code == 422 and "referendum" in over.text
    ok = c.post(PLAN + "/assumptions", data={
        "csrf_token": token_in(form.text), "council_tax_growth.cambridge": "1.5"},
        follow_redirects=False)
    assert ok.status_code == 303


def test_prevention_results_and_workbook(app):
    c = _client(app, "finance.county@demo.invalid")
    data = c.get(PLAN + "/prevention.json").json()
    (r,) = data["reports"]
    assert r["id"] == "falls_strength_balance" and r["monte_carlo"]["draws"] == 10000
    assert {w["partner"] for w in r["who_pays_who_saves"]} == {
        "public_health", "icb", "adult_social_care"}
    page = c.get(PLAN + "/prevention")
    assert page.status_code == 200 and "P10" in page.text and "tornado-0" in page.text
    book = load_workbook(io.BytesIO(c.get(PLAN + "/plan.xlsx").content))
    assert "Assumptions" in book.sheetnames[0]


def test_who_sees_what(app):
    assert _client(app, None).get(PLAN).status_code == 401
    assert _client(app, None).get("/plans").status_code == 401
    outsider = _client(app, "analyst.southcambs@demo.invalid")
    assert outsider.get("/plans.json").json() == []
    assert outsider.get(PLAN).status_code == 403
    assert _client(app, "finance.county@demo.invalid").get(PLAN).status_code == 200
