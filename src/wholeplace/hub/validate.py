"""Checks a batch against the store before anything is written. Collects every problem.

The checks, each reported with file, line and column and what to do:

* a file with a header but no data rows (it would supersede a release with nothing);
* a source id that already holds releases from another publisher;
* an indicator that is neither in the catalogue nor described with the upload;
* an indicator described with a different unit, polarity or kind than the hub already holds for
  another source's values (a new release of the same source may correct its own);
* a unit given for an indicator that contradicts the indicator's unit;
* an area code that is not an English council in the register (or a national area of
  :data:`NATIONAL_AREAS`, such as England for deflators);
* a retired area code with no successor rule;
* the same (indicator, area, period) twice;
* an upload row for a cell that a registered published source provides (a council's own
  figure goes under its own indicator id, never over the published one);
* an impossible value: outside the unit's range (a negative population, a percentage outside
  0-100) narrowed by the indicator's declared range, a negative numerator or denominator, a
  numerator above its denominator for a share;
* a value that disagrees with its numerator and denominator (see :func:`ratio_tolerance`);
* a replacement place register that lacks codes the hub's observations or successor rules use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from wholeplace.errors import Problem
from wholeplace.hub import registry as reg
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
    if not len(batch.observations) and not batch.tables and not batch.problems:
        problems.append(Problem(file, None, None,
                                "The file has a header but no data rows. Add one row per value "
                                "below the header; an empty release is refused because it "
                                "would replace the source's current values with nothing."))
    problems += _check_publisher(store, batch, file)
    problems += _check_indicators(batch, indicators, file)
    problems += _check_redefinitions(store, batch, file)
    problems += _check_declared_units(batch, indicators, file)
    if batch.check_areas and len(batch.observations):
        problems += _check_areas(store, view, file)
    if len(batch.observations):
        problems += _check_duplicates(store, view, file)
        if batch.source.loader == "upload":
            problems += _check_published_cells(store, view, file)
        problems += _check_values(batch, indicators, file)
    if "places" in batch.tables:
        problems += _check_replaced_places(store, batch, file)
    return problems


def _limited(found: list[Problem], file: str, what: str) -> list[Problem]:
    if len(found) <= PER_KIND_LIMIT:
        return found
    extra = len(found) - PER_KIND_LIMIT
    return [*found[:PER_KIND_LIMIT], Problem(file, None, None, f"... and {extra} more {what}")]


def _check_indicators(batch: LoadBatch, indicators: dict[str, Indicator],
                      file: str) -> list[Problem]:
    if not batch.require_known_indicators:
        return []
    first_line = {ind: line for ind, line in batch.observations.first_lines().items()
                  if ind not in indicators}
    return _limited([
        Problem(file, line, "indicator_id",
                f"Indicator {ind!r} is not in the catalogue and is not described by a metadata "
                "file given with this upload. Add it to the metadata file (id, title, unit, "
                "polarity, kind) or correct the id.")
        for ind, line in first_line.items()
    ], file, "unknown indicators")


def _check_publisher(store: Store, batch: LoadBatch, file: str) -> list[Problem]:
    """A release may supersede only releases of the same source id from the same publisher."""
    src = batch.source
    if src.source_id in reg.registry():
        return []  # a registered source's provenance comes from the registry itself
    others = store.rows(
        "SELECT dataset_id, publisher, release FROM datasets WHERE source_id = ? "
        "AND publisher IS DISTINCT FROM ? ORDER BY dataset_id", [src.source_id, src.publisher])
    return [Problem(
        file, None, None,
        f"The source id {src.source_id!r} already holds dataset {r['dataset_id']} from "
        f"{r['publisher'] or 'an unnamed publisher'!r} (release {r['release'] or 'not named'}), "
        f"and this file is from {src.publisher or 'an unnamed publisher'!r}. A release can only "
        "supersede an earlier release of the same publisher: load this file under a source id "
        "of its own (leave the source id out to get one from the publisher and file name).")
        for r in others]


def _check_redefinitions(store: Store, batch: LoadBatch, file: str) -> list[Problem]:
    """An indicator described with the upload may not change the unit, polarity or kind of one
    the hub holds for another source's values; a new release of the same source may."""
    found: list[Problem] = []
    if not batch.indicators:
        return found
    first = batch.observations.first_lines()
    # the hub's definitions of the batch's indicators, in one query
    held = {r.pop("indicator_id"): r for r in store.rows(
        "SELECT indicator_id, unit, polarity, kind FROM indicators "
        "WHERE list_contains(?, indicator_id)", [[i.id for i in batch.indicators]])}
    for ind in batch.indicators:
        old = held.get(ind.id)
        if old is None:
            continue
        changed = [f"{f} {old[f]!r} -> {getattr(ind, f)!r}" for f in ("unit", "polarity", "kind")
                   if old[f] != getattr(ind, f)]
        if not changed:
            continue
        users = store.rows(
            "SELECT DISTINCT d.source_id, d.publisher, d.visibility, d.owner_org "
            "FROM observations o JOIN datasets d USING (dataset_id) "
            "WHERE o.indicator_id = ? AND d.source_id <> ? ORDER BY 1",
            [ind.id, batch.source.source_id])
        if not users:
            continue
        # another organisation's private data is named by nobody's name (it is not visible)
        who = "; ".join(sorted({
            "data of another organisation"
            if u["visibility"] == "private" and u["owner_org"] != batch.source.owner_org
            else f"{u['source_id']} ({u['publisher'] or 'no publisher'})" for u in users}))
        found.append(Problem(
            file, first.get(ind.id), "indicator_id",
            f"The metadata file redefines indicator {ind.id!r} ({', '.join(changed)}), but the "
            f"hub already holds values of it from {who}, which would change meaning. Use an "
            "indicator id of your own for the new definition, or describe it exactly as the "
            "hub does ('wholeplace indicators' shows it)."))
    return found


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
#: council's, such as price deflators (see wholeplace.insight.trends.view).
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


def _check_published_cells(store: Store, view: str, file: str) -> list[Problem]:
    """Upload rows for (indicator, area, period) cells a registered published source provides."""
    rows = store.rows(f"""
        SELECT b.indicator_id, coalesce(s.new_code, b.area_code) AS area, b.period,
               min(b.line) AS line, any_value(d.title) AS title,
               any_value(d.dataset_id) AS dataset_id, any_value(o.value) AS published
        FROM {view} b
        LEFT JOIN place_successors s ON s.old_code = b.area_code AND s.relation = 'recoded'
        JOIN observations o ON o.indicator_id = b.indicator_id
             AND o.area_code = coalesce(s.new_code, b.area_code) AND o.period = b.period
        JOIN datasets d ON d.dataset_id = o.dataset_id
        WHERE d.superseded_by IS NULL AND list_contains(?, d.source_id)
        GROUP BY ALL ORDER BY line NULLS LAST, 1, 2, 3
    """, [list(reg.registry())])
    found = []
    for r in rows:
        shown = "missing" if r["published"] is None else f"{r['published']:g}"
        found.append(Problem(
            file, r["line"], "indicator_id",
            f"{r['indicator_id']!r} for {r['area']} {r['period']} is published by "
            f"{r['title']!r} (dataset {r['dataset_id']}, value {shown}); an upload cannot "
            "replace a published figure. Put the council's own figure under an indicator of "
            "its own (described in the metadata file, for example 'council.population_own'), "
            "or leave the row out."))
    return _limited(found, file, "published cells")


def _check_replaced_places(store: Store, batch: LoadBatch, file: str) -> list[Problem]:
    """A replacement register must keep every code the observations and successor rules use."""
    table = batch.tables["places"]
    codes = sorted({row[table.columns.index("gss_code")] for row in table.rows})
    found = []
    lost = store.rows(
        "SELECT area_code, count(*) AS n FROM observations "
        "WHERE NOT list_contains(?, area_code) AND NOT list_contains(?, area_code) "
        "GROUP BY 1 ORDER BY 1", [codes, list(NATIONAL_AREAS)])
    if lost:
        found.append(Problem(
            file, None, None,
            f"This register lacks {len(lost)} area code(s) that the hub's observations use: "
            + ", ".join(f"{r['area_code']} ({r['n']} values)" for r in lost)
            + ". Replacing the register would leave those values without a place: load the "
            "complete published register."))
    successors = batch.tables.get("place_successors")
    if successors is not None:
        i = successors.columns.index("new_code")
        targets = {row[i] for row in successors.rows}
    else:
        targets = {r["new_code"] for r in store.rows("SELECT new_code FROM place_successors")}
    missing = sorted(targets - set(codes))
    if missing:
        found.append(Problem(
            file, None, None,
            f"This register lacks {len(missing)} code(s) that successor rules point to: "
            f"{', '.join(missing)}. Load the complete published register."))
    return found


#: Relative tolerance of a value against its numerator and denominator (0.5%).
RATIO_RELATIVE_TOLERANCE = 0.005


def ratio_tolerance(value: float) -> float:
    """How far a value may be from ``scale * numerator / denominator``.

    The larger of 0.5% of the value and half a unit of the last decimal place the value was
    given to (rounding to the published precision): 0.05 for 42.5, 0.5 for 42, 0.0005 for
    0.425. So a percentage typed as a proportion (0.425 for 42.5%) is caught.
    """
    text = repr(float(value))
    if "e" in text or "E" in text:
        exponent = Decimal(text).normalize().as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
    else:
        places = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return max(RATIO_RELATIVE_TOLERANCE * abs(value), 0.5 * 10.0 ** -places)


def _bad(value: float | None) -> bool:
    return value is not None and (math.isnan(value) or math.isinf(value))


def _bounds(ind: Indicator | None) -> tuple[float, float, float, bool, bool]:
    """(lowest, highest, scale, share, known) of an indicator for the vectorised screen; NaN
    where there is no bound or scale."""
    if ind is None:
        return math.nan, math.nan, math.nan, False, False
    unit = UNITS[ind.unit]
    lo = max((b for b in (unit.minimum, ind.value_min) if b is not None), default=math.nan)
    hi = min((b for b in (unit.maximum, ind.value_max) if b is not None), default=math.nan)
    scale = math.nan if unit.scale is None else float(unit.scale)
    return float(lo), float(hi), scale, bool(unit.share), True


def _suspect_rows(cols: Mapping[str, Any], indicators: dict[str, Indicator]) -> list[int]:
    """The rows that MAY have a value problem, screened in bulk (numpy over Arrow arrays): a
    superset of the rows :func:`_check_values` refuses, which then checks only these exactly
    (the same rules, the same messages), so a million valid rows cost no Python loop.

    ``cols``: column name -> Python list or Arrow array (an Arrow table will do)."""
    import numpy as np
    import pyarrow as pa

    def arrow(name: str, kind: pa.DataType) -> pa.Array:
        col = cols[name]
        if isinstance(col, pa.ChunkedArray):
            return col.combine_chunks().cast(kind)
        return col.cast(kind) if isinstance(col, pa.Array) else pa.array(col, kind)

    ids = arrow("indicator_id", pa.string()).dictionary_encode()
    table = np.array([_bounds(indicators.get(i)) for i in ids.dictionary.to_pylist()]
                     or np.empty((0, 5)), dtype=float).reshape(-1, 5)
    at = ids.indices.to_numpy(zero_copy_only=False)
    lo, hi, scale, share, known = (table[at, k] for k in range(5))

    def floats(name: str) -> tuple[np.ndarray, np.ndarray]:
        arr = arrow(name, pa.float64())
        return arr.to_numpy(zero_copy_only=False), ~arr.is_null().to_numpy(zero_copy_only=False)

    (v, has_v), (n, has_n), (d, has_d) = floats("value"), floats("numerator"), floats("denominator")
    with np.errstate(invalid="ignore", divide="ignore"):
        bad = ((has_v & ~np.isfinite(v)) | (has_n & ~np.isfinite(n)) | (has_d & ~np.isfinite(d))
               | (v < lo) | (v > hi) | (n < 0) | (d < 0))
        both = has_n & has_d
        ratio = np.abs(v - scale * n / d) > 0.999 * RATIO_RELATIVE_TOLERANCE * np.abs(v)
        bad |= both & (((d == 0) & (n != 0)) | ((share > 0) & (n > d))
                       | (has_v & (d > 0) & ~np.isnan(scale) & ratio))
    return np.flatnonzero(bad & (known > 0)).tolist()


def _check_values(batch: LoadBatch, indicators: dict[str, Indicator],
                  file: str) -> list[Problem]:
    frame = batch.observations
    found: list[Problem] = []
    names = ("indicator_id", "area_code", "value", "numerator", "denominator", "line", "column")
    suspects = _suspect_rows(frame.to_arrow(), indicators)  # built for the store already
    for ind_id, area, value, num, den, line, column in frame.rows_at(suspects, names):
        ind = indicators.get(ind_id)
        if ind is None:
            continue
        col = column or "value"
        if _bad(value) or _bad(num) or _bad(den):
            found.append(Problem(file, line, col, "Values must be finite numbers, not NaN or "
                                 "infinity. Leave the cell empty if the value is missing."))
            continue
        here = [Problem(file, line, c, m) for c, m in _value_problems(ind, area, value, col)]
        here += [Problem(file, line, c, m)
                 for c, m in _ratio_problems(ind, area, value, num, den, col, bool(here))]
        found += here
    return _limited(found, file, "impossible values")


def _value_problems(ind: Indicator, area: str, value: float | None,
                    col: str) -> list[tuple[str, str]]:
    """The value outside its range: the unit's, narrowed (never widened) by the indicator's."""
    unit = UNITS[ind.unit]
    lo = max((b for b in (unit.minimum, ind.value_min) if b is not None), default=None)
    hi = min((b for b in (unit.maximum, ind.value_max) if b is not None), default=None)
    if value is not None and lo is not None and value < lo:
        return [(col, (f"{value:g} is below the smallest possible value ({lo:g}) for "
                      f"{ind.id!r} in {unit.label} ({area}). Check the sign and the unit."))]
    if value is not None and hi is not None and value > hi:
        return [(col, (f"{value:g} is above the largest possible value ({hi:g}) for "
                      f"{ind.id!r} in {unit.label} ({area}). A percentage runs from 0 to 100 "
                      "and a proportion from 0 to 1: check the unit."))]
    return []


def _ratio_problems(ind: Indicator, area: str, value: float | None, num: float | None,
                    den: float | None, col: str, value_refused: bool) -> list[tuple[str, str]]:
    """Impossible numerators and denominators, and a value that disagrees with them."""
    unit = UNITS[ind.unit]
    found = [(name, f"The {name} {v:g} is negative ({area}); counts cannot be.")
             for name, v in (("numerator", num), ("denominator", den))
             if v is not None and v < 0]
    if num is None or den is None:
        return found
    if den == 0 and num != 0:
        found.append(("denominator", (f"The denominator is 0 but the numerator is {num:g} "
                                     f"({area}).")))
    elif unit.share and num > den:
        found.append(("numerator", (f"The numerator {num:g} is above its denominator {den:g} "
                                   f"({area}); a share cannot exceed the whole. Check the two "
                                   "columns are not swapped.")))
    elif (value is not None and not value_refused and not found and unit.scale is not None
          and den > 0 and abs(value - unit.scale * num / den) > ratio_tolerance(value)):
        expected = unit.scale * num / den
        found.append((col, (f"The value {value:g} does not match its numerator and denominator "
                           f"({area}): {unit.scale:g} x {num:g} / {den:g} = {expected:.6g} "
                           f"({unit.label}). Check the value is in {unit.label} (a percentage "
                           "is 42.5, not 0.425) and that the numerator and denominator are "
                           "right.")))
    return found
