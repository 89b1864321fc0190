"""Data protection officers manage data-sharing agreements through the web, on a real hub and
a real application database (SQLite and PostgreSQL): draft one through the GOV.UK form (every
problem at once, linked to its field, nothing stored), submit it, approve it for each party
(the second approval activates it and the shared upload becomes visible to the other party at
once), revoke it with a reason (the upload disappears at once). Non-parties and viewers are
refused without seeing the detail; a form without its CSRF token changes nothing; every change
is audited once. The upload's values are illustrative fixture values, never real data."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.access_support import (
    CAMBRIDGE,
    ICB,
    PASSWORD,
    SOUTH_CAMBS,
    parse,
    populate,
    settings_for,
    sign_in,
    token_in,
)
from wholeplace.access import memberships, organisations, users
from wholeplace.access.models import Agreement, AuditEntry
from wholeplace.appdb import session_factory
from wholeplace.web.app import create_app
from wholeplace.web.deps import load_upload_for

INDICATOR = "fixture.managed_rate"
METADATA = f"""\
# Test fixture metadata (illustrative values, not real data).
- id: {INDICATOR}
  title: Managed rate (illustrative values)
  unit: percent
  polarity: higher_is_better
  kind: outcome
  theme: environment
"""
SOURCE = "fixture-managed-upload"
READER = "two@example.org"  # an analyst in South Cambridgeshire (and a viewer in Cambridge)
TODAY = date.today()
XSS = "<script>alert('purpose')</script> joint planning"


def client_for(app, email: str, org: str | None = None) -> TestClient:
    client = TestClient(app)
    assert sign_in(client, email).status_code == 303
    if org:
        chosen = client.post("/choose-organisation", data={
            "organisation": org,
            "csrf_token": token_in(client.get("/choose-organisation").text)},
            follow_redirects=False)
        assert chosen.status_code == 303
    return client


@pytest.fixture
def world(app_engine, app_url, register_db, tmp_path):
    populate(app_engine)
    with session_factory(app_engine)() as s, s.begin():
        dpo = users.add(s, "dpo@scambs.example", "Dpo", PASSWORD)
        memberships.grant(s, dpo, organisations.get(s, SOUTH_CAMBS), "data_protection_officer")
    hub = tmp_path / "hub.duckdb"
    shutil.copy(register_db, hub)
    (tmp_path / "meta.yaml").write_text(METADATA, encoding="utf-8")
    (tmp_path / "private.csv").write_text(
        f"area_code,period,indicator_id,value\n{CAMBRIDGE},2023-24,{INDICATOR},61.2345\n",
        encoding="utf-8")
    app = create_app(settings_for(hub, app_url, hub_writable=True))
    with TestClient(app):
        with app.state.stores.cursor() as store:
            result = load_upload_for(store, tmp_path / "private.csv", tmp_path / "meta.yaml",
                                     CAMBRIDGE, title="Fixture managed upload",
                                     source_id=SOURCE)
        yield {"app": app, "engine": app_engine, "dataset": result.dataset_id,
               "owner": client_for(app, "dpo@cambridge.example"),
               "partner": client_for(app, "dpo@scambs.example"),
               "reader": client_for(app, READER, SOUTH_CAMBS)}


def good_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "title": "Fixture sharing", "purpose": "Joint planning (test)",
        "parties": SOUTH_CAMBS, "datasets": [SOURCE], "indicators": "",
        "article6_basis": "public_task", "article9_condition": "",
        "start_date-day": str((TODAY - timedelta(days=1)).day),
        "start_date-month": str((TODAY - timedelta(days=1)).month),
        "start_date-year": str((TODAY - timedelta(days=1)).year),
        "end_date": (TODAY + timedelta(days=60)).isoformat(),
        "review_date": (TODAY + timedelta(days=30)).isoformat()}
    form.update(changes)
    return form


def post_form(client: TestClient, path: str, form: dict[str, object], page: str,
              **extra: object):  # type: ignore[no-untyped-def]
    token = token_in(client.get(page).text)
    return client.post(path, data={**form, "csrf_token": token}, follow_redirects=False,
                       **extra)


def count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with session_factory(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def audited(engine, action: str) -> list[AuditEntry]:
    with session_factory(engine)() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def create(world, **changes: object) -> int:
    response = post_form(world["owner"], "/agreements/new", good_form(**changes),
                         "/agreements/new")
    assert response.status_code == 303, response.text[:500]
    found = re.fullmatch(r"/agreements/(\d+)\?done=created", response.headers["location"])
    assert found
    return int(found.group(1))


def act(client: TestClient, number: int, what: str, headers: dict[str, str] | None = None,
        **form: object):  # type: ignore[no-untyped-def]
    return post_form(client, f"/agreements/{number}/{what}", form, f"/agreements/{number}",
                     headers=headers)


def sees(world) -> bool:
    response = world["reader"].get(f"/api/datasets/{world['dataset']}")
    assert response.status_code in (200, 404), response.text[:300]
    if response.status_code == 404:
        assert "Fixture managed upload" not in response.text and "61.2345" not in response.text
    return response.status_code == 200


BAD = [
    ({"title": ""}, "title", "Enter a title"),
    ({"title": "x" * 201}, "title", "Enter a title"),
    ({"purpose": "  "}, "purpose", "Enter the purpose"),
    ({"parties": ""}, "parties", "at least one other party"),
    ({"parties": CAMBRIDGE}, "parties", "at least one other party"),
    ({"parties": "E99999999"}, "parties", "There is no organisation with code E99999999"),
    ({"datasets": ["someone-elses-upload"]}, "datasets", "your organisation&#39;s own"),
    ({"datasets": [], "indicators": ""}, "datasets", "Choose at least one dataset"),
    ({"datasets": [], "indicators": "Not An Id"}, "indicators", "Enter indicator ids"),
    ({"article6_basis": "because"}, "article6_basis", "article 6 lawful basis"),
    ({"article9_condition": "z"}, "article9_condition", "article 9(2) condition"),
    ({"start_date-day": "", "start_date-month": "", "start_date-year": ""}, "start_date",
     "Enter the start date"),
    ({"start_date-day": "31", "start_date-month": "2"}, "start_date", "must be a real date"),
    ({"end_date": ""}, "end_date", "Enter the end date"),
    ({"end_date": (TODAY - timedelta(days=9)).isoformat()}, "end_date",
     "on or after the start date"),
    ({"review_date": (TODAY + timedelta(days=90)).isoformat()}, "review_date",
     "between the start and end"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD,
                         ids=[f"{f}-{i}" for i, (_, f, _) in enumerate(BAD)])
def test_each_problem_is_shown_linked_to_its_field_and_nothing_is_stored(
        world, changes, field, message):
    response = post_form(world["owner"], "/agreements/new", good_form(**changes),
                         "/agreements/new")
    assert response.status_code == 400
    summary = response.text.split('govuk-error-summary__list', 1)[1].split("</ul>", 1)[0]
    assert f'href="#{field}"' in summary and message in summary
    assert f'id="{field}"' in response.text  # the link lands on the field
    assert count(world["engine"], Agreement) == 0
    assert not audited(world["engine"], "agreement.create")


def test_every_problem_is_shown_at_once(world):
    response = post_form(world["owner"], "/agreements/new",
                         {"datasets": ["x"], "indicators": "Bad Id", "article9_condition": "k"},
                         "/agreements/new")
    assert response.status_code == 400
    for field in ("title", "purpose", "parties", "datasets", "indicators", "article6_basis",
                  "article9_condition", "start_date", "end_date"):
        assert f'href="#{field}"' in response.text, field
    assert count(world["engine"], Agreement) == 0


def test_the_form_lists_only_the_organisations_own_uploads(world):
    page = world["owner"].get("/agreements/new")
    assert page.status_code == 200 and f'value="{SOURCE}"' in page.text
    parse(page.text)  # well-formed HTML
    refused = post_form(world["owner"], "/agreements/new", {}, "/agreements/new")
    parse(refused.text)
    partner = world["partner"].get("/agreements/new")
    assert partner.status_code == 200 and SOURCE not in partner.text
    twin = world["owner"].get("/agreements/new.json").json()
    assert twin["organisation"] == CAMBRIDGE and twin["datasets"] == [SOURCE]
    refused = post_form(world["partner"], "/agreements/new",
                        good_form(parties=CAMBRIDGE), "/agreements/new")
    assert refused.status_code == 400 and count(world["engine"], Agreement) == 0


def test_a_draft_is_created_submitted_approved_by_each_party_shared_then_revoked(world):
    number = create(world)
    page = world["owner"].get(f"/agreements/{number}?done=created")
    assert "draft" in page.text and "Submit for approval" in page.text
    assert "dataset:" + SOURCE in page.text
    assert len(audited(world["engine"], "agreement.create")) == 1
    assert not sees(world)

    assert act(world["owner"], number, "submit").status_code == 303
    page = world["owner"].get(f"/agreements/{number}")
    parse(page.text)
    assert "awaiting approval" in page.text and "Approve for Cambridge" in page.text
    assert "Submit for approval" not in page.text

    assert act(world["owner"], number, "approve").status_code == 303
    assert "Approve for" not in world["owner"].get(f"/agreements/{number}").text
    assert not sees(world)  # half-approved shares nothing
    again = act(world["owner"], number, "approve")
    assert again.status_code == 400  # approving twice is refused, nothing recorded
    assert len(audited(world["engine"], "agreement.approve")) == 1

    partner_page = world["partner"].get(f"/agreements/{number}")
    assert "Approve for South Cambridgeshire" in partner_page.text
    done = act(world["partner"], number, "approve")
    assert done.headers["location"] == f"/agreements/{number}?done=activated"
    assert world["owner"].get(f"/agreements/{number}.json").json()["status"] == "active"
    assert sees(world)  # the last approval shares the upload at once
    approvals = audited(world["engine"], "agreement.approve")
    assert [e.acting_for for e in approvals] == [CAMBRIDGE, SOUTH_CAMBS]
    assert [e.detail["active"] for e in approvals] == [False, True]

    assert act(world["partner"], number, "revoke", reason="Purpose fulfilled").status_code \
        == 303
    assert not sees(world)  # the reader's very next request
    revoked = audited(world["engine"], "agreement.revoke")
    assert len(revoked) == 1 and revoked[0].detail == {"reason": "Purpose fulfilled"}
    assert revoked[0].actor == "dpo@scambs.example"
    assert len(audited(world["engine"], "agreement.submit")) == 1


def test_revoking_needs_a_reason(world):
    number = create(world)
    act(world["owner"], number, "submit")
    response = act(world["owner"], number, "revoke", reason=" ")
    assert response.status_code == 400 and 'href="#reason"' in response.text
    assert world["owner"].get(f"/agreements/{number}.json").json()["status"] == \
        "awaiting_approval"
    assert not audited(world["engine"], "agreement.revoke")


def test_the_posts_answer_json_when_asked(world):
    number = create(world)
    headers = {"accept": "application/json"}
    submitted = act(world["owner"], number, "submit", headers=headers)
    assert submitted.status_code == 200
    assert submitted.json()["done"] == "submitted"
    assert submitted.json()["agreement"]["status"] == "awaiting_approval"
    missing = act(world["owner"], number, "revoke", headers=headers)
    assert missing.status_code == 400 and missing.json()["problems"][0]["field"] == "reason"
    bad = post_form(world["owner"], "/agreements/new", {}, "/agreements/new", headers=headers)
    assert bad.status_code == 400
    assert {p["field"] for p in bad.json()["problems"]} >= {"title", "purpose", "parties"}
    made = post_form(world["owner"], "/agreements/new", good_form(), "/agreements/new",
                     headers=headers)
    assert made.status_code == 201 and made.json()["created"]["status"] == "draft"


def test_a_non_party_dpo_is_refused_without_seeing_the_detail(world):
    number = create(world)
    act(world["owner"], number, "submit")
    outsider = client_for(world["app"], "dpo@icb.example")
    for what in ("approve", "revoke", "submit"):
        response = act(outsider, number, what, reason="no")
        assert response.status_code == 403, what
        assert SOURCE not in response.text and "public_task" not in response.text
    page = outsider.get(f"/agreements/{number}")
    assert SOURCE not in page.text and "Approve for" not in page.text
    assert "Revoke" not in page.text
    guessed = act(outsider, 999, "approve")  # a guessed number answers the same
    assert guessed.status_code == 403
    assert not audited(world["engine"], "agreement.approve")
    assert ICB not in {p for p in world["owner"].get(f"/agreements/{number}.json").json()
                       ["parties"]}


def test_a_viewer_is_refused(world):
    number = create(world)
    act(world["owner"], number, "submit")
    viewer = client_for(world["app"], "viewer@cambridge.example")
    assert viewer.get("/agreements/new").status_code == 403
    assert "Draft a new agreement" not in viewer.get("/agreements").text
    assert "Draft a new agreement" in world["owner"].get("/agreements").text
    assert act(viewer, number, "approve").status_code == 403
    assert act(viewer, number, "revoke", reason="no").status_code == 403
    refused = post_form(viewer, "/agreements/new", good_form(), "/agreements")
    assert refused.status_code == 403 and count(world["engine"], Agreement) == 1


def test_the_purpose_is_escaped_everywhere(world):
    number = create(world, purpose=XSS)
    for path in (f"/agreements/{number}", "/agreements"):
        text = world["owner"].get(path).text
        assert "<script>alert('purpose')</script>" not in text
        assert "&lt;script&gt;" in text
    refused = post_form(world["owner"], "/agreements/new", good_form(purpose=XSS, title=""),
                        "/agreements/new")
    assert "<script>alert('purpose')</script>" not in refused.text


def test_a_form_without_its_csrf_token_changes_nothing(world):
    response = world["owner"].post("/agreements/new", data=good_form(),
                                   follow_redirects=False)
    assert response.status_code == 403 and "nothing was changed" in response.text
    assert count(world["engine"], Agreement) == 0
    number = create(world)
    for what in ("submit", "approve", "revoke"):
        refused = world["owner"].post(f"/agreements/{number}/{what}",
                                      data={"reason": "x"}, follow_redirects=False)
        assert refused.status_code == 403 and "nothing was changed" in refused.text
    assert world["owner"].get(f"/agreements/{number}.json").json()["status"] == "draft"
