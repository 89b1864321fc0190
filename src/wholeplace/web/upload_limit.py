"""The size limit of web uploads, enforced before a byte of an oversized body is parsed.

A pure ASGI middleware on the upload paths: a ``Content-Length`` above the limit (setting
``upload_max_bytes``) is refused before the body is read, and a body sent without a length
is counted as it arrives and refused as soon as it passes the limit. The refusal is
:class:`UploadTooLarge` (413), rendered by the app's one error handler as a page or as JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from wholeplace.errors import WholeplaceError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class UploadTooLarge(WholeplaceError):
    """The upload is bigger than the service accepts."""

    status_code = 413


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit / 1024:g} KB"


def too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(
        f"The upload is larger than {_size(limit)} (the data file and the "
        "metadata file together), so nothing was loaded. Split the data into smaller files "
        "(for example one per year) and upload each, or load it with 'wholeplace load FILE "
        "--metadata META --org CODE'.")


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    """Refuse POST bodies over the limit on ``paths``; other requests pass untouched.

    A declared length over the limit is answered at once, without reading the body. A body
    without a declared length that grows past the limit is cut off (the app sees the client
    disconnect, so nothing is loaded) and answered the same way."""

    def __init__(self, app: ASGIApp, paths: frozenset[str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" \
                or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        limit = int(scope["app"].state.settings.upload_max_bytes)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received, exceeded = 0, False

        async def counted() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not exceeded:
                await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded:
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        from fastapi import Request

        from wholeplace.web.errors import handle_wholeplace_error

        response = await handle_wholeplace_error(Request(scope, receive), too_large(limit))
        await response(scope, receive, send)
