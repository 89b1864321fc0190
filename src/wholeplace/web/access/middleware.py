"""Resolve the session cookie into ``request.state.actor`` (None when anonymous), check CSRF on
every state-changing request, and add security headers to every response."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wholeplace.access import sessions
from wholeplace.access.actor import Actor
from wholeplace.access.tokens import keyed_hash
from wholeplace.appdb import utcnow
from wholeplace.errors import ConfigError
from wholeplace.hub.visibility import Viewer
from wholeplace.web.access.state import RequestSession
from wholeplace.web.access.viewer import viewer_in
from wholeplace.web.deps import StoreProvider

COOKIE = "wholeplace_session"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # The one inline script is the GOV.UK Design System's js-enabled line in base.html and
    # consult/base.html, allowed by its hash (tests/integration/test_web.py checks it), so an
    # injected inline script or event handler does not run.
    "Content-Security-Policy": "default-src 'self'; script-src 'self' "
                               "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
}


CSP = "Content-Security-Policy"


def _csp(state: object) -> str:
    """The content security policy; with OpenID Connect set up, forms may also lead to the
    identity provider (the sign-in and sign-out buttons post here and are redirected there,
    and browsers hold a redirect after a form to ``form-action``)."""
    provider = getattr(state, "oidc", None)
    if provider is None:
        return HEADERS[CSP]
    parts = urlsplit(provider.config.issuer)
    return HEADERS[CSP].replace("form-action 'self'",
                                f"form-action 'self' {parts.scheme}://{parts.netloc}")


def resolve(factory: sessionmaker[Session], secret: str,
            token: str | None) -> tuple[RequestSession | None, Actor | None]:
    """The session and actor a cookie's token stands for (an expired one is removed)."""
    web, actor, _ = resolve_request(factory, secret, token, None)
    return web, actor


def resolve_request(factory: sessionmaker[Session], secret: str, token: str | None,
                    stores: StoreProvider | None, idle: timedelta | None = None
                    ) -> tuple[RequestSession | None, Actor | None, Viewer | None]:
    """Everything the access layer needs for one request, on one connection to the
    application database: the session and actor the cookie stands for, and (given the hub's
    ``stores``) the :class:`Viewer` they read the hub as. Two reads (the session with the
    person and their roles; the agreements in force for the organisation acted for); it
    writes and commits only to remove a dead session (expired, or unused for ``idle``) or to
    stamp a live one as seen (at most once a minute)."""
    if not token:
        return None, None, None
    with factory() as s:
        view = sessions.lookup(s, secret, token, idle=idle)
        if view is None or view.touched:
            s.commit()  # a dead session's row removed, or a live one stamped as seen
        if view is None:
            return None, None, None
        web = RequestSession(token, view.id_hash, view.csrf, view.user_id, view.acting_org_id)
        actor = view.actor
        if view.user_id is None and view.expires_at is not None and view.seen_at is not None:
            sessions.LIVE.remember(view.id_hash, view.csrf, view.expires_at, view.seen_at)
        if actor is None or stores is None:
            return web, actor, None
        return web, actor, _viewer(s, stores, actor)


def remembered(secret: str, token: str | None,
               idle: timedelta | None) -> RequestSession | None:
    """The anonymous session a cookie's token stands for, if this process remembers it as
    live (access/anonymous.py): no database read, no worker thread."""
    if not token or len(token) > 100:
        return None
    id_hash = keyed_hash(secret, token)
    found = sessions.LIVE.recall(id_hash, utcnow(), idle)
    return None if found is None else RequestSession(token, id_hash, found.csrf, None, None)


def _viewer(session: Session, stores: StoreProvider, actor: Actor) -> Viewer:
    """The hub as ``actor`` may read it (their organisation's data and what agreements in force
    share with it); their organisation alone when the hub cannot be opened yet."""
    try:
        store = stores.cursor()
    except ConfigError:
        return viewer_in(session, actor, None)
    try:
        return viewer_in(session, actor, store)
    finally:
        store.close()


class AccessMiddleware:
    """A plain ASGI middleware (cheaper per request than ``@app.middleware("http")``, which
    runs the app in a task and streams its response through a queue): resolves the session,
    actor and viewer into ``request.state`` and adds the security headers to the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        state = request.app.state
        token = request.cookies.get(COOKIE)
        idle = timedelta(minutes=state.settings.session_idle_minutes)
        web = remembered(state.secret, token, idle)
        actor: Actor | None = None
        viewer: Viewer | None = None
        if web is None and token:
            web, actor, viewer = await run_in_threadpool(
                resolve_request, state.appdb, state.secret, token, state.stores, idle)
        request.state.web_session = web
        request.state.actor = actor
        if viewer is not None:
            request.state.viewer = viewer

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value if name != CSP else _csp(state))
                if web is not None:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


def install(app: FastAPI) -> None:
    app.add_middleware(AccessMiddleware)
