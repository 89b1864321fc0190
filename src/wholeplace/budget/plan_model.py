"""The multi-year plan as data: pydantic models of a plan file (YAML) and its checks.

Money is in £ thousand (like the hub's RS and RA figures); rates are fractions (0.03 for 3%).
Years are financial years labelled as the hub labels them (``2025-26``). Baseline figures are
for the year before the plan's first year (the "base year"). Every assumption carries its
``source``; one that cites nothing is labelled an illustrative assumption on output.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PartnerKind = Literal["district", "county", "unitary", "metropolitan_district",
                      "london_borough", "combined_authority", "icb", "police", "fire", "other"]
AGE_BANDS = ("age_0_17", "age_18_64", "age_65_plus", "age_85_plus", "all_ages")
ILLUSTRATIVE = "assumption (illustrative)"


def fy_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Assumption(_Model):
    """A documented, editable rate: one value for every year, or one per plan year."""

    value: float | list[float]
    source: str = ILLUSTRATIVE
    note: str | None = None

    @property
    def cited(self) -> bool:
        return self.source != ILLUSTRATIVE


class InterestRate(_Model):
    """The borrowing rate the plan assumes (e.g. a PWLB rate on a stated date)."""

    value: float = Field(ge=0, lt=1)
    as_of: str = Field(description="The date the rate was taken, e.g. 2025-04-01.")
    source: str


class CouncilTaxCap(_Model):
    """The referendum limit on the Band D increase, and whether the plan keeps within it."""

    limit: float = Field(ge=0, lt=1)
    capped: bool = True
    source: str = ILLUSTRATIVE


class CouncilTax(_Model):
    band_d: float = Field(ge=0, description="Band D in the base year, £.")
    tax_base: float = Field(ge=0, description="Band D equivalents in the base year.")
    growth: Assumption = Field(description="Annual increase in Band D.")
    tax_base_growth: Assumption
    collection_rate: float = Field(default=1.0, gt=0, le=1)
    cap: CouncilTaxCap | None = None
    source: str = ILLUSTRATIVE


class IncomeLine(_Model):
    id: str
    name: str
    kind: Literal["grant", "business_rates", "fees", "other"]
    base: float = Field(ge=0, description="£ thousand in the base year.")
    growth: Assumption
    source: str = ILLUSTRATIVE


class RevenueLine(_Model):
    id: str
    name: str
    base: float = Field(ge=0, description="Net cost, £ thousand in the base year.")
    pay_share: float = Field(default=0.5, ge=0, le=1)
    #: The age band whose population drives demand (None: no demand growth).
    demand_driver: Literal["age_0_17", "age_18_64", "age_65_plus", "age_85_plus",
                           "all_ages"] | None = None
    demand_elasticity: float = Field(default=1.0, ge=0)
    source: str = ILLUSTRATIVE


class Saving(_Model):
    """A recurring saving on a line from a year on (£ thousand a year, cash)."""

    line: str
    year: str
    amount: float = Field(ge=0)
    note: str | None = None


class CapitalLine(_Model):
    id: str
    name: str
    spend: dict[str, float] = Field(description="Capital spend by year, £ thousand.")
    borrowing_share: float = Field(default=1.0, ge=0, le=1)
    life: int = Field(description="Estimated useful life, years (at least 1).")
    method: Literal["asset_life", "annuity"] = "annuity"

    @field_validator("spend")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [y for y, x in v.items() if x < 0]
        if bad:
            raise ValueError(f"capital spend must not be negative (years {', '.join(bad)})")
        return v


class Reserves(_Model):
    earmarked: float = Field(ge=0, description="£ thousand at the end of the base year.")
    unallocated: float = Field(ge=0)
    #: Planned use of earmarked reserves by year (funds spending; £ thousand).
    earmarked_use: dict[str, float] = Field(default_factory=dict)
    source: str = ILLUSTRATIVE


class Partner(_Model):
    id: str
    name: str
    kind: PartnerKind
    gss_code: str | None = None
    revenue_lines: tuple[RevenueLine, ...] = ()
    income_lines: tuple[IncomeLine, ...] = ()
    council_tax: CouncilTax | None = None
    savings: tuple[Saving, ...] = ()
    capital_lines: tuple[CapitalLine, ...] = ()
    reserves: Reserves
    #: This partner's own population by age band (base year, then each plan year); without
    #: it, the plan's population drives this partner's demand.
    population: dict[str, list[float]] | None = None
    population_source: str = ILLUSTRATIVE


class Adjustment(_Model):
    """A scenario's change to one partner's line: extra (or, negative, less) spend by year."""

    partner: str
    line: str
    amounts: dict[str, float]
    note: str | None = None


class Scenario(_Model):
    id: str
    title: str
    adjustments: tuple[Adjustment, ...] = ()
    #: Assumptions replaced in this scenario (same keys as the plan's ``assumptions``).
    assumptions: dict[str, Assumption] = Field(default_factory=dict)


class Assumptions(_Model):
    pay_inflation: Assumption
    non_pay_inflation: Assumption
    interest_rate: InterestRate | None = None


class Plan(_Model):
    id: str
    title: str
    place: str | None = None
    start_year: int = Field(ge=2000, le=2100, description="First plan year (2025 = 2025-26).")
    years: int = Field(ge=1, le=10)
    illustration: bool = False
    note: str | None = None
    assumptions: Assumptions
    #: Population by age band: the base year then each plan year (length years + 1).
    population: dict[str, list[float]] = Field(default_factory=dict)
    population_source: str = ILLUSTRATIVE
    partners: tuple[Partner, ...] = Field(min_length=1)
    scenarios: tuple[Scenario, ...] = (Scenario(id="baseline", title="Baseline"),)

    @property
    def labels(self) -> list[str]:
        return [fy_label(self.start_year + i) for i in range(self.years)]

    @property
    def base_label(self) -> str:
        return fy_label(self.start_year - 1)
