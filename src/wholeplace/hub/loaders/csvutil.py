"""Small pure helpers shared by the CSV readers: decoding, rows with their true line numbers,
and cells (numbers, dates, booleans) read with located problems instead of exceptions."""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
from datetime import date
from pathlib import Path

from wholeplace.errors import ProblemLog

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_text(path: Path, log: ProblemLog) -> str | None:
    """The file as text (UTF-8, with or without a byte-order mark), or ``None`` with a problem
    saying on which line the first byte that is not UTF-8 is."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        guess = bytes([data[exc.start]]).decode("cp1252", "replace")
        log.add(f"The file is not UTF-8 encoded: byte 0x{data[exc.start]:02x} (probably "
                f"{guess!r} in Windows-1252/Latin-1) cannot be read. Re-save the file as UTF-8 "
                "(in Excel: Save As, 'CSV UTF-8 (Comma delimited)') and load it again.", line)
        return None


def read_csv_table(path: Path, log: ProblemLog) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header (names stripped) and the rows of a UTF-8 CSV as ``(line, row)`` pairs.

    ``line`` is the line of the file the row starts on (blank lines and quoted line breaks are
    counted), so problems point at the right place. A row with fewer cells than the header, or
    with more that are not blank, is logged as a problem and left out; every returned row has
    a string (perhaps empty) for every column. Blank lines are skipped.
    """
    text = read_text(path, log)
    if text is None:
        return [], []
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict]] = []
    header: list[str] | None = None
    last = 0
    try:
        for cells in reader:
            line, last = last + 1, reader.line_num
            if not cells:
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            row = _row(header, cells, line, log)
            if row is not None:
                rows.append((line, row))
    except csv.Error as exc:
        log.add(f"The file cannot be read as CSV: {exc}. Check the quotes on this line.",
                reader.line_num)
    if header is None:
        log.add("The file is empty: expected a header row naming the columns.", 1)
        return [], []
    return header, rows


def _row(header: list[str], cells: list[str], line: int, log: ProblemLog) -> dict | None:
    n = len(header)
    if len(cells) < n:
        log.add(f"The row has {len(cells)} cells but the header has {n} columns. Every row "
                "needs a cell for each column (leave a missing value empty).", line)
        return None
    extra = [c for c in cells[n:] if c.strip()]
    if extra:
        log.add(f"The row has {len(cells)} cells but the header has {n} columns (extra: "
                f"{', '.join(map(repr, extra[:3]))}). Put quotes around values that contain "
                "a comma.", line)
        return None
    return dict(zip(header, cells))


def read_csv_rows(path: Path, required: tuple[str, ...],
                  log: ProblemLog) -> list[tuple[int, dict]]:
    """``(line, row)`` pairs of a UTF-8 CSV (see :func:`read_csv_table`), with a problem logged
    for each missing required column (and no rows then)."""
    header, rows = read_csv_table(path, log)
    if not header:
        return []
    missing = [c for c in required if c not in header]
    for c in missing:
        log.add(f"The column {c!r} is missing; the file has {header}.", 1, c)
    return [] if missing else rows


def parse_number(text: str | None, log: ProblemLog, line: int, column: str) -> float | None:
    """A cell as a float; ``None`` for an empty cell (missing, never zero).

    A cell that is not a finite number is logged as a problem (and returns ``None``).
    """
    s = (text or "").strip().replace(",", "")
    if not s:
        return None
    try:
        value = float(s)
    except ValueError:
        log.add(f"{text!r} is not a number. Leave the cell empty if the value is missing.",
                line, column)
        return None
    if math.isnan(value) or math.isinf(value):
        log.add(f"{text!r} is not a finite number. Leave the cell empty if the value is "
                "missing.", line, column)
        return None
    return value


def parse_int(text: str | None, log: ProblemLog, line: int, column: str) -> int | None:
    """A cell that must hold a whole number (a rank, a decile, a year)."""
    value = parse_number(text, log, line, column)
    if value is None:
        return None
    if not value.is_integer():
        log.add(f"{text!r} is not a whole number.", line, column)
        return None
    return int(value)


def parse_date(text: str | None, log: ProblemLog, line: int, column: str) -> date | None:
    """A cell holding a date as YYYY-MM-DD; ``None`` for an empty cell."""
    s = (text or "").strip()
    if not s:
        return None
    value = None
    if _ISO_DATE.match(s):
        with contextlib.suppress(ValueError):  # an impossible day such as 2005-02-30
            value = date.fromisoformat(s)
    if value is None:
        log.add(f"{text!r} is not a date written as YYYY-MM-DD (e.g. 2005-06-18). Leave the "
                "cell empty if the date is not known.", line, column)
    return value


def parse_bool(text: str | None, log: ProblemLog, line: int, column: str) -> bool | None:
    """A cell holding ``true`` or ``false`` (any case); anything else is a problem."""
    s = (text or "").strip().lower()
    if s in ("true", "false"):
        return s == "true"
    log.add(f"{text!r} is not 'true' or 'false'.", line, column)
    return None
