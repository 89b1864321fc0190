"""Capital financing: borrowing for capital spending flows into revenue as minimum revenue
provision (MRP) and interest.

MRP follows the Option 3 "asset life method" of the statutory guidance (Department for Levelling
Up, Housing and Communities, *Capital finance: guidance on minimum revenue provision*, 5th
edition, April 2024, for accounting periods from 1 April 2025; Option 3, paragraph 58), by either
of its two ways of spreading the amount over the asset's estimated useful life:

* ``asset_life`` (equal instalments): ``amount / life`` each year;
* ``annuity``: the principal element of an annuity at rate ``i`` over ``life`` years, rising
  each year: ``MRP_k = amount * i * (1 + i)**(k - 1) / ((1 + i)**life - 1)`` for
  ``k = 1 .. life`` (equal instalments when ``i`` is 0).

Conventions (each a documented, editable parameter of :class:`Financing`): spending in year
``y`` is borrowed at the end of that year, MRP starts ``mrp_delay`` years later (1 by default:
MRP commences in the year after the expenditure, "Commencement of MRP" in the same guidance), the
debt is repaid in step with MRP, and interest in a year is the rate times the debt outstanding at
its start. There is no default interest rate: the Public Works Loan Board rate changes daily,
so the plan must state the rate it assumes, with its date and source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from wholeplace.errors import InputError

Array = npt.NDArray[np.float64]
Method = Literal["asset_life", "annuity"]
METHODS: tuple[Method, ...] = ("asset_life", "annuity")

GUIDANCE = ("DLUHC, Capital finance: guidance on minimum revenue provision (5th edition, April "
            "2024), Option 3: asset life method")
GUIDANCE_URL = ("https://www.gov.uk/government/publications/"
                "capital-finance-guidance-on-minimum-revenue-provision-third-edition")


def mrp_instalments(amount: float, life: int, method: Method, rate: float = 0.0) -> Array:
    """MRP for each year of the asset's life, summing to ``amount``."""
    if not isinstance(life, int) or isinstance(life, bool) or life < 1:
        raise InputError(f"asset life: must be a whole number of years of at least 1, not "
                         f"{life!r}; MRP spreads the amount over the asset's useful life.")
    if amount < 0:
        raise InputError(f"amount: borrowing must not be negative, not {amount}.")
    if method not in METHODS:
        raise InputError(f"method: {method!r} is not one of {', '.join(METHODS)}.")
    if method == "asset_life" or rate == 0.0:
        return np.full(life, amount / life)
    if rate < 0:
        raise InputError(f"annuity rate: must not be negative, not {rate}.")
    k = np.arange(life, dtype=np.float64)
    return np.asarray(amount * rate * (1 + rate) ** k / ((1 + rate) ** life - 1),
                      dtype=np.float64)


@dataclass(frozen=True)
class Financing:
    """How a capital line's borrowing is repaid."""

    life: int
    method: Method
    #: Interest rate on the borrowing (a PWLB-based rate the plan states, with its source).
    interest_rate: float
    #: Rate for the annuity method (defaults to the interest rate).
    annuity_rate: float | None = None
    #: Years between the spending and the first MRP charge.
    mrp_delay: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.interest_rate < 1:
            raise InputError(f"interest rate: {self.interest_rate} is not a rate between 0 "
                             "and 1 (e.g. 0.05 for 5%).")
        if self.mrp_delay < 0:
            raise InputError(f"mrp delay: must not be negative, not {self.mrp_delay}.")


@dataclass(frozen=True)
class FinancingResult:
    mrp: Array
    interest: Array
    debt_end: Array

    @property
    def revenue_cost(self) -> Array:
        return np.asarray(self.mrp + self.interest, dtype=np.float64)


def finance(borrowing: npt.ArrayLike, f: Financing) -> FinancingResult:
    """MRP, interest and debt at each year end over the plan's years, for borrowing by year."""
    b = np.asarray(borrowing, dtype=np.float64)
    if b.ndim != 1:
        raise InputError("borrowing: one amount per plan year.")
    if (b < 0).any():
        year = int(np.argmax(b < 0))
        raise InputError(f"borrowing: year {year + 1} is negative ({b[year]}).")
    years = b.shape[0]
    mrp = np.zeros(years)
    rate = f.interest_rate if f.annuity_rate is None else f.annuity_rate
    for y in np.flatnonzero(b):
        inst = mrp_instalments(float(b[y]), f.life, f.method, rate)
        start = y + f.mrp_delay
        if start < years:
            n = min(f.life, years - start)
            mrp[start:start + n] += inst[:n]
    debt_end = np.cumsum(b) - np.cumsum(mrp)
    debt_start = np.concatenate(([0.0], debt_end[:-1]))
    interest = f.interest_rate * debt_start
    return FinancingResult(mrp, np.asarray(interest, dtype=np.float64),
                           np.asarray(debt_end, dtype=np.float64))
