"""Paper responses typed in by an officer, the budget the council adopted, and the public
"you said, we did" page once a consultation has closed.

GET  /consult/manage/{slug}/paper             the paper form (the simulator's fields)
POST /consult/manage/{slug}/paper             checked by the same rules engine as online
                                              responses; stored as channel "paper"
POST /consult/manage/{slug}/adopted           the adopted budget (after close)
GET  /consult/{slug}/you-said-we-did(.json)   public: residents' choices beside the adopted
                                              budget (closed consultations with an adopted
                                              budget only; no comments, no single response)
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from wholeplace.access import audit
from wholeplace.access.actor import Actor
from wholeplace.consult import Consultation, check_response, officer
from wholeplace.consult import store as cs
from wholeplace.consult.charts import pounds
from wholeplace.consult.dashboard import results
from wholeplace.consult.store import outcome_record
from wholeplace.consult.weighting import AGE_BANDS
from wholeplace.counciltax.money import pence
from wholeplace.errors import InputError, NotFoundError
from wholeplace.web import consult_page as page
from wholeplace.web.access import require
from wholeplace.web.access.guard import acting_org
from wholeplace.web.render import as_json, render
from wholeplace.web.routes.consult_manage import _edit_page, _form, _ip
from wholeplace.web.routes.consult_results import _population

router = APIRouter(include_in_schema=False)
MANAGE = require("consult.manage", acting_org)
AREA_MAX, COMMENT_MAX = 120, 5000


def _english(text: str) -> str:
    return text


def _paper_page(request: Request, slug: str, actor: Actor, form: dict[str, str],
                errors: list[tuple[str, str]], status_code: int = 200,
                saved: str | None = None) -> Response:
    with request.app.state.appdb() as s:
        row = officer.owned(s, slug, actor.acting_for)
        c = cs.definition_of(row)
        status = row.status
    return render(request, "consult/paper.html", {
        "title": f"Enter a paper response: {c.title}", "c": c, "form": form,
        "errors": errors, "status": status, "age_bands": AGE_BANDS, "saved": saved,
        "fields": [(page.line_field(line), line) for line in c.lines],
        "base_url": f"/consult/manage/{slug}"}, status_code=status_code)


@router.get("/consult/manage/{slug}/paper")
def paper_page(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    return _paper_page(request, slug, actor, {}, [],
                       saved=request.query_params.get("saved"))


def _answers(form: dict[str, str]) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    age = form.get("age_band") or None
    if age is not None and age not in dict(AGE_BANDS):
        errors.append(("age_band", "Choose an age band from the list, or leave it blank."))
    area = (form.get("area") or "").strip() or None
    if area is not None and len(area) > AREA_MAX:
        errors.append(("area", f"The area must be {AREA_MAX} characters or fewer."))
    comment = (form.get("comment") or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        errors.append(("comment", f"The comment must be {COMMENT_MAX} characters or fewer."))
    return {"age_band": age, "area": area, "comment": comment}, errors


@router.post("/consult/manage/{slug}/paper")
async def paper_post(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    form = await _form(request)
    with request.app.state.appdb() as s:
        c = cs.definition_of(officer.owned(s, slug, actor.acting_for))
    answer, field_errors = page.parse_form(c, form, _english)
    outcome, violations = check_response(c, answer)
    answers, errors = _answers(form)
    errors = list(field_errors.items()) + errors + [
        (page._field_of(v, c), page.violation_message(v, c, _english)) for v in violations]
    if errors:
        return _paper_page(request, slug, actor, form, errors, 422)
    tax = outcome.tax
    try:
        with request.app.state.appdb() as s, s.begin():
            row = officer.owned(s, slug, actor.acting_for)
            stored = officer.add_paper(
                s, row, answer.model_dump(mode="json"), outcome_record(outcome, answer),
                answer.council_tax_change + answer.adult_social_care_change,
                bool(tax and tax.excessive), answers, actor.user_id)
            audit.record(s, actor, "consult.paper_response", f"response:{stored.reference}",
                         ip=_ip(request), detail={"consultation": slug})
            reference = stored.reference
    except InputError as exc:
        return _paper_page(request, slug, actor, form, [("paper", str(exc))], 422)
    return RedirectResponse(f"/consult/manage/{slug}/paper?saved={reference}",
                            status_code=303)


def _adopted(c: Consultation, form: dict[str, str]
             ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    answer, field_errors = page.parse_form(c, form, _english)
    note = (form.get("adopted_note") or "").strip()
    errors = [(f"adopted-{k}", m) for k, m in field_errors.items()]
    if len(note) > COMMENT_MAX:
        errors.append(("adopted-note", f"The note must be {COMMENT_MAX} characters or fewer."))
    data = {"line_changes": {k: format(v, "f") for k, v in answer.line_changes.items()},
            "council_tax_change": format(answer.council_tax_change
                                         + answer.adult_social_care_change, "f"),
            "note": note, "entered_at": datetime.now(UTC).isoformat(timespec="seconds")}
    return data, errors


@router.post("/consult/manage/{slug}/adopted")
async def adopted_post(request: Request, slug: str, actor: Actor = Depends(MANAGE)) -> Response:
    form = await _form(request)
    with request.app.state.appdb() as s:
        c = cs.definition_of(officer.owned(s, slug, actor.acting_for))
    data, errors = _adopted(c, form)
    if errors:
        return _edit_page(request, slug, actor, None, errors, 422)
    try:
        with request.app.state.appdb() as s, s.begin():
            row = officer.owned(s, slug, actor.acting_for)
            officer.set_adopted(s, row, data)
            audit.record(s, actor, "consult.adopted", f"consultation:{slug}", ip=_ip(request),
                         detail=data)
    except InputError as exc:
        return _edit_page(request, slug, actor, None, [("adopted", str(exc))], 422)
    return RedirectResponse(f"/consult/{slug}/you-said-we-did", status_code=303)


def said_and_did(c: Consultation, data: dict[str, Any], adopted: dict[str, Any]
                 ) -> dict[str, Any]:
    """Per line: what residents proposed (median, mean, weighted mean, how many cut) beside
    the change the council adopted; and the same for council tax."""
    weighted = data["all"]["weighted_mean_change_pence"]
    lines = []
    for line, x in zip(c.lines, data["lines"], strict=True):
        s = x["summary_pence"]
        lines.append({"id": line.id, "title": line.title, "budget_pence": x["budget_pence"],
                      "median_pence": s["median"], "mean_pence": s["mean"],
                      "weighted_mean_pence": weighted.get(line.id), "cut": x["cut"],
                      "unchanged": x["unchanged"], "increase": x["increase"],
                      "adopted_pence": pence(adopted["line_changes"].get(line.id, "0"))})
    tax = data["council_tax"]
    return {"responses": data["responses"], "lines": lines,
            "council_tax": None if tax is None else {
                "rise": tax["rise"], "rise_percent": tax["rise_percent"],
                "above_referendum_limit": tax["above_referendum_limit"],
                "median_percent": None if tax["change_basis_points"]["median"] is None
                else format(Decimal(tax["change_basis_points"]["median"]) / 100, "f"),
                "adopted_percent": adopted.get("council_tax_change")},
            "note": adopted.get("note", ""), "weights": data["weights"]}


def _public(request: Request, slug: str) -> dict[str, Any]:
    with request.app.state.appdb() as s:
        try:
            row = cs.get(s, slug)
        except NotFoundError:
            row = None
        if row is None or row.status != "closed" or row.adopted is None:
            raise NotFoundError(f"There is no \u201cyou said, we did\u201d for {slug!r} yet: it "
                                "appears once the consultation has closed and the council has "
                                "recorded the budget it adopted.")
        c = cs.definition_of(row)
        rows = officer.result_rows(officer.responses(s, row))
        events = officer.events(s, row)
        adopted, title = dict(row.adopted), row.title
    data = results(c, rows, events, _population(request, c.council_code))
    return {"slug": slug, "title": title, "council": c.council_name,
            "budget_year": c.budget_year, "demonstration": c.demonstration,
            **said_and_did(c, data, adopted)}


@router.get("/consult/{slug}/you-said-we-did.json")
def said_json(request: Request, slug: str) -> Response:
    return as_json(_public(request, slug))


@router.get("/consult/{slug}/you-said-we-did")
def said_page(request: Request, slug: str) -> Response:
    d = _public(request, slug)
    return render(request, "consult/you_said.html", {
        "title": f"You said, we did: {d['title']}", "d": d, "pounds": pounds,
        "json_url": f"/consult/{slug}/you-said-we-did.json"})
