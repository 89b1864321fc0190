"""Helpers for tests of the signed-in web app: a populated application database and a client
that signs in through the real forms."""

from __future__ import annotations

import re

import html5lib
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from wholeplace.access import memberships, organisations, users
from wholeplace.access.organisations import Council
from wholeplace.appdb import session_factory
from wholeplace.config import Settings

PASSWORD = "correct horse battery staple"
CAMBRIDGE, SOUTH_CAMBS, ICB, HUB = "E07000008", "E07000012", "cp-icb", "cpca-hub"
SECRET = "a-test-secret-that-is-long-enough-1234567"

#: email -> (organisation, role) granted by populate()
PEOPLE = {
    "dpo@cambridge.example": [(CAMBRIDGE, "data_protection_officer")],
    "analyst@cambridge.example": [(CAMBRIDGE, "analyst")],
    "viewer@cambridge.example": [(CAMBRIDGE, "viewer")],
    "dpo@icb.example": [(ICB, "data_protection_officer")],
    "two@example.org": [(CAMBRIDGE, "viewer"), (SOUTH_CAMBS, "analyst")],
    "none@example.org": [],
}


def populate(engine: Engine) -> None:
    with session_factory(engine)() as s, s.begin():
        organisations.sync_councils(s, [Council(CAMBRIDGE, "Cambridge"),
                                        Council(SOUTH_CAMBS, "South Cambridgeshire")])
        organisations.add(s, ICB, "Care board <script>alert(1)</script>", "icb", [CAMBRIDGE])
        organisations.add(s, HUB, "Subregional hub", "hub", [CAMBRIDGE, SOUTH_CAMBS])
        for email, grants in PEOPLE.items():
            user = users.add(s, email, email.split("@")[0].title(), PASSWORD)
            for code, role in grants:
                memberships.grant(s, user, organisations.get(s, code), role)


def settings_for(hub, url: str, **extra: object) -> Settings:
    values: dict[str, object] = {"db": hub, "database_url": url, "env": "production",
                                 "secret_key": SECRET, "cookie_secure": False, **extra}
    return Settings(**values)  # type: ignore[arg-type]


def parse(text: str):  # type: ignore[no-untyped-def]
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def token_in(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/sign-in")
    assert page.status_code == 200
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": token_in(page.text)},
                       follow_redirects=False)


def csrf_of(client: TestClient) -> str:
    return token_in(client.get("/sign-in").text)
