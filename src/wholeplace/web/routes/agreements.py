"""The agreement register: the public sees that each agreement exists, its parties, purpose
and status; people acting for a party also see what it covers, its lawful basis, dates and
approvals. Every page has a JSON twin."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from wholeplace.access import agreements, organisations
from wholeplace.access.models import Agreement
from wholeplace.access.policy import Org, allowed
from wholeplace.errors import NotFoundError
from wholeplace.web.access.state import actor_of_request
from wholeplace.web.render import as_json, render
from wholeplace.web.routes.agreements_manage import NOTICES, actions_for

router = APIRouter(include_in_schema=False)


def _view(request: Request, agreement: Agreement, today: date) -> dict[str, object]:
    actor = actor_of_request(request)
    if allowed(actor, "agreement.view", agreements.ref(agreement, today)):
        return {**agreements.detail(agreement, today), "party_view": True}
    return {**agreements.summary(agreement, today), "party_view": False}


def register(request: Request) -> dict[str, object]:
    today = date.today()
    with request.app.state.appdb() as s:
        rows = [_view(request, a, today) for a in agreements.all_agreements(s)]
        names = {o.code: o.name for o in organisations.all_organisations(s)}
    actor = actor_of_request(request)
    can_create = actor is not None and actor.acting_for is not None and allowed(
        actor, "agreement.create", Org(actor.acting_for))
    return {"agreements": rows, "names": names, "can_create": can_create}


def one(request: Request, agreement_id: int) -> dict[str, object]:
    today = date.today()
    with request.app.state.appdb() as s:
        found = s.get(Agreement, agreement_id)
        if found is None:
            raise NotFoundError(f"There is no agreement {agreement_id}. The register at "
                                "/agreements lists every one.")
        row = _view(request, found, today)
        actions = actions_for(request, found, today)
        names = {o.code: o.name for o in organisations.all_organisations(s)}
    return {"agreement": row, "names": names, "actions": actions, "errors": [],
            "notice": NOTICES.get(request.query_params.get("done", ""))}


@router.get("/agreements.json")
def register_json(request: Request) -> Response:
    return as_json(register(request)["agreements"])


@router.get("/agreements")
def register_page(request: Request) -> Response:
    return render(request, "agreements.html", {"title": "Data-sharing agreements",
                                               "json_url": "/agreements.json",
                                               **register(request)})


@router.get("/agreements/{agreement_id}.json")
def agreement_json(request: Request, agreement_id: int) -> Response:
    return as_json(one(request, agreement_id)["agreement"])


@router.get("/agreements/{agreement_id}")
def agreement_page(request: Request, agreement_id: int) -> Response:
    data = one(request, agreement_id)
    title = str(data["agreement"]["title"])  # type: ignore[index]
    return render(request, "agreement.html", {"title": title,
                                              "json_url": f"/agreements/{agreement_id}.json",
                                              **data})
