"""Signing out of a session that signed in through OpenID Connect also ends the identity
provider's session when its discovery document advertises an ``end_session_endpoint``
(RP-initiated logout): the person is sent there with the ID token they signed in with as
``id_token_hint``, the client id and ``post_logout_redirect_uri``, and the provider (the issuer
started inside the test) sends them back to the signed-out page. The session here ends first,
whatever the provider does; a password session, or a provider advertising no such endpoint,
signs out here only. On SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.access_support import CAMBRIDGE, csrf_of, populate, settings_for, sign_in
from tests.oidc_issuer import CLIENT_ID, oidc_settings, oidc_sign_in, running_issuer
from wholeplace.access import audit
from wholeplace.appdb import session_factory
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


def count(engine, table: str) -> int:
    with engine.connect() as c:
        return c.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608


def last_entry(engine):
    with session_factory(engine)() as s:
        return audit.as_row(audit.entries(s, limit=1)[0])


def sign_out(client: TestClient, path: str = "/sign-out") -> httpx.Response:
    return client.post(path, data={"csrf_token": csrf_of(client)}, follow_redirects=False)


@pytest.mark.parametrize("path", ["/sign-out", "/sign-out-everywhere"])
def test_signing_out_sends_the_person_to_the_provider_s_logout_and_back(world, path):
    client, engine, issuer = world
    assert oidc_sign_in(client).status_code == 303
    assert client.get("/account.json").json()["signed_in"] is True
    assert count(engine, "oidc_sessions") == 1
    response = sign_out(client, path)
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{issuer.url}/logout"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["id_token_hint"] == issuer.issued[-1]
    assert query["client_id"] == CLIENT_ID
    assert query["post_logout_redirect_uri"] == "http://testserver/signed-out"
    # signed out here already, before the provider is asked
    assert client.get("/account.json").json() == {"signed_in": False}
    assert count(engine, "oidc_sessions") == 0
    entry = last_entry(engine)
    assert entry["action"] in ("sign_out", "sign_out.everywhere")
    assert entry["detail"] == {"provider_logout": True}
    assert issuer.issued[-1] not in str(entry)  # the token is never written to the audit
    # the provider accepts the hint and sends the person back to the signed-out page
    back = httpx.get(response.headers["location"], follow_redirects=False)
    assert back.status_code == 302, back.text
    assert back.headers["location"] == "http://testserver/signed-out"
    assert client.get("/signed-out").status_code == 200
    assert len(issuer.logouts) == 1


def test_a_provider_without_an_end_session_endpoint_signs_out_here_only(world):
    client, engine, issuer = world
    issuer.end_session = False  # before the app reads the discovery document
    assert oidc_sign_in(client).status_code == 303
    response = sign_out(client)
    assert response.status_code == 303 and response.headers["location"] == "/signed-out"
    assert client.get("/account.json").json() == {"signed_in": False}
    assert count(engine, "oidc_sessions") == 0
    assert issuer.logouts == []


def test_a_password_session_signs_out_here_only(world):
    client, _, issuer = world
    assert sign_in(client, "dpo@cambridge.example").status_code == 303
    response = sign_out(client)
    assert response.status_code == 303 and response.headers["location"] == "/signed-out"
    assert client.get("/account.json").json() == {"signed_in": False}
    assert issuer.logouts == []


def test_forms_may_lead_to_the_provider(world):
    """Browsers check a form's redirect against ``form-action``: the sign-in and sign-out
    buttons are redirected to the provider, so its origin is allowed there (and only it)."""
    client, _, issuer = world
    policy = client.get("/sign-in").headers["content-security-policy"]
    assert f"form-action 'self' {issuer.url};" in policy


def test_without_openid_connect_forms_stay_on_this_service(app_engine, app_url, register_db):
    populate(app_engine)
    with TestClient(create_app(settings_for(register_db, app_url))) as client:
        assert "form-action 'self';" in client.get("/sign-in").headers["content-security-policy"]
        assert sign_in(client, "dpo@cambridge.example").status_code == 303
        response = sign_out(client)
        assert response.headers["location"] == "/signed-out"
