"""The residents index in Debian's Chromium, built by the demonstration command from SYNTHETIC
records: a linkage reviewer resolves a pair, a caseworker opens a household timeline; axe-core
finds no serious problem on either page."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect
from typer.testing import CliRunner

from tests.e2e.axe import _report, _serious
from tests.e2e.conftest import running_server
from wholeplace.access.demo import DEMO_PASSWORD
from wholeplace.appdb import make_engine, upgrade
from wholeplace.cli.main import app
from wholeplace.residents.workspace import open_workspace

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]
BASE = "/residents/prevention"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, register_db):
    folder = tmp_path_factory.mktemp("residents-demo")
    hub = folder / "hub.duckdb"
    shutil.copy(register_db, hub)
    url = f"sqlite:///{folder / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    env = {"WHOLEPLACE_DB": str(hub), "WHOLEPLACE_DATABASE_URL": url,
           "WHOLEPLACE_ENV": "development", "WHOLEPLACE_RESIDENTS": str(folder / "res.duckdb"),
           "WHOLEPLACE_RESIDENT_KEYS": str(folder / "keys")}
    args = ["residents", "demo", "--households", "150", "--out", str(folder / "extracts")]
    first = CliRunner().invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, args, env=env)  # idempotent
    assert again.exit_code == 0 and "already built" in again.output, again.output
    with open_workspace(folder / "res.duckdb") as ws:
        household = ws.scalar("SELECT household_key FROM residents WHERE household_key IS NOT "
                              "NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    with running_server(env, "/sign-in") as base:
        yield base, household


def _signed_in(browser, base, email):
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return context, page


def _axe_clean(page) -> None:
    serious = _serious(page)
    assert not serious, _report(serious)


def waiting(page) -> int:
    """The queue's count of undecided pairs, as the page says it."""
    text = page.locator("#waiting").inner_text()
    return int(re.match(r"([\d,]+) pairs? (?:is|are) waiting", text).group(1).replace(",", ""))


def test_a_reviewer_resolves_a_pair(browser, demo_server):
    base, _household = demo_server
    context, page = _signed_in(browser, base, "reviewer.cambridge@demo.invalid")
    page.goto(f"{BASE}/review")
    assert "SYNTHETIC" in page.content()
    _axe_clean(page)
    links = page.locator("a", has_text="Review pair")
    assert links.count() > 0, "the demonstration left no pair to review"
    before = waiting(page)
    links.first.click()
    assert "Are these the same person?" in page.locator("h1").inner_text()
    assert "SYNTHETIC" in page.content()
    _axe_clean(page)
    page.get_by_label("Reject: different people").check()
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(re.compile(r"/review\?decided="))
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    assert waiting(page) == before - 1
    context.close()


def test_a_caseworker_opens_a_household_timeline(browser, demo_server):
    base, household = demo_server
    context, page = _signed_in(browser, base, "caseworker.cambridge@demo.invalid")
    page.goto(f"{BASE}/households/{household}")
    assert page.locator("h1").inner_text() == "Household service timeline"
    assert "SYNTHETIC" in page.content()
    assert page.locator("table tbody tr").count() > 0
    _axe_clean(page)
    page.locator("main a", has_text="R0").first.click()
    assert page.locator("h1").inner_text().startswith("Resident R")
    _axe_clean(page)
    context.close()
