"""Web administration on SQLite and PostgreSQL: an organisation's administrator manages its
people and roles and issues reset links; a hub administrator adds partner organisations and
manages the councils the hub serves. Every change is audited; each is refused (with a message,
nothing changed) without the role, for another organisation, or for a person who also belongs
to an organisation the administrator does not administer."""

from __future__ import annotations

import re

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
from wholeplace.access import audit, memberships, organisations, sessions, users
from wholeplace.appdb import session_factory
from wholeplace.web.app import create_app

ADMIN, HUB_ADMIN = "admin@cambridge.example", "hubadmin@hub.example"
PEOPLE_PAGE = f"/admin/organisations/{CAMBRIDGE}/people"


@pytest.fixture
def world(app_engine, app_url, register_db):
    populate(app_engine)
    with session_factory(app_engine)() as s, s.begin():
        for email, code, role in ((ADMIN, CAMBRIDGE, "admin"), (HUB_ADMIN, HUB, "hub_admin")):
            user = users.add(s, email, email.split("@")[0].title(), PASSWORD)
            memberships.grant(s, user, organisations.get(s, code), role)
    app = create_app(settings_for(register_db, app_url))
    with TestClient(app) as client:
        yield app, client, app_engine


def as_person(app, email: str) -> TestClient:
    client = TestClient(app)
    assert sign_in(client, email).status_code == 303
    return client


def post(client: TestClient, path: str, data: dict[str, str], page: str = PEOPLE_PAGE,
         **kwargs):
    token = token_in(client.get(page).text) if page else token_in(client.get("/sign-in").text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False,
                       **kwargs)


def state(engine) -> dict[str, object]:
    """Everything an administrator can change, to compare before and after. Refusals are
    themselves audited (``access.refused``), so they are left out of the count."""
    with session_factory(engine)() as s:
        entries = [e for e in audit.entries(s) if e.action != "access.refused"]
        return {"users": [users.as_row(u) for u in users.all_users(s)],
                "orgs": [organisations.as_row(o) for o in organisations.all_organisations(s)],
                "audit": len(entries)}


def last_entry(engine):
    with session_factory(engine)() as s:
        return audit.as_row(audit.entries(s, limit=1)[0])


def test_an_admin_sees_their_organisation_s_people_and_its_json_twin(world):
    app, _, _ = world
    admin = as_person(app, ADMIN)
    page = admin.get(PEOPLE_PAGE)
    assert page.status_code == 200
    parse(page.text)  # valid HTML
    assert "viewer@cambridge.example" in page.text and "dpo@icb.example" not in page.text
    data = admin.get(f"{PEOPLE_PAGE}.json").json()
    assert data["organisation"]["code"] == CAMBRIDGE
    emails = {p["email"]: p for p in data["people"]}
    assert {"viewer@cambridge.example", ADMIN, "two@example.org"} <= set(emails)
    assert emails["two@example.org"]["roles"] == ["viewer"]
    assert emails["two@example.org"]["other_organisations"] == 1  # not which, nor what role
    assert "hub_admin" not in data["roles"]
    listing = admin.get("/admin/organisations.json").json()["organisations"]
    assert {o["code"] for o in listing} >= {CAMBRIDGE, SOUTH_CAMBS, ICB, HUB}
    assert "Add a partner organisation" not in admin.get("/admin/organisations").text


def test_an_admin_cannot_reach_another_organisation(world):
    app, _, engine = world
    admin = as_person(app, ADMIN)
    before = state(engine)
    assert admin.get(f"/admin/organisations/{SOUTH_CAMBS}/people").status_code == 403
    assert admin.get(f"/admin/organisations/{ICB}/people.json").status_code == 403
    refused = post(admin, f"/admin/organisations/{SOUTH_CAMBS}/grant",
                   {"email": ADMIN, "role": "admin"})
    assert refused.status_code == 403 and "does not allow this" in refused.text
    refused = post(admin, "/admin/organisations", {"code": "evil-org", "name": "Evil",
                                                   "org_type": "voluntary"})
    assert refused.status_code == 403
    assert state(engine) == before


def test_adding_a_person_shows_a_one_time_link_once_and_is_audited(world):
    app, _, engine = world
    admin = as_person(app, ADMIN)
    response = post(admin, PEOPLE_PAGE, {"email": "New.Person@Cambridge.example",
                                         "display_name": "New Person", "role": "analyst"})
    assert response.status_code == 200
    url = parse(response.text).find(".//code[@id='reset-url']").text
    assert re.fullmatch(r"http://testserver/reset-password/[\w-]{40,}", url)
    assert "not shown again" in response.text
    assert url not in admin.get(PEOPLE_PAGE).text  # shown once
    entry = last_entry(engine)
    assert (entry["action"], entry["target"], entry["actor"]) == \
        ("user.add", "new.person@cambridge.example", ADMIN)
    assert entry["detail"] == {"organisation": CAMBRIDGE, "role": "analyst"}
    assert url.split("/")[-1] not in str(entry)  # the token is never logged
    newcomer = TestClient(app)
    assert newcomer.get(url.removeprefix("http://testserver")).status_code == 200
    with session_factory(engine)() as s:
        person = users.get(s, "new.person@cambridge.example")
        assert memberships.roles_of(person) == {CAMBRIDGE: frozenset({"analyst"})}
        assert person.password_hash is None


@pytest.mark.parametrize(("form", "message"), [
    ({"email": "not-an-email", "display_name": "X", "role": "viewer"},
     "is not an email address"),
    ({"email": "viewer@cambridge.example", "display_name": "X", "role": "viewer"},
     "already exists"),
    ({"email": "someone@cambridge.example", "display_name": "X", "role": "king"},
     "Choose the person"),
    ({"email": "someone@cambridge.example", "display_name": "X", "role": "hub_admin"},
     "only a hub administrator"),
])
def test_a_bad_new_person_gets_an_error_summary_and_nothing_changes(world, form, message):
    app, _, engine = world
    admin = as_person(app, ADMIN)
    before = state(engine)
    response = post(admin, PEOPLE_PAGE, form)
    assert response.status_code == 400
    summary = parse(response.text).find(".//div[@class='govuk-error-summary']")
    assert summary is not None and message in "".join(summary.itertext())
    assert state(engine) == before


def test_granting_and_revoking_a_role_is_audited(world):
    app, _, engine = world
    admin = as_person(app, ADMIN)
    granted = post(admin, f"/admin/organisations/{CAMBRIDGE}/grant",
                   {"email": "viewer@cambridge.example", "role": "analyst"})
    assert granted.status_code == 303 and granted.headers["location"].endswith("done=granted")
    assert last_entry(engine)["action"] == "role.grant"
    viewer = as_person(app, "viewer@cambridge.example")
    assert sorted(viewer.get("/account.json").json()["organisations"][CAMBRIDGE]) == \
        ["analyst", "viewer"]
    revoked = post(admin, f"/admin/organisations/{CAMBRIDGE}/revoke",
                   {"email": "viewer@cambridge.example", "role": "analyst"},
                   headers={"Accept": "application/json"})
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    entry = last_entry(engine)
    assert (entry["action"], entry["detail"]["role"]) == ("role.revoke", "analyst")
    # revoked mid-session: the viewer's very next request has the role no more
    assert viewer.get("/account.json").json()["organisations"][CAMBRIDGE] == ["viewer"]


def test_an_admin_cannot_remove_their_own_admin_role_or_disable_themselves(world):
    app, _, engine = world
    admin = as_person(app, ADMIN)
    before = state(engine)
    own = post(admin, f"/admin/organisations/{CAMBRIDGE}/revoke",
               {"email": ADMIN, "role": "admin"})
    assert own.status_code == 400 and "your own administrator role" in own.text
    own = post(admin, f"/admin/organisations/{CAMBRIDGE}/disable", {"email": ADMIN})
    assert own.status_code == 400 and "your own account" in own.text
    assert state(engine) == before


def test_disabling_a_member_ends_their_sessions(world):
    app, _, engine = world
    admin = as_person(app, ADMIN)
    viewer = as_person(app, "viewer@cambridge.example")
    done = post(admin, f"/admin/organisations/{CAMBRIDGE}/disable",
                {"email": "viewer@cambridge.example"})
    assert done.status_code == 303
    assert viewer.get("/account.json").json() == {"signed_in": False}
    with session_factory(engine)() as s:
        user = users.get(s, "viewer@cambridge.example")
        assert user.disabled and sessions.count_for(s, user.id) == 0
    assert last_entry(engine)["action"] == "user.disable"
    assert sign_in(TestClient(app), "viewer@cambridge.example").status_code == 400


def test_a_reset_link_is_shown_once_for_a_member(world):
    app, _, engine = world
    admin = as_person(app, ADMIN)
    response = post(admin, f"/admin/organisations/{CAMBRIDGE}/reset-link",
                    {"email": "viewer@cambridge.example"},
                    headers={"Accept": "application/json"})
    assert response.status_code == 200
    url = response.json()["reset_url"]
    assert TestClient(app).get(url.removeprefix("http://testserver")).status_code == 200
    entry = last_entry(engine)
    assert (entry["action"], entry["target"]) == ("user.reset_link", "viewer@cambridge.example")
    assert url.split("/")[-1] not in str(entry)


def test_a_person_who_also_belongs_elsewhere_is_out_of_reach(world):
    """two@example.org is a viewer in Cambridge and an analyst in South Cambridgeshire: a
    Cambridge administrator may not take over the account (a reset link) or disable it."""
    app, _, engine = world
    admin = as_person(app, ADMIN)
    before = state(engine)
    for path in ("reset-link", "disable"):
        refused = post(admin, f"/admin/organisations/{CAMBRIDGE}/{path}",
                       {"email": "two@example.org"})
        assert refused.status_code == 400 and "you do not administer" in refused.text
    # and someone who is not a member here is answered as if absent
    absent = post(admin, f"/admin/organisations/{CAMBRIDGE}/reset-link",
                  {"email": "dpo@icb.example"})
    assert absent.status_code == 400 and "no person with that email address" in absent.text
    assert state(engine) == before


def test_a_hub_admin_adds_a_partner_and_manages_the_councils_it_serves(world):
    app, _, engine = world
    hub = as_person(app, HUB_ADMIN)
    page = hub.get("/admin/organisations")
    assert "Add a partner organisation" in page.text
    added = post(hub, "/admin/organisations",
                 {"code": "cambs-police", "name": "Police <script>alert(1)</script>",
                  "org_type": "police", "areas": f"{CAMBRIDGE}, {SOUTH_CAMBS}"},
                 page="/admin/organisations")
    assert added.status_code == 303
    listing = hub.get("/admin/organisations")
    assert "<script>alert(1)</script>" not in listing.text
    assert "Police &lt;script&gt;alert(1)&lt;/script&gt;" in listing.text
    entry = last_entry(engine)
    assert (entry["action"], entry["target"], entry["acting_for"]) == \
        ("org.add", "cambs-police", HUB)
    assert entry["detail"]["areas"] == [CAMBRIDGE, SOUTH_CAMBS]
    assert hub.get(PEOPLE_PAGE).status_code == 200  # the hub serves Cambridge
    assert hub.get(f"/admin/organisations/{ICB}/people").status_code == 403  # not the ICB


def test_a_bad_organisation_gets_every_problem_and_nothing_changes(world):
    app, _, engine = world
    hub = as_person(app, HUB_ADMIN)
    before = state(engine)
    response = post(hub, "/admin/organisations", {"code": "", "name": "", "org_type": "pub"},
                    page="/admin/organisations")
    assert response.status_code == 400
    text = " ".join(response.text.split())
    for message in ("Enter a short code", "Enter the organisation's name",
                    "Choose the type of organisation"):
        assert message in text.replace("&#39;", "'")
    response = post(hub, "/admin/organisations",
                    {"code": ICB, "name": "Again", "org_type": "icb", "areas": "E99"},
                    page="/admin/organisations", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "already exists" in response.json()["problems"][0]
    assert "areas must be GSS codes" in response.json()["problems"][0]
    assert state(engine) == before


def test_a_viewer_and_an_anonymous_visitor_are_refused(world):
    app, client, engine = world
    viewer = as_person(app, "viewer@cambridge.example")
    admin = as_person(app, ADMIN)
    before = state(engine)
    assert viewer.get(PEOPLE_PAGE).status_code == 403
    assert viewer.get("/admin/organisations").status_code == 403
    token = token_in(viewer.get("/choose-organisation").text)
    refused = viewer.post(f"/admin/organisations/{CAMBRIDGE}/people",
                          data={"email": "x@y.example", "display_name": "X", "role": "admin",
                                "csrf_token": token})
    assert refused.status_code == 403
    assert client.get(PEOPLE_PAGE).status_code == 401
    no_token = admin.post(f"/admin/organisations/{CAMBRIDGE}/disable",
                                          data={"email": "viewer@cambridge.example"})
    assert no_token.status_code == 403 and "nothing was changed" in no_token.text
    assert state(engine) == before
