"""A budget consultation, as data: what the officer sets up and what a resident answers.

Money is in pounds with at most two decimal places (``Decimal``); percentages likewise. The
engine turns both into exact integers (pence, basis points), as the page's JavaScript does.
Type checks are pydantic's; the rules between fields are in ``validate.py``, which collects every
problem before raising.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from wholeplace.counciltax import AuthorityClass, ReferendumLimit

SCHEMA_VERSION = 1

def _fixed(value: Decimal) -> str:
    """A decimal in plain positional notation ("1000000", never "1E+6") for JSON and YAML, so
    the page's parser (consult.js) reads every amount the server does."""
    return format(value, "f")


#: Serialised as plain decimal strings in JSON and YAML.
Fixed = PlainSerializer(_fixed, return_type=str, when_used="json")
Money = Annotated[Decimal, Field(max_digits=15, decimal_places=2), Fixed]
Percent = Annotated[Decimal, Field(max_digits=6, decimal_places=2), Fixed]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=60)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Consequence(_Model):
    """What happens to the service once the change reaches ``at`` (cumulative with the others)."""

    at: Money
    text: Annotated[str, Field(min_length=1, max_length=500)]


class Protection(_Model):
    """A budget the line may not fall below, and the legal reason."""

    kind: Literal["statutory_floor", "ring_fence"]
    minimum: Money
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class LinePrevention(_Model):
    """The prevention model a line funds, so a cut shows its modelled later cost.

    ``model`` is the id of a prevention model the platform knows (``examples/prevention``, or
    the folder ``WHOLEPLACE_PREVENTION_MODELS`` names). ``mapping`` says how a cut to the line
    reaches the programme: ``pound_for_pound`` (each £1 cut takes ``per_pound`` £ from the
    programme; default £1) or ``proportional`` (the programme loses the share of the line's
    budget that is cut).
    """

    model: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=80)]
    mapping: Literal["pound_for_pound", "proportional"] = "pound_for_pound"
    per_pound: Annotated[Decimal, Field(max_digits=6, decimal_places=4), Fixed] = Decimal(1)


class ServiceLine(_Model):
    """One service line a resident can change by ``step`` within [min_change, max_change]."""

    id: Slug
    title: Annotated[str, Field(min_length=1, max_length=120)]
    description: Annotated[str, Field(max_length=1000)] = ""
    current_budget: Money
    budget_source: Annotated[str, Field(min_length=1, max_length=120)]
    indicator: str | None = None
    min_change: Money
    max_change: Money
    step: Money
    protection: Protection | None = None
    recurring: bool = True
    consequences: list[Consequence] = []
    prevention: LinePrevention | None = None


class Target(_Model):
    """The gap to close (``gap``) or the funding the lines must fit within (``total``)."""

    kind: Literal["gap", "total"]
    amount: Money


class Preceptor(_Model):
    """Another body's share of the bill (county, police, fire, parish): shown, not movable."""

    name: Annotated[str, Field(min_length=1, max_length=120)]
    band_d: Money
    source: Annotated[str, Field(min_length=1, max_length=200)]


class Referendum(_Model):
    """What happens above the referendum principle: refuse (``hard_cap``) or ``warn``."""

    mode: Literal["hard_cap", "warn"]
    limit: ReferendumLimit | None = None
    cost: Money | None = None
    cost_source: str | None = None


class PercentRange(_Model):
    min_change: Percent
    max_change: Percent
    step: Percent


class CouncilTaxLever(_Model):
    """The council's own Band D (excluding parish precepts), its tax base and the ranges."""

    band_d: Money
    band_d_source: Annotated[str, Field(min_length=1, max_length=200)]
    tax_base: Annotated[Decimal, Field(max_digits=12, decimal_places=2), Fixed]
    tax_base_source: Annotated[str, Field(min_length=1, max_length=200)]
    authority_class: AuthorityClass
    core: PercentRange
    adult_social_care: PercentRange | None = None
    adult_social_care_band_d: Money | None = None
    other_preceptors: list[Preceptor] = []
    referendum: Referendum


class FeesLever(_Model):
    """Extra income from fees and charges, in £ a year."""

    title: Annotated[str, Field(min_length=1, max_length=120)] = "Fees and charges"
    description: str = ""
    min_change: Money
    max_change: Money
    step: Money
    recurring: bool = True


class ReservesLever(_Model):
    """One-off use of reserves, never leaving less than ``minimum_balance``."""

    available: Money
    minimum_balance: Money
    step: Money
    warning: Annotated[str, Field(max_length=500)] = (
        "Reserves can be spent only once: next year the gap returns.")


class Consultation(_Model):
    """One council's budget consultation for one financial year."""

    schema_version: Literal[1] = 1
    title: Annotated[str, Field(min_length=1, max_length=200)]
    introduction: Annotated[str, Field(max_length=2000)] = ""
    demonstration: bool = False
    council_code: Annotated[str, Field(pattern=r"^E\d{8}$")]
    council_name: Annotated[str, Field(min_length=1, max_length=120)]
    budget_year: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")]
    opens: date
    closes: date
    target: Target
    lines: Annotated[list[ServiceLine], Field(min_length=1)]
    council_tax: CouncilTaxLever | None = None
    fees: FeesLever | None = None
    reserves: ReservesLever | None = None
    prefilled_from: str | None = None


class Response(_Model):
    """A resident's choices. Omitted lines are unchanged."""

    line_changes: dict[str, Money] = {}
    council_tax_change: Percent = Decimal(0)
    adult_social_care_change: Percent = Decimal(0)
    fees_change: Money = Decimal(0)
    reserves_use: Money = Decimal(0)
    band: Literal["A", "B", "C", "D", "E", "F", "G", "H"] | None = None
