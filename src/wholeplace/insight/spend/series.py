"""Whole-place spend by year: the total per resident of every tier serving an area, for each
financial year of Revenue Outturn loaded (2010-11 to 2023-24), each year summed over the tiers'
figures for that same year only.

Each year is composed by :func:`wholeplace.insight.spend.wholeplace.compose` (the rules of the
single-year table: population basis, apportioning, tiers that did not exist yet). A year in which
a tier serving the area has no figures (no RS return, or the return not submitted: published as
missing) has no total: it says "incomplete", names the tiers it lacks and gives the known part
separately, never a sum that silently leaves a tier out. All years are read in three queries
(:func:`read_all_inputs`); the composition is pure.
"""

from __future__ import annotations

from typing import Any

from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.periods import parse_period
from wholeplace.hub.store import Store
from wholeplace.insight.spend.wholeplace import (
    COMPARABLE_TOTAL,
    NOT_CREATED,
    POPULATIONS_SQL,
    RS_INDICATORS,
    TOTAL,
    SpendInputs,
    compose,
    resolve_subject,
)
from wholeplace.places.queries import PLACE_FIELDS

COMPLETE, INCOMPLETE, NO_POPULATION = "complete", "incomplete", "no population"
#: The totals a year's row gives, per resident (the published total, and the one without police
#: and fire that compares like with like across England).
SERIES_TOTALS = (TOTAL, COMPARABLE_TOTAL)


def all_values_sql(n_indicators: int) -> str:
    """The current RS values of every area for every financial year (pure)."""
    marks = ", ".join("?" for _ in range(n_indicators))
    return ("SELECT period, area_code, indicator_id, value, status FROM current_observations "
            f"WHERE period_type = 'financial_year' AND indicator_id IN ({marks})")


def read_all_inputs(store: Store) -> dict[str, SpendInputs]:
    """Every financial year's :class:`SpendInputs`, by period label (three queries)."""
    by_period: dict[str, dict[tuple[str, str], tuple[float | None, str]]] = {}
    for r in store.rows(all_values_sql(len(RS_INDICATORS)), list(RS_INDICATORS)):
        by_period.setdefault(r["period"], {})[(r["area_code"], r["indicator_id"])] = (
            r["value"], r["status"])
    if not by_period:
        raise NotFoundError("No RS service spending is loaded. Load the RS files with "
                            "'wholeplace load'.")
    pops: dict[str, dict[int, tuple[float, int | None]]] = {}
    for r in store.rows(POPULATIONS_SQL):
        pops.setdefault(r["area_code"], {})[int(r["pop_year"])] = (r["pop"], r["members"])
    places = {r["gss_code"]: r for r in store.rows(
        f"SELECT {', '.join(PLACE_FIELDS)} FROM places")}
    return {label: SpendInputs(parse_period(label), places, values, pops,
                               frozenset(i for _, i in values))
            for label, values in sorted(by_period.items())}


def year_row(table: dict[str, Any]) -> dict[str, Any]:
    """One year of the series from that year's whole-place table (pure)."""
    tiers = [{"code": t["code"], "name": t["name"], "kind": t["kind"], "status": t["status"]}
             for t in table["tiers"] if t["status"] != NOT_CREATED]
    totals = {row["id"]: row for row in table["totals"]}
    out = {"period": table["period"], "year": table["year"], "tiers": tiers,
           "population": table["population"]["value"],
           "population_basis": table["population"]["label"]}
    for line in SERIES_TOTALS:
        row = totals[line.id]
        out[line.id] = {"label": line.label, "total_per_head": row["total_per_head"],
                        "known_per_head": row["known_per_head"], "lacks": row["lacks"]}
    main = out[COMPARABLE_TOTAL.id]
    if not table["per_head_available"]:
        out["status"], out["note"] = NO_POPULATION, table["population"]["note"]
    elif main["total_per_head"] is None:
        out["status"] = INCOMPLETE
        out["note"] = (f"Incomplete: no figures for {', '.join(main['lacks'])} in "
                       f"{table['period']}, so there is no whole-place total for the year "
                       "(the known part is given separately).")
    else:
        out["status"], out["note"] = COMPLETE, None
    return out


def compose_series(inputs: dict[str, SpendInputs], code: str, first: int | None = None,
                   last: int | None = None) -> list[dict[str, Any]]:
    """The area's row for every year loaded between ``first`` and ``last`` (start years)."""
    rows = []
    for period_inputs in inputs.values():
        year = period_inputs.period.start.year
        if (first is not None and year < first) or (last is not None and year > last):
            continue
        rows.append(year_row(compose(period_inputs, code)))
    return rows


def place_spend_series(store: Store, code: str, first: int | None = None,
                       last: int | None = None) -> dict[str, Any]:
    """Whole-place spend per resident of a council area for every RS year loaded."""
    place = resolve_subject(store, code)
    if place["tier"] == "upper":
        raise InputError(f"{place['official_name']} is a county: its whole-place spend is given "
                         "for each of its districts. Ask for the series of one district (run "
                         f"'wholeplace place {place['gss_code']}' to list them).")
    rows = compose_series(read_all_inputs(store), place["gss_code"], first, last)
    return {"area": {k: place[k] for k in PLACE_FIELDS}, "years": rows,
            "total": COMPARABLE_TOTAL.id,
            "incomplete": [r["period"] for r in rows if r["status"] == INCOMPLETE],
            "note": ("Each year sums every tier's figures for that same year only; a year in "
                     "which a tier has no figures is 'incomplete' and has no total.")}


def latest_year(store: Store) -> int:
    """The start year of the latest financial year with RS service spending loaded."""
    start = store.scalar("SELECT max(period_start) FROM current_observations WHERE "
                         "indicator_id = ? AND period_type = 'financial_year' AND value IS NOT "
                         "NULL", [TOTAL.id])
    if start is None:
        raise NotFoundError("No RS service spending is loaded. Load the RS files with "
                            "'wholeplace load'.")
    return int(start.year)
