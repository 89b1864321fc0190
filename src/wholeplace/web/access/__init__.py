"""The web edge of the access layer: who is asking (a middleware resolving the session cookie
into ``request.state.actor``), CSRF protection on every state-changing request (one app-wide
dependency), and ``require(action)`` (the only way a route checks permissions)."""

from wholeplace.web.access.guard import AccessDenied, SignInRequired, require
from wholeplace.web.access.middleware import COOKIE, install
from wholeplace.web.access.state import RequestSession, actor_of_request, csrf_token

__all__ = ["COOKIE", "AccessDenied", "RequestSession", "SignInRequired", "actor_of_request",
           "csrf_token", "install", "require"]
