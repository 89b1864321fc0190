"""Reader for MHCLG's statutory homelessness detailed local authority tables (H-CLIC), one
workbook per quarter (``Detailed_LA_2021-03_revised.ods`` ... ``Detailed_LA_2025-03.ods``).

From table A1 (initial assessments in the quarter): households owed a prevention duty and a
relief duty, as counts and per 1,000 households in the area, as published; from table TA1:
households in temporary accommodation at the quarter's end, count and per 1,000 households.
The period is the calendar quarter (``2021-Q1``, January to March 2021; for TA1 the stock on
31 March). The sheets' heading rows differ between years (later files carry extra heading rows
from the publisher's pivot tables), so every column is found by its heading text, all heading
rows above the first data row read together. Rows for England, regions and "Rest of England" are
skipped and counted. ``..`` and other markers stay missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from wholeplace.errors import InputError, ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.loaders.tables import AreaSieve, Matcher, first_text, normalise, published_value
from wholeplace.hub.loaders.workbook import Rows, column_letter, read_workbook
from wholeplace.hub.periods import parse_period

ENGLAND = "E92000001"
#: A data row's first cell: a GSS code, or '-' ("Rest of England"); footnotes below are not.
_AREA = re.compile(r"^(E\d{8}|-)$")


def _has(*needles: str, without: tuple[str, ...] = ()) -> Matcher:
    return lambda t: all(n in t for n in needles) and not any(w in t for w in without)


#: sheet -> {indicator id: heading matcher}
TABLES: dict[str, dict[str, Matcher]] = {
    "A1": {
        "homelessness.prevention_duty_owed": _has("prevention duty owed",
                                                  without=("section 21", "per (000s)")),
        "homelessness.relief_duty_owed": _has("relief duty owed", without=("per (000s)",)),
        "homelessness.prevention_duty_owed.per_1000_households": _has(
            "assessed as threatened with homelessness per (000s)"),
        "homelessness.relief_duty_owed.per_1000_households": _has(
            "assessed as homeless per (000s)"),
    },
    "TA1": {
        "homelessness.temporary_accommodation": _has(
            "total number of households in ta", without=("per (000s)", "with children")),
        "homelessness.temporary_accommodation.per_1000_households": _has(
            "total number of households in ta per (000s)"),
    },
}


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    year = options.get("year")
    if not isinstance(year, int):
        raise InputError(f"{source.file_name}: the H-CLIC reader needs the year of the March "
                         "quarter the file holds, e.g. options {'year': 2021}.")
    period = parse_period(f"{year}-Q1")
    log = ProblemLog(source.file_name)
    batch = LoadBatch(source=source, problems=log)
    sieve = AreaSieve.from_options(options)
    for sheet, rows in read_workbook(path, TABLES):
        _check_quarter(rows, sheet, year, source.file_name)
        _read_table(rows, sheet, TABLES[sheet], period, batch, sieve, log)
    catalogue = builtin_catalogue()
    batch.indicators = [catalogue[i] for t in TABLES.values() for i in t]
    missing = sum(1 for v in batch.observations.cols["value"] if v is None)
    batch.messages += [
        (f"{len(batch.observations)} observations for "
        f"{len(set(batch.observations.cols['area_code']))} councils, quarter {period.label}; "
        f"{missing} missing or suppressed."), sieve.message()]
    return batch


def _check_quarter(rows: Rows, sheet: str, year: int, file: str) -> None:
    title = normalise(rows[0][0]) if rows and rows[0] else ""
    if f"march {year}" not in title:
        raise InputError(f"{file}, sheet {sheet!r}: the title {rows[0][0]!r} is not the quarter "
                         f"to March {year} that the registry expects for this file.")


def _read_table(rows: Rows, sheet: str, wanted: dict[str, Matcher], period, batch: LoadBatch,
                sieve: AreaSieve, log: ProblemLog) -> None:
    file = batch.source.file_name
    start = next((r for r, row in enumerate(rows) if first_text(row, 0) == ENGLAND), None)
    if start is None:
        raise InputError(f"{file}, sheet {sheet!r}: no England row ({ENGLAND}) in column A, so "
                         "the table's first data row cannot be found. Is this the published "
                         "table?")
    headings = _headings(rows[1:start])
    columns, missing = {}, []
    for ind, match in wanted.items():
        hit = next((c for c, text in enumerate(headings) if text and match(text)), None)
        if hit is None:
            missing.append(ind)
        else:
            columns[ind] = hit
    if missing:
        raise InputError(f"{file}, sheet {sheet!r}: no column headed for "
                         f"{', '.join(missing)} in heading rows 2 to {start}. Is this the "
                         "published table? Columns are found by their heading text.")
    for r in range(start, len(rows)):
        row = rows[r]
        code = first_text(row, 0)
        if not _AREA.match(code):
            continue  # blank separator rows and the footnotes under the table
        kept = sieve.keep(code, first_text(row, 1))
        if kept is None:
            continue
        for ind, c in columns.items():
            letter = f"{sheet}!{column_letter(c)}"
            cell = published_value(row[c] if c < len(row) else None, log, r + 1, letter)
            batch.observations.add(ind, kept, period, cell.value, status=cell.status,
                                   note=cell.note, line=r + 1, column=letter)


def _headings(block: Rows) -> list[str]:
    """Each column's heading: the text of every heading row above the data, joined."""
    width = max((len(r) for r in block), default=0)
    return [" ".join(normalise(r[c]) for r in block if c < len(r) and r[c] is not None)
            for c in range(width)]
