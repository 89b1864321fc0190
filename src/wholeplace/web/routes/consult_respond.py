"""A published consultation, for residents: the simulator with Submit, the receipt, save and
come back by a private link, the privacy notice, and the JSON twins.

GET  /consult/{slug}[.json]                 the simulator (no JavaScript: a form that
                                            recalculates on submit; with it: live)
POST /consult/{slug}                        action=recalculate | save | submit (form)
POST /consult/{slug}.json                   {"response": {...}, "age_band", "area", "comment",
                                            "household"}: 201 {"reference"} (X-CSRF-Token)
POST /consult/{slug}/started                the funnel's "started" (sent by the page's script)
GET  /consult/{slug}/receipt/{reference}[.json]
GET  /consult/{slug}/saved/{token}[.json]   a saved response, by its private link
GET  /consult/{slug}/privacy[.json]         the privacy notice the officer wrote

Every submission is re-checked on the server (store.check, and again under the write lock by
consult/writer.py); anything refused stores nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from wholeplace.access.tokens import new_token
from wholeplace.appdb import utcnow
from wholeplace.consult import (
    Consultation,
    abuse,
    check_response,
    definition_data,
    later,
    parse_response,
)
from wholeplace.consult import Response as Answer
from wholeplace.consult import store as cs
from wholeplace.consult.tables import ConsultationRow, ResponseRow
from wholeplace.errors import InputError, NotFoundError, ValidationError
from wholeplace.web import consult_guard as guard
from wholeplace.web import consult_later as later_web
from wholeplace.web import consult_page as page
from wholeplace.web import csrf
from wholeplace.web.consult_respond_view import (
    AGE_BANDS,
    age_labels,
    form_of,
    refusal_message,
)
from wholeplace.web.i18n import HTML_LANG, LANGUAGES, environment, gettext_for, language
from wholeplace.web.render import as_json
from wholeplace.web.routes.consult import _read_text, _script_json, _violations

router = APIRouter(include_in_schema=False)
SLUG = r"^[a-z0-9][a-z0-9-]{0,79}$"
MAX_COMMENT = 2000
MAX_AREA = 120


def _visible(request: Request, slug: str) -> tuple[ConsultationRow, Consultation]:
    """A published or closed consultation (a draft is not there for the public)."""
    with request.app.state.appdb() as s:
        found = cs.find_public(s, slug)
    if found is None or found[0].status == "draft":
        raise NotFoundError(f"There is no consultation at /consult/{slug}. Check the address.")
    return found


#: How long a published consultation found for a submission is reused by this process. The
#: writer reads the consultation again under the write lock (status, dates, definition,
#: household check), so a closure or an edit within this time is still enforced.
SUBMIT_CACHE_SECONDS = 1.0


def _for_submission(request: Request, slug: str) -> tuple[ConsultationRow, Consultation]:
    """:func:`_visible` for a submission, reused for up to SUBMIT_CACHE_SECONDS."""
    state = request.app.state
    cache: dict[str, tuple[float, ConsultationRow, Consultation]] | None = getattr(
        state, "consult_for_submission", None)
    if cache is None:
        cache = state.consult_for_submission = {}
    now = time.monotonic()
    hit = cache.get(slug)
    if hit is not None and hit[0] > now:
        return hit[1], hit[2]
    row, c = _visible(request, slug)
    if row.status == "published":
        cache[slug] = (now + SUBMIT_CACHE_SECONDS, row, c)
    return row, c


def _event(request: Request, row: ConsultationRow, stage: str, visitor: str | None) -> None:
    """Record a funnel stage; under overload (the database locked past its busy timeout) the
    event is skipped rather than failing the resident's page."""
    try:
        with request.app.state.appdb() as s, s.begin():
            cs.record_event(s, row, stage, visitor)
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise


def _lang_links(slug: str, suffix: str = "") -> dict[str, str]:
    return {code: f"/consult/{slug}{suffix}?lang={code}" for code in LANGUAGES}


def _page(request: Request, lang: str, template: str, context: dict[str, Any],
          status_code: int = 200, token: str | None = None) -> HTMLResponse:
    form_token = csrf.token_for(request)
    context.setdefault("errors", {})
    context.update(request=request, lang=lang, html_lang=HTML_LANG[lang], languages=LANGUAGES,
                   csrf_field=csrf.FIELD, csrf_token=form_token, file="")
    html = environment(lang).get_template(template).render(**context)
    response = HTMLResponse(html, status_code=status_code)
    csrf.set_cookie(request, response, form_token)
    if token is not None:
        guard.set_browser_cookie(request, response, token)
    response.headers["Cache-Control"] = "no-store"
    return response


def _simulator(request: Request, lang: str, row: ConsultationRow, c: Consultation,
               form: dict[str, str], answer: Answer, field_errors: dict[str, str],
               checked: bool, status_code: int = 200, token: str | None = None,
               refusal: str | None = None) -> HTMLResponse:
    _ = gettext_for(lang).gettext
    outcome, violations = check_response(c, answer)
    context: dict[str, Any] = page.view(c, form, outcome, violations, field_errors, _, checked)
    found, problems = later_web.profiles_for(request, c)
    context.update(
        later=later_web.page_view(c, answer.line_changes, found, problems, _),
        row=row, slug=row.slug, lang_links=_lang_links(row.slug),
        json_url=f"/consult/{row.slug}.json", definition_json=_script_json(definition_data(c)),
        optional={k: form.get(k, "") for k in ("age_band", "area", "comment", "household")},
        age_bands=age_labels(_), opened_at=form.get("opened_at") or utcnow().isoformat(),
        accepting=_accepting(row, c), refusal=refusal)
    return _page(request, lang, "consult/respond.html", context, status_code, token)


def _accepting(row: ConsultationRow, c: Consultation) -> bool:
    try:
        cs.taking_responses(row, c, utcnow().date())
    except cs.ClosedError:
        return False
    return True


@router.get("/consult/{slug}.json")
def consultation_json(request: Request, slug: str = Path(..., pattern=SLUG)) -> Response:
    row, c = _visible(request, slug)
    outcome, violations = check_response(c, Answer())
    return as_json({"slug": row.slug, "title": row.title, "status": row.status,
                    "accepting_responses": _accepting(row, c), "version": row.version,
                    "demonstration": row.demonstration, "allow_multiple": row.allow_multiple,
                    "household_check": row.household_check,
                    "privacy_notice_url": f"/consult/{row.slug}/privacy",
                    "submit_url": f"/consult/{row.slug}.json", "age_bands": list(AGE_BANDS),
                    "definition": definition_data(c), "outcome": outcome.to_dict(),
                    "violations": _violations(violations), "later_costs": [],
                    "prevention_models": _models(request, c)})


def _models(request: Request, c: Consultation) -> dict[str, Any]:
    """The linked prevention models (what a cut's later cost rests on), or why not shown."""
    found, problems = later_web.profiles_for(request, c)
    out: dict[str, Any] = {m: {"unavailable": why} for m, why in problems.items()}
    for m, p in found.items():
        out[m] = {"title": p.title, "price_base": p.price_base, "illustration": p.illustration,
                  "note": p.note, "programme_cost_per_year": p.programme,
                  "lines": [x.id for x in later.linked(c)
                            if x.prevention and x.prevention.model == m]}
    return out


@router.get("/consult/{slug}", response_class=HTMLResponse)
def consultation(request: Request, slug: str = Path(..., pattern=SLUG),
                 lang: str | None = Query(None, max_length=5),
                 band: str | None = Query(None, max_length=1)) -> Response:
    code = language(lang)
    row, c = _visible(request, slug)
    token, new = guard.browser_token(request)
    _event(request, row, "opened", guard.hashed(request, "visitor", token))
    return _simulator(request, code, row, c, {"band": band or "D"}, Answer(), {}, False,
                      token=token if new else None)


async def _form_of(request: Request) -> dict[str, str]:
    guard.require_kind(request, "application/x-www-form-urlencoded")
    return guard.parse_form(await _read_text(request))


def _optional(form: dict[str, Any], _: page.Gettext) -> tuple[dict[str, str | None],
                                                               dict[str, str]]:
    errors: dict[str, str] = {}
    age = str(form.get("age_band") or "") or None
    if age is not None and age not in AGE_BANDS:
        errors["age_band"] = _("Choose an age band from the list")
    area = str(form.get("area") or "").strip() or None
    if area is not None and len(area) > MAX_AREA:
        errors["area"] = _("The area must be %(n)s characters or fewer") % {"n": MAX_AREA}
    comment = str(form.get("comment") or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        errors["comment"] = _("Your comment must be %(n)s characters or fewer") % {
            "n": MAX_COMMENT}
    household = str(form.get("household") or "").strip() or None
    return {"age_band": age, "area": area, "comment": comment, "household": household}, errors


def _started(form: dict[str, str]) -> datetime | None:
    try:
        at = datetime.fromisoformat(form.get("opened_at", ""))
    except ValueError:
        return None
    now = utcnow()
    return at if at.tzinfo is not None and at <= now else None


async def _write(request: Request, row: ConsultationRow, c: Consultation,
                 sub: cs.Submission) -> str:
    """Re-check the submission and store it; the reference comes back only once the
    transaction holding it has committed (consult/writer.py batches waiting submissions into
    one commit)."""
    limits = guard.limits(request)
    limits.enter()
    try:
        checked = cs.check(row, sub, utcnow(), c=c, household_key=abuse.household_key()
                           if row.household_check else None)
        return await asyncio.wrap_future(guard.writer(request).put(row, checked))
    except OperationalError as exc:  # the database stayed locked past its busy timeout
        if "locked" not in str(exc):
            raise
        raise guard.Refused("The service is very busy, so your answer was not recorded. "
                            "Wait a moment and send it again.", 503, 1.0) from exc
    finally:
        limits.leave()


def _refused(request: Request, lang: str, exc: guard.Refused | cs.Refusal | InputError
             ) -> Response:
    _ = gettext_for(lang).gettext
    status = exc.status_code
    headers = {"Retry-After": exc.retry_after} if isinstance(exc, guard.Refused) else {}
    if request.url.path.endswith(".json"):
        answer = as_json({**exc.to_dict(), "recorded": False}, status_code=status)
        answer.headers.update(headers)
        return answer
    response = _page(request, lang, "consult/message.html", {
        "title": _("Your answer was not recorded"), "message": refusal_message(exc, _),
        "back": request.url.path, "json_url": ""}, status_code=status)
    response.headers.update(headers)
    return response


@router.post("/consult/{slug}.json")
async def consultation_json_post(request: Request, slug: str = Path(..., pattern=SLUG)
                                 ) -> Response:
    try:
        guard.limits(request).admit(guard.client_of(request))
        guard.require_kind(request, "application/json")
        text = await _read_text(request)
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"The body is not valid JSON: {exc.msg} at character "
                             f"{exc.pos}. Nothing was recorded.") from exc
        if not isinstance(body, dict) or not isinstance(body.get("response", {}), dict):
            raise InputError('Send {"response": {...}} with optional "age_band", "area", '
                             '"comment" and "household". Nothing was recorded.')
        if body.get("website"):
            raise InputError("A field people cannot see was filled in, so this looks "
                             "automated and was not recorded.")
    except (guard.Refused, InputError) as exc:
        return _refused(request, "en", exc)
    row, c = _for_submission(request, slug)
    optional, errors = _optional(body, gettext_for("en").gettext)
    if errors:
        raise InputError(" ".join(errors.values()) + ". Nothing was recorded.")
    token = request.cookies.get(guard.COOKIE)
    sub = cs.Submission(parse_response(body.get("response", {})), age_band=optional["age_band"],
                        area=optional["area"], comment=optional["comment"],
                        household=optional["household"],
                        browser_token_hash=guard.hashed(request, "browser", token)
                        if token else None)
    try:
        reference = await _write(request, row, c, sub)
    except guard.Refused as exc:
        return _refused(request, "en", exc)
    return as_json({"recorded": True, "reference": reference,
                    "receipt_url": f"/consult/{slug}/receipt/{reference}"}, status_code=201)


@router.post("/consult/{slug}", response_class=HTMLResponse)
async def consultation_post(request: Request, slug: str = Path(..., pattern=SLUG)) -> Response:
    lang = language(request.query_params.get("lang"))
    try:
        guard.limits(request).admit(guard.client_of(request))
        form = await _form_of(request)
        lang = language(form.get("lang"))
        if form.get("website"):
            raise InputError("This form had a field filled in that people cannot see, so it "
                             "looks automated and was not recorded.")
    except (guard.Refused, InputError) as exc:
        return _refused(request, lang, exc)
    row, c = _visible(request, slug)
    _ = gettext_for(lang).gettext
    answer, field_errors = page.parse_form(c, form, _)
    token, new = guard.browser_token(request)
    visitor = guard.hashed(request, "visitor", token)
    action = form.get("action", "recalculate")
    if action == "save":
        return _save(request, lang, row, c, answer, form)
    if action != "submit" or field_errors:
        _event(request, row, "started", visitor)
        return _simulator(request, lang, row, c, form, answer, field_errors, True,
                          status_code=422 if field_errors else 200,
                          token=token if new else None)
    optional, errors = _optional(form, _)
    if errors:
        return _simulator(request, lang, row, c, form, answer, errors, True, status_code=422)
    sub = cs.Submission(answer, age_band=optional["age_band"], area=optional["area"],
                        comment=optional["comment"], household=optional["household"],
                        browser_token_hash=None if new else guard.hashed(request, "browser",
                                                                         token),
                        started_at=_started(form))
    try:
        reference = await _write(request, row, c, sub)
    except ValidationError:
        return _simulator(request, lang, row, c, form, answer, {}, True, status_code=422)
    except (guard.Refused, cs.Refusal) as exc:
        return _refused(request, lang, exc)
    return RedirectResponse(f"/consult/{slug}/receipt/{reference}?lang={lang}", status_code=303)


@router.post("/consult/{slug}/started")
async def started(request: Request, slug: str = Path(..., pattern=SLUG)) -> Response:
    try:
        guard.limits(request).admit(guard.client_of(request))
    except guard.Refused as exc:
        return _refused(request, "en", exc)
    row, _c = _visible(request, slug)
    token = request.cookies.get(guard.COOKIE)
    _event(request, row, "started", guard.hashed(request, "visitor", token) if token else None)
    return Response(status_code=204)


def _save(request: Request, lang: str, row: ConsultationRow, c: Consultation, answer: Answer,
          form: dict[str, str]) -> Response:
    link_token = new_token()
    with request.app.state.appdb() as s, s.begin():
        cs.save_draft(s, row, guard.hashed(request, "draft", link_token), answer)
    _ = gettext_for(lang).gettext
    link = f"{request.base_url}consult/{row.slug}/saved/{link_token}?lang={lang}"
    return _page(request, lang, "consult/saved.html", {
        "c": c, "row": row, "link": link, "json_url": "", "lang_links": _lang_links(row.slug),
        "title": _("Your answers are saved")})


def _draft(request: Request, row: ConsultationRow, token: str) -> Answer:
    with request.app.state.appdb() as s:
        return cs.load_draft(s, row, guard.hashed(request, "draft", token))


@router.get("/consult/{slug}/saved/{token}.json")
def saved_json(request: Request, slug: str = Path(..., pattern=SLUG),
               token: str = Path(..., max_length=100)) -> Response:
    row, _c = _visible(request, slug)
    return as_json({"slug": slug, "response": _draft(request, row, token).model_dump(
        mode="json")})


@router.get("/consult/{slug}/saved/{token}", response_class=HTMLResponse)
def saved(request: Request, slug: str = Path(..., pattern=SLUG),
          token: str = Path(..., max_length=100),
          lang: str | None = Query(None, max_length=5)) -> Response:
    code = language(lang)
    row, c = _visible(request, slug)
    answer = _draft(request, row, token)
    form = form_of(c, answer)
    browser, new = guard.browser_token(request)
    return _simulator(request, code, row, c, form, answer, {}, True,
                      token=browser if new else None)


def _receipt(request: Request, slug: str, reference: str) -> tuple[ConsultationRow,
                                                                    Consultation, ResponseRow]:
    row, c = _visible(request, slug)
    with request.app.state.appdb() as s:
        found = s.scalar(select(ResponseRow).where(ResponseRow.consultation_id == row.id,
                                                   ResponseRow.reference == reference))
    if found is None:
        raise NotFoundError(f"There is no response {reference!r} to this consultation. Check "
                            "the reference.")
    return row, c, found


@router.get("/consult/{slug}/receipt/{reference}.json")
def receipt_json(request: Request, slug: str = Path(..., pattern=SLUG),
                 reference: str = Path(..., max_length=16)) -> Response:
    _row, c, found = _receipt(request, slug, reference)
    profiles, _problems = later_web.profiles_for(request, c)
    return as_json({"slug": slug, "reference": found.reference, "recorded": True,
                    "submitted_at": found.submitted_at.isoformat(),
                    "later_costs": [lc.to_dict() for lc in later.later_costs(
                        c, _changes(found), profiles)]})


def _changes(found: ResponseRow) -> dict[str, Decimal]:
    """The line changes a stored response proposed (£ by line id)."""
    return {str(k): Decimal(str(v)) for k, v in
            ((found.choices or {}).get("line_changes") or {}).items()}


@router.get("/consult/{slug}/receipt/{reference}", response_class=HTMLResponse)
def receipt(request: Request, slug: str = Path(..., pattern=SLUG),
            reference: str = Path(..., max_length=16),
            lang: str | None = Query(None, max_length=5)) -> Response:
    code = language(lang)
    row, c, found = _receipt(request, slug, reference)
    _ = gettext_for(code).gettext
    profiles, problems = later_web.profiles_for(request, c)
    return _page(request, code, "consult/receipt.html", {
        "c": c, "row": row, "reference": found.reference,
        "later": later_web.page_view(c, _changes(found), profiles, problems, _),
        "submitted": found.submitted_at.strftime("%d/%m/%Y %H:%M UTC"),
        "lang_links": _lang_links(slug, f"/receipt/{found.reference}"),
        "json_url": f"/consult/{slug}/receipt/{found.reference}.json",
        "title": _("Your response has been recorded")})


@router.get("/consult/{slug}/privacy.json")
def privacy_json(request: Request, slug: str = Path(..., pattern=SLUG)) -> Response:
    row, _c = _visible(request, slug)
    return as_json({"slug": slug, "title": row.title, "privacy_notice": row.privacy_notice})


@router.get("/consult/{slug}/privacy", response_class=HTMLResponse)
def privacy(request: Request, slug: str = Path(..., pattern=SLUG),
            lang: str | None = Query(None, max_length=5)) -> Response:
    code = language(lang)
    row, c = _visible(request, slug)
    _ = gettext_for(code).gettext
    return _page(request, code, "consult/privacy.html", {
        "c": c, "row": row, "paragraphs": [p for p in row.privacy_notice.split("\n\n") if p],
        "lang_links": _lang_links(slug, "/privacy"), "json_url": f"/consult/{slug}/privacy.json",
        "title": _("Privacy notice")})
