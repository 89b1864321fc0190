"""Reader for DfT RDC0120 (``dft_rdc0120_road_condition.ods``): the percentage of local A road
(and motorway) length, and of B and C road length, where maintenance should have been
considered, per local highway authority, financial years ending 2008 to 2025.

Two sheets, one per road class; a column per financial year ending (``FYE 2008`` is 2007-08),
found by heading. ``[x]`` (unavailable), ``[y]`` (unrepresentative) and ``[z]`` (not
applicable) stay missing. The sheet's ``Notes`` column names the cells a note applies to
("[7] applies to T7 and U7"): note 7 (measured with a technology other than SCANNER, not
directly comparable) and ``[r]`` (revised) are kept in those values' notes. England and the
two pre-2009 counties (Cheshire, Bedfordshire) are not councils in the register and are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

from wholeplace.errors import InputError, ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.loaders.tables import (
    AreaSieve,
    find_header,
    first_text,
    heading,
    published_value,
)
from wholeplace.hub.loaders.workbook import Rows, column_letter, read_workbook
from wholeplace.hub.periods import financial_year

SHEETS = {
    "RDC0120_A_Roads_and_Motorways": "roads.a_roads_maintenance_considered",
    "RDC0120_B_and_C_Roads": "roads.bc_roads_maintenance_considered",
}
COLUMNS = {"code": heading("ons area code"), "name": heading("local authority"),
           "notes": lambda t: t == "notes"}
NOTE_TEXT = {
    "7": "measured with a technology other than SCANNER: not directly comparable (DfT note 7)",
    "8": "SCANNER surveys alongside unaccredited asset management systems (DfT note 8)",
    "r": "revised",
}
_FYE = re.compile(r"^fye (\d{4})$")
_APPLIES = re.compile(r"\[(\w+)\] applies to ([A-Z0-9, and]+?)(?=, \[|$)")
_CELL = re.compile(r"[A-Z]+\d+")


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    log = ProblemLog(source.file_name)
    batch = LoadBatch(source=source, problems=log)
    sieve = AreaSieve.from_options(options)
    for sheet, rows in read_workbook(path, SHEETS):
        _read_sheet(sheet, rows, SHEETS[sheet], batch, sieve, log)
    catalogue = builtin_catalogue()
    batch.indicators = [catalogue[i] for i in SHEETS.values()]
    missing = sum(1 for v in batch.observations.cols["value"] if v is None)
    batch.messages += [
        (f"{len(batch.observations)} observations for "
        f"{len(set(batch.observations.cols['area_code']))} highway authorities; {missing} "
        "published as [x], [y] or [z] are stored as missing."), sieve.message()]
    return batch


def _read_sheet(sheet: str, rows: Rows, ind: str, batch: LoadBatch, sieve: AreaSieve,
                log: ProblemLog) -> None:
    header = find_header(rows, COLUMNS, batch.source.file_name, sheet, anchor="code")
    years = {c: int(m.group(1)) for c, v in enumerate(rows[header.row])
             if v is not None and (m := _FYE.match(str(v).strip().lower()))}
    if not years:
        raise InputError(f"{batch.source.file_name}, sheet {sheet!r}: no 'FYE yyyy' columns in "
                         f"the heading row (row {header.row + 1}).")
    col = header.columns
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        code = first_text(row, col["code"])
        if not code:
            continue
        kept = sieve.keep(code, first_text(row, col["name"]))
        if kept is None:
            continue
        notes = cell_notes(first_text(row, col["notes"]))
        for c, fye in years.items():
            letter = column_letter(c)
            cell = published_value(row[c] if c < len(row) else None, log, r + 1,
                                   f"{sheet}!{letter}")
            extra = notes.get(f"{letter}{r + 1}", [])
            note = "; ".join([*([cell.note] if cell.note else []), *extra]) or None
            batch.observations.add(ind, kept, financial_year(fye - 1), cell.value,
                                   status=cell.status, note=note, line=r + 1,
                                   column=f"{sheet}!{letter}")


def cell_notes(text: str) -> dict[str, list[str]]:
    """The notes a row's ``Notes`` cell applies to each cell: ``{'T7': ['revised', ...]}``."""
    out: dict[str, list[str]] = {}
    for m in _APPLIES.finditer(text):
        meaning = NOTE_TEXT.get(m.group(1), f"DfT note {m.group(1)}")
        for ref in _CELL.findall(m.group(2)):
            out.setdefault(ref, []).append(meaning)
    return out
