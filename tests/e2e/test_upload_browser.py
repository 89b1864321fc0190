"""Upload, privacy and sharing in Debian's Chromium against the real server (uvicorn, a
writable copy of a hub holding the place register): a Cambridge analyst uploads a file through the form and sees
it on the council page; South Cambridgeshire's analyst does not; both councils' data protection
officers read the agreement's page and approve it (the CLI: approval has no page); then South
Cambridgeshire's analyst sees it. axe-core finds nothing serious on any page visited. The
uploaded values are test data, not published figures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.access_support import CAMBRIDGE, PASSWORD, SECRET, SOUTH_CAMBS, populate
from tests.e2e.axe import _report, _serious
from tests.e2e.conftest import running_server
from wholeplace.access import memberships, organisations, users
from wholeplace.appdb import make_engine, session_factory, upgrade

pytestmark = pytest.mark.xdist_group("browser")

WHOLEPLACE = Path(sys.executable).with_name("wholeplace")
INDICATOR = "Example indicator (test data): bins emptied on time"
METADATA = f"""\
# Test fixture metadata (test data, not real figures).
- id: fixture.browser_bins
  title: "{INDICATOR}"
  unit: count
  theme: environment
"""
DATA = ("area_code,period,indicator_id,value\n"
        f"{CAMBRIDGE},2022-23,fixture.browser_bins,24680\n")


@pytest.fixture(scope="module")
def site(register_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("upload-browser")
    hub = folder / "hub.duckdb"
    shutil.copy(register_db, hub)  # the register is all the pages visited need
    url = f"sqlite:///{folder / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    populate(engine)
    with session_factory(engine)() as s, s.begin():
        south = organisations.get(s, SOUTH_CAMBS)
        for email, role in (("analyst@southcambs.example", "analyst"),
                            ("dpo@southcambs.example", "data_protection_officer")):
            memberships.grant(s, users.add(s, email, "South Cambs person", PASSWORD), south,
                              role)
    engine.dispose()
    env = {"WHOLEPLACE_DB": str(hub), "WHOLEPLACE_DATABASE_URL": url,
           "WHOLEPLACE_SECRET_KEY": SECRET, "WHOLEPLACE_ENV": "production",
           "WHOLEPLACE_COOKIE_SECURE": "0", "WHOLEPLACE_HUB_WRITABLE": "1"}
    with running_server(env, "/sign-in") as base:
        yield base, env, folder


def accessible(page) -> None:
    serious = _serious(page)
    assert not serious, f"{page.url}\n{_report(serious)}"


def signed_in(browser, base: str, email: str):
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/sign-in")
    accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return context, page


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(WHOLEPLACE), *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.e2e
def test_upload_see_it_share_it_by_agreement_and_the_other_council_sees_it(browser, site):
    base, env, folder = site
    (folder / "bins.csv").write_text(DATA, encoding="utf-8")
    (folder / "bins.yaml").write_text(METADATA, encoding="utf-8")

    cambridge, page = signed_in(browser, base, "analyst@cambridge.example")
    page.goto("/upload")
    accessible(page)
    page.get_by_label("Data file", exact=True).set_input_files(str(folder / "bins.csv"))
    page.get_by_label("Metadata file (optional)").set_input_files(str(folder / "bins.yaml"))
    page.get_by_label("Title (optional)").fill("Bins emptied (test data)")
    # the load is real work: on a busy shared machine it can take longer than 30 s
    page.get_by_role("button", name="Upload").click(timeout=180_000)
    page.wait_for_url("**/uploads?loaded=*", timeout=180_000)
    assert "private to Cambridge" in page.get_by_role("alert").inner_text()
    accessible(page)
    source_id = page.request.get("/uploads.json").json()[0]["source_id"]
    page.goto(f"/council/{CAMBRIDGE}")
    assert page.get_by_role("row", name=INDICATOR).count() >= 1
    assert "24,680" in page.get_by_role("row", name=INDICATOR).first.inner_text()
    accessible(page)
    cambridge.close()

    south, page = signed_in(browser, base, "analyst@southcambs.example")
    page.goto(f"/council/{CAMBRIDGE}")
    assert INDICATOR not in page.content()
    accessible(page)

    out = cli(env, "admin", "agreement", "add", "--title", "Bins data (test)",
              "--purpose", "Compare bin collection between neighbouring councils (test)",
              "--party", CAMBRIDGE, "--party", SOUTH_CAMBS, "--item", f"dataset:{source_id}",
              "--basis", "public_task", "--start", "2026-01-01", "--end", "2027-12-31")
    number = out.split()[1]
    for dpo, org in (("dpo@cambridge.example", CAMBRIDGE), ("dpo@southcambs.example",
                                                             SOUTH_CAMBS)):
        context, dpo_page = signed_in(browser, base, dpo)
        dpo_page.goto(f"/agreements/{number}")
        assert source_id in dpo_page.content()  # a party sees what it covers
        accessible(dpo_page)
        cli(env, "admin", "agreement", "approve", number, "--org", org, "--by", dpo)
        context.close()

    page.goto(f"/council/{CAMBRIDGE}")
    assert "24,680" in page.get_by_role("row", name=INDICATOR).first.inner_text()
    accessible(page)
    page.goto("/agreements")
    assert "active" in page.content().lower()
    accessible(page)
    south.close()
