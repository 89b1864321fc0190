"""The budget simulator preview in Debian's Chromium: a resident balances the budget with
JavaScript (live updates, sliders by keyboard) and without (the form recalculates on submit);
axe-core finds no serious problems in English, in Welsh, with errors shown, or at 400% zoom."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.axe import _report, _serious
from tests.e2e.conftest import running_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).parents[2]
NAME = "test_consultation"


@pytest.fixture(scope="module")
def consult_server(tmp_path_factory):
    """The real server (uvicorn) reading preview definitions from a folder of two files."""
    folder = tmp_path_factory.mktemp("consultations")
    shutil.copy(ROOT / "tests/fixtures/consult/test_consultation.yaml", folder)
    shutil.copy(ROOT / "examples/consult/peterborough-demo.yaml", folder)
    env = {"WHOLEPLACE_CONSULTATIONS": str(folder),
           "WHOLEPLACE_DB": str(folder / "no-hub.duckdb")}
    with running_server(env, f"/consult/preview?file={NAME}") as base:
        yield base


def _page(browser, base, **options):
    context = browser.new_context(base_url=base, **options)
    return context, context.new_page()


def _axe_clean(page) -> None:
    serious = _serious(page)
    assert not serious, _report(serious)


def _fill_balanced(page) -> None:
    page.fill("#line__libraries", "-300000")
    page.fill("#line__events", "-100000")
    page.fill("#fees_change", "100000")
    page.fill("#reserves_use", "250000")
    page.fill("#council_tax_change", "0.5")
    page.select_option("#band", "A")


def test_balancing_with_javascript_updates_live(browser, consult_server):
    context, page = _page(browser, consult_server, viewport={"width": 1280, "height": 900})
    page.goto(f"/consult/preview?file={NAME}")
    balance = page.locator("#consult-balance-text")
    assert balance.inner_text().strip() == "Still to find: £1,000,000"
    page.fill("#line__libraries", "-300000")
    assert balance.inner_text().strip() == "Still to find: £700,000"  # no reload
    assert "The mobile library stops." in page.locator("[data-reached='libraries']").inner_text()
    # A slider moved by keyboard changes the typed amount by one step.
    slider = page.locator(".consult-line[data-line='events'] input.consult-slider")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    assert page.input_value("#line__events") == "-100000"
    assert balance.inner_text().strip() == "Still to find: £600,000"
    _fill_balanced(page)
    assert balance.inner_text().strip() == "Your budget balances, with £127,817.24 to spare"
    assert page.locator("[data-your-bill]").inner_text() == "+£4.11 a year (+£0.08 a week)"
    assert page.locator("[data-band-year='H']").inner_text() == "+£12.34"
    assert page.locator("#consult-referendum").is_hidden()
    page.fill("#council_tax_change", "3")
    page.fill("#adult_social_care_change", "2")
    assert page.locator("#consult-referendum").is_visible()
    page.fill("#council_tax_change", "0.5")
    page.fill("#adult_social_care_change", "0")
    _axe_clean(page)
    page.get_by_role("button", name="Check my budget").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your budget balances.").is_visible()
    assert "Preview: responses are not recorded." in page.content()
    context.close()


def test_balancing_without_javascript(browser, consult_server):
    context, page = _page(browser, consult_server, java_script_enabled=False,
                          viewport={"width": 1280, "height": 900})
    page.goto(f"/consult/preview?file={NAME}")
    assert page.locator("input.consult-slider").count() == 0
    page.fill("#line__libraries", "-300000")
    page.get_by_role("button", name="Recalculate").click()
    page.wait_for_load_state()
    assert "Still to find: £700,000" in page.locator("#consult-balance-text").inner_text()
    assert page.get_by_text("There is a problem").is_visible()
    assert page.input_value("#line__libraries") == "-300000"  # the answers are kept
    _fill_balanced(page)
    page.get_by_role("button", name="Check my budget").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your budget balances.").is_visible()
    assert "with £127,817.24 to spare" in page.locator("#consult-balance-text").inner_text()
    assert "+£4.11 a year (+£0.08 a week)" in page.locator("[data-your-bill]").inner_text()
    context.close()


def test_welsh_page_and_the_demonstration(browser, consult_server):
    context, page = _page(browser, consult_server, viewport={"width": 1280, "height": 900})
    page.goto(f"/consult/preview?file={NAME}&lang=cy")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("button", name="Gwirio fy nghyllideb").is_visible()
    page.fill("#line__libraries", "-300000")
    assert page.locator("#consult-balance-text").inner_text().strip() == \
        "I'w ganfod o hyd: £700,000"
    _axe_clean(page)
    page.get_by_role("button", name="Gwirio fy nghyllideb").click()  # unbalanced: errors
    page.wait_for_load_state()
    assert page.get_by_text("Mae yna broblem").is_visible()
    assert page.locator("html").get_attribute("lang") == "cy"
    _axe_clean(page)  # the page with the error summary, in Welsh
    page.goto("/consult/preview?file=peterborough-demo")
    assert page.get_by_text("This is a demonstration, not a real consultation.").is_visible()
    assert "RS outturn" in page.content()
    _axe_clean(page)
    context.close()


def test_400_percent_zoom_and_reduced_motion(browser, consult_server):
    # 1280 x 1024 at 400% is a 320 x 256 CSS-pixel viewport (WCAG 1.4.10 reflow).
    context, page = _page(browser, consult_server, viewport={"width": 320, "height": 256},
                          reduced_motion="reduce")
    page.goto(f"/consult/preview?file={NAME}")
    wide = page.evaluate("document.documentElement.scrollWidth > "
                         "document.documentElement.clientWidth + 1")
    assert not wide, "the page scrolls sideways at 400% zoom"
    page.fill("#line__libraries", "-300000")
    balance = page.locator("#consult-balance")
    assert balance.is_visible()
    page.locator("#reserves_use").scroll_into_view_if_needed()
    assert balance.is_visible() and "£700,000" in balance.inner_text()  # still in view
    _axe_clean(page)
    context.close()
