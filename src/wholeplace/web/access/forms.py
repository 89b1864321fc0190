"""A session for an anonymous visitor's form: the CSRF synchronizer token needs a session, so a
visitor without one gets an anonymous session (no person) when a form is first shown."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request, Response
from sqlalchemy.orm import Session, sessionmaker

from wholeplace.access import sessions
from wholeplace.web.access.middleware import COOKIE
from wholeplace.web.access.state import RequestSession, session_of_request

#: How long an anonymous form session lasts.
ANONYMOUS_LIFETIME = timedelta(hours=1)


def form_token(request: Request) -> str:
    """The token to put in a form, creating an anonymous session when there is none (the
    cookie is then set by :func:`set_session_cookie`)."""
    current = session_of_request(request)
    if current is not None:
        return current.csrf
    factory: sessionmaker[Session] = request.app.state.appdb
    with factory() as s, s.begin():
        sessions.purge_expired(s)
        token, web = sessions.create(s, request.app.state.secret, ANONYMOUS_LIFETIME)
        request.state.web_session = RequestSession(token, web.id_hash, web.csrf_token, None,
                                                   None)
        request.state.new_session_token = token
    # committed: the visitor's next requests need not read it back (access/anonymous.py)
    sessions.LIVE.remember(web.id_hash, web.csrf_token, web.expires_at, web.created_at)
    return web.csrf_token


def set_session_cookie(request: Request, response: Response, token: str,
                       lifetime: timedelta) -> None:
    response.set_cookie(COOKIE, token, max_age=int(lifetime.total_seconds()), httponly=True,
                        samesite="lax", path="/",
                        secure=request.app.state.settings.cookie_secure)


def set_new_session_cookie(request: Request, response: Response) -> None:
    """Set the cookie of an anonymous session created during this request, if any."""
    token = getattr(request.state, "new_session_token", None)
    if token:
        set_session_cookie(request, response, token, ANONYMOUS_LIFETIME)
