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
    #: An ordinal scale (grades): stored as the grade number, shown as its word, never averaged,
    #: banded by quartile or given a trend line (see wholeplace.insight.comparison.ordinal).
    ordinal: bool = False
    #: The word for each grade of an ordinal unit, best or first grade first.
    labels: tuple[tuple[int, str], ...] = ()

    def label_of(self, value: float | None) -> str | None:
        """The word for a grade (None for a missing value, a unit without labels or a number
        that is not one of its grades)."""
        if value is None or not self.labels:
            return None
        return dict(self.labels).get(int(value)) if float(value).is_integer() else None


UNITS: dict[str, Unit] = {
    u.id: u
    for u in [
        Unit("gbp_thousands", "£ thousand", money=True),
        Unit("gbp", "£", money=True),
        Unit("gbp_per_head", "£ per head", money=True),
        Unit("persons", "people", minimum=0),
        Unit("count", "count", minimum=0),
        Unit("percent", "%", minimum=0, maximum=100, share=True, scale=100.0),
        Unit("proportion", "proportion (0 to 1)", minimum=0, maximum=1, share=True, scale=1.0),
        Unit("rate_per_1000", "per 1,000", minimum=0, scale=1000.0),
        Unit("rate_per_100000", "per 100,000", minimum=0, scale=100000.0),
        Unit("score", "score"),
        Unit("rank", "rank", minimum=1),
        Unit("decile", "decile", minimum=1, maximum=10),
        Unit("ratio", "ratio"),
        Unit("years", "years"),
        Unit("km2", "km²", minimum=0),
        Unit("kg_per_household", "kg per household", minimum=0),
        Unit("kg_per_person", "kg per person", minimum=0),
        Unit("rate_per_10000", "per 10,000", minimum=0, scale=10000.0),
        Unit("dwellings", "dwellings"),
        Unit("percentage_points", "percentage points"),
        Unit("gbp_per_week", "£ per week", minimum=0),
        # Ofsted's four-point judgement scale (1 is best); an ordinal scale, not a quantity.
        Unit("ofsted_grade", "Ofsted grade", minimum=1, maximum=4, ordinal=True,
             labels=((1, "Outstanding"), (2, "Good"), (3, "Requires improvement"),
                     (4, "Inadequate"))),
        # The Housing Delivery Test's consequences, least to most severe (they are cumulative:
        # a buffer comes with an action plan, the presumption with both).
        Unit("hdt_consequence", "Housing Delivery Test consequence", minimum=1, maximum=4,
             ordinal=True, labels=((1, "No consequence"), (2, "Action plan"),
                                   (3, "Buffer (and action plan)"),
                                   (4, "Presumption in favour of sustainable development"))),
        Unit("persons_per_km2", "people per km²", minimum=0),
        # A price index such as HM Treasury's GDP deflator (base year = 100); see
        # wholeplace.insight.trends.view for the deflator convention.
        Unit("index", "index", minimum=0),
    ]
}


def is_ordinal(unit_id: str | None) -> bool:
    """Whether the unit is an ordinal scale (grades), which is never averaged."""
    unit = UNITS.get(unit_id or "")
    return bool(unit and unit.ordinal)


def get_unit(unit_id: str) -> Unit:
    from wholeplace.errors import InputError

    try:
        return UNITS[unit_id]
    except KeyError:
        raise InputError(
            f"Unknown unit {unit_id!r}. Use one of: {', '.join(sorted(UNITS))}."
        ) from None
