"""Checks of an intervention that a schema cannot express; every problem named by its field,
raised at once (nothing is computed from an intervention with a problem)."""

from __future__ import annotations

import re

from wholeplace.budget.prevention_model import Intervention, Share, Uncertain
from wholeplace.errors import Problem, ValidationError

_FY = re.compile(r"^\d{4}-\d{2}$")


def _bounds(p: Uncertain) -> list[float]:
    return [x for x in (p.value, p.low, p.high) if x is not None]


def check_intervention(m: Intervention, file: str = "intervention") -> None:
    problems: list[Problem] = []

    def add(where: str, message: str) -> None:
        problems.append(Problem(file, None, where, message))

    def non_negative(where: str, p: Uncertain) -> None:
        if min(_bounds(p)) < 0:
            add(where, f"must not be negative (value {p.value}, range {p.low} to {p.high}).")

    def probability(where: str, p: Uncertain) -> None:
        if min(_bounds(p)) < 0 or max(_bounds(p)) > 1:
            add(where, f"is a proportion and must lie between 0 and 1 (value {p.value}, "
                       f"range {p.low} to {p.high}).")

    def shares(where: str, items: tuple[Share, ...]) -> None:
        for i, s in enumerate(items):
            if s.partner not in m.partners:
                add(f"{where}[{i + 1}].partner", f"{s.partner!r} is not one of the model's "
                    f"partners ({', '.join(m.partners)}).")
        total = sum(s.share for s in items)
        if abs(total - 1) > 1e-9:
            add(where, f"the shares add up to {total:g}; they must add up to 1.")

    if not _FY.match(m.price_base):
        add("price_base", f"{m.price_base!r} is not a financial year such as 2015-16.")
    non_negative("cohort", m.cohort)
    probability("take_up", m.take_up)
    non_negative("cost_per_participant", m.cost_per_participant)
    shares("cost_bearers", m.cost_bearers)
    seen: set[str] = set()
    for o in m.outcomes:
        w = f"outcomes[{o.id}]"
        if o.id in seen:
            add(w, f"the outcome id {o.id!r} is used more than once.")
        seen.add(o.id)
        non_negative(w + ".baseline_rate", o.baseline_rate)
        non_negative(w + ".quantity", o.quantity)
        probability(w + ".decay", o.decay)
        if o.effect is not None:
            probability(w + ".effect", o.effect)
        if o.rate_ratio is not None and min(_bounds(o.rate_ratio)) <= 0:
            add(w + ".rate_ratio", "a rate ratio must be above 0.")
        if o.lag_years >= m.years:
            add(w + ".lag_years", f"a lag of {o.lag_years} years is as long as the model "
                f"({m.years} years) or longer, so the effect would never show.")
        shares(w + ".receivers", o.receivers)
        for r in o.receivers:
            probability(f"{w}.receivers[{r.partner}].cashable", r.cashable)
    for pid, target in m.plan_lines.items():
        if pid not in m.partners:
            add(f"plan_lines.{pid}", f"{pid!r} is not one of the model's partners.")
        if set(target) != {"partner", "line"}:
            add(f"plan_lines.{pid}", "give the plan's partner and line: {partner: ..., "
                "line: ...}.")
    if problems:
        raise ValidationError(problems, f"{len(problems)} problem(s) in the intervention; "
                              "nothing was computed. Fix the fields named and try again.")
