"""Reader for DEFRA's local authority collected waste statistics, ``Table_3`` (selected waste
indicators, 2010-11 to 2023-24; ``defra_la_collected_waste_2023-24.ods``).

One row per authority and year with its ONS code and DEFRA authority type (Collection,
Disposal, Unitary). Four measures: residual household waste per household (ex NI191, kg),
household waste sent for reuse, recycling or composting (ex NI192, published as a fraction 0 to
1, stored here as a PERCENT: 0.367 -> 36.7), municipal waste sent to landfill (ex NI193,
fraction, stored as percent) and collected household waste per person (ex BVPI 84a, kg).

``-`` (not applicable: landfill is a disposal authority's measure, so collection authorities show
``-``) and ``:`` (not available: Bristol 2023-24) stay missing. Rows for bodies outside the place
register (England and regional totals, the joint waste disposal authorities and partnerships)
are skipped and counted in the messages. The authority type is kept in each value's note: a
disposal authority's (a county's) figure covers the waste of all its districts.
"""

from __future__ import annotations

import re
from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.loaders.tables import (
    AreaSieve,
    find_header,
    first_text,
    heading,
    published_value,
)
from wholeplace.hub.loaders.workbook import column_letter, read_sheet
from wholeplace.hub.periods import Period, parse_period

SHEET = "Table_3"

#: column key -> (heading matcher, indicator id, factor applied to the published value)
MEASURES = {
    "residual": (heading("residual household waste per household"),
                 "waste.residual_household_waste_per_household", 1.0),
    "recycled": (heading("household waste sent for reuse, recycling or composting"),
                 "waste.household_recycling_rate", 100.0),
    "landfill": (heading("municipal waste sent to landfill"),
                 "waste.municipal_waste_landfilled", 100.0),
    "per_person": (heading("collected household waste per person"),
                   "waste.household_waste_per_person", 1.0),
}
COLUMNS = {
    "year": lambda t: t == "year",
    "code": heading("ons code"),
    "name": lambda t: t == "authority",
    "type": heading("authority type"),
    **{k: m for k, (m, _, _) in MEASURES.items()},
}
AUTHORITY_TYPES = {"Collection", "Disposal", "Unitary"}
_YEAR = re.compile(r"^\d{4}-\d{2}$")


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    rows = read_sheet(path, SHEET)
    header = find_header(rows, COLUMNS, source.file_name, SHEET, anchor="code")
    col = header.columns
    log = ProblemLog(source.file_name)
    batch = LoadBatch(source=source, problems=log)
    sieve = AreaSieve.from_options(options)
    periods: dict[str, Period] = {}
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        year = first_text(row, col["year"])
        if not _YEAR.match(year):
            continue  # notes under the table
        line = r + 1
        code = sieve.keep(first_text(row, col["code"]), first_text(row, col["name"]))
        kind = first_text(row, col["type"])
        if code is None:
            continue
        if kind not in AUTHORITY_TYPES:
            log.add(f"Unknown authority type {kind!r}; expected one of "
                    f"{', '.join(sorted(AUTHORITY_TYPES))}.", line, column_letter(col["type"]))
        period = periods.get(year) or periods.setdefault(year, parse_period(year))
        for key, (_, ind, factor) in MEASURES.items():
            letter = f"{SHEET}!{column_letter(col[key])}"
            cell = published_value(row[col[key]], log, line, letter)
            value = None if cell.value is None else round(cell.value * factor, 6)
            note = f"DEFRA authority type: {kind}" + (f"; {cell.note}" if cell.note else "")
            batch.observations.add(ind, code, period, value, status=cell.status, note=note,
                                   line=line, column=letter)
    catalogue = builtin_catalogue()
    batch.indicators = [catalogue[i] for _, i, _ in MEASURES.values()]
    missing = sum(1 for v in batch.observations.cols["value"] if v is None)
    batch.messages += [
        (f"{len(batch.observations)} observations for "
        f"{len(set(batch.observations.cols['area_code']))} areas, {len(periods)} years; "
        f"{missing} published as '-' or ':' (not applicable or not available) are stored as "
        "missing. Recycling and landfill shares are stored as percent (published as fractions)."),
        sieve.message(),
    ]
    return batch
