"""Data-sharing agreements managed through the web by data protection officers: draft one for
the organisation acted for (``/agreements/new``), submit it for approval, approve it for that
organisation, revoke it with a reason. Every change is a CSRF-protected form, allowed only by
the policy (``agreement.*`` actions), audited once here (the domain functions do not audit),
and answers JSON when sent ``Accept: application/json``."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from wholeplace.access import agreements, audit, organisations
from wholeplace.access.actor import Actor
from wholeplace.access.models import ARTICLE6_BASES, ARTICLE9_CONDITIONS, Agreement, User
from wholeplace.access.policy import Resource, allowed
from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.store import Store
from wholeplace.web import uploads
from wholeplace.web.access import require
from wholeplace.web.access.guard import acting_org
from wholeplace.web.deps import get_store
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)

Errors = list[tuple[str, str]]

#: What an indicator id looks like (``family.name``, lower case).
INDICATOR_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
DATE_FIELDS = ("start_date", "end_date", "review_date")
TEXT_LIMITS = {"title": 200, "purpose": 4000, "parties": 1000, "indicators": 4000}

#: Notices after a change (by key, so nothing from the request is echoed back).
NOTICES = {"created": "The draft agreement has been saved. Submit it for approval when "
                      "every party has agreed its terms.",
           "submitted": "The agreement has been sent for each party's approval.",
           "approved": "Your organisation's approval has been recorded.",
           "activated": "Every party has approved: the agreement is active and its data is "
                        "shared now.",
           "revoked": "The agreement has been revoked: the access it gave has ended."}


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _wants_json(request: Request) -> bool:
    return request.headers.get("accept", "").split(",")[0].strip() == "application/json"


def _own_datasets(request: Request, store: Store, code: str) -> list[dict[str, Any]]:
    """The acting organisation's uploads it may put in an agreement (by source id)."""
    rows = uploads.own_uploads(store, code, [])
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["superseded_by"] is None:
            seen.setdefault(str(row["source_id"]), {"source_id": row["source_id"],
                                                    "title": row["title"]})
    return list(seen.values())


def _form_context(request: Request, actor: Actor, store: Store, errors: Errors,
                  values: dict[str, Any]) -> dict[str, Any]:
    code = str(actor.acting_for)
    with request.app.state.appdb() as s:
        others = [(o.code, o.name) for o in organisations.all_organisations(s)
                  if o.code != code]
        org = organisations.find(s, code)
        name = org.name if org is not None else code
    return {"title": "New data-sharing agreement", "json_url": "/agreements/new.json",
            "org": code, "org_name": name, "others": others, "errors": errors,
            "datasets": _own_datasets(request, store, code), "values": values,
            "bases": ARTICLE6_BASES, "conditions": ARTICLE9_CONDITIONS}


@router.get("/agreements/new")
def new_page(request: Request, actor: Actor = Depends(require("agreement.create", acting_org)),
             store: Store = Depends(get_store)) -> Response:
    return render(request, "agreement_new.html",
                  _form_context(request, actor, store, [], {"datasets": []}))


@router.get("/agreements/new.json")
def new_json(request: Request, actor: Actor = Depends(require("agreement.create", acting_org)),
             store: Store = Depends(get_store)) -> Response:
    context = _form_context(request, actor, store, [], {})
    return as_json({"organisation": context["org"],
                    "datasets": [d["source_id"] for d in context["datasets"]],
                    "article6_bases": list(ARTICLE6_BASES),
                    "article9_conditions": list(ARTICLE9_CONDITIONS),
                    "fields": {"title": "text", "purpose": "text",
                               "parties": "other parties' codes, comma-separated",
                               "datasets": "source ids (repeat)",
                               "indicators": "indicator ids, comma-separated",
                               "article6_basis": "one of article6_bases",
                               "article9_condition": "optional, a to j",
                               **{f: "YYYY-MM-DD (or <field>-day, -month, -year)"
                                  for f in DATE_FIELDS}},
                    "post": "/agreements/new (form, with csrf_token)"})


def _date_of(form: FormData, name: str) -> tuple[str, date | None, bool]:
    """(the date as typed, the date or None, whether anything was typed)."""
    whole = str(form.get(name, "")).strip()
    if not whole:
        parts = [str(form.get(f"{name}-{p}", "")).strip() for p in ("year", "month", "day")]
        whole = "-".join(parts) if any(parts) else ""
    if not whole:
        return "", None, False
    try:
        year, month, day = (int(p) for p in whole.split("-"))
        return whole, date(year, month, day), True
    except ValueError:
        return whole, None, True


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(form.get(k, "")).strip()[:limit + 1]
                              for k, limit in TEXT_LIMITS.items()}
    values["article6_basis"] = str(form.get("article6_basis", ""))
    values["article9_condition"] = str(form.get("article9_condition", "")).strip()
    values["datasets"] = [str(v) for v in form.getlist("datasets")]
    for name in DATE_FIELDS:
        values[name] = _date_of(form, name)
    return values


def _date_problems(values: dict[str, Any]) -> Errors:
    errors: Errors = []
    labels = {"start_date": "start date", "end_date": "end date", "review_date": "review date"}
    for name in DATE_FIELDS:
        _, when, given = values[name]
        if not given and name != "review_date":
            errors.append((name, f"Enter the {labels[name]}"))
        elif given and when is None:
            errors.append((name, f"The {labels[name]} must be a real date, like 2027-03-31"))
    start, end, review = (values[n][1] for n in DATE_FIELDS)
    if start and end and end < start:
        errors.append(("end_date", "The end date must be on or after the start date"))
    if start and end and review and not start <= review <= end:
        errors.append(("review_date", "The review date must be between the start and end"))
    return errors


def _problems(values: dict[str, Any], own: set[str], known: set[str], code: str) -> Errors:
    errors: Errors = []
    if not values["title"] or len(values["title"]) > TEXT_LIMITS["title"]:
        errors.append(("title", "Enter a title of up to 200 characters"))
    if not values["purpose"] or len(values["purpose"]) > TEXT_LIMITS["purpose"]:
        errors.append(("purpose", "Enter the purpose of the sharing, up to 4000 characters"))
    others = [p for p in agreements.codes([values["parties"]]) if p != code]
    unknown = [p for p in others if p not in known]
    if not others:
        errors.append(("parties", "Enter the code of at least one other party"))
    elif unknown:
        errors.append(("parties", "There is no organisation with code "
                                  + ", ".join(unknown[:5])[:200]))
    indicators = agreements.codes([values["indicators"]])
    if [d for d in values["datasets"] if d not in own]:
        errors.append(("datasets", "Choose only your organisation's own uploads"))
    if [i for i in indicators if not INDICATOR_ID.match(i)]:
        errors.append(("indicators", "Enter indicator ids like family.name, with commas"))
    if not values["datasets"] and not indicators:
        errors.append(("datasets", "Choose at least one dataset or enter an indicator id"))
    if values["article6_basis"] not in ARTICLE6_BASES:
        errors.append(("article6_basis", "Choose the UK GDPR article 6 lawful basis"))
    if values["article9_condition"] and values["article9_condition"] not in \
            ARTICLE9_CONDITIONS:
        errors.append(("article9_condition", "Choose an article 9(2) condition, or none"))
    return errors + _date_problems(values)


def _terms(values: dict[str, Any], code: str) -> agreements.Terms:
    return agreements.Terms(
        title=values["title"], purpose=values["purpose"],
        parties=(code, *agreements.codes([values["parties"]])),
        items=tuple(f"dataset:{d}" for d in values["datasets"])
        + tuple(f"indicator:{i}" for i in agreements.codes([values["indicators"]])),
        article6_basis=values["article6_basis"],
        article9_condition=values["article9_condition"] or None,
        start_date=values["start_date"][1], end_date=values["end_date"][1],
        review_date=values["review_date"][1])


def _refused(request: Request, actor: Actor, store: Store, errors: Errors,
             values: dict[str, Any]) -> Response:
    if _wants_json(request):
        return as_json({"error": "invalid", "problems": [
            {"field": f, "message": m} for f, m in errors]}, 400)
    return render(request, "agreement_new.html",
                  _form_context(request, actor, store, errors, values), status_code=400)


@router.post("/agreements/new")
async def create(request: Request,
                 actor: Actor = Depends(require("agreement.create", acting_org)),
                 store: Store = Depends(get_store)) -> Response:
    code = str(actor.acting_for)
    values = _values(await request.form())
    own = {str(d["source_id"]) for d in _own_datasets(request, store, code)}
    with request.app.state.appdb() as s:
        known = {o.code for o in organisations.all_organisations(s)}
    errors = _problems(values, own, known, code)
    if errors:
        return _refused(request, actor, store, errors, values)
    try:
        with request.app.state.appdb() as s, s.begin():
            made = agreements.add(s, _terms(values, code), draft=True)
            detail = agreements.detail(made, date.today())
            audit.record(s, actor, "agreement.create", f"agreement:{made.id}",
                         ip=_ip(request), detail=detail)
    except InputError as exc:
        return _refused(request, actor, store, [("title", str(exc))], values)
    if _wants_json(request):
        return as_json({"created": detail}, 201)
    return RedirectResponse(f"/agreements/{detail['id']}?done=created", status_code=303)


# ---- one agreement: submit, approve, revoke --------------------------------------------


def agreement_ref(request: Request) -> Resource:
    """The agreement in the path as a resource (None, refused by the policy, if there is
    none: a guessed number answers the same as one the person is no party to)."""
    try:
        number = int(str(request.path_params.get("agreement_id", "")))
    except ValueError:
        return None
    with request.app.state.appdb() as s:
        found = s.get(Agreement, number)
        return agreements.ref(found, date.today()) if found is not None else None


def actions_for(request: Request, agreement: Agreement, today: date) -> dict[str, Any]:
    """The buttons the agreement's page shows the person asking (none to non-parties)."""
    from wholeplace.web.access.state import actor_of_request

    actor = actor_of_request(request)
    ref = agreements.ref(agreement, today)
    if actor is None or actor.operator or actor.acting_for is None:
        return {}
    approved = {p.organisation.code for p in agreement.parties if p.approved_at is not None}
    return {"submit": allowed(actor, "agreement.submit", ref),
            "approve": allowed(actor, "agreement.approve", ref)
            and actor.acting_for not in approved,
            "revoke": allowed(actor, "agreement.revoke", ref),
            "org": actor.acting_for}


def _done(request: Request, agreement_id: int, key: str, detail: dict[str, Any]) -> Response:
    if _wants_json(request):
        return as_json({"done": key, "agreement": detail})
    return RedirectResponse(f"/agreements/{agreement_id}?done={key}", status_code=303)


_NO_DETAIL: dict[str, Any] = {}


def _change(request: Request, actor: Actor, agreement_id: int, action: str,
            reason: str | None = None) -> tuple[str, dict[str, Any]]:
    """Apply one change and audit it in the same transaction; the notice key."""
    today = date.today()
    with request.app.state.appdb() as s, s.begin():
        found = s.get(Agreement, agreement_id)
        if found is None:
            raise NotFoundError(f"There is no agreement {agreement_id}.")
        key, extra = "submitted", _NO_DETAIL
        if action == "agreement.submit":
            agreements.submit(s, found)
        elif action == "agreement.approve":
            user = s.get(User, actor.user_id)
            if user is None:
                raise NotFoundError("Your account no longer exists. Sign in again.")
            active = agreements.approve(s, found, str(actor.acting_for), user)
            key, extra = ("activated" if active else "approved"), {"active": active}
        else:
            agreements.revoke(s, found)
            key, extra = "revoked", {"reason": reason}
        audit.record(s, actor, action, f"agreement:{agreement_id}", ip=_ip(request),
                     detail=extra)
        return key, agreements.detail(found, today)


@router.post("/agreements/{agreement_id}/submit")
def submit(request: Request, agreement_id: int,
           actor: Actor = Depends(require("agreement.submit", agreement_ref))) -> Response:
    key, detail = _change(request, actor, agreement_id, "agreement.submit")
    return _done(request, agreement_id, key, detail)


@router.post("/agreements/{agreement_id}/approve")
def approve(request: Request, agreement_id: int,
            actor: Actor = Depends(require("agreement.approve", agreement_ref))) -> Response:
    key, detail = _change(request, actor, agreement_id, "agreement.approve")
    return _done(request, agreement_id, key, detail)


@router.post("/agreements/{agreement_id}/revoke")
def revoke(request: Request, agreement_id: int, reason: str = Form("", max_length=2000),
           actor: Actor = Depends(require("agreement.revoke", agreement_ref))) -> Response:
    if not reason.strip():
        if _wants_json(request):
            return as_json({"error": "invalid", "problems": [
                {"field": "reason", "message": "Enter why the agreement is revoked"}]}, 400)
        from wholeplace.web.routes.agreements import one

        return render(request, "agreement.html", {
            **one(request, agreement_id), "title": "Revoke the agreement",
            "json_url": f"/agreements/{agreement_id}.json",
            "errors": [("reason", "Enter why the agreement is revoked")]}, status_code=400)
    key, detail = _change(request, actor, agreement_id, "agreement.revoke", reason.strip())
    return _done(request, agreement_id, key, detail)
