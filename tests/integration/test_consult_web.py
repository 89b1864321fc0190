"""The simulator preview over HTTP: the page (English and Welsh), its JSON twin, the no-JavaScript
form recalculating on submit, CSRF, and each kind of bad input refused with a clear message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import html5lib
import pytest
import yaml
from fastapi.testclient import TestClient

from wholeplace.config import get_settings
from wholeplace.consult import Response, check_response, load_definition
from wholeplace.web.app import create_app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "consult"
NAME = "test_consultation"
BALANCED = {"line__libraries": "-300000", "line__events": "-100000", "line__adult_social_care": "0",
            "fees_change": "100000", "reserves_use": "250000", "council_tax_change": "0.5",
            "adult_social_care_change": "0", "band": "A"}


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("WHOLEPLACE_CONSULTATIONS", str(FIXTURES))
    with TestClient(create_app(get_settings(db=tmp_path / "no-hub.duckdb"))) as c:
        yield c


def parse(text: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def post(client, form: dict, token: str | None = "cookie") -> object:
    page = client.get(f"/consult/preview?file={NAME}")
    cookie = page.cookies.get("wholeplace_csrf")
    data = {"file": NAME, "lang": "en", **form}
    if token is not None:
        data["csrf_token"] = cookie if token == "cookie" else token
    return client.post("/consult/preview", data=data)


def test_the_page_as_a_resident_sees_it(client):
    r = client.get(f"/consult/preview?file={NAME}")
    assert r.status_code == 200
    tree = parse(r.text)
    assert tree.find(".").get("lang") == "en-GB"
    assert "Preview: responses are not recorded." in r.text
    assert "Still to find: £1,000,000" in r.text
    assert "The council needs to find £1,000,000" in r.text
    assert "Of this Band D, £100.00 is the adult social care precept" in r.text
    labels = {e.get("for") for e in tree.iter("label")}
    for field in ("line__libraries", "line__adult_social_care", "line__events",
                  "council_tax_change", "adult_social_care_change", "fees_change",
                  "reserves_use", "band"):
        assert field in labels
    script = next(e for e in tree.iter("script") if e.get("id") == "consult-definition")
    assert json.loads(script.text)["council_code"] == "E06000031"
    assert "HttpOnly" in r.headers["set-cookie"] and "SameSite=strict" in r.headers["set-cookie"]
    assert 'rel="alternate" type="application/json"' in r.text


def test_the_welsh_page(client):
    r = client.get(f"/consult/preview?file={NAME}&lang=cy")
    assert r.status_code == 200
    assert parse(r.text).find(".").get("lang") == "cy"
    assert "Efelychydd cyllideb" in r.text
    assert "Rhagolwg: nid yw ymatebion yn cael eu cofnodi." in r.text
    assert "Gwirio fy nghyllideb" in r.text


def test_the_json_twin_is_the_engine(client):
    r = client.get(f"/consult/preview.json?file={NAME}")
    assert r.status_code == 200
    body = r.json()
    assert body["recorded"] is False and body["preview"] is True
    c = load_definition(FIXTURES / f"{NAME}.yaml")
    assert body["outcome"] == json.loads(json.dumps(check_response(c, Response())[0].to_dict()))
    assert body["definition"]["council_tax"]["referendum"]["limit"]["year"] == "2024-25"


def test_a_balanced_budget_without_javascript(client):
    r = post(client, BALANCED)
    assert r.status_code == 200, r.text
    assert "Your budget balances." in r.text and "There is a problem" not in r.text
    assert "with £127,817.24 to spare" in r.text  # 750,000 + 377,817.24 - 1,000,000
    # Band A's bill is shown for the chosen band: 823.05 -> 827.16 (+4.11, +8p a week).
    assert "+£4.11 a year (+£0.08 a week)" in r.text
    assert '<option value="A" selected>' in r.text


def messages(r) -> list[str]:
    tree = parse(r.text)
    summary = [e for e in tree.iter("div") if "govuk-error-summary" in (e.get("class") or "")]
    return [" ".join("".join(a.itertext()).split()) for a in summary[0].iter("a")]


@pytest.mark.parametrize(("change", "expected"), [
    ({"council_tax_change": "0"}, "Your budget does not balance yet"),
    ({"line__libraries": "-550000"}, "Libraries: choose a change within the range shown"),
    ({"line__libraries": "-310000"}, "Libraries: choose a change in the steps shown"),
    ({"line__adult_social_care": "-2500000"}, "Adult social care cannot fall below £48,000,000"),
    ({"council_tax_change": "3", "adult_social_care_change": "2"},
     "it would need a referendum"),
    ({"reserves_use": "2250000"}, "less than the minimum balance"),
    ({"fees_change": "lots"}, "Enter a number"),
])
def test_each_bad_answer_is_refused_with_a_message(client, change, expected):
    r = post(client, {**BALANCED, **change})
    assert r.status_code == 422
    assert any(expected in m for m in messages(r)), messages(r)
    assert "Your budget balances." not in r.text


def test_csrf_missing_or_wrong(client):
    assert post(client, BALANCED, token=None).status_code == 403
    r = post(client, BALANCED, token="x" * 43)
    assert r.status_code == 403 and "security token" in r.text


def test_oversized_and_non_utf8_bodies(client):
    page = client.get(f"/consult/preview?file={NAME}")
    token = page.cookies.get("wholeplace_csrf")
    big = client.post("/consult/preview", data={"csrf_token": token, "file": NAME,
                                                "comment": "x" * 70_000})
    assert big.status_code == 400 and "too large" in big.text
    raw = client.post("/consult/preview", content=b"file=" + NAME.encode() + b"&x=\xff\xfe",
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert raw.status_code == 400 and "UTF-8" in raw.text


def test_unknown_or_unsafe_names(client):
    assert client.get("/consult/preview?file=nope").status_code == 404
    assert client.get("/consult/preview?file=../../etc/passwd").status_code == 400
    assert client.get("/consult/preview.json?file=..%2Fsecret").status_code == 400


def test_officer_text_is_escaped(client, tmp_path, monkeypatch):
    d = yaml.safe_load((FIXTURES / f"{NAME}.yaml").read_text())
    d["title"] = "<script>alert(1)</script>"
    d["lines"][0]["consequences"][0]["text"] = "<img src=x onerror=alert(2)>"
    d["lines"][0]["title"] = "</script><b>x</b>"
    (tmp_path / "evil.yaml").write_text(yaml.safe_dump(d))
    monkeypatch.setenv("WHOLEPLACE_CONSULTATIONS", str(tmp_path))
    r = client.get("/consult/preview?file=evil")
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "<img src=x" not in r.text
    assert "<b>x</b>" not in r.text
    # Inside the definition's <script> element no "<" survives to end it early.
    body = re.search(r'id="consult-definition">(.*?)</script>', r.text, re.S)
    assert body is not None and "<" not in body.group(1)


def test_the_json_check_of_a_response(client):
    response = {"line_changes": {"libraries": "-300000", "events": "-100000"},
                "fees_change": "100000", "reserves_use": "250000", "council_tax_change": "0.5"}
    r = client.post("/consult/preview.json", json={"file": NAME, "response": response})
    assert r.status_code == 200 and r.json()["accepted"] is True
    assert r.json()["outcome"]["remaining_pence"] == 25_000_000 - 37_781_724
    bad = client.post("/consult/preview.json",
                      json={"file": NAME, "response": {**response, "council_tax_change": "0"}})
    assert bad.status_code == 422
    assert [v["code"] for v in bad.json()["violations"]] == ["unbalanced"]
    typed = client.post("/consult/preview.json",
                        json={"file": NAME, "response": {"fees_change": "1.001"}})
    assert typed.status_code == 422 and typed.json()["problems"][0]["column"] == "fees_change"
    malformed = client.post("/consult/preview.json", content=b"{nope",
                            headers={"content-type": "application/json"})
    assert malformed.status_code == 400 and "not valid JSON" in malformed.json()["message"]
    form = client.post("/consult/preview.json", data={"file": NAME})
    assert form.status_code == 400 and "application/json" in form.json()["message"]
