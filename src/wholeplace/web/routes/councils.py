"""Browse councils, and each council's page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from wholeplace.hub.store import Store
from wholeplace.web import pages
from wholeplace.web.deps import get_store
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)


@router.get("/councils.json")
def councils_json(region: str | None = Query(None), tier: str | None = Query(None),
                  store: Store = Depends(get_store)) -> Response:
    return as_json(pages.council_list(store, region, tier))


@router.get("/councils")
def councils_page(request: Request, region: str | None = Query(None),
                  tier: str | None = Query(None), store: Store = Depends(get_store)) -> Response:
    data = pages.council_list(store, region, tier)
    query = f"?{request.url.query}" if request.url.query else ""
    return render(request, "councils.html", {"title": "Councils", **data,
                                             "json_url": f"/councils.json{query}"})


@router.get("/council/{code}.json")
def council_json(code: str, store: Store = Depends(get_store)) -> Response:
    return as_json(pages.council(store, code))


@router.get("/council/{code}")
def council_page(request: Request, code: str, store: Store = Depends(get_store)) -> Response:
    data = pages.council(store, code)
    return render(request, "council.html", {"title": data["council"]["name"], **data,
                                            "json_url": f"/council/{code}.json"})
