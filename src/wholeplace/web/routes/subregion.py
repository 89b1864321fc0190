"""The subregion overview page and its JSON twin, for a subregional hub's people and the people
of its member councils (action ``subregion.view``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from wholeplace.access import organisations
from wholeplace.access.actor import Actor
from wholeplace.access.policy import Org, Resource
from wholeplace.errors import NotFoundError
from wholeplace.hub.store import Store
from wholeplace.web import subregion
from wholeplace.web.access import require
from wholeplace.web.deps import get_store
from wholeplace.web.render import as_json, render
from wholeplace.web.routes.early_warning import DEFAULT_YEAR, YEARS

router = APIRouter(include_in_schema=False)


def _hub(request: Request) -> dict[str, Any]:
    code = str(request.path_params.get("hub_code", ""))
    with request.app.state.appdb() as s:
        org = organisations.find(s, code)
        if org is None or org.org_type != "hub":
            raise NotFoundError(f"There is no subregional hub {code!r}. Ask your "
                                "administrator for your hub's code.")
        return {"code": org.code, "name": org.name,
                "members": sorted(organisations.served_by(org))}


def hub_org(request: Request) -> Resource:
    """The hub in the path as a resource: its code and the councils it serves."""
    hub = _hub(request)
    request.state.subregion_hub = hub
    return Org(str(hub["code"]), frozenset(hub["members"]))


def _data(request: Request, store: Store, year: int, indicator: list[str]) -> dict[str, Any]:
    hub = getattr(request.state, "subregion_hub", None) or _hub(request)
    return subregion.overview(store, hub, hub["members"], year, indicator)


@router.get("/subregion/{hub_code}.json")
def subregion_json(request: Request, hub_code: str,
                   year: int = Query(DEFAULT_YEAR, ge=2000, le=2100),
                   indicator: list[str] = Query([], max_length=200),
                   actor: Actor = Depends(require("subregion.view", hub_org)),
                   store: Store = Depends(get_store)) -> Response:
    return as_json(_data(request, store, year, indicator))


@router.get("/subregion/{hub_code}")
def subregion_page(request: Request, hub_code: str,
                   year: int = Query(DEFAULT_YEAR, ge=2000, le=2100),
                   indicator: list[str] = Query([], max_length=200),
                   actor: Actor = Depends(require("subregion.view", hub_org)),
                   store: Store = Depends(get_store)) -> Response:
    data = _data(request, store, year, indicator)
    query = f"?{request.url.query}" if request.url.query else ""
    return render(request, "subregion.html", {
        "title": f"Subregion overview: {data['hub']['name']}",
        **data, "years": YEARS, "json_url": f"/subregion/{hub_code}.json{query}"})
