"""Resolve the session cookie into ``request.state.actor`` (None when anonymous), check CSRF on
every state-changing request, and add security headers to every response."""

from __future__ import annotations

from fastapi import FastAPI, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class AccessMiddleware:
    """A plain ASGI middleware (cheaper per request than ``@app.middleware("http")``, which
    runs the app in a task and streams its response through a queue): resolves the session
    into ``request.state`` and adds the security headers to the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        state = request.app.state
        web, actor = await run_in_threadpool(resolve, state.appdb, state.secret,
                                             request.cookies.get(COOKIE))
        request.state.web_session = web
        request.state.actor = actor
        if actor is not None:
            request.state.viewer = await run_in_threadpool(_viewer, request, actor)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if web is not None:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


def install(app: FastAPI) -> None:
    app.add_middleware(AccessMiddleware)
