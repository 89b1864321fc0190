"""Upload a council's data through the web (private to the organisation acted for), list the
organisation's own uploads with who each is shared with, and publish one. Every upload, refused
upload and publication is audited. Each page has a JSON twin; the forms work without
JavaScript."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from wholeplace.access import agreements, audit, organisations
from wholeplace.access.actor import Actor
from wholeplace.access.policy import DatasetRef, Resource
from wholeplace.errors import ConfigError
from wholeplace.hub.store import Store
from wholeplace.hub.visibility import PRIVATE
from wholeplace.web import uploads
from wholeplace.web.access import require
from wholeplace.web.access.guard import acting_org
from wholeplace.web.deps import get_store, get_viewer
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)

#: The paths whose bodies the upload size limit applies to.
UPLOAD_PATHS = frozenset({"/upload", "/upload.json"})


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _record(request: Request, actor: Actor, action: str, target: str | None,
            detail: dict[str, Any]) -> None:
    with request.app.state.appdb() as s, s.begin():
        audit.record(s, actor, action, target, ip=_ip(request), detail=detail)


def _org_name(request: Request, code: str) -> str:
    with request.app.state.appdb() as s:
        org = organisations.find(s, code)
        return org.name if org is not None else code


def _form_context(request: Request, store: Store, actor: Actor) -> dict[str, Any]:
    return {"title": "Upload data", "json_url": "/upload.json", "org": actor.acting_for,
            "org_name": _org_name(request, str(actor.acting_for)),
            "writable": not store.read_only,
            "max_mb": request.app.state.settings.upload_max_bytes / (1024 * 1024),
            "data_types": uploads.DATA_SUFFIXES, "metadata_types": uploads.METADATA_SUFFIXES}


@router.get("/upload")
def upload_page(request: Request, actor: Actor = Depends(require("dataset.upload", acting_org)),
                store: Store = Depends(get_store)) -> Response:
    return render(request, "upload.html", {**_form_context(request, store, actor),
                                           "errors": [], "values": {}})


@router.get("/upload.json")
def upload_form_json(request: Request,
                     actor: Actor = Depends(require("dataset.upload", acting_org)),
                     store: Store = Depends(get_store)) -> Response:
    context = _form_context(request, store, actor)
    return as_json({"organisation": context["org"], "writable": context["writable"],
                    "max_bytes": request.app.state.settings.upload_max_bytes,
                    "fields": {"data": list(uploads.DATA_SUFFIXES),
                               "metadata": list(uploads.METADATA_SUFFIXES),
                               "title": "text", "release": "text",
                               "released_on": "YYYY-MM-DD"},
                    "post": "/upload.json (multipart/form-data, with csrf_token)"})


async def _read_form(request: Request) -> uploads.UploadRequest:
    form = await request.form()

    async def file_of(name: str) -> uploads.UploadedFile | None:
        item = form.get(name)
        if not isinstance(item, UploadFile) or not item.filename:
            return None
        return uploads.UploadedFile(item.filename, await item.read())

    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    return uploads.UploadRequest(await file_of("data"), await file_of("metadata"),
                                 text("title"), text("release"), text("released_on"))


async def _upload(request: Request, actor: Actor, store: Store) -> uploads.UploadOutcome:
    form = await _read_form(request)
    org = str(actor.acting_for)
    if store.read_only:
        outcome = uploads.UploadOutcome(errors=[("data", str(ConfigError(
            "The data hub is open read-only, so uploads cannot be loaded here. Ask the "
            "service's operator to set WHOLEPLACE_HUB_WRITABLE=1, or load the file with "
            "'wholeplace load FILE --metadata META --org CODE'")))])
    else:
        publisher = await run_in_threadpool(_org_name, request, org)
        outcome = await run_in_threadpool(uploads.load_upload, store, form, org, publisher)
    name = form.data.name if form.data else None
    if outcome.result is not None:
        r = outcome.result
        await run_in_threadpool(_record, request, actor, "dataset.upload",
                                f"dataset:{r.dataset_id}", {
                                    "file": name, "status": r.status, "rows": r.rows,
                                    "source_id": r.source_id, "visibility": PRIVATE})
    else:
        await run_in_threadpool(_record, request, actor, "dataset.upload_refused", None,
                                {"file": name, "problems": len(outcome.errors)})
    return outcome


@router.post("/upload")
async def upload_post(request: Request,
                      actor: Actor = Depends(require("dataset.upload", acting_org)),
                      store: Store = Depends(get_store)) -> Response:
    outcome = await _upload(request, actor, store)
    if outcome.result is not None:
        return RedirectResponse(f"/uploads?loaded={outcome.result.dataset_id}", status_code=303)
    form = await request.form()
    values = {k: form.get(k) for k in ("title", "release", "released_on")
              if isinstance(form.get(k), str)}
    context = await run_in_threadpool(_form_context, request, store, actor)
    return render(request, "upload.html", {**context, "errors": outcome.errors,
                                           "values": values,
                                           "title": "Error: Upload data"}, status_code=422)


@router.post("/upload.json")
async def upload_post_json(request: Request,
                           actor: Actor = Depends(require("dataset.upload", acting_org)),
                           store: Store = Depends(get_store)) -> Response:
    outcome = await _upload(request, actor, store)
    return as_json(outcome.to_dict(), status_code=201 if outcome.result is not None else 422)


def _own(request: Request, store: Store, actor: Actor) -> list[dict[str, Any]]:
    org = str(actor.acting_for)
    with request.app.state.appdb() as s:
        shares = agreements.shared_with(s, org, date.today())
    return uploads.own_uploads(store, org, shares)


@router.get("/uploads.json")
def uploads_json(request: Request, actor: Actor = Depends(require("upload.list", acting_org)),
                 store: Store = Depends(get_store)) -> Response:
    return as_json(_own(request, store, actor))


@router.get("/uploads")
def uploads_page(request: Request, loaded: int | None = None, published: int | None = None,
                 actor: Actor = Depends(require("upload.list", acting_org)),
                 store: Store = Depends(get_store)) -> Response:
    from wholeplace.access.policy import allowed

    rows = _own(request, store, actor)
    for row in rows:
        row["can_publish"] = row["visibility"] == PRIVATE and allowed(
            actor, "dataset.publish", DatasetRef(actor.acting_for, True))
    return render(request, "uploads.html", {
        "title": "Your organisation's uploads", "json_url": "/uploads.json", "uploads": rows,
        "org": actor.acting_for, "org_name": _org_name(request, str(actor.acting_for)),
        "loaded": loaded, "published": published,
        "can_upload": allowed(actor, "dataset.upload", acting_org(request))})


def owned_dataset(request: Request) -> Resource:
    """The dataset named in the path, as the policy sees it; one the reader may not see
    answers as if it did not exist."""
    raw = request.path_params.get("dataset_id", "")
    try:
        dataset_id = int(raw)
    except ValueError:
        raise uploads.not_found(raw) from None
    viewer = get_viewer(request)
    store = request.app.state.stores.cursor(viewer)
    try:
        row = uploads.dataset_owner(store, dataset_id)
    finally:
        store.close()
    if row is None:
        raise uploads.not_found(dataset_id)
    shared = viewer.org_codes if dataset_id in viewer.shared_dataset_ids else frozenset()
    return DatasetRef(row["owner_org"], row["visibility"] == PRIVATE, frozenset(shared))


@router.post("/uploads/{dataset_id}/publish")
def publish_post(request: Request, dataset_id: int,
                 actor: Actor = Depends(require("dataset.publish", owned_dataset)),
                 store: Store = Depends(get_store)) -> Response:
    done = uploads.publish(store, dataset_id, str(actor.acting_for), actor.id)
    _record(request, actor, "dataset.publish", f"dataset:{dataset_id}",
            {"source_id": done["source_id"], "published_by": done["published_by"]})
    return RedirectResponse(f"/uploads?published={dataset_id}", status_code=303)
