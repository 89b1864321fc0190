"""The consultation officer's results dashboard: responses so far, live.

GET  /consult/manage/{slug}/results          the dashboard (a "Refresh results" button without
                                             JavaScript; with it, the page follows the stream)
GET  /consult/manage/{slug}/results.json     its JSON twin
GET  /consult/manage/{slug}/results/stream   server-sent events: the results section re-rendered
                                             whenever a response or a moderation arrives
GET  /consult/manage/{slug}/results.csv      every response, one row each
GET  /consult/manage/{slug}/results.xlsx     responses, distributions, weights and the funnel
POST /consult/manage/{slug}/comments/{id}    hide or show a comment, with a reason

Viewing, exporting and moderating are audited. Another council's consultation is not found.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from wholeplace.access import audit
from wholeplace.access.actor import Actor
from wholeplace.consult import exports, officer
from wholeplace.consult import store as cs
from wholeplace.consult.charts import bin_label, line_charts, pounds
from wholeplace.consult.dashboard import population_for, results
from wholeplace.consult.weighting import AGE_BANDS, Population
from wholeplace.errors import InputError
from wholeplace.web import consult_later as later_web
from wholeplace.web.access import require
from wholeplace.web.access.guard import acting_org
from wholeplace.web.deps import get_viewer
from wholeplace.web.render import as_json, environment, render

router = APIRouter(include_in_schema=False)

#: How often the stream looks for new responses, and how long one stream lasts (the browser's
#: EventSource reconnects by itself after that).
POLL_SECONDS = 1.0
STREAM_SECONDS = 300


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _data(request: Request, slug: str, actor: Actor, action: str | None) -> dict[str, Any]:
    """The consultation, its rows and every figure; audited as ``action`` when given."""
    with request.app.state.appdb() as s, s.begin():
        row = officer.owned(s, slug, actor.acting_for)
        c = cs.definition_of(row)
        stored = officer.responses(s, row)
        rows = officer.result_rows(stored)
        events = officer.events(s, row)
        comments = officer.comments(s, row)
        signature = "-".join(str(x) for x in officer.signature(s, row))
        meta = {"slug": row.slug, "title": row.title, "status": row.status,
                "version": row.version, "org_code": row.org_code}
        if action:
            audit.record(s, actor, action, f"consultation:{row.slug}", ip=_ip(request),
                         detail={"responses": len(rows)})
    population = _population(request, c.council_code)
    profiles, problems = later_web.profiles_for(request, c)
    figures = results(c, rows, events, population, profiles)
    figures["later_costs"]["unavailable"] = sorted(problems.values())
    return {"consultation": meta, "definition": c, "rows": rows,
            "results": {**figures, "signature": signature}, "comments": comments}


def _population(request: Request, code: str) -> Population | None:
    store = request.app.state.stores.cursor(get_viewer(request))
    try:
        return population_for(store, code)
    finally:
        store.close()


def _json_view(d: dict[str, Any]) -> dict[str, Any]:
    return {"consultation": d["consultation"], **d["results"],
            "comments": [{"response_id": x.response_id, "reference": x.reference,
                          "channel": x.channel, "submitted_at": x.submitted_at,
                          "text": x.text, "hidden": x.hidden, "moderation": list(x.history)}
                         for x in d["comments"]]}


def _context(request: Request, d: dict[str, Any]) -> dict[str, Any]:
    slug = d["consultation"]["slug"]
    later = [later_web.model_view(m, f"later-average-{m['model']}", lambda t: t)
             for m in d["results"]["later_costs"]["models"]]
    return {"title": f"Results: {d['consultation']['title']}", "d": d, "r": d["results"],
            "later": later,
            "c": d["definition"], "charts": line_charts(d["results"]), "pounds": pounds,
            "bin_label": bin_label, "age_labels": dict(AGE_BANDS), "slug": slug,
            "base_url": f"/consult/manage/{slug}",
            "json_url": f"/consult/manage/{slug}/results.json"}


@router.get("/consult/manage/{slug}/results")
def results_page(request: Request, slug: str,
                 actor: Actor = Depends(require("consult.results", acting_org))) -> Response:
    d = _data(request, slug, actor, "consult.results.view")
    return render(request, "consult/results.html", _context(request, d))


@router.get("/consult/manage/{slug}/results.json")
def results_json(request: Request, slug: str,
                 actor: Actor = Depends(require("consult.results", acting_org))) -> Response:
    return as_json(_json_view(_data(request, slug, actor, "consult.results.view")))


def _signature(request: Request, slug: str, actor: Actor) -> tuple[int, ...]:
    with request.app.state.appdb() as s:
        row = officer.owned(s, slug, actor.acting_for)
        return officer.signature(s, row)


def _section(request: Request, slug: str, actor: Actor) -> str:
    d = _data(request, slug, actor, None)
    return environment().get_template("consult/_results.html").render(
        request=request, path=request.url.path, **_context(request, d))


def sse(event: str, data: str) -> str:
    """One server-sent event; every line of the data gets its own ``data:`` field."""
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\n{lines}\n"


async def _events(request: Request, slug: str, actor: Actor, seconds: float,
                  last: tuple[int, ...]) -> AsyncIterator[str]:
    yield f"retry: 3000\n: results of {slug}\n\n"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return
        now = await run_in_threadpool(_signature, request, slug, actor)
        if now != last:
            last = now
            html = await run_in_threadpool(_section, request, slug, actor)
            yield sse("results", json.dumps({"responses": now[0], "html": html}))
        else:
            yield ": waiting\n\n"
        await asyncio.sleep(POLL_SECONDS)


@router.get("/consult/manage/{slug}/results/stream")
def results_stream(request: Request, slug: str,
                   seen: str = Query("", max_length=60,
                                     description="the signature the page already shows"),
                   seconds: int = Query(STREAM_SECONDS, ge=1, le=STREAM_SECONDS),
                   actor: Actor = Depends(require("consult.results", acting_org))
                   ) -> Response:
    _signature(request, slug, actor)  # an unknown slug is refused before streaming
    try:
        last = tuple(int(x) for x in seen.split("-")) if seen else ()
    except ValueError as exc:
        raise InputError("seen is the page's signature, numbers joined by hyphens.") from exc
    return StreamingResponse(_events(request, slug, actor, seconds, last),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _download(body: bytes | str, media: str, name: str) -> Response:
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@router.get("/consult/manage/{slug}/results.csv")
def results_csv(request: Request, slug: str,
                actor: Actor = Depends(require("consult.results", acting_org))) -> Response:
    d = _data(request, slug, actor, "consult.results.export")
    return _download(exports.to_csv(d["definition"], d["rows"]), "text/csv; charset=utf-8",
                     f"{slug}-responses.csv")


@router.get("/consult/manage/{slug}/results.xlsx")
def results_xlsx(request: Request, slug: str,
                 actor: Actor = Depends(require("consult.results", acting_org))) -> Response:
    d = _data(request, slug, actor, "consult.results.export")
    body = exports.to_xlsx(d["definition"], d["rows"], d["results"])
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"{slug}-results.xlsx")


@router.post("/consult/manage/{slug}/comments/{response_id}")
async def moderate(request: Request, slug: str, response_id: int,
                   actor: Actor = Depends(require("consult.manage", acting_org))) -> Response:
    form = await request.form()
    action, reason = str(form.get("action", "")), str(form.get("reason", ""))
    if actor.user_id is None:
        raise InputError("Only a signed-in person can moderate comments.")
    with request.app.state.appdb() as s, s.begin():
        row = officer.owned(s, slug, actor.acting_for)
        found = officer.moderate(s, row, response_id, action, reason, actor.user_id)
        audit.record(s, actor, f"consult.comment.{action}", f"response:{found.reference}",
                     ip=_ip(request), detail={"consultation": slug, "reason": reason.strip()})
    return RedirectResponse(f"/consult/manage/{slug}/results#comment-{response_id}",
                            status_code=303)
