"""Resolve the session cookie into ``request.state.actor`` (None when anonymous), check CSRF on
every state-changing request, and add security headers to every response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from wholeplace.access import sessions
from wholeplace.access.actor import Actor
from wholeplace.errors import ConfigError
from wholeplace.hub.visibility import Viewer
from wholeplace.web.access.state import RequestSession
from wholeplace.web.access.viewer import viewer_for

COOKIE = "wholeplace_session"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
}


def resolve(factory: sessionmaker[Session], secret: str,
            token: str | None) -> tuple[RequestSession | None, Actor | None]:
    """The session and actor a cookie's token stands for (an expired one is removed)."""
    if not token:
        return None, None
    with factory() as s, s.begin():
        view = sessions.lookup(s, secret, token)
    if view is None:
        return None, None
    return RequestSession(token, view.id_hash, view.csrf, view.user_id,
                          view.acting_org_id), view.actor


def _viewer(request: Request, actor: Actor) -> Viewer:
    """The hub as ``actor`` may read it (their organisation's data and what agreements in force
    share with it); their organisation alone when the hub cannot be opened yet."""
    try:
        store = request.app.state.stores.cursor()
    except ConfigError:
        org = actor.acting_for
        return Viewer(org_codes=frozenset({org})) if org else Viewer.public()
    try:
        return viewer_for(actor, request.app.state.appdb, store)
    finally:
        store.close()


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def access(request: Request,
                     call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        state = request.app.state
        web, actor = await run_in_threadpool(resolve, state.appdb, state.secret,
                                             request.cookies.get(COOKIE))
        request.state.web_session = web
        request.state.actor = actor
        if actor is not None:
            request.state.viewer = await run_in_threadpool(_viewer, request, actor)
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if web is not None:
            response.headers.setdefault("Cache-Control", "no-store")
        return response
