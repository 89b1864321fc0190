"""The prevention value model: who pays, who saves, and whether it pays back.

Each year a cohort is offered the intervention; ``cohort x take_up`` people take part at
``cost_per_participant``. For every downstream outcome, participants of year ``c`` avoid

    avoided(t) = participants(c) x baseline_rate x effect x (1 - decay) ** (t - c - lag)

outcomes in each year ``t >= c + lag`` (cohorts overlap). An avoided outcome saves
``quantity x unit cost`` (the Unit Cost Database line, uprated to the model's price base) for
the partners that receive it, by their share; the cashable part is what can leave a budget.
The fiscal view counts fiscal unit costs only; the public-value view adds the economic and
social values of the same outcomes and is reported apart. Present values use the Green Book
schedule chosen (:mod:`.appraisal`).

Everything is vectorised over draws: a deterministic run is one draw at the central values,
Monte Carlo is ``n`` seeded draws (numpy ``Generator``), and the one-at-a-time sensitivities
are two draws per uncertain parameter (its low and its high, the others central).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wholeplace.budget import appraisal
from wholeplace.budget.plan_model import fy_label
from wholeplace.budget.prevention_checks import check_intervention
from wholeplace.budget.prevention_model import Intervention, Uncertain, UnitCostRef
from wholeplace.budget.unit_costs import UnitCost
from wholeplace.errors import InputError

Array = npt.NDArray[np.float64]
Lookup = Callable[[str, str], UnitCost]
Z975 = 1.959963984540054


@dataclass(frozen=True)
class PricedCost:
    """A unit cost in the model's price base, with where it came from."""

    value: float
    price_base: str
    provenance: str


@dataclass
class Evaluation:
    """Flows by year for each draw: arrays shaped (draws, years); per partner dicts."""

    participants: Array
    cost: dict[str, Array]
    saving: dict[str, Array]
    cashable: dict[str, Array]
    public: Array
    avoided: dict[str, Array]
    #: The part of ``public`` that is health effects (discounted at the health schedule).
    public_health: Array

    def total(self, which: str) -> Array:
        parts: dict[str, Array] = getattr(self, which)
        return np.asarray(sum(parts.values()), dtype=np.float64)


def parameters(m: Intervention) -> dict[str, Uncertain]:
    """Every uncertain parameter by a stable name."""
    out = {"cohort": m.cohort, "take_up": m.take_up,
           "cost_per_participant": m.cost_per_participant}
    for o in m.outcomes:
        if o.rate_ratio is not None:
            out[f"{o.id}.rate_ratio"] = o.rate_ratio
        if o.effect is not None:
            out[f"{o.id}.effect"] = o.effect
        out[f"{o.id}.baseline_rate"] = o.baseline_rate
        out[f"{o.id}.decay"] = o.decay
        out[f"{o.id}.quantity"] = o.quantity
        for r in o.receivers:
            out[f"{o.id}.cashable[{r.partner}]"] = r.cashable
    return out


def price(ref: UnitCostRef, m: Intervention, lookup: Lookup | None) -> PricedCost:
    """A unit cost in the price base: the database's own uprated value where the base is the
    year it uprates to, the value itself where the base is its price year, else the user's
    deflator (refused if it lacks either year)."""
    if ref.cost_code is not None:
        if lookup is None:
            raise InputError(f"unit cost {ref.cost_code}: a hub with the Unit Cost Database "
                             "is needed to look it up.")
        uc = lookup(ref.cost_code, ref.kind)
        value, year, src = uc.value, uc.price_year, (
            f"Unit Cost Database v1.4 (New Economy / GMCA, CC BY 4.0) {uc.cost_code}, "
            f"{uc.kind}: £{uc.value:,.2f} at {uc.price_year} prices")
        if uc.uprated_to == m.price_base and uc.uprated_value is not None:
            return PricedCost(uc.uprated_value, m.price_base,
                              f"{src}, £{uc.uprated_value:,.2f} as uprated to "
                              f"{uc.uprated_to} by the database")
    else:
        assert ref.value is not None and ref.price_year is not None
        value, year, src = ref.value, ref.price_year, (
            f"{ref.source or 'assumption (illustrative)'}: £{ref.value:,.2f} at "
            f"{ref.price_year} prices")
    if year == m.price_base:
        return PricedCost(value, m.price_base, src)
    d = m.deflator
    if d is None or year not in d.index or m.price_base not in d.index:
        raise InputError(f"unit cost ({src}): its price year {year} differs from the price "
                         f"base {m.price_base}; supply a deflator (with its source) that "
                         f"gives both years.")
    factor = d.index[m.price_base] / d.index[year]
    return PricedCost(value * factor, m.price_base,
                      f"{src}, uprated to {m.price_base} by {d.id} ({d.source})")


def draw(params: dict[str, Uncertain], n: int, rng: np.random.Generator) -> dict[str, Array]:
    """``n`` draws of every parameter (in a fixed order, so a seed reproduces them)."""
    out = {}
    for name in sorted(params):
        p = params[name]
        if p.distribution == "fixed" or p.low is None or p.high is None or p.low == p.high:
            out[name] = np.full(n, p.value)
        elif p.distribution == "uniform":
            out[name] = rng.uniform(p.low, p.high, n)
        elif p.distribution == "triangular":
            out[name] = rng.triangular(p.low, p.value, p.high, n)
        else:
            sigma = (np.log(p.high) - np.log(p.low)) / (2 * Z975)
            out[name] = np.exp(rng.normal(np.log(p.value), sigma, n))
    return out


def central(params: dict[str, Uncertain]) -> dict[str, Array]:
    return {k: np.array([p.value]) for k, p in params.items()}


def evaluate(m: Intervention, prices: dict[str, tuple[float, float, float]],
             v: dict[str, Array]) -> Evaluation:
    """Flows for every draw. ``prices``: outcome id -> £ per unit (fiscal; economic and social
    other than health effects; health effects)."""
    # computed years-first, (years, draws), so running sums over years are contiguous; the
    # arrays handed back are transposed views, (draws, years)
    years = m.years
    draws = next(iter(v.values())).shape[0]
    per_year = v["cohort"] * v["take_up"]
    participants = np.repeat(per_year[None, :], years, axis=0)
    spend = participants * v["cost_per_participant"][None, :]
    cost = {s.partner: (spend * s.share).T for s in m.cost_bearers}
    saving = {p: np.zeros((years, draws)) for p in m.partners}
    cashable = {p: np.zeros((years, draws)) for p in m.partners}
    public = np.zeros((years, draws))
    health = np.zeros((years, draws))
    avoided_all = {}
    for o in m.outcomes:
        effect = (1 - v[f"{o.id}.rate_ratio"]) if o.rate_ratio is not None \
            else v[f"{o.id}.effect"]
        kernel = _kernel(effect, v[f"{o.id}.decay"], o.lag_years, years)
        # every year's cohort is the same size, so the overlapping cohorts' effects in year t
        # are the participants times the kernel summed over the years since 0 .. t
        avoided = np.cumsum(kernel, axis=0)
        avoided *= (per_year * v[f"{o.id}.baseline_rate"])[None, :]
        avoided_all[o.id] = avoided.T
        units = avoided * v[f"{o.id}.quantity"][None, :]
        fiscal, extra, extra_health = prices[o.id]
        if extra:
            public += units * extra
        if extra_health:
            health += units * extra_health
        for r in o.receivers:
            s = units * (fiscal * r.share)
            saving[r.partner] += s
            cashable[r.partner] += s * v[f"{o.id}.cashable[{r.partner}]"][None, :]
    return Evaluation(participants.T, cost, {k: a.T for k, a in saving.items()},
                      {k: a.T for k, a in cashable.items()}, (public + health).T, avoided_all,
                      health.T)


def _kernel(effect: Array, decay: Array, lag: int, years: int) -> Array:
    """(years, draws): the effect on one cohort k years after it takes part: 0 before the lag, then
    effect x (1 - decay) ** (k - lag), built by a running product (no powers)."""
    out = np.zeros((years, effect.shape[0]))
    if lag >= years:
        return out
    out[lag] = effect
    if lag + 1 < years:
        out[lag + 1:] = (1 - decay)[None, :]
        np.cumprod(out[lag:], axis=0, out=out[lag:])
    return out


@dataclass
class Model:
    """A checked intervention with its unit costs priced and its discount factors.
    ``prices``: outcome id -> £ per unit (fiscal; economic and social other than health
    effects; health effects); ``health_factors``: the factors for health effects
    (``factors`` unless the model chose a health schedule)."""

    m: Intervention
    params: dict[str, Uncertain]
    prices: dict[str, tuple[float, float, float]]
    provenance: dict[str, list[str]]
    factors: Array
    health_factors: Array

    def run(self, values: dict[str, Array]) -> Evaluation:
        return evaluate(self.m, self.prices, values)

    @property
    def labels(self) -> list[str]:
        return [fy_label(self.m.start_year + i) for i in range(self.m.years)]


def prepare(m: Intervention, lookup: Lookup | None = None) -> Model:
    """Check the intervention, price its unit costs and build its discount factors."""
    check_intervention(m)
    prices, provenance = {}, {}
    for o in m.outcomes:
        fiscal = price(o.unit_cost, m, lookup)
        extra = [(r.health, price(r, m, lookup)) for r in o.public_value]
        prices[o.id] = (fiscal.value, sum(x.value for h, x in extra if not h),
                        sum(x.value for h, x in extra if h))
        provenance[o.id] = [fiscal.provenance, *(x.provenance for _, x in extra)]
    factors = appraisal.discount_factors(appraisal.chosen_schedule(m.discount), m.years)
    health = (factors if m.health_discount is None else
              appraisal.discount_factors(appraisal.chosen_schedule(m.health_discount), m.years))
    return Model(m, parameters(m), prices, provenance, factors, health)


def summary(model: Model, e: Evaluation, payback: bool = True) -> dict[str, Array]:
    """NPV, ROI and (unless ``payback`` is false) payback year for each view, one value per
    draw. Present values are ``flows @ factors`` (one matrix product per view)."""
    f, fh = model.factors, model.health_factors
    cost = e.total("cost")
    saving = e.total("saving")
    # the public-value view's health effects are discounted at their own schedule (the same
    # as ``f`` unless the model chose one)
    views = {"fiscal": (saving, None), "cashable": (e.total("cashable"), None),
             "public_value": (saving + e.public - e.public_health, e.public_health)}
    out: dict[str, Array] = {"cost_pv": np.asarray(cost @ f, dtype=np.float64)}
    for name, (benefit, health) in views.items():
        b = np.asarray(benefit @ f, dtype=np.float64)
        yearly = appraisal.present_values(benefit - cost, f)
        if health is not None:
            b = b + np.asarray(health @ fh, dtype=np.float64)
            yearly = yearly + appraisal.present_values(health, fh)
        out[f"{name}_benefit_pv"] = b
        out[f"{name}_npv"] = b - out["cost_pv"]
        out[f"{name}_roi"] = appraisal.roi(b, out["cost_pv"])
        if payback:
            out[f"{name}_payback"] = appraisal.payback_year(yearly).astype(np.float64)
    return out


def who_pays_who_saves(model: Model, e: Evaluation) -> list[dict[str, Any]]:
    """Present values per partner for one draw (the first): cost, fiscal and cashable saving."""
    f = model.factors
    rows = []
    for pid, name in model.m.partners.items():
        zero = np.zeros_like(e.participants)
        cost = float(appraisal.npv(e.cost.get(pid, zero), f)[0])
        saving = float(appraisal.npv(e.saving[pid], f)[0])
        cash = float(appraisal.npv(e.cashable[pid], f)[0])
        rows.append({"partner": pid, "name": name, "cost_pv": cost, "saving_pv": saving,
                     "cashable_saving_pv": cash, "net_pv": saving - cost,
                     "net_cashable_pv": cash - cost})
    return rows


def monte_carlo(model: Model, draws: int, seed: int) -> dict[str, Any]:
    """P10, P50, P90 of each view's NPV and the probability it is positive."""
    if draws < 1:
        raise InputError(f"draws: at least 1, not {draws}.")
    rng = np.random.default_rng(seed)
    s = summary(model, model.run(draw(model.params, draws, rng)), payback=False)
    out: dict[str, Any] = {"draws": draws, "seed": seed}
    for view in ("fiscal", "cashable", "public_value"):
        npv = s[f"{view}_npv"]
        p10, p50, p90 = np.percentile(npv, [10, 50, 90])
        out[view] = {"npv_p10": float(p10), "npv_p50": float(p50), "npv_p90": float(p90),
                     "npv_mean": float(npv.mean()),
                     "probability_npv_positive": float((npv > 0).mean())}
    return out


def sensitivities(model: Model, view: str = "fiscal") -> list[dict[str, Any]]:
    """One-at-a-time: each ranged parameter at its low and its high, the others central; the
    NPV of ``view`` at each, largest swing first (the bars of a tornado chart)."""
    ranged = [k for k, p in model.params.items() if p.low is not None and p.low != p.high]
    if not ranged:
        return []
    base = central(model.params)
    values = {k: np.repeat(a, 2 * len(ranged)) for k, a in base.items()}
    for i, k in enumerate(ranged):
        p = model.params[k]
        values[k][2 * i], values[k][2 * i + 1] = p.low, p.high
    npv = summary(model, model.run(values), payback=False)[f"{view}_npv"]
    rows = [{"parameter": k, "low": model.params[k].low, "high": model.params[k].high,
             "npv_at_low": float(npv[2 * i]), "npv_at_high": float(npv[2 * i + 1]),
             "swing": float(abs(npv[2 * i + 1] - npv[2 * i]))} for i, k in enumerate(ranged)]
    return sorted(rows, key=lambda r: -r["swing"])
