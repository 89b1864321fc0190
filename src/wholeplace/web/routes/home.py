"""The home page (search and browse) and search results."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from wholeplace.hub.store import Store
from wholeplace.web import pages
from wholeplace.web.deps import get_store
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home_page(request: Request, store: Store = Depends(get_store)) -> Response:
    return render(request, "home.html", {"title": "Find a council", **pages.home(store)})


@router.get("/search.json")
def search_json(q: str = Query(""), store: Store = Depends(get_store)) -> Response:
    return as_json(pages.search(store, q))


@router.get("/search")
def search_page(request: Request, q: str = Query(""),
                store: Store = Depends(get_store)) -> Response:
    data = pages.search(store, q)
    code = pages.exact_match(data)
    if code is not None:
        return RedirectResponse(f"/council/{code}", status_code=303)
    title = f"Search results for ‘{data['query']}’" if data["query"] else "Search"
    return render(request, "search.html", {"title": title, **data})
