"""A published consultation over HTTP, as residents use it: the page and its JSON twin, Submit
re-checked on the server, the receipt, save and come back, the privacy notice, Welsh; and
every kind of bad input refused with a clear message and NOTHING stored."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.consult_support import seed
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.config import get_settings
from wholeplace.consult.tables import DraftRow, EventRow, ResponseRow
from wholeplace.web.app import create_app

SLUG = "peterborough-test"
BALANCED = {"line__education": "-5836000", "band": "D"}


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("WHOLEPLACE_DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as s:
        seed(s, SLUG)
    yield factory
    engine.dispose()


@pytest.fixture
def client(db, tmp_path):
    with TestClient(create_app(get_settings(db=tmp_path / "no-hub.duckdb"))) as c:
        yield c


def stored(db) -> int:
    with db() as s:
        return s.scalar(select(func.count(ResponseRow.id)))


def token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form has no CSRF token"
    return found.group(1)


def post(client, form: dict, slug: str = SLUG, token: str | None = None, **kw):
    opened = {}
    if token is None:
        page = client.get(f"/consult/{slug}").text
        token = token_of(page)
        opened = {"opened_at": re.search(r'name="opened_at" value="([^"]+)"', page).group(1)}
    data = {"csrf_token": token, "action": "submit", "lang": "en", **opened, **form}
    return client.post(f"/consult/{slug}", data=data, follow_redirects=False, **kw)


def test_the_page_its_json_and_the_opened_event(client, db):
    from tests.access_support import parse

    page = client.get(f"/consult/{SLUG}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    parse(page.text)  # well-formed HTML5
    assert "Submit my budget" in page.text and "Save and come back later" in page.text
    assert 'name="website"' in page.text and f"/consult/{SLUG}/privacy" in page.text
    assert "wp_consult" in page.headers.get("set-cookie", "")
    twin = client.get(f"/consult/{SLUG}.json").json()
    assert twin["status"] == "published" and twin["accepting_responses"] is True
    assert twin["definition"]["council_code"] == "E06000031"
    assert twin["outcome"]["remaining_pence"] == 580_000_000
    client.get(f"/consult/{SLUG}")  # the same visitor again: opened once
    with db() as s:
        events = s.scalars(select(EventRow)).all()
    assert [e.stage for e in events] == ["opened"] and len(events[0].visitor_hash) == 64


def test_a_balanced_budget_is_recorded_and_gets_a_receipt(client, db):
    answer = post(client, {**BALANCED, "age_band": "35-44", "area": "Orton",
                           "comment": "<b>Keep</b> the libraries"})
    assert answer.status_code == 303, answer.text[:500]
    receipt = client.get(answer.headers["location"])
    reference = re.search(r'id="consult-reference">([A-Z0-9-]+)<', receipt.text).group(1)
    assert "Your response has been recorded" in receipt.text
    with db() as s:
        row = s.scalars(select(ResponseRow)).one()
    assert row.reference == reference and row.age_band == "35-44" and row.area == "Orton"
    assert row.comment == "<b>Keep</b> the libraries" and row.started_at is not None
    assert len(row.browser_token_hash) == 64
    assert client.get(f"/consult/{SLUG}/receipt/{reference}.json").json()["recorded"]
    assert client.get(f"/consult/{SLUG}/receipt/NOPE-NOPE-NOPE").status_code == 404


@pytest.mark.parametrize(("form", "message"), [
    ({}, "does not balance"),
    ({"line__education": "-14590001"}, "choose a change within the range"),
    ({"line__education": "-5836000", "line__adult_social_care": "-2886000"}, "cannot fall below"),
    ({"line__education": "-5836000", "council_tax_change": "6"}, "would need a referendum"),
    ({"line__education": "-5836000", "reserves_use": "1100000"}, "less than the minimum"),
    ({"line__education": "lots"}, "Enter a number"),
    ({**BALANCED, "age_band": "ninety"}, "Choose an age band"),
    ({**BALANCED, "comment": "x" * 2001}, "2000 characters or fewer"),
])
def test_each_broken_rule_is_refused_and_nothing_stored(client, db, form, message):
    answer = post(client, form)
    assert answer.status_code == 422 and message in answer.text
    assert "Your answers have not been recorded yet" in answer.text
    assert stored(db) == 0


def test_missing_or_wrong_csrf_token_stores_nothing(client, db):
    client.get(f"/consult/{SLUG}")
    for token in ("", "not-the-token"):
        answer = post(client, BALANCED, token=token)
        assert answer.status_code == 403 and "nothing was changed" in answer.text
    assert stored(db) == 0


def test_a_filled_honeypot_stores_nothing(client, db):
    answer = post(client, {**BALANCED, "website": "http://spam.example"})
    assert answer.status_code == 400 and "looks automated" in answer.text
    assert stored(db) == 0


def test_one_response_per_browser(client, db):
    assert post(client, BALANCED).status_code == 303
    again = post(client, BALANCED)
    assert again.status_code == 409 and "already been recorded" in again.text
    assert stored(db) == 1
    client.cookies.clear()  # another browser (no cookie yet: given one on the page)
    assert post(client, BALANCED).status_code == 303
    assert stored(db) == 2


def test_a_submission_without_the_browser_cookie_stores_nothing(client, db):
    token = token_of(client.get(f"/consult/{SLUG}").text)
    client.cookies.delete("wp_consult")
    answer = post(client, BALANCED, token=token)
    assert answer.status_code == 400 and "Allow cookies" in answer.text
    assert stored(db) == 0


def test_one_response_per_household_by_keyed_hash(client, db, monkeypatch):
    monkeypatch.setenv("WHOLEPLACE_HOUSEHOLD_KEY", "a-household-key-of-at-least-32-chars!")
    with db() as s:
        from wholeplace.consult.tables import ConsultationRow

        s.query(ConsultationRow).update({"household_check": True, "allow_multiple": True})
        s.commit()
    page = client.get(f"/consult/{SLUG}")
    assert 'name="household"' in page.text
    assert post(client, {**BALANCED, "household": "1 High Street PE1"}).status_code == 303
    again = post(client, {**BALANCED, "household": "1 high street, pe1"})
    assert again.status_code == 409 and "this household" in again.text
    missing = post(client, BALANCED)
    assert missing.status_code == 400 and "council tax account number" in missing.text
    with db() as s:
        hashes = s.scalars(select(ResponseRow.household_hash)).all()
    assert len(hashes) == 1 and "HIGH" not in hashes[0].upper()


def test_a_closed_or_unpublished_consultation_takes_nothing(client, db):
    with db() as s:
        seed(s, "a-draft", publish=False)
        from wholeplace.consult import store as cs

        cs.close(s, cs.get(s, SLUG))
        s.commit()
    closed = post(client, BALANCED)
    assert closed.status_code == 409 and "has closed" in closed.text
    assert "not taking responses now" in client.get(f"/consult/{SLUG}").text
    assert client.get("/consult/a-draft").status_code == 404
    token = token_of(client.get(f"/consult/{SLUG}").text)
    assert post(client, BALANCED, slug="a-draft", token=token).status_code == 404
    assert stored(db) == 0


def test_oversized_malformed_and_non_utf8_bodies_store_nothing(client, db):
    token = token_of(client.get(f"/consult/{SLUG}").text)
    kind = {"content-type": "application/x-www-form-urlencoded"}
    base = f"csrf_token={token}&action=submit&line__education=-5836000"
    big = client.post(f"/consult/{SLUG}", content=base + "&comment=" + "x" * 70_000,
                      headers=kind)
    assert big.status_code == 400 and "too large" in big.text
    raw = client.post(f"/consult/{SLUG}", content=(base + "&comment=").encode() + b"\xff\xfe",
                      headers=kind)
    assert raw.status_code == 400 and "not UTF-8" in raw.text
    broken = client.post(f"/consult/{SLUG}", content=base + "&&=&%zz", headers=kind)
    assert broken.status_code == 400 and "well-formed" in broken.text
    assert stored(db) == 0


def test_over_the_rate_limit_is_429_with_retry_after(db, tmp_path, monkeypatch):
    monkeypatch.setenv("WHOLEPLACE_CONSULT_RATE", "0.01")
    monkeypatch.setenv("WHOLEPLACE_CONSULT_BURST", "2")
    with TestClient(create_app(get_settings(db=tmp_path / "no-hub.duckdb"))) as client:
        token = token_of(client.get(f"/consult/{SLUG}").text)
        answers = [post(client, {}, token=token) for _ in range(3)]
        assert [a.status_code for a in answers] == [422, 422, 429]
        assert int(answers[2].headers["retry-after"]) >= 1
        assert "a lot of answers in a short time" in answers[2].text
        over = client.post(f"/consult/{SLUG}.json", json={"response": {}},
                           headers={"x-csrf-token": token})
        assert over.status_code == 429 and over.headers["retry-after"]
    assert stored(db) == 0


def test_save_and_come_back_by_a_private_link(client, db):
    saved = post(client, {"line__education": "-1459000", "action": "save"})
    assert saved.status_code == 200 and "shown only once" in saved.text
    link = re.search(r'href="(http://testserver/consult/[^"]+/saved/[^"?]+)', saved.text).group(1)
    token = link.rsplit("/", 1)[1]
    with db() as s:
        draft = s.scalars(select(DraftRow)).one()
    assert token not in draft.token_hash and len(draft.token_hash) == 64
    back = client.get(link)
    assert back.status_code == 200 and 'value="-1459000"' in back.text
    assert client.get(link + ".json").json()["response"]["line_changes"]["education"] == \
        "-1459000"
    assert client.get(f"/consult/{SLUG}/saved/not-a-token").status_code == 404
    assert stored(db) == 0


def test_privacy_notice_and_its_json(client):
    page = client.get(f"/consult/{SLUG}/privacy")
    assert page.status_code == 200 and "We record only your choices" in page.text
    assert "only a scrambled (hashed) form" in client.get(
        f"/consult/{SLUG}/privacy.json").json()["privacy_notice"]


def test_welsh_pages(client):
    page = client.get(f"/consult/{SLUG}?lang=cy")
    assert page.status_code == 200 and '<html lang="cy"' in page.text
    assert "Cyflwyno fy nghyllideb" in page.text  # Submit my budget
    assert "Hysbysiad preifatrwydd" in client.get(f"/consult/{SLUG}/privacy?lang=cy").text
    refused = post(client, {"lang": "cy"})
    assert refused.status_code == 422 and '<html lang="cy"' in refused.text


def test_json_submission(client, db):
    token = token_of(client.get(f"/consult/{SLUG}").text)
    body = {"response": {"line_changes": {"education": "-5836000"}}, "age_band": "75 or over"}
    missing = client.post(f"/consult/{SLUG}.json", json=body)
    assert missing.status_code == 403
    done = client.post(f"/consult/{SLUG}.json", json=body, headers={"x-csrf-token": token})
    assert done.status_code == 201 and done.json()["recorded"] is True, done.text
    again = client.post(f"/consult/{SLUG}.json", json=body, headers={"x-csrf-token": token})
    assert again.status_code == 409 and again.json()["reason"] == "browser"
    unbalanced = client.post(f"/consult/{SLUG}.json", json={"response": {}},
                             headers={"x-csrf-token": token})
    assert unbalanced.status_code == 422 and unbalanced.json()["problems"]
    broken = client.post(f"/consult/{SLUG}.json", content=b"{nope",
                         headers={"x-csrf-token": token, "content-type": "application/json"})
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["message"]
    assert stored(db) == 1


def test_started_is_recorded_once_per_visitor(client, db):
    token = token_of(client.get(f"/consult/{SLUG}").text)
    for _ in range(2):
        assert client.post(f"/consult/{SLUG}/started",
                           data={"csrf_token": token}).status_code == 204
    with db() as s:
        stages = sorted(s.scalars(select(EventRow.stage)).all())
    assert stages == ["opened", "started"]
