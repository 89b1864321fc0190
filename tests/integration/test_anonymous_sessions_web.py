"""Anonymous sessions remembered by the web process (access/anonymous.py), on SQLite and
PostgreSQL: the remembered CSRF token is the stored one, and a session this process ends (at
sign-in, where the anonymous session is replaced) is not accepted again."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.access_support import sign_in, token_in
from wholeplace.access import sessions
from wholeplace.access.tokens import keyed_hash
from wholeplace.web.access import COOKIE


def test_a_remembered_anonymous_session_keeps_its_stored_token(web):
    first = token_in(web.get("/sign-in").text)
    anonymous = web.cookies.get(COOKIE)
    assert sessions.LIVE.recall(keyed_hash(web.app.state.secret, anonymous),
                                sessions.utcnow()) is not None
    assert token_in(web.get("/sign-in").text) == first
    with web.app.state.appdb() as s:
        stored = sessions.lookup(s, web.app.state.secret, anonymous)
    assert stored is not None and stored.csrf == first


def test_an_anonymous_session_replaced_at_sign_in_is_refused_afterwards(web):
    old_token = token_in(web.get("/sign-in").text)
    old_cookie = web.cookies.get(COOKIE)
    assert sign_in(web, "dpo@cambridge.example").status_code == 303
    assert sessions.LIVE.recall(keyed_hash(web.app.state.secret, old_cookie),
                                sessions.utcnow()) is None
    other = TestClient(web.app)
    other.cookies.set(COOKIE, old_cookie)
    refused = other.post("/sign-in", data={"email": "dpo@cambridge.example",
                                           "password": "x", "csrf_token": old_token})
    assert refused.status_code == 403


def test_a_session_remembered_again_before_its_end_is_committed_is_forgotten_at_commit(
        app_engine):
    from datetime import timedelta

    from wholeplace.appdb import session_factory

    with session_factory(app_engine)() as s, s.begin():
        _token, web_session = sessions.create(s, "s" * 32, timedelta(hours=1))
    id_hash = web_session.id_hash
    with session_factory(app_engine)() as s:
        with s.begin():
            found = s.get(type(web_session), id_hash)
            sessions.end(s, found)
            # a concurrent request read the row before the deletion was committed
            sessions.LIVE.remember(id_hash, "csrf", sessions.utcnow() + timedelta(hours=1),
                                   sessions.utcnow())
            assert sessions.LIVE.recall(id_hash, sessions.utcnow()) is not None
        assert sessions.LIVE.recall(id_hash, sessions.utcnow()) is None
