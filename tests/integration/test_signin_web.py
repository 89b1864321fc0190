"""Sign-in on the web, on SQLite and PostgreSQL: server-side sessions in a Secure/HttpOnly/
SameSite cookie rotated at sign-in, CSRF on every state-changing request, the same message for
an unknown account and a wrong password, lockout, expiry, sign-out everywhere, reset links."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.access_support import (
    CAMBRIDGE,
    PASSWORD,
    SECRET,
    SOUTH_CAMBS,
    csrf_of,
    parse,
    populate,
    settings_for,
    sign_in,
    token_in,
)
from wholeplace.access import resets, signin, users
from wholeplace.appdb import session_factory
from wholeplace.web.access import COOKIE
from wholeplace.web.app import create_app


def test_sign_in_sets_a_rotated_httponly_samesite_cookie_and_shows_who(web):
    web.get("/sign-in")
    before = web.cookies.get(COOKIE)
    response = sign_in(web, "dpo@cambridge.example")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert web.cookies.get(COOKIE) != before  # rotated: the anonymous id is not reused
    page = web.get("/")
    header = parse(page.text).find(".//div[@id='account']")
    text = " ".join("".join(header.itertext()).split())
    assert "Signed in as Dpo, acting for E07000008" in text
    assert web.get("/account.json").json()["acting_for"] == CAMBRIDGE
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


def test_secure_cookie_by_default(app_engine, app_url, register_db):
    populate(app_engine)
    settings = settings_for(register_db, app_url, cookie_secure=True)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        assert "Secure" in sign_in(client, "dpo@cambridge.example").headers["set-cookie"]


def test_wrong_password_and_unknown_user_get_one_message_and_no_session(web):
    wrong = sign_in(web, "dpo@cambridge.example", "not the right one")
    unknown = sign_in(web, "nobody@cambridge.example", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    for response in (wrong, unknown):
        summary = parse(response.text).find(".//div[@class='govuk-error-summary']")
        assert summary is not None and signin.WRONG in "".join(summary.itertext())
    assert web.get("/account.json").json() == {"signed_in": False}


def test_locked_account_is_refused_even_with_the_right_password(web):
    for _ in range(signin.LOCK_AFTER):
        sign_in(web, "analyst@cambridge.example", "wrong password!")
    locked = sign_in(web, "analyst@cambridge.example")
    assert locked.status_code == 400 and "locked for 15 minutes" in locked.text


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_missing_or_wrong_csrf_token_is_refused_and_changes_nothing(web, token):
    web.get("/sign-in")
    data = {"email": "dpo@cambridge.example", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = web.post("/sign-in", data=data, follow_redirects=False)
    assert response.status_code == 403 and "nothing was changed" in response.text
    assert web.get("/account.json").json() == {"signed_in": False}
    sign_in(web, "dpo@cambridge.example")
    out = web.post("/sign-out", data={"csrf_token": "forged"}, follow_redirects=False)
    assert out.status_code == 403
    assert web.get("/account.json").json()["signed_in"] is True
    assert web.post("/sign-out", headers={"X-CSRF-Token": "forged"}).status_code == 403


def test_a_form_from_another_session_is_refused(web, app_url, register_db):
    other = TestClient(create_app(settings_for(register_db, app_url)))
    stolen = csrf_of(other)
    web.get("/sign-in")
    response = web.post("/sign-in", data={"email": "dpo@cambridge.example",
                                          "password": PASSWORD, "csrf_token": stolen})
    assert response.status_code == 403


def test_sign_out_and_sign_out_everywhere(web, app_url, register_db):
    sign_in(web, "dpo@cambridge.example")
    second = TestClient(create_app(settings_for(register_db, app_url)))
    sign_in(second, "dpo@cambridge.example")
    page = web.get("/")
    out = web.post("/sign-out-everywhere", data={"csrf_token": token_in(page.text)},
                   follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/signed-out"
    assert web.get("/account.json").json() == {"signed_in": False}
    assert second.get("/account.json").json() == {"signed_in": False}
    sign_in(web, "dpo@cambridge.example")
    assert web.post("/sign-out", data={"csrf_token": token_in(web.get("/").text)}
                    ).status_code == 200
    assert web.get("/account.json").json() == {"signed_in": False}


def test_an_expired_session_is_anonymous(web, app_engine):
    sign_in(web, "dpo@cambridge.example")
    with app_engine.begin() as c:
        c.execute(sa.text("UPDATE web_sessions SET expires_at = :t"),
                  {"t": "2000-01-01 00:00:00"})
    assert web.get("/account.json").json() == {"signed_in": False}
    assert web.get("/choose-organisation").status_code == 401


def test_choosing_the_organisation_to_act_for(web):
    response = sign_in(web, "two@example.org")
    assert response.headers["location"] == "/choose-organisation"
    page = web.get("/choose-organisation")
    assert page.status_code == 200 and "South Cambridgeshire" in page.text
    parse(page.text)
    refused = web.post("/choose-organisation", data={"organisation": "cp-icb",
                                                     "csrf_token": token_in(page.text)})
    assert refused.status_code == 400 and "Choose one of your organisations" in refused.text
    web.post("/choose-organisation", data={"organisation": SOUTH_CAMBS,
                                           "csrf_token": token_in(page.text)})
    assert web.get("/account.json").json()["acting_for"] == SOUTH_CAMBS


def test_reset_link_sets_a_password_once(web, app_engine):
    with session_factory(app_engine)() as s, s.begin():
        token = resets.issue(s, SECRET, users.get(s, "viewer@cambridge.example"))
        expired = resets.issue(s, SECRET, users.get(s, "viewer@cambridge.example"),
                               lifetime=timedelta(seconds=-1))
    page = web.get(f"/reset-password/{token}")
    assert page.status_code == 200
    parse(page.text)
    mismatch = web.post(f"/reset-password/{token}", data={
        "password": "a new long passphrase", "confirm": "different",
        "csrf_token": token_in(page.text)})
    assert mismatch.status_code == 400 and "not the same" in mismatch.text
    done = web.post(f"/reset-password/{token}", data={
        "password": "a new long passphrase", "confirm": "a new long passphrase",
        "csrf_token": token_in(page.text)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/sign-in?reset=1"
    assert sign_in(web, "viewer@cambridge.example", "a new long passphrase"
                   ).status_code == 303
    for used in (token, expired, "made-up"):
        refused = web.get(f"/reset-password/{used}")
        assert refused.status_code == 400 and "expired or has already been used" in \
            refused.text


def test_names_are_escaped_in_the_header_and_pages(web):
    sign_in(web, "dpo@icb.example")
    page = web.get("/choose-organisation")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_the_csp_runs_only_the_pages_own_inline_script(web):
    import base64
    import hashlib
    import re
    from pathlib import Path

    import wholeplace.web

    def allowed(script: str, policy: str) -> bool:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        return f"'sha256-{digest}'" in policy

    page = web.get("/sign-in")
    policy = page.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.S)
    templates = Path(wholeplace.web.__file__).parent / "templates"
    for name in ("base.html", "consult/base.html"):
        inline += re.findall(r"<script>(.*?)</script>", (templates / name).read_text(), re.S)
    assert len(inline) >= 3 and all(allowed(s, script_src) for s in inline)
    assert not allowed("alert(1)", script_src)
