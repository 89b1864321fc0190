"""Shared pieces for readers of published statistical tables (outcomes, housing, children).

* :func:`find_header`: the row holding a table's column headings, and each wanted column's
  position found by its heading text (never by position), or one error naming every heading
  that is missing, in which sheet of which file;
* :func:`published_value`: a cell as a number, or missing/suppressed with the marker
  (``-``, ``..``, ``:``, ``[x]``, ``c``, blank...) in the note: never 0;
* :class:`AreaSieve`: keeps the rows of councils in the place register (former codes
  included) and counts the rest (regions, England, joint waste bodies...) for the messages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from wholeplace.errors import InputError, ProblemLog
from wholeplace.hub.loaders.workbook import Rows, column_letter

#: Markers publishers use for a value they do not give: (status, what the marker means).
MISSING_MARKERS = {
    "-": ("missing", "not applicable or not available"),
    "..": ("missing", "not available"),
    ":": ("missing", "not available"),
    "x": ("missing", "not available"),
    "[x]": ("missing", "not available"),
    "[y]": ("missing", "submitted data unrepresentative or of known poor quality"),
    "[z]": ("missing", "not applicable"),
    "z": ("missing", "not applicable"),
    "[u]": ("missing", "low reliability"),
    "n/a": ("missing", "not applicable"),
    "na": ("missing", "not applicable"),
    "c": ("suppressed", "suppressed to protect confidentiality"),
    "[c]": ("suppressed", "suppressed to protect confidentiality"),
    "*": ("suppressed", "suppressed"),
}

Matcher = Callable[[str], bool]


def normalise(text: object) -> str:
    """Lower case, single spaces, no line breaks: for matching headings and names."""
    return re.sub(r"\s+", " ", str(text).replace("\n", " ")).strip().lower()


def heading(*needles: str) -> Matcher:
    """A matcher for a heading that contains every one of ``needles`` (case-insensitive)."""
    wanted = [normalise(n) for n in needles]
    return lambda text: all(n in text for n in wanted)


@dataclass(frozen=True)
class Header:
    row: int
    columns: dict[str, int]

    def letter(self, key: str) -> str:
        return column_letter(self.columns[key])


def find_header(rows: Rows, wanted: dict[str, Matcher], file: str, sheet: str, *,
                anchor: str, search: int = 40, start: int = 0) -> Header:
    """The heading row (the first within ``search`` rows from ``start`` whose cells include
    one matching ``wanted[anchor]``) and each wanted column's index.

    Raises :class:`InputError` naming the file, the sheet and every missing heading.
    """
    for r in range(start, min(len(rows), start + search)):
        texts = [normalise(v) if v is not None else "" for v in rows[r]]
        if not any(t and wanted[anchor](t) for t in texts):
            continue
        found: dict[str, int] = {}
        for key, match in wanted.items():
            hit = next((c for c, t in enumerate(texts) if t and match(t)), None)
            if hit is not None:
                found[key] = hit
        missing = [k for k in wanted if k not in found]
        if missing:
            raise InputError(
                f"{file}, sheet {sheet!r}: the heading row (row {r + 1}) has no column for "
                f"{', '.join(map(repr, missing))}. Is this the published table? The loader "
                "finds columns by their heading text; restore the missing column(s).")
        return Header(r, found)
    raise InputError(f"{file}, sheet {sheet!r}: no heading row with a {anchor!r} column in rows "
                     f"{start + 1} to {start + search}. Is this the published table?")


@dataclass(frozen=True)
class Cell:
    value: float | None
    status: str | None = None
    note: str | None = None


def published_value(raw: object, log: ProblemLog, line: int, column: str) -> Cell:
    """A published cell: a number, a missing/suppressed marker, or a problem in ``log``."""
    if raw is None:
        return Cell(None, "missing", "blank in the published file")
    if isinstance(raw, bool):
        log.add(f"Expected a number, found {raw!r}.", line, column)
        return Cell(None, "missing")
    if isinstance(raw, (int, float)):
        return Cell(float(raw))
    text = str(raw).strip()
    marker = MISSING_MARKERS.get(text.lower())
    if marker is not None:
        status, meaning = marker
        return Cell(None, status, f"published as {text!r} ({meaning})")
    try:
        return Cell(float(text.replace(",", "")))
    except ValueError:
        log.add(f"Expected a number or a missing-value marker "
                f"({', '.join(sorted(MISSING_MARKERS))}), found {text!r}.", line, column)
        return Cell(None, "missing")


@dataclass
class AreaSieve:
    """Which rows are councils in the place register; counts the rows it skips."""

    register_codes: dict[str, str]
    recoded_codes: dict[str, str] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_options(cls, options: dict) -> AreaSieve:
        return cls(dict(options.get("register_codes") or {}),
                   dict(options.get("recoded_codes") or {}))

    def keep(self, code: object, name: object = None) -> str | None:
        """The code if it is a council in the register (or a former code of one), else None
        (and the row is counted under ``name (code)``)."""
        text = str(code).strip() if code is not None else ""
        if text in self.register_codes or text in self.recoded_codes:
            return text
        label = str(name).strip() if name else "unnamed"
        self.skipped[f"{label} ({text or 'no code'})"] += 1
        return None

    def tier(self, code: str) -> str | None:
        return self.register_codes.get(self.recoded_codes.get(code, code))

    def message(self, limit: int = 40) -> str:
        if not self.skipped:
            return "Every row is a council in the place register."
        items = sorted(self.skipped.items())
        shown = "; ".join(f"{k} x{v}" for k, v in items[:limit])
        more = f"; and {len(items) - limit} more" if len(items) > limit else ""
        return (f"Skipped {sum(self.skipped.values())} rows for {len(items)} bodies that are not "
                f"councils in the place register: {shown}{more}.")


def first_text(row: Sequence[object], index: int) -> str:
    """The cell at ``index`` as stripped text ('' for blank or beyond the row)."""
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()
