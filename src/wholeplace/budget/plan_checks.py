"""Checks of a plan that a schema cannot express: every problem found, named by its field,
raised at once (nothing is computed from a plan with a problem)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
import numpy.typing as npt

from wholeplace.budget.plan_model import Assumption, Partner, Plan
from wholeplace.errors import Problem, ValidationError

SCENARIO_ASSUMPTIONS = ("pay_inflation", "non_pay_inflation")
YearsCheck = Callable[[str, Iterable[str]], None]
RateCheck = Callable[[str, Assumption], None]


class _Log:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, None, where, message))


def check_plan(plan: Plan, population: Mapping[str, npt.NDArray[np.float64]],
               file: str = "plan") -> None:
    log = _Log(file)
    labels = set(plan.labels)
    span = f"{plan.labels[0]} to {plan.labels[-1]}"

    def years_in_plan(where: str, years: Iterable[str]) -> None:
        for y in years:
            if y not in labels:
                log.add(where, f"the year {y!r} is outside the plan ({span}).")

    def rate(where: str, a: Assumption) -> None:
        if isinstance(a.value, list) and len(a.value) != plan.years:
            log.add(where, f"{len(a.value)} values given; the plan has {plan.years} years "
                           "(give one value, or one per year).")

    rate("assumptions.pay_inflation", plan.assumptions.pay_inflation)
    rate("assumptions.non_pay_inflation", plan.assumptions.non_pay_inflation)
    _unique(log, "partners", [p.id for p in plan.partners])
    for p in plan.partners:
        own = population if p.population is None else {
            k: np.asarray(v, dtype=np.float64) for k, v in p.population.items()}
        _partner(log, plan, p, own, years_in_plan, rate)
    _scenarios(log, plan, years_in_plan, rate)
    if log.problems:
        raise ValidationError(log.problems, f"{len(log.problems)} problem(s) in the plan; "
                              "nothing was computed. Fix the fields named and try again.")


def _unique(log: _Log, where: str, ids: list[str]) -> None:
    seen = set()
    for i in ids:
        if i in seen:
            log.add(where, f"the id {i!r} is used more than once.")
        seen.add(i)


def _partner(log: _Log, plan: Plan, p: Partner,
             population: Mapping[str, npt.NDArray[np.float64]], years_in_plan: YearsCheck,
             rate: RateCheck) -> None:
    where = f"partners[{p.id}]"
    _unique(log, f"{where}.revenue_lines", [x.id for x in p.revenue_lines])
    lines = {x.id for x in p.revenue_lines}
    for line in p.revenue_lines:
        band = line.demand_driver
        if band is None:
            continue
        got = population.get(band)
        w = f"{where}.revenue_lines[{line.id}].demand_driver"
        if got is None:
            log.add(w, f"demand is tied to the population {band!r}, which the plan does not "
                       "give (population." + band + ").")
        elif got.shape != (plan.years + 1,) or not np.all(got > 0):
            log.add(w, f"population.{band} must hold {plan.years + 1} positive counts (the "
                       "base year, then each plan year).")
    for i, s in enumerate(p.savings):
        w = f"{where}.savings[{i + 1}]"
        if s.line not in lines:
            log.add(w, f"the line {s.line!r} is not one of {p.id}'s revenue lines "
                       f"({', '.join(sorted(lines)) or 'none'}).")
        years_in_plan(w + ".year", [s.year])
    for c in p.capital_lines:
        w = f"{where}.capital_lines[{c.id}]"
        if c.life < 1:
            log.add(w + ".life", f"an asset life of {c.life} years is not possible; give the "
                                 "asset's estimated useful life (at least 1 year).")
        years_in_plan(w + ".spend", c.spend)
        if c.borrowing_share > 0 and any(c.spend.values()) and \
                plan.assumptions.interest_rate is None:
            log.add("assumptions.interest_rate", f"{w} borrows, so the plan must state the "
                    "interest rate it assumes (value, as_of date and source, e.g. a PWLB rate).")
    years_in_plan(f"{where}.reserves.earmarked_use", p.reserves.earmarked_use)
    for income in p.income_lines:
        rate(f"{where}.income_lines[{income.id}].growth", income.growth)
    if p.council_tax is not None:
        _council_tax(log, plan, p, rate)


def _council_tax(log: _Log, plan: Plan, p: Partner, rate: RateCheck) -> None:
    ct = p.council_tax
    assert ct is not None
    w = f"partners[{p.id}].council_tax"
    rate(w + ".growth", ct.growth)
    rate(w + ".tax_base_growth", ct.tax_base_growth)
    if ct.cap is None or not ct.cap.capped:
        return
    values = ct.growth.value if isinstance(ct.growth.value, list) else \
        [ct.growth.value] * plan.years
    for label, v in zip(plan.labels, values):
        if v > ct.cap.limit + 1e-12:
            log.add(w + ".growth", f"a rise of {v:.2%} in {label} is above the referendum "
                    f"limit of {ct.cap.limit:.2%}, and the plan says the rise is capped "
                    "(cap.capped: true). Lower the rise, or set capped: false for a "
                    "referendum.")


def _scenarios(log: _Log, plan: Plan, years_in_plan: YearsCheck, rate: RateCheck) -> None:
    _unique(log, "scenarios", [s.id for s in plan.scenarios])
    partners = {p.id: p for p in plan.partners}
    for s in plan.scenarios:
        where = f"scenarios[{s.id}]"
        for key, a in s.assumptions.items():
            if key not in SCENARIO_ASSUMPTIONS:
                log.add(f"{where}.assumptions.{key}", "a scenario can change "
                        f"{', '.join(SCENARIO_ASSUMPTIONS)}, not {key!r}.")
            else:
                rate(f"{where}.assumptions.{key}", a)
        for i, adj in enumerate(s.adjustments):
            w = f"{where}.adjustments[{i + 1}]"
            p = partners.get(adj.partner)
            if p is None:
                log.add(w + ".partner", f"{adj.partner!r} is not a partner of the plan "
                        f"({', '.join(partners)}).")
                continue
            lines = [x.id for x in p.revenue_lines]
            if adj.line not in lines:
                log.add(w + ".line", f"{adj.line!r} is not one of {p.id}'s revenue lines "
                        f"({', '.join(lines) or 'none'}).")
            years_in_plan(w + ".amounts", adj.amounts)
