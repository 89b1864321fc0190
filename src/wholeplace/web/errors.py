"""The one place errors become responses: an HTML page for people, a JSON body for programs.

A URL ending in ``.json`` or under ``/api/`` gets ``{"error", "message", "problems"?}`` (the
error's ``to_dict()``); anything else gets the GOV.UK error page. Both carry the error's status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from wholeplace.errors import InputError, NotFoundError, WholeplaceError
from wholeplace.web.render import as_json, render

TITLES = {
    400: "There is a problem with your request",
    404: "Page not found",
    413: "The upload is too large",
    422: "There is a problem with the data",
    503: "Sorry, the service is unavailable",
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json")


async def handle_wholeplace_error(request: Request, exc: WholeplaceError) -> Response:
    body = exc.to_dict()
    if wants_json(request):
        return as_json(body, status_code=exc.status_code)
    context = {
        "title": TITLES.get(exc.status_code, "Sorry, there is a problem with the service"),
        "error": body,
        "status_code": exc.status_code,
    }
    return render(request, "error.html", context, status_code=exc.status_code)


async def handle_http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Framework errors (an unknown URL, a wrong method) go through the same handler."""
    if exc.status_code == 404:
        error: WholeplaceError = NotFoundError(
            f"There is no page at {request.url.path}. Check the address, or start again from "
            "the home page.")
    else:
        error = WholeplaceError(str(exc.detail))
        error.status_code = exc.status_code
    return await handle_wholeplace_error(request, error)


async def handle_validation_error(request: Request, exc: RequestValidationError) -> Response:
    parts = []
    for item in exc.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("query", "path"))
        parts.append(f"{where}: {item.get('msg')}" if where else str(item.get("msg")))
    error = InputError("The request is not valid: " + "; ".join(parts) + ".")
    return await handle_wholeplace_error(request, error)


#: Each handler takes the exception type it is registered for (Starlette's signature says
#: ``Exception``, hence ``Any`` here).
HANDLERS: dict[type[Exception], Callable[[Request, Any], Awaitable[Response]]] = {
    WholeplaceError: handle_wholeplace_error,
    StarletteHTTPException: handle_http_error,
    RequestValidationError: handle_validation_error,
}


def install(app: FastAPI) -> None:
    for exc_type, handler in HANDLERS.items():
        app.add_exception_handler(exc_type, handler)
