"""The multi-year plan engine: spend, income, funding gap and reserves per partner and year.

Pure: a :class:`~wholeplace.budget.plan_model.Plan` (and, optionally, population arrays by age
band) in, a :class:`PlanResult` out. For line ``l`` in plan year ``t`` (``t = 1 .. T``, base
year 0):

    spend(l, t) = base(l) * inflation(l, t) * demand(l, t) - savings(l, t) + adjustment(l, t)
    inflation(l, t) = prod_{s <= t} (1 + pay_share(l) * pay(s) + (1 - pay_share(l)) * non_pay(s))
    demand(l, t) = (population(band, t) / population(band, 0)) ** elasticity(l)

plus the revenue cost of capital (MRP and interest, :mod:`.capital`). Income: council tax
(Band D grown by the assumed rise, times the tax base grown by its rate, times the collection
rate), grants, business rates, fees and other income each grown at its own rate. The funding gap
is spend minus income. A gap is met from planned use of earmarked reserves, then unallocated
reserves, then the rest of earmarked reserves; what is left is unfunded, and the first year with
an unfunded gap is the year reserves run out. A surplus adds to unallocated reserves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from wholeplace.budget.capital import Financing, finance
from wholeplace.budget.plan_checks import check_plan
from wholeplace.budget.plan_model import Assumption, Partner, Plan, Scenario

Array = npt.NDArray[np.float64]
CAPITAL_LINE = "capital_financing"


@dataclass
class PartnerResult:
    partner: str
    name: str
    spend_lines: dict[str, Array]
    income_lines: dict[str, Array]
    spend: Array
    income: Array
    gap: Array
    earmarked_end: Array
    unallocated_end: Array
    unfunded: Array
    run_out: str | None

    def to_dict(self, labels: list[str]) -> dict[str, Any]:
        def series(a: Array) -> dict[str, float]:
            return dict(zip(labels, (round(float(x), 6) for x in a)))

        return {"partner": self.partner, "name": self.name,
                "spend": series(self.spend), "income": series(self.income),
                "funding_gap": series(self.gap),
                "reserves_earmarked_end": series(self.earmarked_end),
                "reserves_unallocated_end": series(self.unallocated_end),
                "unfunded": series(self.unfunded), "reserves_run_out": self.run_out,
                "spend_lines": {k: series(v) for k, v in self.spend_lines.items()},
                "income_lines": {k: series(v) for k, v in self.income_lines.items()}}


@dataclass
class ScenarioResult:
    scenario: str
    title: str
    partners: dict[str, PartnerResult]

    def total(self, attr: str) -> Array:
        return np.asarray(sum(getattr(p, attr) for p in self.partners.values()),
                          dtype=np.float64)


@dataclass
class PlanResult:
    plan: Plan
    labels: list[str]
    scenarios: dict[str, ScenarioResult]
    illustrative: list[str] = field(default_factory=list)

    def difference(self, scenario: str, against: str | None = None,
                   attr: str = "gap") -> dict[str, Array]:
        """Per partner (and ``total``): ``scenario`` minus ``against`` (default the first)."""
        base = self.scenarios[against or next(iter(self.scenarios))]
        other = self.scenarios[scenario]
        out = {p: np.asarray(getattr(other.partners[p], attr) - getattr(r, attr),
                             dtype=np.float64) for p, r in base.partners.items()}
        out["total"] = np.asarray(sum(out.values()), dtype=np.float64)
        return out

    def to_dict(self) -> dict[str, Any]:
        first = next(iter(self.scenarios))
        out: dict[str, Any] = {
            "plan": self.plan.id, "title": self.plan.title, "years": self.labels,
            "base_year": self.plan.base_label, "unit": "gbp_thousands",
            "illustration": self.plan.illustration, "illustrative_assumptions":
            self.illustrative, "scenarios": {}}
        for sid, s in self.scenarios.items():
            diff = self.difference(sid, first)
            out["scenarios"][sid] = {
                "title": s.title,
                "partners": [p.to_dict(self.labels) for p in s.partners.values()],
                "difference_from": first,
                "funding_gap_difference": {k: {"by_year": dict(zip(self.labels, map(
                    float, v))), "total": float(v.sum())} for k, v in diff.items()}}
        return out


def rate_path(a: Assumption, years: int) -> Array:
    """One rate per plan year (a single value repeats)."""
    if isinstance(a.value, list):
        return np.asarray(a.value, dtype=np.float64)
    return np.full(years, float(a.value))


def _year_array(values: Mapping[str, float], labels: list[str]) -> Array:
    index = {y: i for i, y in enumerate(labels)}
    out = np.zeros(len(labels))
    for y, v in values.items():
        out[index[y]] += v
    return out


def compute(plan: Plan, population: Mapping[str, npt.ArrayLike] | None = None) -> PlanResult:
    """Every scenario of the plan. Bad input raises ValidationError naming each field."""
    pops = {k: np.asarray(v, dtype=np.float64)
            for k, v in (population if population is not None else plan.population).items()}
    check_plan(plan, pops)
    labels = plan.labels
    results = {s.id: ScenarioResult(s.id, s.title, {
        p.id: _partner(plan, p, s, partner_population(p, pops), labels)
        for p in plan.partners}) for s in plan.scenarios}
    return PlanResult(plan, labels, results, illustrative_assumptions(plan))


def partner_population(p: Partner, pops: Mapping[str, Array]) -> Mapping[str, Array]:
    """The partner's own population where it gives one, else the plan's."""
    if p.population is None:
        return pops
    return {k: np.asarray(v, dtype=np.float64) for k, v in p.population.items()}


def _partner(plan: Plan, p: Partner, s: Scenario, pops: Mapping[str, Array],
             labels: list[str]) -> PartnerResult:
    years = plan.years
    a = {**{"pay_inflation": plan.assumptions.pay_inflation,
            "non_pay_inflation": plan.assumptions.non_pay_inflation}, **s.assumptions}
    pay, non_pay = rate_path(a["pay_inflation"], years), rate_path(a["non_pay_inflation"], years)
    spend = {}
    for line in p.revenue_lines:
        inflation = np.cumprod(1 + line.pay_share * pay + (1 - line.pay_share) * non_pay)
        demand = np.ones(years)
        if line.demand_driver is not None:
            band = pops[line.demand_driver]
            demand = (band[1:] / band[0]) ** line.demand_elasticity
        savings = np.cumsum(_year_array({x.year: x.amount for x in p.savings
                                         if x.line == line.id}, labels))
        adjust = sum((_year_array(adj.amounts, labels) for adj in s.adjustments
                      if adj.partner == p.id and adj.line == line.id), np.zeros(years))
        spend[line.id] = line.base * inflation * demand - savings + adjust
    if p.capital_lines:
        spend[CAPITAL_LINE] = _capital(plan, p, labels)
    income = _income(p, years)
    total_spend = np.asarray(sum(spend.values(), np.zeros(years)), dtype=np.float64)
    total_income = np.asarray(sum(income.values(), np.zeros(years)), dtype=np.float64)
    gap = total_spend - total_income
    earmarked, unallocated, unfunded = _reserves(p, gap, labels)
    out = np.flatnonzero(unfunded > 1e-9)
    return PartnerResult(p.id, p.name, spend, income, total_spend, total_income, gap,
                         earmarked, unallocated, unfunded,
                         labels[int(out[0])] if out.size else None)


def _capital(plan: Plan, p: Partner, labels: list[str]) -> Array:
    total = np.zeros(plan.years)
    rate = plan.assumptions.interest_rate
    for c in p.capital_lines:
        borrowing = _year_array(c.spend, labels) * c.borrowing_share
        if not borrowing.any():
            continue
        assert rate is not None  # check_plan requires it when there is borrowing
        total += finance(borrowing, Financing(c.life, c.method, rate.value)).revenue_cost
    return total


def _income(p: Partner, years: int) -> dict[str, Array]:
    out: dict[str, Array] = {}
    ct = p.council_tax
    if ct is not None:
        band_d = ct.band_d * np.cumprod(1 + rate_path(ct.growth, years))
        base = ct.tax_base * np.cumprod(1 + rate_path(ct.tax_base_growth, years))
        out["council_tax"] = np.asarray(band_d * base * ct.collection_rate / 1000.0,
                                        dtype=np.float64)
    for line in p.income_lines:
        out[line.id] = np.asarray(line.base * np.cumprod(1 + rate_path(line.growth, years)),
                                  dtype=np.float64)
    return out


def _reserves(p: Partner, gap: Array, labels: list[str]) -> tuple[Array, Array, Array]:
    years = gap.shape[0]
    planned = _year_array(p.reserves.earmarked_use, labels)
    earmarked, unallocated = p.reserves.earmarked, p.reserves.unallocated
    e_end, u_end, unfunded = np.zeros(years), np.zeros(years), np.zeros(years)
    for t in range(years):
        need = gap[t]
        use = min(planned[t], earmarked, max(need, 0.0))
        earmarked -= use
        need -= use
        if need < 0:
            unallocated -= need
        else:
            from_u = min(need, unallocated)
            unallocated -= from_u
            from_e = min(need - from_u, earmarked)
            earmarked -= from_e
            unfunded[t] = need - from_u - from_e
        e_end[t], u_end[t] = earmarked, unallocated
    return e_end, u_end, unfunded


def illustrative_assumptions(plan: Plan) -> list[str]:
    """Every figure or rate of the plan that cites no source (shown on output)."""
    out = [f"assumptions.{k}" for k in ("pay_inflation", "non_pay_inflation")
           if not getattr(plan.assumptions, k).cited]
    if plan.population and plan.population_source == "assumption (illustrative)":
        out.append("population")
    for p in plan.partners:
        where = f"partners[{p.id}]"
        out += [f"{where}.revenue_lines[{x.id}]" for x in p.revenue_lines
                if x.source == "assumption (illustrative)"]
        out += [f"{where}.income_lines[{x.id}]" for x in p.income_lines
                if x.source == "assumption (illustrative)" or not x.growth.cited]
        if p.council_tax is not None and (p.council_tax.source == "assumption (illustrative)"
                                          or not p.council_tax.growth.cited):
            out.append(f"{where}.council_tax")
        if p.reserves.source == "assumption (illustrative)":
            out.append(f"{where}.reserves")
    return out
