"""Stored multi-year plans: the list, a plan's results per year, partner and scenario (with the
funding-gap chart and its table), the assumptions form, the prevention results and the XLSX
workbook. Every page has a JSON twin; the policy decides who sees and edits (plan.*)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from wholeplace.access.actor import Actor
from wholeplace.access.policy import Resource, allowed
from wholeplace.budget import plan_store
from wholeplace.budget.plan import PlanResult, compute
from wholeplace.budget.plan_web import assumption_fields, prevention_reports, updated
from wholeplace.hub.store import Store
from wholeplace.report.plan_charts import difference_chart, funding_gap_chart, tornado_chart
from wholeplace.report.scene import to_svg
from wholeplace.web.access import require
from wholeplace.web.access.state import actor_of_request
from wholeplace.web.deps import get_store
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)


def plan_ref(request: Request) -> Resource:
    """The plan of the path as a resource (None for an anonymous visitor: sign in first)."""
    if actor_of_request(request) is None:
        return None
    with request.app.state.appdb() as s:
        return plan_store.ref(plan_store.get(s, request.path_params["slug"]))


def _listing(request: Request, actor: Actor) -> list[dict[str, Any]]:
    with request.app.state.appdb() as s:
        return [plan_store.as_row(p, plan_store.latest(s, p))
                for p in plan_store.visible(s, actor)]


@router.get("/plans.json")
def plans_json(request: Request, actor: Actor = Depends(require("plan.list"))) -> Response:
    return as_json(_listing(request, actor))


@router.get("/plans")
def plans_page(request: Request, actor: Actor = Depends(require("plan.list"))) -> Response:
    return render(request, "plans.html", {"title": "Multi-year plans", "json_url": "/plans.json",
                                          "plans": _listing(request, actor)})


def _load(request: Request, slug: str) -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
    with request.app.state.appdb() as s:
        plan = plan_store.get(s, slug)
        version = plan_store.latest(s, plan)
        return (plan_store.as_row(plan, version), dict(version.definition),
                list(version.interventions or []))


def _totals(result: PlanResult) -> dict[str, Any]:
    out = {}
    first = next(iter(result.scenarios))
    for sid, sc in result.scenarios.items():
        diff = result.difference(sid, first)["total"]
        out[sid] = {"title": sc.title,
                    **{k: [float(x) for x in sc.total(a)] for k, a in (
                        ("spend", "spend"), ("income", "income"), ("gap", "gap"),
                        ("earmarked", "earmarked_end"), ("unallocated", "unallocated_end"))},
                    "difference": [float(x) for x in diff], "difference_total": float(diff.sum())}
    return out


def plan_view(request: Request, slug: str, actor: Actor) -> dict[str, Any]:
    row, definition, interventions = _load(request, slug)
    result = compute(plan_store.checked(definition))
    return {"plan": row, "result": result.to_dict(), "totals": _totals(result),
            "interventions": [i.get("title", i.get("id")) for i in interventions],
            "may_edit": allowed(actor, "plan.edit", plan_ref(request))}


@router.get("/plans/{slug}.json")
def plan_json(request: Request, slug: str,
              actor: Actor = Depends(require("plan.view", plan_ref))) -> Response:
    return as_json(plan_view(request, slug, actor))


@router.get("/plans/{slug}")
def plan_page(request: Request, slug: str,
              actor: Actor = Depends(require("plan.view", plan_ref))) -> Response:
    data = plan_view(request, slug, actor)
    totals = data["totals"]
    years, titles = data["result"]["years"], {k: v["title"] for k, v in totals.items()}
    chart = funding_gap_chart(years, {k: v["gap"] for k, v in totals.items()}, titles)
    others = {k: v["difference"] for k, v in list(totals.items())[1:]}
    difference = (difference_chart(years, others, titles, next(iter(totals.values()))["title"])
                  if others else None)
    return render(request, "plan.html", {
        "title": data["plan"]["title"], "json_url": f"/plans/{slug}.json",
        "gap_svg": Markup(to_svg(chart)),
        "difference_svg": Markup(to_svg(difference)) if difference else None, **data})


@router.get("/plans/{slug}/plan.xlsx")
def plan_xlsx(request: Request, slug: str,
              actor: Actor = Depends(require("plan.view", plan_ref))) -> Response:
    from wholeplace.budget.xlsx import write_plan

    _, definition, _ = _load(request, slug)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{slug}.xlsx"
        write_plan(compute(plan_store.checked(definition)), path)
        body = path.read_bytes()
    return Response(body, media_type="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{slug}.xlsx"'})


def _form_view(request: Request, slug: str, actor: Actor) -> dict[str, Any]:
    row, definition, _ = _load(request, slug)
    with request.app.state.appdb() as s:
        ref = plan_store.ref(plan_store.get(s, slug))
    return {"plan": row, "fields": assumption_fields(definition, ref, actor)}


@router.get("/plans/{slug}/assumptions.json")
def assumptions_json(request: Request, slug: str,
                     actor: Actor = Depends(require("plan.edit", plan_ref))) -> Response:
    return as_json(_form_view(request, slug, actor))


@router.get("/plans/{slug}/assumptions")
def assumptions_page(request: Request, slug: str,
                     actor: Actor = Depends(require("plan.edit", plan_ref))) -> Response:
    return render(request, "plan_assumptions.html", {
        "title": "Edit assumptions", "json_url": f"/plans/{slug}/assumptions.json",
        "errors": [], **_form_view(request, slug, actor)})


@router.post("/plans/{slug}/assumptions")
async def assumptions_save(request: Request, slug: str,
                           actor: Actor = Depends(require("plan.edit", plan_ref))) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    _, definition, _ = _load(request, slug)
    new, errors = updated(definition, form)
    if not errors:
        try:
            with request.app.state.appdb() as s, s.begin():
                plan = plan_store.get(s, slug)
                plan_store.save(s, actor, plan, new, form.get("note") or None)
        except (plan_store.PlanEditRefused, ValueError) as exc:
            errors = [("assumptions", str(exc))]
    if errors:
        view = _form_view(request, slug, actor)
        for f in view["fields"]:
            if f["name"] in form:
                f["value"] = form[f["name"]]
        return render(request, "plan_assumptions.html", {
            "title": "Edit assumptions", "json_url": f"/plans/{slug}/assumptions.json",
            "errors": errors, **view}, status_code=422)
    return RedirectResponse(f"/plans/{slug}", status_code=303)


def _prevention(request: Request, slug: str, store: Store) -> dict[str, Any]:
    row, _, interventions = _load(request, slug)
    return {"plan": row, "reports": prevention_reports(store, interventions)}


@router.get("/plans/{slug}/prevention.json")
def prevention_json(request: Request, slug: str, store: Store = Depends(get_store),
                    actor: Actor = Depends(require("plan.view", plan_ref))) -> Response:
    return as_json(_prevention(request, slug, store))


@router.get("/plans/{slug}/prevention")
def prevention_page(request: Request, slug: str, store: Store = Depends(get_store),
                    actor: Actor = Depends(require("plan.view", plan_ref))) -> Response:
    data = _prevention(request, slug, store)
    svgs = [Markup(to_svg(tornado_chart(r["sensitivities"], r["views"]["fiscal"]["npv"],
                                        chart_id=f"tornado-{i}")))
            for i, r in enumerate(data["reports"])]
    return render(request, "plan_prevention.html", {
        "title": f"Prevention: {data['plan']['title']}",
        "json_url": f"/plans/{slug}/prevention.json", "tornado_svgs": svgs, **data})
