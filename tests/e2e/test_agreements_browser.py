"""Agreements managed in Debian's Chromium against the real server (uvicorn): Cambridge's data
protection officer drafts an agreement on the form (first sent empty: every problem in the
error summary), submits it and approves it; South Cambridgeshire's approves it (it is active)
and revokes it with a reason. Nothing needs JavaScript; axe-core finds nothing serious on any
page visited. The agreement is test data."""

from __future__ import annotations

import shutil

import pytest

from tests.access_support import PASSWORD, SECRET, SOUTH_CAMBS, populate
from tests.e2e.conftest import running_server
from tests.e2e.test_upload_browser import accessible, signed_in
from wholeplace.access import memberships, organisations, users
from wholeplace.appdb import make_engine, session_factory, upgrade

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def site(register_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("agreements-browser")
    hub = folder / "hub.duckdb"
    shutil.copy(register_db, hub)
    url = f"sqlite:///{folder / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    populate(engine)
    with session_factory(engine)() as s, s.begin():
        memberships.grant(s, users.add(s, "dpo@southcambs.example", "South Cambs DPO",
                                       PASSWORD),
                          organisations.get(s, SOUTH_CAMBS), "data_protection_officer")
    engine.dispose()
    env = {"WHOLEPLACE_DB": str(hub), "WHOLEPLACE_DATABASE_URL": url,
           "WHOLEPLACE_SECRET_KEY": SECRET, "WHOLEPLACE_ENV": "production",
           "WHOLEPLACE_COOKIE_SECURE": "0"}
    with running_server(env, "/sign-in") as base:
        yield base


def fill_date(page, name: str, day: str, month: str, year: str) -> None:
    page.locator(f"#{name}").fill(day)
    page.locator(f"#{name}-month").fill(month)
    page.locator(f"#{name}-year").fill(year)


@pytest.mark.e2e
def test_dpos_draft_submit_approve_and_revoke_an_agreement(browser, site):
    cambridge, page = signed_in(browser, site, "dpo@cambridge.example")
    page.goto("/agreements")
    page.get_by_role("link", name="Draft a new agreement").click()
    page.wait_for_url("**/agreements/new")
    accessible(page)
    page.get_by_role("button", name="Save as a draft").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter a title" in summary.inner_text()
    assert "Enter the start date" in summary.inner_text()
    accessible(page)
    page.get_by_label("Title").fill("Homelessness planning (test)")
    page.get_by_label("Purpose").fill("Plan prevention services together (test)")
    page.get_by_label("Other parties").fill(SOUTH_CAMBS)
    page.get_by_label("Indicators (optional)").fill("fixture.browser_rate")
    page.get_by_label("UK GDPR article 6 lawful basis").select_option("public_task")
    fill_date(page, "start_date", "1", "1", "2026")
    fill_date(page, "end_date", "31", "12", "2030")
    page.get_by_role("button", name="Save as a draft").click()
    page.wait_for_url("**/agreements/*?done=created")
    assert "draft" in page.content()
    accessible(page)
    number = page.url.rsplit("/", 1)[1].split("?")[0]
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_url("**?done=submitted")
    page.get_by_role("button", name="Approve for Cambridge").click()
    page.wait_for_url("**?done=approved")
    accessible(page)
    cambridge.close()

    south, page = signed_in(browser, site, "dpo@southcambs.example")
    page.goto(f"/agreements/{number}")
    page.get_by_role("button", name="Approve for South Cambridgeshire").click()
    page.wait_for_url("**?done=activated")
    assert "active" in page.content()
    accessible(page)
    page.get_by_label("Why is the agreement revoked?").fill("Purpose fulfilled (test)")
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_url("**?done=revoked")
    assert "revoked" in page.content()
    accessible(page)
    south.close()
