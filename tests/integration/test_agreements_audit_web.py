"""The agreement register (public summary, party detail) and the DPO's audit page with its CSV
and JSON twins, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.access_support import CAMBRIDGE, ICB, parse, populate, settings_for, sign_in
from wholeplace.access import agreements, audit
from wholeplace.appdb import session_factory
from wholeplace.web.app import create_app

PURPOSE = "Plan discharge support <img src=x onerror=alert(1)>"


@pytest.fixture
def web(app_engine, app_url, register_db):
    populate(app_engine)
    with session_factory(app_engine)() as s, s.begin():
        agreements.add(s, agreements.Terms(
            title="Hospital discharge", purpose=PURPOSE, parties=(CAMBRIDGE, ICB),
            items=("dataset:cambridge-discharge",), article6_basis="public_task",
            article9_condition="h", start_date=date(2026, 1, 1), end_date=date(2030, 12, 31)))
        audit.record(s, "someone@elsewhere.example", "test.other_org", acting_for="E07000012")
    with TestClient(create_app(settings_for(register_db, app_url))) as client:
        yield client


def test_the_public_sees_that_an_agreement_exists_and_its_purpose_only(web):
    rows = web.get("/agreements.json").json()
    assert rows == [{"id": 1, "title": "Hospital discharge", "purpose": PURPOSE,
                     "parties": [CAMBRIDGE, ICB], "status": "awaiting_approval",
                     "party_view": False}]
    page = web.get("/agreements/1")
    assert page.status_code == 200
    parse(page.text)
    assert "onerror=alert(1)>" not in page.text and "&lt;img" in page.text
    assert "cambridge-discharge" not in page.text and "public task" not in page.text
    assert "cambridge-discharge" not in web.get("/agreements/1.json").text
    assert web.get("/agreements/99").status_code == 404
    assert web.get("/agreements/99.json").json()["error"] == "NotFoundError"


def test_a_party_sees_the_detail_and_an_outsider_does_not(web):
    sign_in(web, "viewer@cambridge.example")
    detail = web.get("/agreements/1.json").json()
    assert detail["party_view"] and detail["items"] == ["dataset:cambridge-discharge"]
    assert detail["article9_condition"] == "h"
    page = web.get("/agreements/1")
    parse(page.text)
    assert "9(2)(h)" in page.text
    web.cookies.clear()
    sign_in(web, "two@example.org")  # acting for no party
    assert web.get("/agreements/1.json").json()["party_view"] is False


def test_a_dpo_sees_and_exports_only_their_organisation_s_entries(web):
    assert web.get("/audit").status_code == 401
    sign_in(web, "viewer@cambridge.example")
    assert web.get("/audit").status_code == 403
    assert web.get("/audit.csv").status_code == 403
    web.cookies.clear()
    sign_in(web, "dpo@cambridge.example")
    page = web.get("/audit")
    assert page.status_code == 200
    parse(page.text)
    rows = web.get("/audit.json").json()
    assert rows and {r["acting_for"] for r in rows} == {CAMBRIDGE}
    assert "audit.view" in {r["action"] for r in rows}
    exported = web.get("/audit.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["acting_for"] for r in table} == {CAMBRIDGE}
    assert "test.other_org" not in exported.text
    actions = [r["action"] for r in web.get("/audit.json").json()]
    assert "audit.export" in actions


def test_the_csv_export_holds_every_entry_not_only_the_newest_page(web, app_engine):
    client = web
    from wholeplace.web.routes.audit_log import LIMIT

    with session_factory(app_engine)() as s, s.begin():
        for n in range(LIMIT + 5):
            audit.record(s, "test-actor", "test.bulk", f"item:{n}", acting_for=CAMBRIDGE)
    sign_in(client, "dpo@cambridge.example")
    assert len(client.get("/audit.json").json()) == LIMIT  # the page shows the newest
    table = list(csv.DictReader(io.StringIO(client.get("/audit.csv").text)))
    bulk = {r["target"] for r in table if r["action"] == "test.bulk"}
    assert bulk == {f"item:{n}" for n in range(LIMIT + 5)}
    assert {r["acting_for"] for r in table} == {CAMBRIDGE}
