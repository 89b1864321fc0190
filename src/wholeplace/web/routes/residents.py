"""The residents index on the web: a caseworker's resident and household service timelines, a
linkage reviewer's clerical review queue, an analyst's household aggregate (no identities,
small numbers suppressed). Every page has a JSON twin; every look-up of a person is audited
with its purpose and agreements. The index's sources decide whether a page says SYNTHETIC."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wholeplace.access.actor import Actor
from wholeplace.errors import InputError, NotFoundError
from wholeplace.residents import review as review_queue
from wholeplace.residents import views
from wholeplace.residents.access import Permitted, audit_lookup, permitted, refresher
from wholeplace.residents.privacy import Pseudonymiser, check_purpose, load_key
from wholeplace.residents.records import SHOWN, records_by_key
from wholeplace.residents.standardise import uprn as standard_uprn
from wholeplace.residents.workspace import Workspace, open_workspace
from wholeplace.web.access import require
from wholeplace.web.access.guard import acting_org
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)

LOOKUP = require("residents.lookup", acting_org)
REVIEW = require("residents.review", acting_org)
AGGREGATE = require("residents.aggregate", acting_org)
CHOOSE = "Choose whether these records are the same person"


class Context:
    """One request's view of the index: the workspace, the sources the person may use for the
    action, the purpose's key, and whether every source is SYNTHETIC."""

    def __init__(self, request: Request, actor: Actor, ws: Workspace, session: Any,
                 allowed_to: Permitted, today: date):
        self.request, self.actor, self.ws, self.session = request, actor, ws, session
        self.allowed, self.today = allowed_to, today
        self.purpose = allowed_to.purpose

    @property
    def ip(self) -> str | None:
        return self.request.client.host if self.request.client else None

    def key(self) -> Pseudonymiser:
        return load_key(self.request.app.state.settings.resident_keys, self.purpose)

    def synthetic(self) -> bool:
        labels = [r[0] or "" for r in self.ws.rows(
            "SELECT label FROM sources WHERE purpose = ?", [self.purpose])]
        return bool(labels) and all(label.startswith("SYNTHETIC") for label in labels)

    def records(self, keys: set[str]) -> dict[str, dict[str, Any]]:
        return records_by_key(self.ws, self.purpose, self.key(), keys, self.allowed.sources,
                              self.today, refresher(self.session, self.today))

    def page(self, template: str, title: str, json_url: str, status_code: int = 200,
             **data: Any) -> Response:
        return render(self.request, template, status_code=status_code, context={
            "title": title, "json_url": json_url, "purpose": self.purpose,
            "synthetic": self.synthetic(), "sources": sorted(self.allowed.sources),
            "agreements": self.allowed.agreements(), "shown": SHOWN, **data})


@contextmanager
def index(request: Request, actor: Actor, action: str, purpose: str) -> Iterator[Context]:
    """The workspace and the person's permitted sources, in one application-database
    transaction (the audit entries commit with it)."""
    check_purpose(purpose)
    path = request.app.state.settings.residents
    if not path.is_file():
        raise NotFoundError(f"There is no residents index at {path}. Build the SYNTHETIC "
                            "demonstration with 'wholeplace residents demo'.")
    today = date.today()
    with request.app.state.appdb() as s, s.begin(), open_workspace(path) as ws:
        yield Context(request, actor, ws, s, permitted(s, ws, actor, action, purpose, today), today)


def _resident_data(ctx: Context, resident_id: str) -> dict[str, Any]:
    found = views.resident(ctx.ws, resident_id, ctx.allowed.sources)
    shown = ctx.records({s.record_key for s in found.services})
    audit_lookup(ctx.session, ctx.actor, f"resident:{resident_id}", ctx.allowed,
                 {"records": len(found.services)}, ctx.ip)
    return {"resident": asdict(found), "records": shown}


def _household_data(ctx: Context, household_key: str) -> dict[str, Any]:
    found = views.household(ctx.ws, household_key, ctx.allowed.sources)
    keys = {s.record_key for r in found.residents for s in r.services}
    audit_lookup(ctx.session, ctx.actor, f"household:{household_key}",
                 ctx.allowed, {"residents": len(found.residents)}, ctx.ip)
    timeline = [{"resident_id": rid, **asdict(s)} for rid, s in found.timeline()]
    return {"household": {"household_key": found.household_key, "area": found.area,
                          "residents": [asdict(r) for r in found.residents]},
            "timeline": timeline, "records": ctx.records(keys)}


@router.get("/residents/{purpose}.json")
def find_json(request: Request, purpose: str, actor: Actor = Depends(LOOKUP)) -> Response:
    with index(request, actor, "residents.lookup", purpose) as ctx:
        return as_json({"purpose": purpose, "synthetic": ctx.synthetic(),
                        "sources": sorted(ctx.allowed.sources),
                        "agreements": ctx.allowed.agreements()})


@router.get("/residents/{purpose}")
def find_page(request: Request, purpose: str, actor: Actor = Depends(LOOKUP)) -> Response:
    with index(request, actor, "residents.lookup", purpose) as ctx:
        return ctx.page("residents/find.html", "Find a resident or a household",
                        f"/residents/{purpose}.json", errors=[])


@router.post("/residents/{purpose}/find")
def find(request: Request, purpose: str, actor: Actor = Depends(LOOKUP),
         source: str = Form(""), record_id: str = Form(""), uprn: str = Form("")) -> Response:
    with index(request, actor, "residents.lookup", purpose) as ctx:
        key = ctx.key()
        try:
            if uprn.strip():
                number = standard_uprn(uprn)
                if number is None:
                    raise InputError("A UPRN is a number of up to 12 digits.")
                household_key = key(f"uprn:{number}")
                views.household(ctx.ws, household_key, ctx.allowed.sources)
                target = f"households/{household_key}"
            elif source.strip() and record_id.strip():
                found = views.lookup(ctx.ws, key, source.strip(), record_id.strip(),
                                     ctx.allowed.sources)
                target = f"residents/{found.resident_id}"
            else:
                raise InputError("Give a UPRN, or a source and the record's id in it.")
        except (InputError, NotFoundError) as exc:
            return ctx.page("residents/find.html", "Find a resident or a household",
                            f"/residents/{purpose}.json", errors=[("uprn", str(exc))],
                            status_code=400 if isinstance(exc, InputError) else 404)
    return RedirectResponse(f"/residents/{purpose}/{target}", status_code=303)


@router.get("/residents/{purpose}/residents/{resident_id}.json")
def resident_json(request: Request, purpose: str, resident_id: str,
                  actor: Actor = Depends(LOOKUP)) -> Response:
    with index(request, actor, "residents.lookup", purpose) as ctx:
        return as_json({"purpose": purpose, "synthetic": ctx.synthetic(),
                        **_resident_data(ctx, resident_id)})


@router.get("/residents/{purpose}/residents/{resident_id}")
def resident_page(request: Request, purpose: str, resident_id: str,
                  actor: Actor = Depends(LOOKUP)) -> Response:
    with index(request, actor, "residents.lookup", purpose) as ctx:
        data = _resident_data(ctx, resident_id)
        return ctx.page("residents/resident.html", f"Resident {resident_id}",
                        f"/residents/{purpose}/residents/{resident_id}.json", **data)


@router.get("/residents/{purpose}/households/{household_key}.json")
def household_json(request: Request, purpose: str, household_key: str,
                   actor: Actor = Depends(LOOKUP)) -> Response:
    with index(request, actor, "residents.lookup", purpose) as ctx:
        return as_json({"purpose": purpose, "synthetic": ctx.synthetic(),
                        **_household_data(ctx, household_key)})


@router.get("/residents/{purpose}/households/{household_key}")
def household_page(request: Request, purpose: str, household_key: str,
                   actor: Actor = Depends(LOOKUP)) -> Response:
    with index(request, actor, "residents.lookup", purpose) as ctx:
        data = _household_data(ctx, household_key)
        return ctx.page("residents/household.html", "Household service timeline",
                        f"/residents/{purpose}/households/{household_key}.json", **data)


def _aggregate(ctx: Context, by_area: bool) -> dict[str, Any]:
    return {"by_area": by_area, "small_number": views.SMALL_NUMBER,
            "households": views.household_services(ctx.ws, by_area, ctx.allowed.sources)}


@router.get("/residents/{purpose}/households.json")
def aggregate_json(request: Request, purpose: str, by_area: bool = False,
                   actor: Actor = Depends(AGGREGATE)) -> Response:
    with index(request, actor, "residents.aggregate", purpose) as ctx:
        return as_json({"purpose": purpose, "synthetic": ctx.synthetic(),
                        **_aggregate(ctx, by_area)})


@router.get("/residents/{purpose}/households")
def aggregate_page(request: Request, purpose: str, by_area: bool = False,
                   actor: Actor = Depends(AGGREGATE)) -> Response:
    with index(request, actor, "residents.aggregate", purpose) as ctx:
        suffix = "?by_area=true" if by_area else ""
        return ctx.page("residents/aggregate.html", "Households and the services they receive",
                        f"/residents/{purpose}/households.json{suffix}",
                        **_aggregate(ctx, by_area))


def _queue(ctx: Context) -> list[dict[str, Any]]:
    return [asdict(p) for p in review_queue.queue(ctx.ws, ctx.allowed.sources)]


@router.get("/residents/{purpose}/review.json")
def review_json(request: Request, purpose: str, actor: Actor = Depends(REVIEW)) -> Response:
    with index(request, actor, "residents.review", purpose) as ctx:
        return as_json({"purpose": purpose, "synthetic": ctx.synthetic(),
                        "waiting": review_queue.waiting(ctx.ws, ctx.allowed.sources),
                        "pairs": _queue(ctx)})


@router.get("/residents/{purpose}/review")
def review_page(request: Request, purpose: str, actor: Actor = Depends(REVIEW)) -> Response:
    with index(request, actor, "residents.review", purpose) as ctx:
        return ctx.page("residents/review.html", "Clerical review queue",
                        f"/residents/{purpose}/review.json", pairs=_queue(ctx),
                        waiting=review_queue.waiting(ctx.ws, ctx.allowed.sources))


def _pair_data(ctx: Context, pair_key: str) -> dict[str, Any]:
    found = review_queue.pair(ctx.ws, pair_key, ctx.allowed.sources)
    shown = ctx.records({found.key_l, found.key_r})
    audit_lookup(ctx.session, ctx.actor, f"pair:{pair_key}", ctx.allowed,
                 {"viewed": True}, ctx.ip, action="residents.review")
    drivers = sorted(((name, level) for name, level in found.field_levels.items()),
                     key=lambda kv: -abs(kv[1].get("weight") or 0))
    decided = review_queue.decision_of(ctx.ws, pair_key)
    return {"pair": asdict(found), "left": shown.get(found.key_l), "right": shown.get(found.key_r),
            "drivers": [{"field": n, **lv} for n, lv in drivers],
            "decision": {"decision": decided[0], "by": decided[1]} if decided else None}


@router.get("/residents/{purpose}/review/{pair_key}.json")
def pair_json(request: Request, purpose: str, pair_key: str,
              actor: Actor = Depends(REVIEW)) -> Response:
    with index(request, actor, "residents.review", purpose) as ctx:
        return as_json({"purpose": purpose, "synthetic": ctx.synthetic(),
                        **_pair_data(ctx, pair_key)})


@router.get("/residents/{purpose}/review/{pair_key}")
def pair_page(request: Request, purpose: str, pair_key: str,
              actor: Actor = Depends(REVIEW)) -> Response:
    with index(request, actor, "residents.review", purpose) as ctx:
        return ctx.page("residents/pair.html", "Are these the same person?",
                        f"/residents/{purpose}/review/{pair_key}.json", errors=[],
                        **_pair_data(ctx, pair_key))


@router.post("/residents/{purpose}/review/{pair_key}")
def decide(request: Request, purpose: str, pair_key: str, actor: Actor = Depends(REVIEW),
           decision: str = Form(""), reason: str = Form("")) -> Response:
    with index(request, actor, "residents.review", purpose) as ctx:
        if decision not in review_queue.DECISIONS:
            return ctx.page("residents/pair.html", "Are these the same person?",
                            f"/residents/{purpose}/review/{pair_key}.json",
                            errors=[("decision", CHOOSE)],
                            status_code=400, **_pair_data(ctx, pair_key))
        review_queue.decide(ctx.ws, pair_key, decision, actor.id, ctx.allowed.sources,
                            reason.strip()[:500])
        audit_lookup(ctx.session, actor, f"pair:{pair_key}", ctx.allowed,
                     {"decision": decision}, ctx.ip, action="residents.review")
    return RedirectResponse(f"/residents/{purpose}/review?decided={pair_key}", status_code=303)
