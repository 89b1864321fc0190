"""Audit entries the web app writes on its own: a response that read non-public data, and a
request refused by the policy.

A request's hub cursor is scoped to its reader (:meth:`wholeplace.hub.store.Store.scoped`);
when that scope admits any private dataset (the organisation's own uploads, or those shared
with it by an agreement in force), the page, JSON answer or export may show their values, so
it is recorded: who, acting for which organisation, which datasets, which address, from where.
The record errs on the side of recording: it names every private dataset the response could
read, not only those whose values it printed.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Request

from wholeplace.access import audit
from wholeplace.access.actor import Actor
from wholeplace.web.access.state import actor_of_request

VIEW_ACTION = "data.view_private"
REFUSED_ACTION = "access.refused"


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def record_private_view(request: Request, dataset_ids: Iterable[int]) -> None:
    """One entry for a response that could read the private ``dataset_ids``."""
    ids = sorted({int(i) for i in dataset_ids})
    if not ids:
        return
    actor = actor_of_request(request)
    query = f"?{request.url.query}" if request.url.query else ""
    with request.app.state.appdb() as s, s.begin():
        audit.record(s, actor, VIEW_ACTION, ",".join(f"dataset:{i}" for i in ids),
                     ip=_ip(request), detail={"datasets": ids, "method": request.method,
                                              "path": request.url.path + query})


def record_refusal(request: Request, actor: Actor, action: str) -> None:
    """One entry for a request the policy refused to a signed-in person (a 403)."""
    with request.app.state.appdb() as s, s.begin():
        audit.record(s, actor, REFUSED_ACTION, request.url.path, ip=_ip(request),
                     detail={"action": action, "method": request.method,
                             "roles": sorted(actor.roles_here())})
