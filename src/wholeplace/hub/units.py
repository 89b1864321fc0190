"""The controlled vocabulary of units, with the range of values each can take.

A unit that is not listed here is rejected with the list of accepted ones, so that two councils'
uploads of the same indicator cannot disagree silently about what a number means.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    id: str
    label: str
    minimum: float | None = None
    maximum: float | None = None
    money: bool = False
    #: A numerator can never exceed its denominator (shares, percentages).
    share: bool = False
    #: How much the unit's value is multiplied by relative to a plain ratio of num/den.
    scale: float | None = None


UNITS: dict[str, Unit] = {
    u.id: u
    for u in [
        Unit("gbp_thousands", "£ thousand", money=True),
        Unit("gbp", "£", money=True),
        Unit("gbp_per_head", "£ per head", money=True),
        Unit("persons", "people", minimum=0),
        Unit("count", "count", minimum=0),
        Unit("percent", "%", minimum=0, maximum=100, share=True, scale=100.0),
        # One amount as a percentage of another that it may exceed (borrowing as % of a year's
        # net revenue expenditure): no upper bound, not a share.
        Unit("percent_of_total", "% of", scale=100.0),
        Unit("proportion", "proportion (0 to 1)", minimum=0, maximum=1, share=True, scale=1.0),
        Unit("rate_per_1000", "per 1,000", minimum=0, scale=1000.0),
        Unit("rate_per_100000", "per 100,000", minimum=0, scale=100000.0),
        Unit("score", "score"),
        Unit("rank", "rank", minimum=1),
        Unit("decile", "decile", minimum=1, maximum=10),
        Unit("ratio", "ratio"),
        Unit("years", "years"),
        Unit("km2", "km²", minimum=0),
        Unit("persons_per_km2", "people per km²", minimum=0),
        # A price index such as HM Treasury's GDP deflator (base year = 100); see
        # wholeplace.insight.trends.view for the deflator convention.
        Unit("index", "index", minimum=0),
    ]
}


def get_unit(unit_id: str) -> Unit:
    from wholeplace.errors import InputError

    try:
        return UNITS[unit_id]
    except KeyError:
        raise InputError(
            f"Unknown unit {unit_id!r}. Use one of: {', '.join(sorted(UNITS))}."
        ) from None
