"""Small pure helpers shared by the CSV readers: rows as dicts, numbers with located problems."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from wholeplace.errors import ProblemLog


def read_csv_rows(path: Path, required: tuple[str, ...], log: ProblemLog) -> list[dict]:
    """Rows of a UTF-8 CSV as dicts, with a problem logged for each missing column.

    The header is line 1, so the row at index ``i`` is on line ``i + 2``.
    """
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        for c in missing:
            log.add(f"The column {c!r} is missing; the file has {reader.fieldnames}.", 1, c)
        return [] if missing else list(reader)


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
