"""The plan pages in Debian's Chromium, without JavaScript needed: the owner's finance officer
edits an assumption and sees the funding-gap chart and its table change; axe-core finds no
serious problems on the plan, the assumptions form (also with an error) and the prevention
results."""

from __future__ import annotations

import pytest

from tests.e2e.axe import _report, _serious
from tests.e2e.conftest import running_server
from tests.plan_support import seed_demo_plan
from wholeplace.access.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]
PLAN = "/plans/demonstration-cambridge"


@pytest.fixture(scope="module")
def plan_server(loaded_db, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('plans-e2e') / 'app.sqlite'}"
    seed_demo_plan(loaded_db, url)
    env = {"WHOLEPLACE_DB": str(loaded_db), "WHOLEPLACE_DATABASE_URL": url,
           "WHOLEPLACE_ENV": "development", "WHOLEPLACE_COOKIE_SECURE": "false"}
    with running_server(env, "/sign-in", startup_seconds=120) as base:  # a busy machine
        yield base


def _axe_clean(page) -> None:
    serious = _serious(page)
    assert not serious, _report(serious)


def _signed_in(browser, base):
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/sign-in")
    page.fill("#email", "finance.hub@demo.invalid")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    return context, page


def _gap_cells(page) -> list[str]:
    row = page.locator("#funding-gap-table tr[data-scenario='baseline'] td")
    return [row.nth(i).inner_text() for i in range(row.count())]


def test_edit_an_assumption_and_see_the_gap_change(browser, plan_server):
    context, page = _signed_in(browser, plan_server)
    page.goto(PLAN)
    _axe_clean(page)
    before_cells = _gap_cells(page)
    before_chart = page.locator("#funding-gap-desc").text_content()
    page.click("text=Edit assumptions")
    _axe_clean(page)
    page.fill("#pay_inflation", "not a number")
    page.click("button:has-text('Save a new version')")
    page.locator(".govuk-error-summary").wait_for()
    assert "enter a percentage" in page.content()
    _axe_clean(page)
    page.fill("#pay_inflation", "5")
    page.fill("#note", "pay at 5%")
    page.click("button:has-text('Save a new version')")
    page.wait_for_url(f"**{PLAN}")
    after_cells = _gap_cells(page)
    assert after_cells != before_cells
    assert page.locator("#funding-gap-desc").text_content() != before_chart
    assert "Version 2" in page.content()
    page.goto(PLAN + "/prevention")
    _axe_clean(page)
    context.close()
