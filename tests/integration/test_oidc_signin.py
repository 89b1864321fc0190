"""OpenID Connect sign-in against an issuer started inside the test (a real HTTP server in a
thread), on SQLite and PostgreSQL: the code flow with PKCE, state and nonce, the ID token's
signature, issuer, audience and expiry verified; only existing, enabled accounts; the same
server-side session as a password sign-in; every outcome audited. Each refusal says what went
wrong, and leaves no session."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from joserfc.jwk import RSAKey

from tests.access_support import CAMBRIDGE, populate, settings_for, sign_in, token_in
from tests.oidc_issuer import at_issuer, oidc_settings, oidc_sign_in, running_issuer, start
from wholeplace.access import audit, users
from wholeplace.appdb import session_factory
from wholeplace.oidc.models import OidcIdentity
from wholeplace.web.access import COOKIE
from wholeplace.web.app import create_app


@pytest.fixture
def issuer():
    with running_issuer() as running:
        yield running


@pytest.fixture
def world(app_engine, app_url, register_db, issuer):
    populate(app_engine)
    settings = settings_for(register_db, app_url, **oidc_settings(issuer, CAMBRIDGE))
    with TestClient(create_app(settings)) as client:
        yield client, app_engine, issuer


def signed_in_sessions(engine) -> int:
    with engine.connect() as c:
        return c.execute(sa.text("SELECT count(*) FROM web_sessions "
                                 "WHERE user_id IS NOT NULL")).scalar_one()


def last_entry(engine):
    with session_factory(engine)() as s:
        return audit.as_row(audit.entries(s, limit=1)[0])


def assert_refused(client, engine, response, message: str, reason: str) -> None:
    assert response.status_code == 400, response.text[:400]
    assert message in " ".join(response.text.split())
    assert "govuk-error-summary" in response.text
    assert COOKIE not in response.headers.get("set-cookie", "")
    assert client.get("/account.json").json() == {"signed_in": False}
    assert signed_in_sessions(engine) == 0
    entry = last_entry(engine)
    assert entry["action"] == "sign_in.failed" and entry["detail"]["method"] == "oidc"
    assert reason in entry["detail"]["reason"]


def test_the_sign_in_page_offers_the_organisation_s_account_only_when_configured(
        world, app_url, register_db):
    client, _, _ = world
    assert "Sign in with your organisation's account" in client.get("/sign-in").text
    with TestClient(create_app(settings_for(register_db, app_url))) as plain:
        assert "organisation's account" not in plain.get("/sign-in").text
        assert plain.post("/sign-in/oidc", data={"csrf_token": "x"}).status_code == 403
        assert plain.get("/sign-in/oidc/callback?state=x&code=y").status_code == 404


def test_the_request_to_the_issuer_carries_pkce_state_and_nonce(world):
    client, _, _issuer = world
    query = parse_qs(urlsplit(start(client)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["client_id"] == ["wholeplace-test-client"]
    assert query["redirect_uri"] == ["http://testserver/sign-in/oidc/callback"]
    assert "client_secret" not in str(query)


def test_success_gives_the_same_server_side_session_and_records_the_subject(world):
    client, engine, issuer = world
    client.get("/sign-in")
    anonymous = client.cookies.get(COOKIE)
    response = oidc_sign_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "HttpOnly" in response.headers["set-cookie"]
    assert client.cookies.get(COOKIE) != anonymous  # rotated
    account = client.get("/account.json").json()
    assert account["email"] == "dpo@cambridge.example" and account["acting_for"] == CAMBRIDGE
    entry = last_entry(engine)
    assert (entry["action"], entry["detail"]["method"]) == ("sign_in", "oidc")
    assert entry["acting_for"] == CAMBRIDGE
    assert client.get("/audit").status_code == 200  # the DPO's page, as after a password
    assert issuer.token_requests[-1]["code_verifier"]  # PKCE verifier sent with the code
    with session_factory(engine)() as s:
        identity = s.get(OidcIdentity, (issuer.url, issuer.subject))
        assert identity is not None
        assert identity.user_id == users.get(s, "dpo@cambridge.example").id
    # the subject now finds the account, even when the provider's email changes
    issuer.email = "renamed@cambridge.example"
    other = TestClient(client.app)
    assert oidc_sign_in(other).status_code == 303
    assert other.get("/account.json").json()["email"] == "dpo@cambridge.example"
    # and signing out ends it like any session
    form = client.get("/choose-organisation").text
    assert client.post("/sign-out", data={"csrf_token": token_in(form)},
                       follow_redirects=False).status_code == 303
    assert client.get("/account.json").json() == {"signed_in": False}


def test_a_wrong_nonce_is_refused(world):
    client, engine, issuer = world
    issuer.claims = {"nonce": "not-the-nonce-we-sent"}
    assert_refused(client, engine, oidc_sign_in(client),
                   "its nonce is wrong", "nonce")


def test_a_token_for_another_audience_is_refused(world):
    client, engine, issuer = world
    issuer.claims = {"aud": "some-other-service"}
    assert_refused(client, engine, oidc_sign_in(client),
                   "it was issued for another service", "another service")


def test_an_expired_token_is_refused(world):
    client, engine, issuer = world
    issuer.claims = {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}
    assert_refused(client, engine, oidc_sign_in(client), "it has expired", "expired")


def test_a_token_from_another_issuer_is_refused(world):
    client, engine, issuer = world
    issuer.claims = {"iss": "https://login.example.invalid/other"}
    assert_refused(client, engine, oidc_sign_in(client),
                   "it was issued by another identity provider", "another identity provider")


def test_a_bad_signature_is_refused(world):
    client, engine, issuer = world
    issuer.sign_with = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    assert_refused(client, engine, oidc_sign_in(client),
                   "its signature is not valid", "signature")


def test_an_unknown_email_is_refused_and_no_account_is_created(world):
    client, engine, issuer = world
    issuer.email, issuer.subject = "stranger@cambridge.example", "subject-stranger"
    with session_factory(engine)() as s:
        before = len(users.all_users(s))
    assert_refused(client, engine, oidc_sign_in(client),
                   "There is no wholeplace account for stranger@cambridge.example",
                   "no such account")
    with session_factory(engine)() as s:
        assert len(users.all_users(s)) == before
        assert s.scalar(sa.select(sa.func.count()).select_from(OidcIdentity)) == 0


def test_an_unverified_email_is_not_trusted(world):
    client, engine, issuer = world
    issuer.claims = {"email_verified": False}
    assert_refused(client, engine, oidc_sign_in(client),
                   "did not give a verified email address", "no verified email")


def test_a_disabled_account_is_refused(world):
    client, engine, _issuer = world
    with session_factory(engine)() as s, s.begin():
        users.disable(s, users.get(s, "dpo@cambridge.example"))
    assert_refused(client, engine, oidc_sign_in(client),
                   "The wholeplace account for dpo@cambridge.example is disabled", "disabled")


def test_an_account_of_another_organisation_is_refused(world):
    client, engine, issuer = world
    issuer.email = "dpo@icb.example"  # an account, but not in the provider's organisation
    assert_refused(client, engine, oidc_sign_in(client),
                   "has no role in an organisation that signs in through this identity "
                   "provider", "no role")


def test_a_state_mismatch_is_refused(world):
    client, engine, _issuer = world
    callback = at_issuer(start(client))
    tampered = callback.replace("state=", "state=x")
    assert_refused(client, engine, client.get(tampered, follow_redirects=False),
                   "it did not start in this browser", "state unknown")
    # the callback finished in another browser (a login CSRF) is refused too
    other = TestClient(client.app)
    other.get("/sign-in")
    assert_refused(other, engine, other.get(callback, follow_redirects=False),
                   "it did not start in this browser", "another browser session")
    # and once spent the state cannot be used again, even in the right browser
    assert_refused(client, engine, client.get(callback, follow_redirects=False),
                   "already used", "state unknown")


def test_the_provider_refusing_is_shown_and_audited(world):
    client, engine, _ = world
    callback = at_issuer(start(client))
    state = parse_qs(urlsplit(callback).query)["state"][0]
    response = client.get(f"/sign-in/oidc/callback?state={state}&error=access_denied",
                          follow_redirects=False)
    assert_refused(client, engine, response, "did not sign you in (access_denied)",
                   "access_denied")


def test_a_password_sign_in_still_works_beside_it(world):
    client, _, _ = world
    assert sign_in(client, "analyst@cambridge.example").status_code == 303
