"""A council's own data: a tidy CSV (or the first sheet of an .xlsx) with one value per row.

Columns (header row first, names case-insensitive):

* required: ``area_code`` (ONS GSS code), ``period`` (``2023-24``, ``mid-2023``, ``2023`` ...),
  ``indicator_id``, ``value``;
* optional: ``numerator``, ``denominator``, ``unit`` (checked against the indicator's unit),
  ``status`` (``published``, ``missing`` or ``suppressed``), ``note``.

A blank ``value`` is allowed only with status ``missing`` or ``suppressed``; it is stored as
NULL with that status, never as 0. Indicators that are not in the catalogue are described in a
metadata file (``options["metadata"]``, see :mod:`wholeplace.hub.loaders.metadata`).

This module checks the file itself (encoding, delimiter, columns, numbers, periods, statuses);
:mod:`wholeplace.hub.validate` then checks the rows against the store (area codes, duplicates,
impossible values, unknown indicators, units). Pure: a path in, a :class:`LoadBatch` out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from wholeplace.errors import InputError, ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import Indicator
from wholeplace.hub.loaders.metadata import read_metadata
from wholeplace.hub.loaders.workbook import column_letter, read_sheet
from wholeplace.hub.periods import parse_period

REQUIRED = ("area_code", "period", "indicator_id", "value")
OPTIONAL = ("numerator", "denominator", "unit", "status", "note")
STATUSES = ("published", "missing", "suppressed")
#: How a blank value must be explained.
BLANK_STATUSES = ("missing", "suppressed")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class RawRow:
    """One data row as read: cells by column name, the line, and (for .xlsx) cell references."""

    line: int
    cells: dict[str, object]
    refs: dict[str, str] = field(default_factory=dict)


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    log = ProblemLog(source.file_name)
    indicators: list[Indicator] = []
    if options.get("metadata"):
        indicators, meta_problems = read_metadata(Path(options["metadata"]))
        log.problems.extend(meta_problems)
        indicators = [i if i.source else i.model_copy(update={"source": _credit(source)})
                      for i in indicators]
    batch = LoadBatch(source=source, indicators=indicators, problems=log,
                      require_known_indicators=True)
    if path.suffix.lower() in XLSX_SUFFIXES:
        header, rows = read_xlsx(path, log)
    else:
        header, rows = read_csv(path, log)
    if header is None:
        return batch
    extra = [h for h in header if h and h not in REQUIRED + OPTIONAL]
    if extra:
        batch.messages.append(f"Column(s) ignored: {', '.join(extra)}.")
    declared: set[tuple[str, str]] = set()
    for row in rows:
        _add_row(batch, row, log, declared)
    batch.messages.append(f"{len(batch.observations)} value(s) read from {source.file_name}.")
    return batch


def _credit(source: SourceInfo) -> str:
    return f"{source.publisher or 'Council upload'}: {source.title}"


# -- reading the file ---------------------------------------------------------------------------

def read_csv(path: Path, log: ProblemLog) -> tuple[list[str] | None, list[RawRow]]:
    data = path.read_bytes()
    if not data.strip():
        log.add("The file is empty. It needs a header row (area_code, period, indicator_id, "
                "value) and one row per value.", 1, None)
        return None, []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _encoding_problem(data, exc, log)
        return None, []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(next(reader, []), log)
    if header is None:
        return None, []
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        line = reader.line_num
        if len(cells) > len(header):
            log.add(f"This row has {len(cells)} cells but the header has {len(header)}. A value "
                    "probably contains a comma: remove thousands separators, or put text in "
                    "double quotes.", line, header[-1])
            continue
        rows.append(RawRow(line, dict(zip(header, cells))))
    return header, rows


def _header(cells: list[str], log: ProblemLog) -> list[str] | None:
    """Normalised column names, or ``None`` after logging why the header cannot be used."""
    names = [c.strip().lower() for c in cells]
    if len(names) == 1:
        for sep, label in ((";", "semicolons (';')"), ("\t", "tabs")):
            if sep in names[0]:
                log.add(f"The header is a single column that contains {label}: the file uses "
                        f"{label} to separate columns, but commas are expected. Save it as "
                        "'CSV (comma delimited)' and load it again.", 1, _short(cells[0]))
                return None
    if not any(names):
        log.add("The first line is blank. It must be the header row: area_code, period, "
                "indicator_id, value.", 1, None)
        return None
    ok = True
    for name in REQUIRED:
        if name not in names:
            log.add(f"The required column {name!r} is missing. The header has: "
                    f"{', '.join(n for n in names if n) or '(nothing)'}. Add a column named "
                    f"{name!r}.", 1, name)
            ok = False
    for name in sorted({n for n in names if n and names.count(n) > 1}):
        log.add(f"The column {name!r} appears more than once in the header. Keep one.", 1, name)
        ok = False
    return names if ok else None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _encoding_problem(data: bytes, exc: UnicodeDecodeError, log: ProblemLog) -> None:
    """Say where the first byte that is not UTF-8 is, and which column it falls in."""
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line = data.count(b"\n", 0, exc.start) + 1
    line_end = data.find(b"\n", exc.start)
    text = data[line_start: line_end if line_end >= 0 else len(data)].decode("cp1252",
                                                                             "replace")
    position = exc.start - line_start
    header = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    names = next(csv.reader([header]), [])
    index = _field_index(text, position)
    column = names[index].strip().lower() if index < len(names) else None
    guess = bytes([data[exc.start]]).decode("cp1252", "replace")
    log.add(f"The file is not UTF-8 encoded: byte 0x{data[exc.start]:02x} (probably {guess!r} "
            "in Windows-1252/Latin-1) cannot be read. Re-save the file as UTF-8 (in Excel: "
            "Save As, 'CSV UTF-8 (Comma delimited)') and load it again.", line, column)


def _field_index(text: str, position: int) -> int:
    """Which comma-separated field of ``text`` the character at ``position`` is in."""
    index, quoted = 0, False
    for ch in text[:position]:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            index += 1
    return index


def read_xlsx(path: Path, log: ProblemLog) -> tuple[list[str] | None, list[RawRow]]:
    """The first sheet of a workbook: row 1 is the header."""
    try:
        sheet_rows = read_sheet(path)
    except InputError as exc:
        log.add(f"{exc} Save it as .xlsx, or export the first sheet as CSV UTF-8.", None, None)
        return None, []
    if not sheet_rows or not any(_cell_text(c) for row in sheet_rows for c in row):
        log.add("The first sheet is empty. It needs a header row (area_code, period, "
                "indicator_id, value) and one row per value.", 1, None)
        return None, []
    header = _header([_cell_text(c) for c in sheet_rows[0]], log)
    if header is None:
        return None, []
    rows = []
    for number, cells in enumerate(sheet_rows[1:], start=2):
        if not any(_cell_text(c) for c in cells):
            continue
        values = {h: c for h, c in zip(header, cells) if h}
        refs = {h: f"{column_letter(i)}{number}" for i, h in enumerate(header) if h}
        rows.append(RawRow(number, values, refs))
    return header, rows


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


# -- turning rows into observations -------------------------------------------------------------

def _add_row(batch: LoadBatch, row: RawRow, log: ProblemLog,
             declared: set[tuple[str, str]]) -> None:
    def where(col: str) -> str:
        return f" (cell {row.refs[col]})" if col in row.refs else ""

    line = row.line
    text = {col: _cell_text(row.cells.get(col)) for col in REQUIRED + OPTIONAL}
    before = len(log)
    area = text["area_code"].upper()
    ind = text["indicator_id"]
    for col, got in (("area_code", area), ("indicator_id", ind)):
        if not got:
            log.add(f"The {col} is empty{where(col)}. Every row needs an area code, a period "
                    "and an indicator id.", line, col)
    period = None
    if not text["period"]:
        log.add(f"The period is empty{where('period')}. Give one such as 2023-24 or mid-2023.",
                line, "period")
    else:
        try:
            period = parse_period(text["period"])
        except InputError as exc:
            log.add(f"{exc}{where('period')}", line, "period")
    status = text["status"].lower() or None
    if status is not None and status not in STATUSES:
        log.add(f"Unknown status {text['status']!r}{where('status')}. Use one of: "
                f"{', '.join(STATUSES)} (or leave it empty for published).", line, "status")
    value = _number(row, "value", log, where)
    numerator = _number(row, "numerator", log, where)
    denominator = _number(row, "denominator", log, where)
    _check_status(text["value"], status, log, line, where("value"))
    if text["unit"] and ind and (ind, text["unit"]) not in declared:
        declared.add((ind, text["unit"]))
        batch.declared_units.append((ind, text["unit"], line, "unit"))
    if len(log) > before or period is None:
        return
    batch.observations.add(ind, area, period, value, numerator=numerator,
                           denominator=denominator, status=status,
                           note=text["note"] or None, line=line, column="value")


def _check_status(raw_value: str, status: str | None, log: ProblemLog, line: int,
                  where: str) -> None:
    if not raw_value and status not in BLANK_STATUSES:
        log.add(f"value required: the value is empty{where} but the status is "
                f"{status or 'published'!r}. Give the value, or if it is not available set "
                "the status column to 'missing' or 'suppressed' (a blank is never read as 0).",
                line, "value")
    elif raw_value and status in BLANK_STATUSES:
        log.add(f"The row has a value{where} but its status is {status!r}. Remove the value, "
                "or set the status to 'published'.", line, "value")


def _number(row: RawRow, col: str, log: ProblemLog, where) -> float | None:
    raw = row.cells.get(col)
    if isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, int | float):
        return float(raw)
    text = _cell_text(raw)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        log.add(f"{col}: {text!r} is not a number{where(col)}. Write plain numbers without "
                "thousands separators, currency or percent signs (for example 1234.5). If the "
                "value is missing or suppressed, leave the cell empty and set the status.",
                row.line, col)
        return None
