"""The access matrix, generated from the app's own route table: every route has a rule, every
protected route enforces it, and each route answers as its rule says to an anonymous visitor,
a person in the wrong organisation, one with the wrong role and one with the right role, with
no private value in any body it should not be in."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.access_support import (
    CAMBRIDGE,
    HUB,
    SOUTH_CAMBS,
    csrf_of,
    populate,
    settings_for,
    sign_in,
)
from wholeplace.access import agreements, audit
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file
from wholeplace.web.access.guard import CSRF_EXEMPT_JSON
from wholeplace.web.access.rules import OPEN_ACTIONS, PUBLIC, RULES, required_actions, routes
from wholeplace.web.app import create_app

#: A value only people acting for Cambridge (or a party to its agreement) may see.
SECRET_ITEM = "dataset:cambridge-private-marker"
SECRET_AUDIT = "cambridge-audit-marker"
#: The title of a private upload of Cambridge's (test data): only Cambridge's people see it.
SECRET_UPLOAD = "cambridge-upload-marker"

PERSONAS = {
    "anonymous": None,
    "wrong_org": "dpo@icb.example",          # the right role, in another organisation
    "wrong_role": "viewer@cambridge.example",  # the right organisation, a viewer
    "right_role": "dpo@cambridge.example",
}

#: action -> persona -> expected status (None: any status but 401, 403 or a server error).
EXPECTED: dict[str, dict[str, int | None]] = {
    PUBLIC: dict.fromkeys(PERSONAS, None),
    "session.sign_in": dict.fromkeys(PERSONAS, 404),  # OpenID Connect is not configured here
    "session.choose_org": {"anonymous": 401, "wrong_org": 200, "wrong_role": 200,
                           "right_role": 200},
    "audit.view": {"anonymous": 401, "wrong_org": 200, "wrong_role": 403, "right_role": 200},
    "audit.export": {"anonymous": 401, "wrong_org": 200, "wrong_role": 403, "right_role": 200},
    # administration: none of the personas administers (tests/integration/test_admin_web.py
    # signs in administrators)
    "admin.org.list": {"anonymous": 401, "wrong_org": 403, "wrong_role": 403, "right_role": 403},
    "admin.people.view": {"anonymous": 401, "wrong_org": 403, "wrong_role": 403,
                          "right_role": 403},
    # uploading is an analyst's (or admin's): a DPO may not (tests/integration/test_web_upload.py)
    "dataset.upload": {"anonymous": 401, "wrong_org": 403, "wrong_role": 403, "right_role": 403},
    "upload.list": {"anonymous": 401, "wrong_org": 200, "wrong_role": 403, "right_role": 200},
    # the hub's own people and its member councils' people (Cambridge is a member; the ICB not)
    "subregion.view": {"anonymous": 401, "wrong_org": 403, "wrong_role": 200, "right_role": 200},
    # A consultation's officer or admin only (a DPO is not): tests/integration/
    # test_consult_officer_web.py signs in as the officer, and as another council's (404).
    "consult.manage": {"anonymous": 401, "wrong_org": 403, "wrong_role": 403, "right_role": 403},
    "consult.results": {"anonymous": 401, "wrong_org": 403, "wrong_role": 403,
                        "right_role": 403},
    # Drafting an agreement: a data protection officer of the organisation acted for (the ICB's
    # too); tests/integration/test_agreements_web_manage.py takes it further.
    "agreement.create": {"anonymous": 401, "wrong_org": 200, "wrong_role": 403,
                         "right_role": 200},
    "plan.list": {"anonymous": 401, "wrong_org": 200, "wrong_role": 200, "right_role": 200},
    # no plan in this database: signed-in people learn it does not exist, nobody sees one
    "plan.view": {"anonymous": 401, "wrong_org": 404, "wrong_role": 404, "right_role": 404},
    "plan.edit": {"anonymous": 401, "wrong_org": 404, "wrong_role": 404, "right_role": 404},
    # The residents index: none of these personas holds a residents role (the DPO is no
    # caseworker, reviewer or analyst); tests/integration/test_residents_web.py signs in those.
    "residents.lookup": {"anonymous": 401, "wrong_org": 403, "wrong_role": 403,
                         "right_role": 403},
    "residents.review": {"anonymous": 401, "wrong_org": 403, "wrong_role": 403,
                         "right_role": 403},
    "residents.aggregate": {"anonymous": 401, "wrong_org": 403, "wrong_role": 403,
                            "right_role": 403},
}

#: persona -> markers that must not appear in any body it receives.
FORBIDDEN = {"anonymous": (SECRET_ITEM, SECRET_AUDIT, SECRET_UPLOAD),
             "wrong_org": (SECRET_ITEM, SECRET_AUDIT, SECRET_UPLOAD),
             "wrong_role": (SECRET_AUDIT,), "right_role": ()}

SAMPLES = {"{code}": CAMBRIDGE, "{dataset_id}": "1", "{agreement_id}": "1",
           "{token}": "not-a-real-token", "{hub_code}": HUB,
           "{slug}": "no-such-slug", "{reference}": "NONE", "{response_id}": "1",
           "{purpose}": "prevention", "{resident_id}": "R000000001", "{household_key}": "0" * 64,
           "{pair_key}": "0" * 32}


@pytest.fixture(scope="module")
def app(loaded_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp('matrix')
    url = f"sqlite:///{folder / 'app.sqlite'}"
    hub = folder / "hub.duckdb"
    shutil.copy(loaded_db, hub)
    data, meta = folder / "marker.csv", folder / "marker.yaml"
    meta.write_text(f"- id: fixture.matrix_marker\n  title: {SECRET_UPLOAD} indicator\n"
                    "  unit: count\n  theme: environment\n", encoding="utf-8")
    data.write_text("area_code,period,indicator_id,value\n"
                    "E07000008,2022-23,fixture.matrix_marker,97531\n", encoding="utf-8")
    with open_store(hub) as store:  # test data, private to Cambridge
        load_file(store, data, metadata=meta, owner_org=CAMBRIDGE, title=SECRET_UPLOAD)
    engine = make_engine(url)
    upgrade(engine)
    populate(engine)
    with session_factory(engine)() as s, s.begin():
        agreements.add(s, agreements.Terms(
            title="Shared planning", purpose="Joint planning", parties=(CAMBRIDGE, SOUTH_CAMBS),
            items=(SECRET_ITEM,), article6_basis="public_task", start_date=date(2026, 1, 1),
            end_date=date(2030, 1, 1)))
        audit.record(s, "dpo@cambridge.example", "test.marker", SECRET_AUDIT,
                     acting_for=CAMBRIDGE)
    engine.dispose()
    return create_app(settings_for(hub, url))


@pytest.fixture(scope="module")
def clients(app):
    made = {}
    for persona, email in PERSONAS.items():
        client = TestClient(app)
        if email:
            assert sign_in(client, email).status_code == 303
        made[persona] = client
    return made


def url_of(path: str) -> str:
    for name, value in SAMPLES.items():
        path = path.replace(name, value)
    return path


def table(app):
    return [(m, p, r) for m, p, r in routes(app)]


def test_every_route_has_a_rule_and_every_rule_a_route(app):
    found = {(m, p) for m, p, _ in table(app)}
    missing = sorted(found - set(RULES))
    assert not missing, f"routes with no rule in web/access/rules.py: {missing}"
    stale = sorted(set(RULES) - found)
    assert not stale, f"rules for routes that do not exist: {stale}"


def test_every_protected_route_enforces_its_rule(app):
    for method, path, route in table(app):
        action = RULES[(method, path)]
        named = required_actions(route)
        if action in OPEN_ACTIONS:
            assert not named, f"{method} {path} is public but requires {named}"
        else:
            assert named == {action}, f"{method} {path} must require {action}, not {named}"


def test_every_action_on_a_page_has_expected_statuses():
    missing = {a for (m, _), a in RULES.items() if m == "GET"} - set(EXPECTED)
    assert not missing, f"no expected statuses for {sorted(missing)}"


GET_ROUTES = sorted(p for (m, p) in RULES if m == "GET")


@pytest.mark.parametrize("path", GET_ROUTES)
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_get_route_answers_each_persona_as_its_rule_says(clients, persona, path):
    response = clients[persona].get(url_of(path), follow_redirects=False)
    expected = EXPECTED[RULES[("GET", path)]][persona]
    if expected is None:
        assert response.status_code not in (401, 403), (persona, path, response.status_code)
        assert response.status_code < 500, response.text[:300]
    else:
        assert response.status_code == expected, (persona, path, response.status_code)
    for marker in FORBIDDEN[persona]:
        assert marker not in response.text, f"{marker} leaked to {persona} at {path}"


POST_ROUTES = sorted(p for (m, p) in RULES if m == "POST")


@pytest.mark.parametrize("path", POST_ROUTES)
def test_post_route_needs_a_csrf_token_and_its_rule(app, path):
    client = TestClient(app)
    if path in CSRF_EXEMPT_JSON:  # JSON only and records nothing: a form is refused
        refused = client.post(url_of(path), data={"x": "1"})
        assert refused.status_code == 403
        return
    no_token = client.post(url_of(path), data={}, follow_redirects=False)
    assert no_token.status_code == 403 and "nothing was changed" in no_token.text
    token = csrf_of(client)
    response = client.post(url_of(path), data={"csrf_token": token}, follow_redirects=False)
    action = RULES[("POST", path)]
    if action in OPEN_ACTIONS:
        # the form is empty: a message, nothing changed (a JSON-only route refuses a form)
        assert response.status_code in (400, 404), response.text[:300]
    else:
        assert response.status_code == 401


def test_the_private_upload_marker_is_there_for_its_owner_only(clients):
    """The no-leak checks above are not vacuous: Cambridge's people do see the marker."""
    assert SECRET_UPLOAD in clients["right_role"].get("/uploads").text
    assert SECRET_UPLOAD in clients["right_role"].get("/datasets").text
    assert SECRET_UPLOAD in clients["wrong_role"].get(f"/council/{CAMBRIDGE}").text
    assert SECRET_UPLOAD not in clients["wrong_org"].get("/uploads").text
