"""CSRF protection for forms by the double-submit cookie: a random token in a cookie, the same
token in a hidden field; a POST is accepted only when both are present and equal.

Isolated here so the access layer's own CSRF protection can replace it in one place.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from wholeplace.errors import InputError

COOKIE = "wholeplace_csrf"
FIELD = "csrf_token"


class CsrfError(InputError):
    """A form arrived without the token it was given, or with another one."""

    status_code = 403


def token_for(request: Request) -> str:
    """The token to put in a form: the browser's cookie if it has a good one, else a new one."""
    current = request.cookies.get(COOKIE, "")
    return current if len(current) >= 32 else secrets.token_urlsafe(32)


def set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")


def check(request: Request, submitted: str | None) -> None:
    """Raise CsrfError unless the form's token matches the cookie."""
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or not submitted or not secrets.compare_digest(cookie, submitted):
        raise CsrfError("This form has expired or did not come from this site (its security "
                        "token is missing or wrong). Go back, reload the page and try again.")
