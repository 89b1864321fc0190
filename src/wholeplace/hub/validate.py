"""Checks a batch against the store before anything is written. Collects every problem.

The checks, each reported with file, line and column and what to do:

* an indicator that is neither in the catalogue nor described with the upload;
* a unit given for an indicator that contradicts the indicator's unit;
* an area code that is not an English council in the register (or a national area of
  :data:`NATIONAL_AREAS`, such as England for deflators);
* a retired area code with no successor rule;
* the same (indicator, area, period) twice;
* an impossible value: outside the unit's range (a negative population, a percentage outside
  0-100) or the indicator's declared range, a negative numerator or denominator, a numerator
  above its denominator for a share.
"""

from __future__ import annotations

import math

from wholeplace.errors import Problem
from wholeplace.hub.batch import LoadBatch
from wholeplace.hub.catalogue import Indicator
from wholeplace.hub.store import Store
from wholeplace.hub.units import UNITS

#: Stop listing one kind of problem after this many (the message says how many more).
PER_KIND_LIMIT = 50


def validate_batch(store: Store, batch: LoadBatch, indicators: dict[str, Indicator],
                   view: str) -> list[Problem]:
    file = batch.source.file_name
    problems: list[Problem] = []
    problems += _check_indicators(batch, indicators, file)
    problems += _check_declared_units(batch, indicators, file)
    if batch.check_areas and len(batch.observations):
        problems += _check_areas(store, view, file)
    if len(batch.observations):
        problems += _check_duplicates(store, view, file)
        problems += _check_values(batch, indicators, file)
    return problems


def _limited(found: list[Problem], file: str, what: str) -> list[Problem]:
    if len(found) <= PER_KIND_LIMIT:
        return found
    extra = len(found) - PER_KIND_LIMIT
    return found[:PER_KIND_LIMIT] + [Problem(file, None, None, f"... and {extra} more {what}")]


def _check_indicators(batch: LoadBatch, indicators: dict[str, Indicator],
                      file: str) -> list[Problem]:
    if not batch.require_known_indicators:
        return []
    cols = batch.observations.cols
    first_line: dict[str, int | None] = {}
    for ind, line in zip(cols["indicator_id"], cols["line"]):
        if ind not in indicators and ind not in first_line:
            first_line[ind] = line
    return _limited([
        Problem(file, line, "indicator_id",
                f"Indicator {ind!r} is not in the catalogue and is not described by a metadata "
                "file given with this upload. Add it to the metadata file (id, title, unit, "
                "polarity, kind) or correct the id.")
        for ind, line in first_line.items()
    ], file, "unknown indicators")


def _check_declared_units(batch: LoadBatch, indicators: dict[str, Indicator],
                          file: str) -> list[Problem]:
    found = []
    for ind_id, unit, line, column in batch.declared_units:
        ind = indicators.get(ind_id)
        if unit not in UNITS:
            found.append(Problem(file, line, column,
                                 f"Unknown unit {unit!r}. Use one of: "
                                 f"{', '.join(sorted(UNITS))}."))
        elif ind is not None and ind.unit != unit:
            found.append(Problem(file, line, column,
                                 f"The unit {unit!r} contradicts indicator {ind_id!r}, whose "
                                 f"unit is {ind.unit!r}. Convert the values to {ind.unit!r} "
                                 "or use a different indicator id."))
    return _limited(found, file, "unit problems")


#: National areas accepted besides councils: values for the whole of England that are not any
#: council's, such as price deflators (see wholeplace.insight.trend_view).
NATIONAL_AREAS = {"E92000001": "England"}


def _check_areas(store: Store, view: str, file: str) -> list[Problem]:
    rows = store.rows(f"""
        SELECT b.area_code, min(b.line) AS line, count(*) AS n,
               any_value(p.gss_code) IS NOT NULL AS in_register,
               any_value(p.current) AS current,
               any_value(p.name) AS name,
               any_value(p.end_date) AS end_date
        FROM {view} b
        LEFT JOIN places p ON p.gss_code = b.area_code
        WHERE NOT EXISTS (SELECT 1 FROM place_successors s WHERE s.old_code = b.area_code)
          AND (p.gss_code IS NULL OR NOT p.current)
          AND NOT list_contains(?, b.area_code)
        GROUP BY b.area_code ORDER BY line NULLS LAST, b.area_code
    """, [list(NATIONAL_AREAS)])
    found = []
    for r in rows:
        if not r["in_register"]:
            found.append(Problem(
                file, r["line"], "area_code",
                f"Area code {r['area_code']!r} ({r['n']} row(s)) is not an English council in "
                "the place register. Use the council's ONS GSS code (for example E07000008 for "
                "Cambridge); 'wholeplace place NAME' shows it."))
        else:
            found.append(Problem(
                file, r["line"], "area_code",
                f"Area code {r['area_code']!r} ({r['name']}) is retired"
                f"{' since ' + str(r['end_date']) if r['end_date'] else ''} and has no "
                "successor rule, so its values cannot be joined to a current council. Use the "
                "code of the council that serves the area now."))
    return _limited(found, file, "unknown area codes")


def _check_duplicates(store: Store, view: str, file: str) -> list[Problem]:
    rows = store.rows(f"""
        SELECT b.indicator_id, coalesce(s.new_code, b.area_code) AS area, b.period,
               list(b.line ORDER BY b.line) AS lines, count(*) AS n
        FROM {view} b
        LEFT JOIN place_successors s ON s.old_code = b.area_code AND s.relation = 'recoded'
        GROUP BY ALL HAVING count(*) > 1
        ORDER BY lines[1] NULLS LAST, 1, 2, 3
    """)
    found = []
    for r in rows:
        lines = [ln for ln in r["lines"] if ln is not None]
        where = f"lines {', '.join(map(str, lines))}" if lines else f"{r['n']} rows"
        found.append(Problem(
            file, lines[1] if len(lines) > 1 else None, None,
            f"Duplicate row: indicator {r['indicator_id']!r}, area {r['area']!r}, period "
            f"{r['period']!r} appears {r['n']} times ({where}). Keep one row for each "
            "indicator, area and period."))
    return _limited(found, file, "duplicates")


def _bad(value: float | None) -> bool:
    return value is not None and (math.isnan(value) or math.isinf(value))


def _check_values(batch: LoadBatch, indicators: dict[str, Indicator],
                  file: str) -> list[Problem]:
    cols = batch.observations.cols
    found: list[Problem] = []
    for ind_id, area, value, num, den, line, column in zip(
            cols["indicator_id"], cols["area_code"], cols["value"], cols["numerator"],
            cols["denominator"], cols["line"], cols["column"]):
        ind = indicators.get(ind_id)
        if ind is None:
            continue
        unit = UNITS[ind.unit]
        col = column or "value"
        if _bad(value) or _bad(num) or _bad(den):
            found.append(Problem(file, line, col, "Values must be finite numbers, not NaN or "
                                 "infinity. Leave the cell empty if the value is missing."))
            continue
        lo = ind.value_min if ind.value_min is not None else unit.minimum
        hi = ind.value_max if ind.value_max is not None else unit.maximum
        if value is not None and lo is not None and value < lo:
            found.append(Problem(file, line, col,
                                 f"{value:g} is below the smallest possible value ({lo:g}) for "
                                 f"{ind_id!r} in {unit.label} ({area}). Check the sign and "
                                 "the unit."))
        elif value is not None and hi is not None and value > hi:
            found.append(Problem(file, line, col,
                                 f"{value:g} is above the largest possible value ({hi:g}) for "
                                 f"{ind_id!r} in {unit.label} ({area}). A percentage runs from "
                                 "0 to 100 and a proportion from 0 to 1: check the unit."))
        for name, v in (("numerator", num), ("denominator", den)):
            if v is not None and v < 0:
                found.append(Problem(file, line, name,
                                     f"The {name} {v:g} is negative ({area}); counts cannot be."))
        if num is not None and den is not None:
            if den == 0 and num != 0:
                found.append(Problem(file, line, "denominator",
                                     f"The denominator is 0 but the numerator is {num:g} "
                                     f"({area})."))
            elif unit.share and num > den:
                found.append(Problem(file, line, "numerator",
                                     f"The numerator {num:g} is above its denominator {den:g} "
                                     f"({area}); a share cannot exceed the whole. Check the "
                                     "two columns are not swapped."))
    return _limited(found, file, "impossible values")
