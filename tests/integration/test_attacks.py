"""Bad input and attacks on the signed-in web app: SQL metacharacters in every search, filter
and path parameter (generated from the app's own route table), and oversized or malformed
bodies. Each gets a clear answer (never a server error or a database message) and changes
nothing."""

from __future__ import annotations

import typing
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.access_support import CAMBRIDGE, populate, settings_for, sign_in, token_in
from wholeplace.access import users
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.web.access import COOKIE
from wholeplace.web.access.rules import routes
from wholeplace.web.app import create_app

PAYLOADS = ("' OR '1'='1", "\"; DROP TABLE places; --", "%", "_", "\\", "1; SELECT 1",
            "E07000008' --", "*/ UNION SELECT * FROM datasets /*")
#: What a database or a traceback would leak into a body.
LEAKS = ("Binder Error", "Parser Error", "Catalog Error", "syntax error", "OperationalError",
         "ProgrammingError", "Traceback", "sqlite3.", "duckdb.", "psycopg")
HUB_TABLES = ("places", "datasets", "observations", "indicators")


def _text_like(annotation: object) -> bool:
    """A str (or optional str, or list of str) parameter: a search or a free filter."""
    if annotation is str:
        return True
    args = typing.get_args(annotation)
    return bool(args) and any(_text_like(a) for a in args if a is not type(None))


def text_parameters(app) -> list[tuple[str, str]]:
    """(path, query parameter) for every free-text query parameter of every GET route."""
    found = []
    for method, path, route in routes(app):
        dependant = getattr(route, "dependant", None)
        if method != "GET" or dependant is None:
            continue
        for param in dependant.query_params:
            if _text_like(param.field_info.annotation):
                found.append((path, param.name))
    return found


def path_routes(app) -> list[str]:
    return sorted({p for m, p, _ in routes(app) if m == "GET" and "{" in p})


@pytest.fixture(scope="module")
def attacked(loaded_db, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('attacks') / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    populate(engine)
    engine.dispose()
    app = create_app(settings_for(loaded_db, url))
    with TestClient(app) as client:
        assert sign_in(client, "dpo@cambridge.example").status_code == 303
        yield app, client


def hub_counts(app) -> dict[str, int]:
    with app.state.stores.cursor() as store:
        return {t: store.scalar(f"SELECT count(*) FROM {t}") for t in HUB_TABLES}


def check(response, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, response.text[:300])
    for leak in LEAKS:
        assert leak not in response.text, (where, leak)


def test_the_route_table_has_searches_and_filters_to_attack(attacked):
    app, _ = attacked
    params = text_parameters(app)
    assert ("/search", "q") in params and ("/api/councils", "region") in params
    assert len(params) >= 10


def test_sql_metacharacters_in_every_search_and_filter_change_nothing(attacked):
    app, client = attacked
    before = hub_counts(app)
    for path, name in text_parameters(app):
        target = path.replace("{code}", CAMBRIDGE).replace("{dataset_id}", "1")
        for payload in PAYLOADS:
            check(client.get(f"{target}?{name}={quote(payload)}", follow_redirects=False),
                  f"{target}?{name}={payload}")
    assert hub_counts(app) == before


def test_sql_metacharacters_in_every_path_parameter_change_nothing(attacked):
    app, client = attacked
    before = hub_counts(app)
    for path in path_routes(app):
        for payload in PAYLOADS:
            target = path
            for name in ("{code}", "{dataset_id}", "{agreement_id}", "{token}"):
                target = target.replace(name, quote(payload, safe=""))
            check(client.get(target, follow_redirects=False), f"{path} with {payload}")
    assert hub_counts(app) == before


def test_a_search_for_metacharacters_matches_them_literally(attacked):
    _, client = attacked
    assert "Cambridge" in client.get("/api/search?q=cambridge").text
    for payload in ("' OR '1'='1", "%", "_"):
        body = client.get(f"/api/search?q={quote(payload)}").text
        assert "Cambridge" not in body, payload  # no pattern, no injected condition


def signed_in_sessions(engine) -> int:
    import sqlalchemy as sa

    with engine.connect() as c:
        return c.execute(sa.text("SELECT count(*) FROM web_sessions "
                                 "WHERE user_id IS NOT NULL")).scalar_one()


def test_oversized_and_malformed_sign_in_bodies_are_refused(web, app_engine):
    token = token_in(web.get("/sign-in").text)
    huge = web.post("/sign-in", data={"email": "x" * 100_000, "password": "p",
                                      "csrf_token": token}, follow_redirects=False)
    assert huge.status_code == 400 and "at most 320 characters" in huge.text
    big = web.post("/sign-in", data={"email": "dpo@cambridge.example", "password": "y" * 5000,
                                     "csrf_token": token}, follow_redirects=False)
    assert big.status_code == 400 and "at most 1024 characters" in big.text
    raw = web.post("/sign-in", content=b"csrf_token=" + token.encode()
                   + b"&email=\xff\xfe&password=\xc3", follow_redirects=False,
                   headers={"content-type": "application/x-www-form-urlencoded"})
    assert raw.status_code == 400, raw.text[:300]
    multipart = web.post("/sign-in", content=b"--nope\r\n\r\nbroken",
                         headers={"content-type": "multipart/form-data; boundary=xyz",
                                  "x-csrf-token": token}, follow_redirects=False)
    assert multipart.status_code == 400, multipart.text[:300]
    json_body = web.post("/sign-in", content=b'{"email": "dpo@cambridge.example"}',
                         headers={"content-type": "application/json"})
    assert json_body.status_code == 403 and "nothing was changed" in json_body.text
    assert COOKIE not in huge.headers.get("set-cookie", "")
    assert signed_in_sessions(app_engine) == 0


def test_oversized_admin_forms_change_nothing(web, app_engine):
    from wholeplace.access import memberships, organisations

    with session_factory(app_engine)() as s, s.begin():
        admin = users.add(s, "admin@cambridge.example", "Admin", "correct horse battery staple")
        memberships.grant(s, admin, organisations.get(s, CAMBRIDGE), "admin")
    assert sign_in(web, "admin@cambridge.example").status_code == 303
    page = f"/admin/organisations/{CAMBRIDGE}/people"
    token = token_in(web.get(page).text)
    with session_factory(app_engine)() as s:
        before = [users.as_row(u) for u in users.all_users(s)]
    huge = web.post(page, data={"email": "a@b.example", "display_name": "n" * 300_000,
                                "role": "viewer", "csrf_token": token})
    assert huge.status_code == 400 and "at most 200 characters" in huge.text
    raw = web.post(page, content=b"csrf_token=" + token.encode() + b"&email=\xff&role=viewer",
                   headers={"content-type": "application/x-www-form-urlencoded"})
    assert raw.status_code == 400, raw.text[:300]
    with session_factory(app_engine)() as s:
        assert [users.as_row(u) for u in users.all_users(s)] == before
