"""A prevention scenario applied to a multi-year plan: the intervention's cost lands on the
paying partner's line and its cashable savings (after the lag) come off the receiving
partners' lines, year by year, as a new scenario of the plan.

The model's money is in £, the plan's in £ thousand. Only the model's years that fall within
the plan are applied; the rest are reported. The flows are applied at the model's price base
(its unit costs' prices), not inflated to the plan's cash terms: say so wherever they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wholeplace.budget.plan_model import Adjustment, Plan, Scenario
from wholeplace.budget.prevention import Model, central
from wholeplace.errors import InputError


@dataclass(frozen=True)
class Applied:
    plan: Plan
    scenario: str
    outside_plan: list[str]
    #: The intervention's flows are at its price base, not uprated to the plan's cash terms.
    price_base: str


def apply_to_plan(plan: Plan, model: Model, scenario_id: str | None = None,
                  base: str | None = None) -> Applied:
    """``plan`` with one more scenario: ``base`` (default the first) plus the intervention."""
    m = model.m
    if not m.plan_lines:
        raise InputError("plan_lines: the intervention does not say which plan partner and "
                         "line each of its partners' costs and savings land on.")
    scenarios = {s.id: s for s in plan.scenarios}
    if base and base not in scenarios:
        raise InputError(f"base: {base!r} is not a scenario of the plan "
                         f"({', '.join(scenarios)}).")
    start = scenarios[base] if base else plan.scenarios[0]
    e = model.run(central(model.params))
    labels = model.labels
    in_plan = [i for i, y in enumerate(labels) if y in set(plan.labels)]
    outside = [y for y in labels if y not in set(plan.labels)]
    adjustments = list(start.adjustments)
    for pid, target in m.plan_lines.items():
        flow = np.zeros(len(labels))
        if pid in e.cost:
            flow += e.cost[pid][0]
        flow -= e.cashable[pid][0]
        amounts = {labels[i]: float(flow[i]) / 1000.0 for i in in_plan if flow[i] != 0}
        if amounts:
            adjustments.append(Adjustment(partner=target["partner"], line=target["line"],
                                          amounts=amounts, note=f"{m.title}: {pid}"))
    sid = scenario_id or f"{start.id}_with_{m.id}"
    scenario = Scenario(id=sid, title=f"{start.title} with {m.title}",
                        adjustments=tuple(adjustments), assumptions=start.assumptions)
    new = plan.model_copy(update={"scenarios": (*plan.scenarios, scenario)})
    return Applied(new, sid, outside, m.price_base)
