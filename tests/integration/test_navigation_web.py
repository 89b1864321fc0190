"""The header's service navigation: anonymous visitors see the public pages only; a signed-in
person sees a link to each page their roles in the organisation they act for allow, chosen by
the same policy as the routes. Every link offered is followed (none refuses the person) and
every page not offered is requested (each refuses them)."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from tests.access_support import (
    CAMBRIDGE,
    HUB,
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
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.web.app import create_app
from wholeplace.web.navigation import PUBLIC_LINKS

PURPOSE = "prevention"

#: email -> (organisation, role), beyond tests.access_support.PEOPLE
MORE = {
    "admin@cambridge.example": (CAMBRIDGE, "admin"),
    "finance@cambridge.example": (CAMBRIDGE, "finance_officer"),
    "consult@cambridge.example": (CAMBRIDGE, "consultation_officer"),
    "caseworker@cambridge.example": (CAMBRIDGE, "caseworker"),
    "reviewer@cambridge.example": (CAMBRIDGE, "linkage_reviewer"),
    "hubadmin@hub.example": (HUB, "hub_admin"),
}

#: Every page the header may offer a signed-in person in this world.
CANDIDATES = ("/uploads", "/agreements/new", "/consult/manage", "/audit", "/plans",
              "/admin/organisations", f"/subregion/{HUB}", f"/residents/{PURPOSE}",
              f"/residents/{PURPOSE}/review", f"/residents/{PURPOSE}/households")


@pytest.fixture(scope="module")
def app(register_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("navigation")
    hub = folder / "hub.duckdb"
    shutil.copy(register_db, hub)
    keys = folder / "keys"
    keys.mkdir()
    (keys / f"{PURPOSE}.key").write_bytes(b"\0" * 32)  # only its name is read here
    url = f"sqlite:///{folder / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    populate(engine)
    with session_factory(engine)() as s, s.begin():
        for email, (code, role) in MORE.items():
            user = users.add(s, email, email.split("@")[0].title(), PASSWORD)
            memberships.grant(s, user, organisations.get(s, code), role)
    yield create_app(settings_for(hub, url, residents=folder / "residents.duckdb",
                                  resident_keys=keys))
    engine.dispose()


def nav(html: str) -> list[tuple[str, str, bool]]:
    """(href, label, marked current) of each link in the header's service navigation."""
    links = parse(html).findall(".//ul[@id='navigation']/li/a")
    return [(a.get("href"), "".join(a.itertext()).strip(), a.get("aria-current") == "true")
            for a in links]


def hrefs(client: TestClient) -> list[str]:
    return [href for href, _, _ in nav(client.get("/councils").text)]


def signed_in(app, email: str, org: str | None = None) -> TestClient:
    client = TestClient(app)
    assert sign_in(client, email).status_code == 303
    if org is not None:
        chosen = client.post("/choose-organisation", data={
            "organisation": org, "csrf_token": token_in(client.get("/choose-organisation").text)},
            follow_redirects=False)
        assert chosen.status_code == 303
    return client


def test_anonymous_visitors_see_only_the_public_pages(app):
    with TestClient(app) as client:
        assert hrefs(client) == [href for href, _ in PUBLIC_LINKS]
        for href in CANDIDATES:
            assert client.get(href).status_code in (401, 403), href


@pytest.mark.parametrize("email,org,expected", [
    ("dpo@cambridge.example", None,
     {"/uploads", "/agreements/new", "/audit", "/plans", f"/subregion/{HUB}"}),
    ("analyst@cambridge.example", None,
     {"/uploads", "/plans", f"/subregion/{HUB}", f"/residents/{PURPOSE}/households"}),
    ("viewer@cambridge.example", None, {"/plans", f"/subregion/{HUB}"}),
    ("admin@cambridge.example", None,
     {"/uploads", "/consult/manage", "/plans", "/admin/organisations", f"/subregion/{HUB}"}),
    ("finance@cambridge.example", None, {"/uploads", "/plans", f"/subregion/{HUB}"}),
    ("consult@cambridge.example", None,
     {"/uploads", "/consult/manage", "/plans", f"/subregion/{HUB}"}),
    ("caseworker@cambridge.example", None,
     {"/plans", f"/subregion/{HUB}", f"/residents/{PURPOSE}"}),
    ("reviewer@cambridge.example", None,
     {"/plans", f"/subregion/{HUB}", f"/residents/{PURPOSE}/review"}),
    ("hubadmin@hub.example", None,
     {"/uploads", "/plans", "/admin/organisations", f"/subregion/{HUB}"}),
    ("dpo@icb.example", None, {"/uploads", "/agreements/new", "/audit", "/plans"}),
    ("two@example.org", SOUTH_CAMBS,
     {"/uploads", "/plans", f"/subregion/{HUB}", f"/residents/{PURPOSE}/households"}),
    ("two@example.org", CAMBRIDGE, {"/plans", f"/subregion/{HUB}"}),
    ("none@example.org", None, set()),
])
def test_each_link_is_a_page_the_person_may_open_and_no_other(app, email, org, expected):
    client = signed_in(app, email, org)
    links = hrefs(client)
    public = [href for href, _ in PUBLIC_LINKS]
    assert links[:len(public)] == public
    assert set(links[len(public):]) == expected
    for href in CANDIDATES:
        status = client.get(href).status_code
        if href in expected:
            # followed: never refused (a residents page may say there is no index yet)
            assert status not in (401, 403), (href, status)
        else:
            assert status in (401, 403), (href, status)


def test_the_current_section_is_marked(app):
    client = signed_in(app, "dpo@cambridge.example")
    marked = [href for href, _, current in nav(client.get("/audit").text) if current]
    assert marked == ["/audit"]
    marked = [href for href, _, current in nav(client.get("/agreements/new").text) if current]
    assert marked == ["/agreements/new"]
    marked = [href for href, _, current in nav(client.get("/agreements").text) if current]
    assert marked == ["/agreements"]


def test_a_person_acting_for_a_council_a_hub_does_not_serve_gets_no_subregion_link(app):
    client = signed_in(app, "dpo@icb.example")
    assert f"/subregion/{HUB}" not in hrefs(client)
    assert ICB not in "".join(hrefs(client))
