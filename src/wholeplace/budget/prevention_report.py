"""Everything a reader needs from a prevention model, as one JSON-ready mapping."""

from __future__ import annotations

from typing import Any

from wholeplace.budget import appraisal
from wholeplace.budget.prevention import (
    Model,
    central,
    monte_carlo,
    sensitivities,
    summary,
    who_pays_who_saves,
)
from wholeplace.budget.prevention_model import ILLUSTRATIVE


def illustrative_parameters(model: Model) -> list[str]:
    out = [k for k, p in model.params.items() if p.source == ILLUSTRATIVE]
    for o in model.m.outcomes:
        for ref in (o.unit_cost, *o.public_value):
            if ref.cost_code is None and not ref.source:
                out.append(f"{o.id}.unit_cost")
    return sorted(out)


def report(model: Model, draws: int = 10000, seed: int = 1) -> dict[str, Any]:
    m = model.m
    labels = model.labels
    e = model.run(central(model.params))
    s = summary(model, e)

    def series(a: Any) -> dict[str, float]:
        return {y: float(x) for y, x in zip(labels, a[0])}

    views = {}
    for view in ("fiscal", "cashable", "public_value"):
        payback = int(s[f"{view}_payback"][0])
        views[view] = {"benefit_pv": float(s[f"{view}_benefit_pv"][0]),
                       "npv": float(s[f"{view}_npv"][0]), "roi": float(s[f"{view}_roi"][0]),
                       "payback_year": labels[payback] if payback >= 0 else None}
    schedule = appraisal.chosen_schedule(m.discount)
    health = (appraisal.chosen_schedule(m.health_discount)
              if m.health_discount is not None else None)
    return {
        "id": m.id, "title": m.title, "illustration": m.illustration, "note": m.note,
        "years": labels, "price_base": m.price_base, "unit": "gbp",
        "discount": {"schedule": schedule.id, "source": schedule.source,
                     "factors": [float(x) for x in model.factors],
                     **({"health_schedule": health.id, "health_source": health.source,
                         "health_factors": [float(x) for x in model.health_factors]}
                        if health is not None else {})},
        "unit_costs": {o.id: {"fiscal_per_unit": model.prices[o.id][0],
                              "public_value_per_unit": model.prices[o.id][1]
                              + model.prices[o.id][2],
                              "of_which_health_per_unit": model.prices[o.id][2],
                              "provenance": model.provenance[o.id]} for o in m.outcomes},
        "participants": series(e.participants),
        "avoided": {k: series(v) for k, v in e.avoided.items()},
        "cost": {k: series(v) for k, v in e.cost.items()},
        "saving": {k: series(v) for k, v in e.saving.items()},
        "cashable_saving": {k: series(v) for k, v in e.cashable.items()},
        "cost_pv": float(s["cost_pv"][0]),
        "views": views,
        "who_pays_who_saves": who_pays_who_saves(model, e),
        "monte_carlo": monte_carlo(model, draws, seed),
        "sensitivities": sensitivities(model),
        "illustrative_parameters": illustrative_parameters(model),
    }
