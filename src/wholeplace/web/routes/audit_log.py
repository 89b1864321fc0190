"""A data protection officer's view of the audit trail: the entries made acting for their
organisation, as a page and JSON (the newest ``LIMIT``) and CSV (all of them). Viewing and
exporting are themselves audited."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from wholeplace.access import audit
from wholeplace.access.actor import Actor
from wholeplace.web.access import require
from wholeplace.web.access.guard import acting_org
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)

LIMIT = 500
COLUMNS = ("id", "seq", "at", "actor", "acting_for", "action", "target", "ip", "detail",
           "hash")


def _entries(request: Request, actor: Actor, action: str,
             limit: int | None = LIMIT) -> list[dict[str, object]]:
    ip = request.client.host if request.client else None
    with request.app.state.appdb() as s, s.begin():
        rows = [audit.as_row(e) for e in audit.entries(s, actor.acting_for, limit)]
        audit.record(s, actor, action, f"audit:{actor.acting_for}", ip=ip,
                     detail={"entries": len(rows)})
    return rows


@router.get("/audit")
def audit_page(request: Request, actor: Actor = Depends(require("audit.view", acting_org))
               ) -> Response:
    return render(request, "audit.html", {
        "title": f"Audit trail for {actor.acting_for}", "json_url": "/audit.json",
        "entries": _entries(request, actor, "audit.view"), "limit": LIMIT})


@router.get("/audit.json")
def audit_json(request: Request, actor: Actor = Depends(require("audit.view", acting_org))
               ) -> Response:
    return as_json(_entries(request, actor, "audit.view"))


@router.get("/audit.csv")
def audit_csv(request: Request, actor: Actor = Depends(require("audit.export", acting_org))
              ) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in _entries(request, actor, "audit.export", limit=None):  # every entry
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    name = f"audit-{actor.acting_for}.csv"
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _cell(value: object) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is prefixed with a quote."""
    import json

    text = json.dumps(value, sort_keys=True) if isinstance(value, dict) else \
        ("" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
