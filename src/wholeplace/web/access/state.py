"""What the middleware leaves on ``request.state`` for one request."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from wholeplace.access.actor import Actor


@dataclass(frozen=True)
class RequestSession:
    """The live server-side session of this request (anonymous sessions carry only CSRF)."""

    token: str
    id_hash: str
    csrf: str
    user_id: int | None
    acting_org_id: int | None


def actor_of_request(request: Request) -> Actor | None:
    return getattr(request.state, "actor", None)


def session_of_request(request: Request) -> RequestSession | None:
    return getattr(request.state, "web_session", None)


def csrf_token(request: Request) -> str:
    """The synchronizer token for this request's forms ('' before a session exists)."""
    session = session_of_request(request)
    return session.csrf if session else ""
