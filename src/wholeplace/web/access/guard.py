"""Permission and CSRF checks as FastAPI dependencies. Routes never test roles themselves:
``Depends(require("audit.view", own_org))`` asks :func:`wholeplace.access.policy.allowed`."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi import Request

from wholeplace.access.actor import Actor
from wholeplace.access.policy import Resource, allowed
from wholeplace.access.tokens import same
from wholeplace.errors import WholeplaceError
from wholeplace.web.access.state import actor_of_request, session_of_request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInRequired(WholeplaceError):
    status_code = 401


class AccessDenied(WholeplaceError, PermissionError):
    status_code = 403


class CsrfError(WholeplaceError):
    status_code = 403


def acting_org(request: Request) -> Resource:
    """The organisation the person acts for, as a resource."""
    from wholeplace.access.policy import Org

    actor = actor_of_request(request)
    return Org(actor.acting_for) if actor and actor.acting_for else None


class require:  # a class used like a function: Depends(require("audit.view", acting_org))
    """A dependency that lets the request through only if the policy allows ``action``.

    ``action`` stays readable on the dependency, so the access-matrix test can check that a
    route enforces the rule web/access/rules.py gives it."""

    def __init__(self, action: str,
                 resource: Callable[[Request], Resource] | None = None) -> None:
        self.action = action
        self.resource = resource

    def __call__(self, request: Request) -> Actor | None:
        actor = actor_of_request(request)
        target = self.resource(request) if self.resource else None
        if allowed(actor, self.action, target):
            return actor
        if actor is None:
            raise SignInRequired("You need to sign in to see this page. Sign in, then try "
                                 "again.")
        from wholeplace.web.access.audit_views import record_refusal

        record_refusal(request, actor, self.action)
        raise AccessDenied("Your role in the organisation you are acting for does not allow "
                           "this. Choose another organisation, or ask its administrator.")


#: POST routes that change nothing and accept only ``application/json`` (which a browser will
#: not send cross-site without a CORS preflight this app never grants): no token needed.
CSRF_EXEMPT_JSON = frozenset({"/consult/preview.json"})


async def _submitted_token(request: Request) -> str | None:
    sent = request.headers.get("x-csrf-token")
    if sent is not None:
        return sent
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    already_parsed = getattr(request, "_form", None) is not None  # a route with Form fields
    if kind == "application/x-www-form-urlencoded" and not already_parsed:
        # Read from the (cached) raw body, so the route still sees every byte as sent and
        # can refuse an oversized or non-UTF-8 form itself; the token is plain ASCII.
        body = (await request.body()).decode("latin-1")
        values = parse_qs(body, max_num_fields=1000).get("csrf_token")
        return values[0] if values else None
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def csrf_protect(request: Request) -> None:
    """Every POST, PUT, PATCH and DELETE must carry the session's synchronizer token, in the
    form field ``csrf_token`` or the ``X-CSRF-Token`` header."""
    if request.method in SAFE_METHODS:
        return
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if request.url.path in CSRF_EXEMPT_JSON and kind == "application/json":
        return
    session = session_of_request(request)
    try:
        sent = await _submitted_token(request)
    except ValueError:
        sent = None
    if session is None or not sent or not same(sent, session.csrf):
        raise CsrfError("This form has expired or did not come from this service (its "
                        "security token is missing or wrong), so nothing was changed. Go "
                        "back, reload the page and try again.")
