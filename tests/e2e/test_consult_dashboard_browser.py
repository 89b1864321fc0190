"""The officer's results dashboard in Debian's Chromium: with the dashboard open, a response
entered on a second page (a paper response, through the real form) appears without reloading,
through the server-sent events; axe-core finds no serious problems before or after.

The consultation is the synthetic test fixture (TEST DATA, made-up figures)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.access_support import PASSWORD, SECRET, populate
from tests.e2e.axe import _report, _serious
from tests.e2e.conftest import running_server
from tests.integration.test_consult_officer_web import OFFICER, add_people
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.consult import load_definition
from wholeplace.consult import store as cs
from wholeplace.consult.models import LinePrevention

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

FIXTURE = Path(__file__).parents[1] / "fixtures" / "consult" / "test_consultation.yaml"
SLUG = "budget-test"


@pytest.fixture(scope="module")
def dashboard_server(tmp_path_factory, register_db):
    folder = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite:///{folder / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    populate(engine)
    add_people(engine)
    with session_factory(engine)() as s, s.begin():
        # libraries linked to the TEST prevention model at £0.01 of programme per £1 cut
        c = load_definition(FIXTURE)
        link = LinePrevention(model="test_simple", per_pound=Decimal("0.01"))
        c = c.model_copy(update={"lines": [x.model_copy(update={"prevention": link})
                                           if x.id == "libraries" else x for x in c.lines]})
        row = cs.create(s, c, "E06000031", SLUG,
                        privacy_notice="We keep your answers for a year.")
        cs.publish(s, row)
    engine.dispose()
    env = {"WHOLEPLACE_DATABASE_URL": url, "WHOLEPLACE_DB": str(register_db),
           "WHOLEPLACE_ENV": "production", "WHOLEPLACE_SECRET_KEY": SECRET,
           "WHOLEPLACE_COOKIE_SECURE": "false",
           "WHOLEPLACE_PREVENTION_MODELS": str(Path(__file__).parents[1] / "fixtures" /
                                               "prevention")}
    with running_server(env, "/sign-in") as base:
        yield base


def _signed_in(browser, base):
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/sign-in")
    page.fill("#email", OFFICER)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    return context, page


def _axe_clean(page) -> None:
    serious = _serious(page)
    assert not serious, _report(serious)


def test_a_new_response_appears_on_the_open_dashboard(browser, dashboard_server):
    context, dash = _signed_in(browser, dashboard_server)
    dash.goto(f"/consult/manage/{SLUG}/results")
    assert dash.locator("#wp-response-count").inner_text() == "0"
    assert "update by themselves" in dash.locator("#wp-live-note").inner_text()
    _axe_clean(dash)
    dash.evaluate("window.wpNotReloaded = true")

    other, paper = _signed_in(browser, dashboard_server)
    paper.goto(f"/consult/manage/{SLUG}/paper")
    for field, value in (("#line__libraries", "-300000"), ("#line__events", "-100000"),
                         ("#fees_change", "100000"), ("#reserves_use", "250000"),
                         ("#council_tax_change", "0.5")):
        paper.fill(field, value)
    paper.fill("#comment", "Sent by post")
    paper.click("button:has-text('Record the paper response')")
    paper.wait_for_load_state()
    assert "Paper response recorded" in paper.content()

    count = dash.locator("#wp-response-count")
    count.wait_for(state="attached")
    # expect() polls without eval, which the page's Content-Security-Policy forbids
    expect(count).to_have_text("1", timeout=15_000)
    assert dash.evaluate("window.wpNotReloaded") is True  # the same page, not a reload
    assert "Results updated: 1 responses." in dash.locator("#wp-results-status").inner_text()
    assert "Sent by post" in dash.content()
    # the libraries cut (£300,000, so £3,000 of the £10,000 programme): the average
    # submission's later cost, 30% of the programme's £10,000 avoided over 3 years
    later = dash.locator("#later-costs")
    expect(later).to_be_visible()
    assert "£3,000 over 3 years" in dash.content()
    _axe_clean(dash)
    other.close()
    context.close()
