"""The resident's side of a consultation at the web edge: the per-client rate limit and the
in-flight gate (429 / 503 with Retry-After), the browser cookie (stored only as a keyed hash),
and reading a form body strictly (size, UTF-8, well-formed).

Limits are set by environment variables, read once per app:
``WHOLEPLACE_CONSULT_RATE`` (requests a second per client address, default 2),
``WHOLEPLACE_CONSULT_BURST`` (default 20) and ``WHOLEPLACE_CONSULT_MAX_INFLIGHT`` (submissions
being written at once before new ones get 503, default 64). The buckets live in this process:
enough for one server, which sees every request; several processes or servers need a shared
counter (Redis) or the reverse proxy's limit (nginx ``limit_req``) instead.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from fastapi import Request, Response

from wholeplace.access.tokens import keyed_hash, new_token
from wholeplace.consult.abuse import TokenBucket, retry_after
from wholeplace.consult.writer import GroupWriter
from wholeplace.errors import ConfigError, InputError, WholeplaceError

#: The cookie that counts one response per browser (a random token; only its hash is kept).
COOKIE = "wp_consult"
COOKIE_DAYS = 365
MAX_FIELDS = 200


class Refused(WholeplaceError):
    """Too many requests (429) or too busy (503); carries the seconds to wait."""

    def __init__(self, message: str, status_code: int, wait: float) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after(wait)


@dataclass
class Limits:
    bucket: TokenBucket
    max_inflight: int
    inflight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, client: str) -> None:
        """Raise Refused (429) when this client is over its rate."""
        wait = self.bucket.take(client, time.monotonic())
        if wait > 0:
            raise Refused("You have sent a lot of answers in a short time, so this one was not "
                          "recorded. Wait a moment and try again.", 429, wait)

    def enter(self) -> None:
        """Raise Refused (503) when too many submissions are being written already."""
        with self.lock:
            if self.inflight >= self.max_inflight:
                raise Refused("The service is very busy, so your answer was not recorded. "
                              "Wait a moment and send it again.", 503, 1.0)
            self.inflight += 1

    def leave(self) -> None:
        with self.lock:
            self.inflight -= 1


def _number(name: str, default: float) -> float:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        return float(text)
    except ValueError as exc:
        raise ConfigError(f"{name}={text!r} is not a number.") from exc


def limits(request: Request) -> Limits:
    """This app's limits (made on first use from the environment)."""
    state = request.app.state
    found: Limits | None = getattr(state, "consult_limits", None)
    if found is None:
        found = Limits(TokenBucket(_number("WHOLEPLACE_CONSULT_RATE", 2.0),
                                   _number("WHOLEPLACE_CONSULT_BURST", 20.0)),
                       int(_number("WHOLEPLACE_CONSULT_MAX_INFLIGHT", 64)))
        state.consult_limits = found
    return found


def writer(request: Request) -> GroupWriter:
    """This app's group-commit writer of submissions (made on first use)."""
    state = request.app.state
    with _WRITER_LOCK:
        found: GroupWriter | None = getattr(state, "consult_writer", None)
        if found is None:
            found = GroupWriter(state.appdb)
            state.consult_writer = found
    return found


_WRITER_LOCK = threading.Lock()


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def browser_token(request: Request) -> tuple[str, bool]:
    """The browser's consultation token, and whether it is new (to be set as a cookie)."""
    token = request.cookies.get(COOKIE, "")
    if 20 <= len(token) <= 100:
        return token, False
    return new_token(), True


def set_browser_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(COOKIE, token, max_age=COOKIE_DAYS * 86400, httponly=True,
                        samesite="lax", path="/consult",
                        secure=request.app.state.settings.cookie_secure)


def hashed(request: Request, purpose: str, token: str) -> str:
    """A keyed hash of a token for one purpose (browser, visitor, draft): never joinable
    across purposes, useless without the app's secret."""
    return keyed_hash(request.app.state.secret, f"{purpose}:{token}")


def parse_form(text: str) -> dict[str, str]:
    """A urlencoded form body as a dict (the last value of a repeated field wins)."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text),
                          max_num_fields=MAX_FIELDS, errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError("The form could not be read (it is not a well-formed form). Go "
                         "back, reload the page and try again. Nothing was recorded.") from exc
    return dict(pairs)


def require_kind(request: Request, kind: str) -> None:
    sent = request.headers.get("content-type", "").split(";")[0].strip()
    if sent != kind:
        raise InputError(f"Send this as {kind} (it was sent as {sent or 'nothing'}). Nothing "
                         "was recorded.")
