"""The dataset catalogue: what was loaded, from where, under which licence."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from wholeplace.hub.store import Store
from wholeplace.web import pages
from wholeplace.web.deps import get_store
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)


@router.get("/datasets.json")
def datasets_json(store: Store = Depends(get_store)) -> Response:
    return as_json(pages.dataset_list(store))


@router.get("/datasets")
def datasets_page(request: Request, store: Store = Depends(get_store)) -> Response:
    return render(request, "datasets.html", {"title": "Datasets", **pages.dataset_list(store),
                                             "json_url": "/datasets.json"})


@router.get("/datasets/{dataset_id}.json")
def dataset_json(dataset_id: int, store: Store = Depends(get_store)) -> Response:
    return as_json(pages.dataset(store, dataset_id))


@router.get("/datasets/{dataset_id}")
def dataset_page(request: Request, dataset_id: int, store: Store = Depends(get_store)) -> Response:
    data = pages.dataset(store, dataset_id)
    return render(request, "dataset.html", {"title": data["dataset"]["title"], **data,
                                            "json_url": f"/datasets/{dataset_id}.json"})
