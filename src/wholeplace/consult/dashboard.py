"""The officer's results, assembled: every figure of results.py and weighting.py for one
consultation, as one JSON-ready mapping (the dashboard page, its JSON twin and the exports all
read this). ``population_for`` is the one reader of the hub here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wholeplace.consult.later import Profile, average, linked
from wholeplace.consult.models import Consultation
from wholeplace.consult.results import (
    EventRow,
    ResponseRow,
    channels,
    completion_seconds,
    funnel,
    line_results,
    tax_result,
)
from wholeplace.consult.weighting import (
    POPULATION_BANDS,
    Population,
    by_age,
    by_area,
    group,
    weights,
)
from wholeplace.hub.store import Store

_POPULATION_SQL = """
SELECT indicator_id, period, value FROM current_observations
WHERE area_code = ? AND indicator_id IN (?, ?, ?) AND value IS NOT NULL
ORDER BY period_end DESC
"""


def population_for(store: Store, code: str) -> Population | None:
    """The latest mid-year population of ``code`` that has every one of the three age bands."""
    ids = [b for b, _ in POPULATION_BANDS]
    by_period: dict[str, dict[str, int]] = {}
    for r in store.rows(_POPULATION_SQL, [code, *ids]):
        by_period.setdefault(str(r["period"]), {})[str(r["indicator_id"])] = round(
            float(r["value"]))
    for period, persons in by_period.items():  # newest first (dicts keep insertion order)
        if all(b in persons for b in ids):
            return Population(period, persons)
    return None


def later_costs(c: Consultation, rows: Sequence[ResponseRow],
                profiles: Mapping[str, Profile]) -> dict[str, Any]:
    """The multi-year cost of the average submission: the mean over ``rows`` of the modelled
    later cost of each response's cuts to linked lines, per model, partner and year."""
    ids = [line.id for line in linked(c)]
    changes = [{i: r.line_change(i) / 100 for i in ids} for r in rows]
    return average(c, changes, profiles)


def results(c: Consultation, rows: Sequence[ResponseRow], events: Sequence[EventRow],
            population: Population | None,
            profiles: Mapping[str, Profile] | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, as plain data (money in pence, shares as strings; the
    later costs, which are modelled, in £ at each model's price base)."""
    w = weights(rows, population)
    return {
        "responses": len(rows), "channels": channels(rows),
        "surge_flagged": sum(r.surge_flag for r in rows),
        "lines": [x.to_dict() for x in line_results(c, rows)],
        "council_tax": tax_result(rows).to_dict() if c.council_tax is not None else None,
        "weights": w.to_dict(),
        "all": group(c, "all", "All responses", rows, w).to_dict(),
        "by_age": [g.to_dict() for g in by_age(c, rows, w)],
        "by_area": [g.to_dict() for g in by_area(c, rows, w)],
        "funnel": funnel(events).to_dict(),
        "completion_seconds": completion_seconds(rows).to_dict(),
        "later_costs": later_costs(c, rows, profiles or {}),
    }
