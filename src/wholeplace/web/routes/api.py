"""The JSON API under /api/, documented at /docs (OpenAPI at /openapi.json).

The same page functions as the HTML pages, so the API and the pages cannot disagree. Errors are
``{"error": ..., "message": ..., "problems"?: [...]}`` with the matching HTTP status.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from wholeplace.hub.store import Store
from wholeplace.web import pages
from wholeplace.web.deps import get_store

router = APIRouter(prefix="/api", tags=["API"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A parameter is not valid (JSON error body)."},
    404: {"description": "No such council or dataset (JSON error body)."},
    503: {"description": "The data hub has not been loaded yet (JSON error body)."},
}


@router.get("/councils", summary="List councils", responses=ERRORS)
def api_councils(region: str | None = Query(
                     None, description="English region, e.g. 'East of England'"),
                 tier: str | None = Query(
                     None, description="upper, lower, single, combined or strategic"),
                 store: Store = Depends(get_store)) -> dict[str, Any]:
    """Current councils, optionally filtered by region and tier."""
    return pages.council_list(store, region, tier)


@router.get("/search", summary="Find councils by name", responses=ERRORS)
def api_search(q: str = Query(..., description="A council or place name"),
               store: Store = Depends(get_store)) -> dict[str, Any]:
    return pages.search(store, q)


@router.get("/councils/{code}", summary="One council", responses=ERRORS)
def api_council(code: str, store: Store = Depends(get_store)) -> dict[str, Any]:
    """A council's register entry, tier relationships, who delivers what, and the latest value
    of every indicator grouped by theme (with each indicator's series)."""
    return pages.council(store, code)


@router.get("/datasets", summary="The dataset catalogue", responses=ERRORS)
def api_datasets(store: Store = Depends(get_store)) -> dict[str, Any]:
    return pages.dataset_list(store)


@router.get("/datasets/{dataset_id}", summary="One dataset's provenance", responses=ERRORS)
def api_dataset(dataset_id: int, store: Store = Depends(get_store)) -> dict[str, Any]:
    return pages.dataset(store, dataset_id)


@router.get("/indicators", summary="The indicator catalogue", responses=ERRORS)
def api_indicators(store: Store = Depends(get_store)) -> dict[str, Any]:
    return pages.indicator_list(store)
