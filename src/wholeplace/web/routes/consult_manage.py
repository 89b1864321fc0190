"""The consultation officer sets up a consultation for the council they act for.

GET  /consult/manage                       the council's consultations; start one from the hub
                                           or import a YAML/JSON file (JSON twin .json)
POST /consult/manage/new                   a draft prefilled from the hub (RA budget, else RS
                                           outturn; CTR council tax)
POST /consult/manage/import                a draft from YAML or JSON
GET  /consult/manage/{slug}                edit the lines, dates, referendum mode, privacy
                                           notice (JSON twin .json)
POST /consult/manage/{slug}                save the form (a new version)
POST /consult/manage/{slug}/definition     replace the whole definition from YAML or JSON
GET  /consult/manage/{slug}/definition.yaml, .json   export it
GET  /consult/manage/{slug}/preview        the simulator as residents will see it
POST /consult/manage/{slug}/preview        the preview recalculated (nothing stored)
POST /consult/manage/{slug}/publish, /close, /adopted

Every invalid definition is answered with a GOV.UK error summary and nothing stored; every
change is audited in the transaction that makes it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wholeplace.access import audit
from wholeplace.access.actor import Actor
from wholeplace.consult import Response as Answer
from wholeplace.consult import (
    check_response,
    definition_data,
    dumps_json,
    dumps_yaml,
    later,
    officer,
)
from wholeplace.consult import store as cs
from wholeplace.consult.definition import loads_definition, parse_definition
from wholeplace.consult.prefill import hub_indicators, prefill
from wholeplace.consult.setup_form import PROTECTION_KINDS, apply_form, errors_of, form_of
from wholeplace.errors import InputError, NotFoundError, Problem, ValidationError
from wholeplace.web import consult_later as later_web
from wholeplace.web import consult_page as page
from wholeplace.web.access import require
from wholeplace.web.access.guard import acting_org
from wholeplace.web.deps import get_viewer
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)
MANAGE = require("consult.manage", acting_org)
MAX_DEFINITION_BYTES = 256 * 1024


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _known(request: Request, code: str) -> set[str]:
    store = request.app.state.stores.cursor(get_viewer(request))
    try:
        return hub_indicators(store, code)
    finally:
        store.close()


async def _form(request: Request) -> dict[str, str]:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_DEFINITION_BYTES:
        raise InputError(f"The form is too large (over {MAX_DEFINITION_BYTES // 1024} KB).")
    data = await request.form()
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, str):
            out[key] = value
        else:  # an uploaded file
            raw = await value.read(MAX_DEFINITION_BYTES + 1)
            if len(raw) > MAX_DEFINITION_BYTES:
                raise InputError("The file is too large (over 256 KB).")
            try:
                out[key] = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError("The file is not UTF-8 text.") from exc
    return out


def _list(request: Request, actor: Actor) -> list[dict[str, Any]]:
    with request.app.state.appdb() as s:
        return [{"slug": r.slug, "title": r.title, "budget_year": r.budget_year,
                 "status": r.status, "version": r.version, "demonstration": r.demonstration,
                 "updated_at": r.updated_at} for r in officer.for_org(s, actor.acting_for or "")]


def _list_page(request: Request, actor: Actor, errors: list[tuple[str, str]] | None = None,
               form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "consult/manage.html", {
        "title": "Consultations", "json_url": "/consult/manage.json",
        "consultations": _list(request, actor), "errors": errors or [], "form": form or {},
        "org": actor.acting_for}, status_code=status_code)


@router.get("/consult/manage")
def manage_page(request: Request, actor: Actor = Depends(MANAGE)) -> Response:
    return _list_page(request, actor)


@router.get("/consult/manage.json")
def manage_json(request: Request, actor: Actor = Depends(MANAGE)) -> Response:
    return as_json({"organisation": actor.acting_for, "consultations": _list(request, actor)})


def _create(request: Request, actor: Actor, slug: str, c: Any, how: str) -> Response:
    with request.app.state.appdb() as s, s.begin():
        row = cs.create(s, c, actor.acting_for or "", slug, created_by=actor.user_id,
                        privacy_notice="")  # the officer writes the notice
        audit.record(s, actor, "consult.create", f"consultation:{row.slug}", ip=_ip(request),
                     detail={"from": how, "version": row.version, "lines": len(c.lines)})
    return RedirectResponse(f"/consult/manage/{slug}", status_code=303)


def _problems(exc: Exception, field: str) -> list[tuple[str, str]]:
    if isinstance(exc, ValidationError):
        return [(field, m) for _, m in errors_of(exc.problems)]
    return [(field, str(exc))]


@router.post("/consult/manage/new")
async def manage_new(request: Request, actor: Actor = Depends(MANAGE)) -> Response:
    form = await _form(request)
    slug, year = form.get("slug", "").strip(), form.get("budget_year", "").strip()
    store = request.app.state.stores.cursor(get_viewer(request))
    try:
        cs.check_slug(slug)
        if not year or len(year) != 7 or year[4] != "-":
            raise InputError("Enter the budget year like 2025-26.")
        c = prefill(store, actor.acting_for or "", year)
    except (InputError, NotFoundError) as exc:
        return _list_page(request, actor, _problems(exc, "slug"), form, 422)
    finally:
        store.close()
    try:
        return _create(request, actor, slug, c, "hub")
    except InputError as exc:
        return _list_page(request, actor, _problems(exc, "slug"), form, 422)


@router.post("/consult/manage/import")
async def manage_import(request: Request, actor: Actor = Depends(MANAGE)) -> Response:
    form = await _form(request)
    slug = form.get("import_slug", "").strip()
    text = form.get("definition_file") or form.get("definition", "")
    try:
        cs.check_slug(slug)
        with later_web.model_check(request) as check:
            c = loads_definition(text, "the imported file",
                                 known_indicators=_known(request, actor.acting_for or ""),
                                 prevention=check)
        return _create(request, actor, slug, c, "import")
    except InputError as exc:
        return _list_page(request, actor, _problems(exc, "definition"), form, 422)


def _edit_page(request: Request, slug: str, actor: Actor, form: dict[str, str] | None = None,
               errors: list[tuple[str, str]] | None = None, status_code: int = 200,
               yaml_text: str | None = None) -> Response:
    with request.app.state.appdb() as s:
        row = officer.owned(s, slug, actor.acting_for)
        c = cs.definition_of(row)
        meta = {"slug": row.slug, "title": row.title, "status": row.status,
                "version": row.version, "adopted": row.adopted,
                "privacy_notice": row.privacy_notice}
        responses = officer.signature(s, row)[0]
    return render(request, "consult/edit.html", {
        "title": f"Set up: {row.title}", "json_url": f"/consult/manage/{slug}.json",
        "m": meta, "c": c, "form": form or form_of(c, str(meta["privacy_notice"])),
        "errors": errors or [], "kinds": PROTECTION_KINDS, "responses": responses,
        "models": sorted(later.index()),
        "yaml_text": yaml_text if yaml_text is not None else dumps_yaml(c),
        "base_url": f"/consult/manage/{slug}"}, status_code=status_code)


@router.get("/consult/manage/{slug}.json")
def edit_json(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    with request.app.state.appdb() as s:
        row = officer.owned(s, slug, actor.acting_for)
        return as_json({"slug": row.slug, "status": row.status, "version": row.version,
                        "privacy_notice": row.privacy_notice, "adopted": row.adopted,
                        "published_at": row.published_at, "closed_at": row.closed_at,
                        "definition": row.definition})


@router.get("/consult/manage/{slug}")
def edit_page(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    return _edit_page(request, slug, actor)


def _save(request: Request, slug: str, actor: Actor, data: dict[str, Any],
          privacy: str | None, how: str) -> None:
    with request.app.state.appdb() as s, s.begin():
        row = officer.owned(s, slug, actor.acting_for)
        with later_web.model_check(request) as check:
            c = parse_definition(data, f"consultation {slug}",
                                 known_indicators=_known(request, row.org_code),
                                 prevention=check)
        cs.save_definition(s, row, c, privacy)
        audit.record(s, actor, "consult.edit", f"consultation:{slug}", ip=_ip(request),
                     detail={"from": how, "version": row.version})


@router.post("/consult/manage/{slug}")
async def edit_post(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    form = await _form(request)
    with request.app.state.appdb() as s:
        c = cs.definition_of(officer.owned(s, slug, actor.acting_for))
    data, problems = apply_form(c, form)
    try:
        parse_definition(data, f"consultation {slug}", known_indicators=None)
    except ValidationError as exc:
        problems += exc.problems
    except InputError as exc:
        problems.append(Problem("form", None, None, str(exc)))
    try:
        if problems:
            raise ValidationError(problems)
        _save(request, slug, actor, data, form.get("privacy_notice"), "form")
    except ValidationError as exc:
        return _edit_page(request, slug, actor, form, errors_of(exc.problems), 422)
    except InputError as exc:
        return _edit_page(request, slug, actor, form, [("title", str(exc))], 422)
    return RedirectResponse(f"/consult/manage/{slug}?saved=1", status_code=303)


@router.post("/consult/manage/{slug}/definition")
async def definition_post(request: Request, slug: str,
                          actor: Actor = Depends(MANAGE)) -> Response:
    form = await _form(request)
    text = form.get("definition_file") or form.get("definition", "")
    try:
        c = loads_definition(text, "the definition", known_indicators=None)
        _save(request, slug, actor, definition_data(c), None, "yaml")
    except InputError as exc:
        return _edit_page(request, slug, actor, None, _problems(exc, "definition"), 422,
                          yaml_text=text)
    return RedirectResponse(f"/consult/manage/{slug}?saved=1", status_code=303)


def _definition(request: Request, slug: str, actor: Actor) -> Any:
    with request.app.state.appdb() as s, s.begin():
        row = officer.owned(s, slug, actor.acting_for)
        audit.record(s, actor, "consult.export_definition", f"consultation:{slug}",
                     ip=_ip(request), detail={"version": row.version})
        return cs.definition_of(row)


@router.get("/consult/manage/{slug}/definition.yaml")
def definition_yaml(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    return Response(dumps_yaml(_definition(request, slug, actor)),
                    media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{slug}.yaml"'})


@router.get("/consult/manage/{slug}/definition.json")
def definition_json(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    return Response(dumps_json(_definition(request, slug, actor)),
                    media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{slug}.json"'})


@router.get("/consult/manage/{slug}/preview", response_class=HTMLResponse)
def preview(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    from wholeplace.web.routes.consult import _render

    with request.app.state.appdb() as s:
        c = cs.definition_of(officer.owned(s, slug, actor.acting_for))
    outcome, violations = check_response(c, Answer())
    return _render(request, "en", c, {"file": "", "band": "D"}, outcome, violations, {},
                   checked=False, action=f"/consult/manage/{slug}/preview")


@router.post("/consult/manage/{slug}/preview", response_class=HTMLResponse)
async def preview_post(request: Request, slug: str, actor: Actor = Depends(MANAGE)
                       ) -> Response:
    """The officer's preview recalculated (nothing stored): what a resident sees after
    Recalculate, the later cost of a cut to a linked line included."""
    from wholeplace.web.i18n import gettext_for
    from wholeplace.web.routes.consult import _render

    form = await _form(request)
    with request.app.state.appdb() as s:
        c = cs.definition_of(officer.owned(s, slug, actor.acting_for))
    answer, field_errors = page.parse_form(c, form, gettext_for("en").gettext)
    outcome, violations = check_response(c, answer)
    ok = not field_errors and not violations
    return _render(request, "en", c, {**form, "file": ""}, outcome, violations, field_errors,
                   checked=True, status_code=200 if ok else 422, answer=answer,
                   action=f"/consult/manage/{slug}/preview")


def _step(request: Request, slug: str, actor: Actor, what: str) -> Response:
    with request.app.state.appdb() as s, s.begin():
        row = officer.owned(s, slug, actor.acting_for)
        (cs.publish if what == "publish" else cs.close)(s, row)
        audit.record(s, actor, f"consult.{what}", f"consultation:{slug}", ip=_ip(request),
                     detail={"version": row.version})
    return RedirectResponse(f"/consult/manage/{slug}", status_code=303)


@router.post("/consult/manage/{slug}/publish")
def publish(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    try:
        return _step(request, slug, actor, "publish")
    except InputError as exc:
        return _edit_page(request, slug, actor, None, [("privacy_notice", str(exc))], 422)


@router.post("/consult/manage/{slug}/close")
def close(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    try:
        return _step(request, slug, actor, "close")
    except InputError as exc:
        return _edit_page(request, slug, actor, None, [("title", str(exc))], 422)
