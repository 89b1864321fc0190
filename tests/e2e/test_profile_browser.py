"""The place profile in Debian's Chromium: switching the comparator group changes the chart and
the bands (with and without JavaScript), and axe-core finds no serious problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.axe import _report, _serious

pytestmark = pytest.mark.xdist_group("browser")

CAMBRIDGESHIRE = "E10000003"
SCREENSHOT = Path("/tmp/wholeplace-profile-page.png")


def _medians(page) -> list[str]:
    """The x position of every median line in the spine chart."""
    return page.eval_on_selector_all(
        "#spine line[stroke-width='2']", "ls => ls.map(l => l.getAttribute('x1'))")


@pytest.mark.e2e
def test_switching_the_group_changes_the_chart_and_the_bands(page):  # noqa: F811
    page.goto(f"/council/{CAMBRIDGESHIRE}/profile")
    label = page.locator("#group-label").inner_text()
    assert "15 most similar county councils" in label
    before_medians = _medians(page)
    before_bands = page.locator("#outcomes-table .wp-band").all_inner_texts()
    assert before_medians
    assert page.get_by_role("img", name="Cambridgeshire compared with").is_visible()
    page.get_by_role("radio", name="CIPFA nearest neighbours").check()  # a few lines of JS submit the form
    page.wait_for_url("**/profile?group=cipfa")
    assert "CIPFA nearest neighbours of Cambridgeshire" in page.locator("#group-label").inner_text()
    assert _medians(page) != before_medians
    assert page.locator("#outcomes-table .wp-band").all_inner_texts() != before_bands
    assert page.get_by_role("radio", name="CIPFA nearest neighbours").is_checked()


@pytest.mark.e2e
def test_the_group_form_works_without_javascript(browser, server):  # noqa: F811
    context = browser.new_context(base_url=server, java_script_enabled=False)
    pg = context.new_page()
    pg.goto(f"/council/{CAMBRIDGESHIRE}/profile")
    pg.get_by_role("radio", name="Same kind of council in the region").check()
    pg.get_by_role("button", name="Show this comparison").click()
    pg.wait_for_url("**/profile?group=region")
    assert "County councils in East of England" in pg.locator("#group-label").inner_text()
    context.close()


@pytest.mark.e2e
def test_profile_page_has_no_serious_accessibility_violations(page):  # noqa: F811
    page.goto(f"/council/{CAMBRIDGESHIRE}/profile")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 50_000
    violations = _serious(page)
    assert not violations, _report(violations)


@pytest.mark.e2e
def test_a_districts_profile_leaves_out_services_it_does_not_deliver(page):  # noqa: F811
    page.goto("/council/E07000008/profile")
    note = page.locator("#not-applicable").inner_text()
    assert "Cambridgeshire County Council delivers here" in note
    rows = page.locator("#outcomes-table tbody tr").all_inner_texts()
    assert rows and not any(r.startswith(("Education", "Adult social care", "Children's"))
                            for r in rows)
    spine = page.locator("#spine").inner_html()
    assert "Education services" not in spine and "Central services" in spine


@pytest.mark.e2e
def test_a_spending_table_with_a_tier_without_figures_is_accessible(page):  # noqa: F811
    # York: its combined authority (York and North Yorkshire, from February 2024) returned no
    # 2023-24 outturn, the latest RS year.
    page.goto("/council/E06000014/profile")
    assert page.get_by_role("cell", name="No figures").first.is_visible()
    violations = _serious(page)
    assert not violations, _report(violations)
