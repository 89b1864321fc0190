"""A prevention intervention as data (pydantic models of an intervention file, YAML).

Money is in £ at the model's price base; rates are fractions. Every parameter carries its
``source``; a parameter that cites nothing is an "assumption (illustrative)", shown on output.
An uncertain parameter has a central ``value`` and, optionally, a range (``low``, ``high``)
with the distribution Monte Carlo draws it from.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from wholeplace.budget.appraisal import DiscountSchedule

ILLUSTRATIVE = "assumption (illustrative)"
Distribution = Literal["fixed", "uniform", "triangular", "lognormal_ci"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Uncertain(_Model):
    """A parameter with its range. ``lognormal_ci``: ``low`` and ``high`` are a 95% confidence
    interval of a ratio, drawn on the log scale (the way a meta-analysis reports a rate ratio)."""

    value: float
    low: float | None = None
    high: float | None = None
    distribution: Distribution = "fixed"
    source: str = ILLUSTRATIVE
    note: str | None = None

    @model_validator(mode="after")
    def _range(self) -> Uncertain:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high, or neither")
        if self.low is not None and self.high is not None:
            if self.low > self.high:
                raise ValueError(f"the range is inverted: low {self.low} is above high "
                                 f"{self.high}")
            if not self.low <= self.value <= self.high:
                raise ValueError(f"the value {self.value} is outside its range "
                                 f"{self.low} to {self.high}")
        if self.distribution != "fixed" and self.low is None:
            raise ValueError(f"a {self.distribution} distribution needs low and high")
        if self.distribution == "lognormal_ci" and (self.low or 0) <= 0:
            raise ValueError("a lognormal_ci range must be above 0")
        return self

    @property
    def cited(self) -> bool:
        return self.source != ILLUSTRATIVE


class UnitCostRef(_Model):
    """The unit cost of one avoided outcome: a Unit Cost Database line by cost code (looked up
    in the hub), or a value given here with its price year and source."""

    cost_code: str | None = None
    kind: Literal["fiscal", "economic", "social"] = "fiscal"
    value: float | None = Field(default=None, ge=0)
    price_year: str | None = None
    source: str | None = None
    #: A health effect valued in money (e.g. QALYs at a value per QALY), in ``public_value``
    #: only: the public-value view discounts it at the model's ``health_discount`` when one is
    #: chosen (the Green Book's 1.5% for health effects), otherwise at ``discount``.
    health: bool = False

    @model_validator(mode="after")
    def _one(self) -> UnitCostRef:
        if self.cost_code is None and self.value is None:
            raise ValueError("give a cost_code from the Unit Cost Database, or a value")
        if self.value is not None and self.price_year is None:
            raise ValueError("a unit cost needs its price year (e.g. 2015-16), so it can be "
                             "uprated to the model's price base")
        return self


class Share(_Model):
    partner: str
    share: float = Field(ge=0, le=1)
    #: The part of this partner's saving that is cashable (can leave its budget).
    cashable: Uncertain = Uncertain(value=0.0)


class Outcome(_Model):
    id: str
    title: str
    #: Outcomes per participant per year without the intervention.
    baseline_rate: Uncertain
    #: Proportional reduction in that rate for participants (0.24 = 24% fewer) ...
    effect: Uncertain | None = None
    #: ... or the rate ratio a trial or review reports (effect = 1 - rate ratio).
    rate_ratio: Uncertain | None = None
    lag_years: int = Field(default=0, ge=0)
    #: Fraction of the effect lost each year after it starts (0: it lasts; 1: one year only).
    decay: Uncertain = Uncertain(value=1.0)
    #: Units of the unit cost per avoided outcome (e.g. weeks of home care).
    quantity: Uncertain = Uncertain(value=1.0)
    unit_cost: UnitCostRef
    #: Economic and social values of the same outcome (the public-value view only).
    public_value: tuple[UnitCostRef, ...] = ()
    receivers: tuple[Share, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _effect(self) -> Outcome:
        if (self.effect is None) == (self.rate_ratio is None):
            raise ValueError("give the effect either as effect (a proportional reduction) or "
                             "as rate_ratio, not both or neither")
        if self.unit_cost.health:
            raise ValueError("unit_cost.health: a fiscal saving is money in a budget, "
                             "discounted at the model's rate; mark a health effect in "
                             "public_value instead")
        return self


class Deflator(_Model):
    """A price index by financial year, supplied by the user with its source and version."""

    id: str
    source: str
    index: dict[str, float]


def _schedule_kind(v: Any) -> str:
    """A discount schedule given by name (a shipped one) or in full (the model's own)."""
    return "name" if isinstance(v, str) else "own"


class Intervention(_Model):
    id: str
    title: str
    illustration: bool = True
    note: str | None = None
    start_year: int = Field(ge=2000, le=2100)
    years: int = Field(ge=1, le=30)
    price_base: str
    #: A shipped schedule by name, or the model's own (id, title, source, edition, bands).
    discount: Annotated[
        Annotated[Literal["standard", "health"], Tag("name")]
        | Annotated[DiscountSchedule, Tag("own")],
        Discriminator(_schedule_kind)] = "standard"
    #: Where chosen, the schedule for the health effects in ``public_value`` (``health``: the
    #: Green Book's 1.5%), by name or in full; None: they are discounted at ``discount``.
    health_discount: Annotated[
        Annotated[Literal["standard", "health"], Tag("name")]
        | Annotated[DiscountSchedule, Tag("own")],
        Discriminator(_schedule_kind)] | None = None
    deflator: Deflator | None = None
    #: People offered the intervention each year.
    cohort: Uncertain
    take_up: Uncertain
    #: Cost per participant, £ at the price base.
    cost_per_participant: Uncertain
    cost_bearers: tuple[Share, ...] = Field(min_length=1)
    outcomes: tuple[Outcome, ...] = Field(min_length=1)
    #: Partners of the model: id -> name.
    partners: dict[str, str]
    #: Where each partner's cost and saving land in a plan: id -> {partner, line}.
    plan_lines: dict[str, dict[str, str]] = Field(default_factory=dict)
