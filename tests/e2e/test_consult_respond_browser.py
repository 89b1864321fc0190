"""A published consultation in Debian's Chromium: a resident balances and submits with
JavaScript and without, gets a receipt, saves and comes back; the Welsh pages; axe-core finds
no serious problems on any of the resident's pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.consult_support import PETERBOROUGH, seed
from tests.integration.test_consult_later_web import HEADLINE, MODELS, linked
from wholeplace.consult import store as consult_store
from tests.e2e.axe import _report, _serious
from tests.e2e.conftest import running_server
from wholeplace.appdb import make_engine, session_factory, upgrade

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

SLUG = "peterborough-test"
#: Public health linked to the TEST prevention model (tests/integration/test_consult_later_web)
LATER_SLUG = "later-test"


@pytest.fixture(scope="module")
def respond_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("respond")
    url = f"sqlite:///{folder / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as s:
        seed(s, SLUG)
        consult_store.publish(s, consult_store.create(s, linked(), PETERBOROUGH,
                                                      slug=LATER_SLUG))
        s.commit()
    engine.dispose()
    env = {"WHOLEPLACE_DATABASE_URL": url, "WHOLEPLACE_DB": str(folder / "no-hub.duckdb"),
           "WHOLEPLACE_PREVENTION_MODELS": str(MODELS)}
    with running_server(env, f"/consult/{SLUG}/privacy.json") as base:
        yield base


def _page(browser, base, **options):
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900},
                                  **options)
    return context, context.new_page()


def _axe_clean(page) -> None:
    serious = _serious(page)
    assert not serious, _report(serious)


def _reference(page) -> str:
    text = page.locator("#consult-reference").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", text), text
    return text


def test_submit_with_javascript_gets_a_receipt(browser, respond_server):
    context, page = _page(browser, respond_server)
    page.goto(f"/consult/{SLUG}")
    balance = page.locator("#consult-balance-text")
    assert balance.inner_text().strip() == "Still to find: £5,800,000"
    _axe_clean(page)
    page.fill("#line__education", "-5836000")
    assert balance.inner_text().strip() == "Your budget balances, with £36,000 to spare"
    page.select_option("#age_band", "45-54")
    page.fill("#comment", "Protect the libraries")
    page.get_by_role("button", name="Submit my budget").click()
    page.wait_for_url(re.compile(r"/receipt/"))
    assert page.get_by_text("Your response has been recorded").is_visible()
    _reference(page)
    _axe_clean(page)
    page.get_by_role("link", name="Privacy notice").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Privacy notice").is_visible()
    _axe_clean(page)
    context.close()


def test_submit_without_javascript_and_save_to_come_back(browser, respond_server):
    # (axe-core is a script, so it runs in the JavaScript tests, on the same pages.)
    context, page = _page(browser, respond_server, java_script_enabled=False)
    page.goto(f"/consult/{SLUG}")
    page.fill("#line__education", "-2918000")
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_load_state()
    assert page.get_by_text("it is shown only once").is_visible()
    link = page.locator(".consult-link a").get_attribute("href")
    page.goto(link)
    assert page.input_value("#line__education") == "-2918000"
    page.get_by_role("button", name="Submit my budget").click()  # not balanced yet
    page.wait_for_load_state()
    assert page.get_by_text("Your answers have not been recorded yet.").is_visible()
    page.fill("#line__education", "-5836000")
    page.get_by_role("button", name="Recalculate").click()
    page.wait_for_load_state()
    assert "with £36,000 to spare" in page.locator("#consult-balance-text").inner_text()
    page.get_by_role("button", name="Submit my budget").click()
    page.wait_for_url(re.compile(r"/receipt/"))
    _reference(page)
    page.goto(f"/consult/{SLUG}")
    page.fill("#line__education", "-5836000")
    page.get_by_role("button", name="Submit my budget").click()  # the same browser again
    page.wait_for_load_state()
    assert page.get_by_text("already been recorded").is_visible()
    context.close()


def test_welsh_pages(browser, respond_server):
    context, page = _page(browser, respond_server)
    page.goto(f"/consult/{SLUG}?lang=cy")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("button", name="Cyflwyno fy nghyllideb").is_visible()
    _axe_clean(page)
    page.get_by_role("button", name="Cyflwyno fy nghyllideb").click()  # unbalanced
    page.wait_for_load_state()
    assert page.get_by_text("Mae yna broblem").is_visible()
    assert page.locator("html").get_attribute("lang") == "cy"
    _axe_clean(page)
    page.fill("#line__education", "-5836000")
    page.get_by_role("button", name="Cyflwyno fy nghyllideb").click()
    page.wait_for_url(re.compile(r"/receipt/"))
    assert page.get_by_text("Mae eich ymateb wedi’i gofnodi").is_visible()
    _axe_clean(page)
    page.goto(f"/consult/{SLUG}/privacy?lang=cy")
    _axe_clean(page)
    context.close()


def test_cutting_the_linked_line_shows_its_later_cost(browser, respond_server):
    context, page = _page(browser, respond_server)
    page.goto(f"/consult/{LATER_SLUG}")
    expect(page.get_by_text("A cut here has a modelled cost in later years")).to_be_visible()
    page.fill("#line__public_health", "-117000")
    page.get_by_role("button", name="Recalculate").click()
    later = page.locator("#consult-later")
    expect(later).to_contain_text(HEADLINE)
    expect(later).to_contain_text("Who bears it: The NHS: £1,755 over 3 years")
    expect(later).to_contain_text("This is a model, not a forecast")
    expect(page.locator("[data-later-line=public_health]")).to_contain_text(HEADLINE)
    stale = page.locator("#consult-later [data-later-stale]")
    expect(stale).to_be_hidden()
    _axe_clean(page)
    page.fill("#line__public_health", "-234000")  # with JavaScript: the figures are stale
    expect(stale).to_be_visible()
    context.close()
