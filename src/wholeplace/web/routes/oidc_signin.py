"""Sign in with the organisation's own account (OpenID Connect), when it is configured.

``POST /sign-in/oidc`` (the button on the sign-in page, with the CSRF token) sends the person
to the identity provider; ``GET /sign-in/oidc/callback`` finishes: the same server-side session
as a password sign-in, or the sign-in page with a message saying what went wrong. Both are
audited. Without WHOLEPLACE_OIDC_ISSUER both answer 404.

Signing out of a session that signed in this way also ends the provider's session when its
discovery document advertises an ``end_session_endpoint``: ``POST /sign-out`` then sends the
person there (RP-initiated logout, with ``id_token_hint`` and ``post_logout_redirect_uri``),
and the provider sends them back to ``/signed-out``."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from wholeplace.access import audit, organisations, sessions
from wholeplace.access.models import WebSession
from wholeplace.config import is_development
from wholeplace.errors import NotFoundError
from wholeplace.oidc import flow
from wholeplace.oidc.provider import Provider
from wholeplace.web.access import COOKIE
from wholeplace.web.access.state import session_of_request
from wholeplace.web.render import render

router = APIRouter(include_in_schema=False)


def _provider(request: Request) -> Provider:
    provider: Provider | None = getattr(request.app.state, "oidc", None)
    if provider is None:
        raise NotFoundError("Signing in with an organisation's account is not set up on this "
                            "service. Sign in with your email address and password.")
    return provider


def _redirect_uri(request: Request, provider: Provider) -> str:
    return provider.config.redirect_uri or str(request.url_for("oidc_callback"))


def _db(request: Request) -> Session:
    factory: sessionmaker[Session] = request.app.state.appdb
    return factory()


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _refused(request: Request, exc: flow.OidcRefused) -> Response:
    return render(request, "sign_in.html", {"title": "Sign in", "email": "", "next": "/",
                                            "notice": None, "errors": [("oidc", exc.message)]},
                  status_code=exc.status_code)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.post("/sign-in/oidc")
def oidc_start(request: Request, next: str = Form("/", max_length=2000)) -> Response:
    provider = _provider(request)
    web = session_of_request(request)
    assert web is not None  # csrf_protect let the request through, so it has a session
    refused: flow.OidcRefused | None = None
    with _db(request) as s, s.begin():
        try:
            url = flow.begin(s, provider, request.app.state.secret, web.id_hash,
                             _redirect_uri(request, provider), _safe_next(next))
        except flow.OidcRefused as exc:
            audit.record(s, None, "sign_in.failed", None, ip=_ip(request),
                         detail={"method": "oidc", "reason": exc.reason})
            refused = exc
    if refused is not None:
        return _refused(request, refused)
    return RedirectResponse(url, status_code=303)


@router.get("/sign-in/oidc/callback", name="oidc_callback")
def oidc_callback(request: Request, state: str | None = None, code: str | None = None,
                  error: str | None = None) -> Response:
    provider = _provider(request)
    web = session_of_request(request)
    settings = request.app.state.settings
    with _db(request) as s, s.begin():
        try:
            done = flow.finish(s, provider, request.app.state.secret, state=state, code=code,
                               error=error, session_hash=web.id_hash if web else None,
                               redirect_uri=_redirect_uri(request, provider),
                               allow_demonstration=is_development(settings))
        except flow.OidcRefused as exc:
            audit.record(s, None, "sign_in.failed", exc.email, ip=_ip(request),
                         detail={"method": "oidc", "reason": exc.reason})
            return _refused(request, exc)
        if web is not None:  # rotate: the pre-sign-in id never becomes a signed-in one
            stale = s.get(WebSession, web.id_hash)
            if stale is not None:
                sessions.end(s, stale)
        acting = organisations.find(s, done.organisations[0]) \
            if len(done.organisations) == 1 else None
        lifetime = timedelta(minutes=settings.session_minutes)
        token, new = sessions.create(s, request.app.state.secret, lifetime, done.user.id,
                                     acting.id if acting else None)
        flow.remember_sign_in(s, provider, new.id_hash, done.id_token)
        audit.record(s, done.user.email, "sign_in", done.user.email, ip=_ip(request),
                     acting_for=acting.code if acting else None,
                     detail={"method": "oidc", "issuer": provider.config.issuer})
    target = done.next_path if acting is not None else "/choose-organisation"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token, max_age=int(lifetime.total_seconds()), httponly=True,
                        samesite="lax", path="/", secure=settings.cookie_secure)
    return response


def post_logout_redirect_uri(request: Request, provider: Provider) -> str:
    """Where the provider sends the person back after its logout: this service's signed-out
    page, on the same origin as the configured redirect URI when there is one (so it is the
    address registered with the provider, also behind a proxy)."""
    configured = provider.config.redirect_uri
    if configured:
        parts = urlsplit(configured)
        return urlunsplit((parts.scheme, parts.netloc, "/signed-out", "", ""))
    return str(request.url_for("signed_out"))


def provider_logout(request: Request, session: Session, session_hash: str) -> str | None:
    """The provider's end-session address for a person signing out, if they signed in through
    it and it advertises one (see :func:`wholeplace.oidc.flow.logout_url`)."""
    provider: Provider | None = getattr(request.app.state, "oidc", None)
    if provider is None:
        return None
    return flow.logout_url(session, provider, session_hash,
                           post_logout_redirect_uri(request, provider))
