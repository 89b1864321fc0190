"""A person's path through the real server in Debian's Chromium, and axe-core on each page.

The server is started as its own process (uvicorn, as in production) on a free port, reading the
session's loaded hub. Playwright drives /usr/bin/chromium; it never downloads a browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.axe import _report, _serious
from wholeplace.hub import queries as hub

#: Keep the browser tests on one xdist worker (`make test` runs `-n 2 --dist loadgroup`), so one
#: server and one browser serve them all.
pytestmark = pytest.mark.xdist_group("browser")

CAMBRIDGE = "E07000008"
SCREENSHOT = Path("/tmp/wholeplace-council-page.png")


@pytest.mark.e2e
def test_search_for_a_council_and_read_its_page(page, loaded_store):
    population = next(r for r in hub.latest_values(loaded_store, CAMBRIDGE)
                      if r["indicator_id"] == "population.all_ages")
    page.goto("/")
    page.get_by_label("Search by council or place name").fill("Cambridg")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=Cambridg")
    results = page.get_by_role("table").inner_text()
    assert "Cambridgeshire" in results and "East of England" in results
    page.get_by_role("link", name="Cambridge", exact=True).click()
    page.wait_for_url(f"**/council/{CAMBRIDGE}")

    assert page.get_by_role("heading", level=1).inner_text() == "Cambridge City Council"
    assert page.get_by_role("heading", name="Who delivers what").is_visible()
    delivery = page.get_by_role("table", name="Which body delivers each service in Cambridge")
    waste = delivery.get_by_role("row", name="Waste collection")
    assert "Cambridge City Council" in waste.inner_text()
    care = delivery.get_by_role("row", name="Adult social care")
    assert "Cambridgeshire County Council" in care.inner_text()
    assert "Care Act 2014" in care.inner_text()

    row = page.get_by_role("row", name=population["title"], exact=False).first
    cells = row.get_by_role("cell").all_inner_texts()
    assert cells[0].strip().startswith(f"{population['value']:,.0f} people")
    assert cells[1].strip() == population["period"]
    assert cells[2].strip() == population["dataset_title"]
    row.get_by_role("link", name=population["dataset_title"]).click()
    page.wait_for_url(f"**/datasets/{population['dataset_id']}")
    assert page.get_by_role("heading", level=1).inner_text() == population["dataset_title"]


@pytest.mark.e2e
def test_council_page_screenshot(page):
    page.goto(f"/council/{CAMBRIDGE}")
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    assert SCREENSHOT.stat().st_size > 10_000
    # GOV.UK Frontend's stylesheet and font arrived: the heading uses the GDS Transport face.
    font = page.get_by_role("heading", level=1).evaluate("e => getComputedStyle(e).fontFamily")
    assert "GDS Transport" in font


@pytest.mark.e2e
@pytest.mark.parametrize("url", ["/", "/search?q=cam", f"/council/{CAMBRIDGE}",
                                 "/council/E06000063", "/datasets", "/early-warning"])
def test_no_serious_accessibility_violations(page, url):
    page.goto(url)
    violations = _serious(page)
    if violations:
        print(_report(violations))
    assert not violations, _report(violations)


@pytest.mark.e2e
def test_council_contents_lead_to_each_theme_and_the_unofficial_figures_open_on_request(page):
    page.goto(f"/council/{CAMBRIDGE}")
    contents = page.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name="Deprivation").click()
    assert page.evaluate("location.hash") == "#theme-deprivation"
    heading = page.get_by_role("heading", name="Deprivation", exact=True)
    assert heading.is_visible() and heading.bounding_box()["y"] < 900
    # closed details hide their rows from the accessibility tree, so find them by markup
    unofficial = page.locator("details tr", has_text="re-aggregated to 2023 districts")
    assert unofficial.count() > 0 and not unofficial.first.is_visible()
    page.get_by_text("Re-aggregated to 2023 boundaries (unofficial)", exact=True).click()
    assert unofficial.first.is_visible()
    assert page.get_by_role("link", name="Place profile for Cambridge").is_visible()


@pytest.mark.e2e
def test_skip_link_is_first_and_moves_focus(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"


@pytest.mark.e2e
def test_api_docs_render_without_a_cdn(page):
    page.goto("/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "wholeplace" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.get_by_text("/api/councils/{code}").first.is_visible()
