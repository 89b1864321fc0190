"""What the plan pages need beyond the engine: the editable assumptions of a stored plan (who may
edit which), a new definition from the submitted form, and the prevention results of the
interventions applied in the plan. Pure except :func:`prevention_reports`, which reads unit
costs from the hub."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from wholeplace.access.actor import Actor
from wholeplace.access.policy import PLAN_WIDE, PlanRef, allowed
from wholeplace.budget import unit_costs
from wholeplace.budget.files import parse
from wholeplace.budget.prevention import prepare
from wholeplace.budget.prevention_model import Intervention
from wholeplace.budget.prevention_report import report
from wholeplace.hub.store import Store

#: Draws and seed of the Monte Carlo on the prevention page (reproducible).
DRAWS, SEED = 10000, 1
PLAN_ASSUMPTIONS = (("pay_inflation", "Pay inflation"), ("non_pay_inflation",
                                                         "Non-pay inflation"))


def percent(value: float | list[float]) -> str:
    """A rate as the form shows it: percent, one value (the first year's of a path)."""
    first = value[0] if isinstance(value, list) else value
    return f"{round(float(first) * 100, 4):g}"


def _part(ref: PlanRef, pid: str) -> str:
    attached = {p for ids in ref.partners.values() for p in ids}
    return pid if pid in attached else PLAN_WIDE


def assumption_fields(definition: Mapping[str, Any], ref: PlanRef, actor: Actor | None
                      ) -> list[dict[str, Any]]:
    """Each editable rate: name, label, value (percent), whose it is and whether ``actor``
    may edit it."""
    def may(part: str) -> bool:
        return allowed(actor, "plan.edit", PlanRef(ref.owner, ref.partners, frozenset({part})))

    out = []
    for key, label in PLAN_ASSUMPTIONS:
        a = definition["assumptions"][key]
        out.append({"name": key, "label": label, "value": percent(a["value"]),
                    "source": a.get("source"), "owner": "the whole plan",
                    "editable": may(PLAN_WIDE), "cap": None})
    for p in definition["partners"]:
        ct = p.get("council_tax")
        if ct is None:
            continue
        out.append({"name": f"council_tax_growth.{p['id']}",
                    "label": f"{p['name']}: council tax rise",
                    "value": percent(ct["growth"]["value"]), "source": ct["growth"].get("source"),
                    "owner": p["name"], "editable": may(_part(ref, p["id"])),
                    "cap": percent(ct["cap"]["limit"]) if ct.get("cap") else None})
    return out


def _parse(text: str) -> float | None:
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        return None
    return round(value / 100, 6) if -100 < value < 100 else None


def updated(definition: Mapping[str, Any], form: Mapping[str, str]
            ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The definition with every changed rate of the form applied (one value for every year),
    and the problems found (field, message)."""
    new = copy.deepcopy(dict(definition))
    errors: list[tuple[str, str]] = []
    partners = {p["id"]: p for p in new["partners"]}
    targets: dict[str, dict[str, Any]] = {k: new["assumptions"][k] for k, _ in PLAN_ASSUMPTIONS}
    for pid, p in partners.items():
        if p.get("council_tax") is not None:
            targets[f"council_tax_growth.{pid}"] = p["council_tax"]["growth"]
    for name, text in form.items():
        if name not in targets and name.startswith("council_tax_growth."):
            errors.append((name, f"{name}: there is no such partner's council tax."))
        if name not in targets or text.strip() == percent(targets[name]["value"]):
            continue
        value = _parse(text)
        if value is None:
            message = f"{name}: enter a percentage between -100 and 100, like 2.5."
            errors.append((name, message))
            continue
        targets[name]["value"] = value
        targets[name]["source"] = "edited in the plan (assumption)"
    return new, errors


def prevention_reports(store: Store, interventions: list[dict[str, Any]]
                       ) -> list[dict[str, Any]]:
    """Each intervention's results (unit costs from the hub; Monte Carlo seeded)."""
    out = []
    for data in interventions:
        m = parse(Intervention, data, str(data.get("id", "intervention")))
        model = prepare(m, lambda code, kind: unit_costs.unit_cost(store, code, kind))  # type: ignore[arg-type]
        out.append(report(model, DRAWS, SEED))
    return out
