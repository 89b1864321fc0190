"""The bulk screen of a batch's values (numpy over Arrow) never misses a row the exact checks
refuse: on a grid of awkward values (NaN, infinity, negatives, zero denominators, shares above
their whole, values that disagree with their numerator and denominator, values at and beyond a
unit's bounds) the screened rows are a superset of the refused ones. Test values only."""

from __future__ import annotations

import itertools
import math

from wholeplace.hub.catalogue import Indicator
from wholeplace.hub.validate import _ratio_problems, _suspect_rows, _value_problems

INDICATORS = {
    "t.share": Indicator(id="t.share", title="A share", unit="percent", polarity="neutral",
                         kind="outcome"),
    "t.rate": Indicator(id="t.rate", title="A rate", unit="rate_per_1000", polarity="neutral",
                        kind="outcome"),
    "t.money": Indicator(id="t.money", title="Money", unit="gbp_thousands", polarity="neutral",
                         kind="context"),
    "t.capped": Indicator(id="t.capped", title="Capped", unit="count", polarity="neutral",
                          kind="context", value_min=10, value_max=20),
}
VALUES = (None, 0.0, 0.425, 10.0, 20.0, 20.5, 42.5, 100.0, 101.0, -1.0, math.nan, math.inf)
PARTS = (None, 0.0, 1.0, 17.0, 40.0, -3.0, math.nan)


def refused(ind_id, value, num, den) -> bool:
    ind = INDICATORS.get(ind_id)
    if ind is None:
        return False
    if any(x is not None and (math.isnan(x) or math.isinf(x)) for x in (value, num, den)):
        return True
    here = _value_problems(ind, "E00000000", value, "value")
    return bool(here or _ratio_problems(ind, "E00000000", value, num, den, "value", bool(here)))


def test_the_screen_keeps_every_row_the_checks_refuse():
    rows = list(itertools.product([*INDICATORS, "t.unknown"], VALUES, PARTS, PARTS))
    cols = {"indicator_id": [r[0] for r in rows], "value": [r[1] for r in rows],
            "numerator": [r[2] for r in rows], "denominator": [r[3] for r in rows]}
    screened = set(_suspect_rows(cols, INDICATORS))
    bad = {i for i, r in enumerate(rows) if refused(*r)}
    assert bad and bad <= screened
    assert len(screened) < len(rows)  # and it does screen rows out
    clean = {"indicator_id": ["t.share"] * 3, "value": [42.5, None, 0.0],
             "numerator": [17.0, None, 0.0], "denominator": [40.0, None, 40.0]}
    assert _suspect_rows(clean, INDICATORS) == []
