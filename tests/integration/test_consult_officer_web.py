"""The consultation officer's pages through the real app, on SQLite and PostgreSQL: set-up
(import, edit, every invalid definition refused with nothing stored, publish, close), the
results dashboard with its JSON, CSV, XLSX and event stream, moderation, paper responses, and
"you said, we did". Another council's officer gets 403 or 404 and no response text.

The consultation is the synthetic test fixture (TEST DATA, made-up figures)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.access_support import PASSWORD, parse, populate, settings_for, sign_in, token_in
from wholeplace.access import audit, memberships, organisations, users
from wholeplace.access.models import AuditEntry
from wholeplace.access.organisations import Council
from wholeplace.appdb import session_factory, utcnow
from wholeplace.consult.tables import (
    CommentModeration,
    ConsultationRow,
    EventRow,
    ResponseRow,
)
from wholeplace.web.app import create_app

FIXTURE = Path(__file__).parents[1] / "fixtures" / "consult" / "test_consultation.yaml"
PETERBOROUGH = "E06000031"
SECRET_COMMENT = "peterborough-only-comment-marker"
OFFICER, OTHER_OFFICER = "officer@peterborough.example", "officer@cambridge.example"


def add_people(engine) -> None:
    with session_factory(engine)() as s, s.begin():
        organisations.sync_councils(s, [Council(PETERBOROUGH, "Peterborough")])
        for email, code in ((OFFICER, PETERBOROUGH), (OTHER_OFFICER, "E07000008")):
            user = users.add(s, email, "Officer", PASSWORD)
            memberships.grant(s, user, organisations.get(s, code), "consultation_officer")


@pytest.fixture
def engine_and_client(app_engine, app_url, register_db):
    populate(app_engine)
    add_people(app_engine)
    with TestClient(create_app(settings_for(register_db, app_url))) as client:
        yield app_engine, client


@pytest.fixture
def officer(engine_and_client):
    _engine, client = engine_and_client
    assert sign_in(client, OFFICER).status_code == 303
    return client


def csrf(client, path="/consult/manage") -> str:
    return token_in(client.get(path).text)


def imported(client, slug="budget-test", text=None):
    return client.post("/consult/manage/import", data={
        "csrf_token": csrf(client), "import_slug": slug,
        "definition": text if text is not None else FIXTURE.read_text()},
        follow_redirects=False)


def stored(engine, model=ConsultationRow) -> int:
    with session_factory(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def add_response(engine, ref, libraries="-300000", comment=None, age="25-34", area="North"):
    with session_factory(engine)() as s, s.begin():
        c = s.scalars(select(ConsultationRow)).one()
        now = utcnow()
        s.add(ResponseRow(
            consultation_id=c.id, reference=ref, definition_version=c.version,
            channel="online", choices={"line_changes": {"libraries": libraries},
                                       "council_tax_change": "1"},
            outcome={}, council_tax_change=1, above_referendum_limit=False, age_band=age,
            area=area, comment=comment, started_at=now - timedelta(minutes=5),
            submitted_at=now))
        s.add(EventRow(consultation_id=c.id, stage="opened", visitor_hash="v-" + ref, at=now))


def test_import_edit_publish_close_each_audited(engine_and_client, officer):
    engine, _client = engine_and_client
    assert imported(officer).status_code == 303
    page = officer.get("/consult/manage/budget-test")
    assert page.status_code == 200
    parse(page.text)
    assert "Libraries" in page.text and "entered by the officer" in page.text
    form = {"csrf_token": token_in(page.text), "title": "Our budget 2024-25",
            "lines-0-shown": "yes",
            "lines-0-min_change": "-400000", "lines-0-recurring": "yes",
            "lines-0-consequences": "-100000 | Saturday closures\n-300000 | The mobile stops",
            "lines-0-protection_kind": "statutory_floor", "lines-0-protection_minimum": "1000",
            "lines-0-protection_reason": "A comprehensive and efficient service (1964 Act)",
            "privacy_notice": "We keep your answers for a year."}
    saved = officer.post("/consult/manage/budget-test", data=form, follow_redirects=False)
    assert saved.status_code == 303
    data = officer.get("/consult/manage/budget-test.json").json()
    assert data["version"] == 2 and data["definition"]["title"] == "Our budget 2024-25"
    line = data["definition"]["lines"][0]
    assert line["min_change"] == "-400000" and line["protection"]["minimum"] == "1000"
    assert [k["text"] for k in line["consequences"]] == ["Saturday closures", "The mobile stops"]
    assert "We keep your answers" in data["privacy_notice"]
    exported = officer.get("/consult/manage/budget-test/definition.yaml")
    assert exported.status_code == 200 and "Our budget 2024-25" in exported.text
    assert officer.post("/consult/manage/budget-test/publish",
                        data={"csrf_token": csrf(officer)}, follow_redirects=False
                        ).status_code == 303
    assert officer.post("/consult/manage/budget-test/close",
                        data={"csrf_token": csrf(officer)}, follow_redirects=False
                        ).status_code == 303
    assert officer.get("/consult/manage/budget-test.json").json()["status"] == "closed"
    with session_factory(engine)() as s:
        actions = list(s.scalars(select(AuditEntry.action)
                                 .where(AuditEntry.action.like("consult.%"))))
    assert actions[:2] == ["consult.create", "consult.edit"]
    assert {"consult.publish", "consult.close", "consult.export_definition"} <= set(actions)
    with session_factory(engine)() as s:
        assert audit.verify(s) == []  # the trail is whole


BAD = {
    "inverted range": ('min_change: "-500000"\n    max_change: "200000"',
                       'min_change: "200000"\n    max_change: "-500000"', "inverted"),
    "floor above budget": ('minimum: "48000000"', 'minimum: "60000000"',
                           "above the current budget"),
    "line not in the council's data": (("budget_source: entered by the officer\n    min_change:"
                                       ' "-500000"'),
                                       ("budget_source: entered by the officer\n    indicator: "
                                       'rs.nce.not_a_line\n    min_change: "-500000"'),
                                       "is not in the hub"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_invalid_definitions_get_an_error_summary_and_nothing_stored(engine_and_client,
                                                                    officer, case):
    engine, _ = engine_and_client
    old, new, words = BAD[case]
    text = FIXTURE.read_text()
    assert old in text
    answer = imported(officer, text=text.replace(old, new, 1))
    assert answer.status_code == 422
    parse(answer.text)
    assert "govuk-error-summary" in answer.text and words in answer.text
    assert stored(engine) == 0


def test_a_form_edit_with_an_inverted_range_changes_nothing(engine_and_client, officer):
    imported(officer)
    form = {"csrf_token": csrf(officer), "lines-0-shown": "yes", "lines-0-min_change": "300000",
            "lines-0-max_change": "-100000", "lines-0-consequences": "oops"}
    answer = officer.post("/consult/manage/budget-test", data=form)
    assert answer.status_code == 422
    assert 'href="#lines-0-min_change"' in answer.text and 'href="#lines-0-consequences"' \
        in answer.text
    assert officer.get("/consult/manage/budget-test.json").json()["version"] == 1


def test_prefill_without_hub_lines_says_so_and_stores_nothing(engine_and_client, officer):
    engine, _ = engine_and_client
    answer = officer.post("/consult/manage/new", data={
        "csrf_token": csrf(officer), "slug": "from-hub", "budget_year": "2024-25"})
    assert answer.status_code == 422 and "no RA budget or RS outturn" in answer.text
    assert stored(engine) == 0


def test_dashboard_json_csv_xlsx_and_moderation(engine_and_client, officer):
    engine, _client = engine_and_client
    imported(officer)
    add_response(engine, "R1", comment=f"Keep libraries {SECRET_COMMENT} <script>x</script>")
    add_response(engine, "R2", libraries="-100000", age="prefer not to say", area="South")
    page = officer.get("/consult/manage/budget-test/results")
    assert page.status_code == 200
    parse(page.text)
    assert "Refresh results" in page.text and 'http-equiv="refresh"' not in page.text
    assert "<svg" in page.text and "&lt;script&gt;x" in page.text
    data = officer.get("/consult/manage/budget-test/results.json").json()
    assert data["responses"] == 2 and data["lines"][0]["summary_pence"]["median"] == -20_000_000
    assert data["council_tax"]["rise"] == 2 and data["funnel"]["opened"] == 2
    assert data["weights"]["without_age"] == 1
    table = list(csv.DictReader(io.StringIO(officer.get(
        "/consult/manage/budget-test/results.csv").text)))
    assert [r["reference"] for r in table] == ["R1", "R2"]
    xlsx = officer.get("/consult/manage/budget-test/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    rid = data["comments"][0]["response_id"]
    no_reason = officer.post(f"/consult/manage/budget-test/comments/{rid}",
                             data={"csrf_token": csrf(officer), "action": "hide", "reason": ""})
    assert no_reason.status_code == 400 and stored(engine, CommentModeration) == 0
    hidden = officer.post(f"/consult/manage/budget-test/comments/{rid}", data={
        "csrf_token": csrf(officer), "action": "hide", "reason": "Names a member of staff"},
        follow_redirects=False)
    assert hidden.status_code == 303
    comment = officer.get("/consult/manage/budget-test/results.json").json()["comments"][0]
    assert comment["hidden"] is True and SECRET_COMMENT in comment["text"]  # kept, not deleted
    assert comment["moderation"][0]["reason"] == "Names a member of staff"
    with session_factory(engine)() as s:
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"consult.results.view", "consult.results.export", "consult.comment.hide"} <= actions


def test_the_stream_sends_the_results_when_they_change(engine_and_client, officer):
    engine, _ = engine_and_client
    imported(officer)
    add_response(engine, "R1")
    with officer.stream("GET", "/consult/manage/budget-test/results/stream?seconds=1") as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    assert "event: results" in body and "R1" not in body.split("event: results")[0]
    assert 'wp-response-count\\">1<' in body
    # A page that already shows these results gets no event, only keep-alives.
    seen = officer.get("/consult/manage/budget-test/results.json").json()["signature"]
    with officer.stream("GET", "/consult/manage/budget-test/results/stream?seconds=1&seen="
                        + seen) as r:
        quiet = "".join(r.iter_text())
    assert "event: results" not in quiet and ": waiting" in quiet


def test_another_councils_officer_gets_nothing(engine_and_client, officer):
    engine, client = engine_and_client
    imported(officer)
    add_response(engine, "R1", comment=SECRET_COMMENT)
    other = TestClient(client.app)
    assert sign_in(other, OTHER_OFFICER).status_code == 303
    for path in ("", ".json", "/results", "/results.json", "/results.csv", "/results.xlsx",
                 "/results/stream?seconds=1", "/definition.yaml", "/preview"):
        answer = other.get(f"/consult/manage/budget-test{path}")
        assert answer.status_code == 404, (path, answer.status_code)
        assert SECRET_COMMENT not in answer.text
    viewer = TestClient(client.app)
    assert sign_in(viewer, "viewer@cambridge.example").status_code == 303
    assert viewer.get("/consult/manage/budget-test/results").status_code == 403
    anonymous = TestClient(client.app)
    assert anonymous.get("/consult/manage/budget-test/results.json").status_code == 401
    assert SECRET_COMMENT not in other.get("/consult/manage.json").text


def publish(client, slug="budget-test"):
    client.post(f"/consult/manage/{slug}", data={"csrf_token": csrf(client),
                                                 "privacy_notice": "We keep answers a year."})
    assert client.post(f"/consult/manage/{slug}/publish", data={"csrf_token": csrf(client)},
                       follow_redirects=False).status_code == 303


BALANCED = {"line__libraries": "-300000", "line__events": "-100000", "fees_change": "100000",
            "reserves_use": "250000", "council_tax_change": "0.5"}


def test_paper_responses_are_checked_like_online_ones_and_marked(engine_and_client, officer):
    engine, _ = engine_and_client
    imported(officer)
    publish(officer)
    path = "/consult/manage/budget-test/paper"
    unbalanced = officer.post(path, data={**BALANCED, "council_tax_change": "0",
                                          "csrf_token": csrf(officer, path)})
    assert unbalanced.status_code == 422 and "does not balance" in unbalanced.text
    parse(unbalanced.text)
    floor = officer.post(path, data={**BALANCED, "line__adult_social_care": "-2500000",
                                     "csrf_token": csrf(officer, path)})
    assert floor.status_code == 422 and "Care Act 2014" in floor.text
    assert stored(engine, ResponseRow) == 0
    ok = officer.post(path, data={**BALANCED, "age_band": "65-74", "area": "Central",
                                  "comment": "Posted in", "csrf_token": csrf(officer, path)},
                      follow_redirects=False)
    assert ok.status_code == 303 and "saved=" in ok.headers["location"]
    with session_factory(engine)() as s:
        r = s.scalars(select(ResponseRow)).one()
        assert r.channel == "paper" and r.entered_by is not None and r.age_band == "65-74"
        assert Decimal(r.outcome["balance"]) >= 0 and r.outcome["lines"]["libraries"] == "-300000"
        assert r.reference in ok.headers["location"] and r.surge_flag is False
    table = officer.get("/consult/manage/budget-test/results.csv").text
    assert ",paper," in table


def test_you_said_we_did_after_close_with_the_adopted_budget(engine_and_client, officer):
    engine, client = engine_and_client
    imported(officer)
    publish(officer)
    add_response(engine, "R1", libraries="-300000", comment=SECRET_COMMENT)
    add_response(engine, "R2", libraries="-100000")
    public = TestClient(client.app)
    assert public.get("/consult/budget-test/you-said-we-did").status_code == 404
    early = officer.post("/consult/manage/budget-test/adopted", data={
        "csrf_token": csrf(officer), "line__libraries": "-50000"})
    assert early.status_code == 422 and "after the consultation closes" in early.text
    officer.post("/consult/manage/budget-test/close", data={"csrf_token": csrf(officer)})
    bad = officer.post("/consult/manage/budget-test/adopted", data={
        "csrf_token": csrf(officer), "line__libraries": "a lot"})
    assert bad.status_code == 422 and 'href="#adopted-line__libraries"' in bad.text
    done = officer.post("/consult/manage/budget-test/adopted", data={
        "csrf_token": csrf(officer), "line__libraries": "-50000", "council_tax_change": "2.99",
        "adopted_note": "We kept every library open on Saturdays."}, follow_redirects=False)
    assert done.status_code == 303
    page = public.get("/consult/budget-test/you-said-we-did")
    assert page.status_code == 200
    parse(page.text)
    assert "We kept every library open" in page.text and SECRET_COMMENT not in page.text
    data = public.get("/consult/budget-test/you-said-we-did.json").json()
    libraries = data["lines"][0]
    assert libraries["median_pence"] == -20_000_000 and libraries["adopted_pence"] == -5_000_000
    assert data["council_tax"]["adopted_percent"] == "2.99" and data["responses"] == 2


def test_the_services_own_page_names_are_refused(engine_and_client, officer):
    engine, _ = engine_and_client
    answer = imported(officer, slug="manage")
    assert answer.status_code == 422 and "own pages" in answer.text
    assert stored(engine) == 0
