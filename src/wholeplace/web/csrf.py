"""CSRF protection for forms, now the access layer's: the session's synchronizer token in a
hidden field, checked for every state-changing request by
:func:`wholeplace.web.access.guard.csrf_protect`. This module keeps the names the consultation
pages use (``token_for``, ``set_cookie``, ``check``, ``FIELD``)."""

from __future__ import annotations

from fastapi import Request, Response

from wholeplace.access.tokens import same
from wholeplace.web.access.forms import form_token, set_new_session_cookie
from wholeplace.web.access.guard import CsrfError
from wholeplace.web.access.state import session_of_request

FIELD = "csrf_token"

__all__ = ["FIELD", "CsrfError", "check", "set_cookie", "token_for"]


def token_for(request: Request) -> str:
    """The token to put in a form (an anonymous visitor is given a session to carry it)."""
    return form_token(request)


def set_cookie(request: Request, response: Response, token: str) -> None:
    """Set the session cookie if this request created the session behind ``token``."""
    set_new_session_cookie(request, response)


def check(request: Request, submitted: str | None) -> None:
    """Raise CsrfError unless the form's token is this session's (the app-wide dependency has
    already checked it; this keeps the check beside the form that needs it)."""
    current = session_of_request(request)
    if current is None or not submitted or not same(submitted, current.csrf):
        raise CsrfError("This form has expired or did not come from this service (its "
                        "security token is missing or wrong), so nothing was changed. Go "
                        "back, reload the page and try again.")
