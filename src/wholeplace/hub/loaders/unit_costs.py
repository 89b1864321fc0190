"""Reader for the New Economy / GMCA Unit Cost Database (``gmca_unit_cost_database_v1_4.xlsx``).

Seven thematic sheets (Crime ... Social Services) share one layout: two header rows, then one row
per cost line until the marker row "Do not delete rows" (below it the workbook keeps its own year
list). Columns A-U: outcome category and detail, cost code, cost / saving detail, unit, agency
bearing the cost (level 1, level 2), then fiscal, economic and social values, each as the
estimate, its price year and the value the workbook uprates to its "current year" (cell K11 of
the ``Lookups`` sheet, 2015/16 in v1.4, with the GDP deflators of Budget 2015), original source,
RAG confidence rating, comment and the v1.4 revision columns.

Headers are checked by name, never trusted by position. Values stay as published; an empty cell
stays NULL. Price years are turned into the hub's financial-year labels (``2002/03`` ->
``2002-03``). A line with a value but no price year cannot be uprated: it is kept, flagged in
``flags``, and the query layer refuses to use it as a unit cost. A line the workbook gives no
cost code (one in v1.4: Crime row 58) is kept with an empty code and flagged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo, Table
from wholeplace.hub.loaders.workbook import Rows, column_letter, read_workbook

SHEETS = ("Crime", "Education & Skills", "Employment & Economy", "Fire", "Health", "Housing",
          "Social Services")
END_MARKER = "Do not delete rows"
VALUE_KINDS = ("fiscal", "economic", "social")

COLUMNS = (
    "cost_code", "sheet", "line", "outcome_category", "outcome_detail", "description", "unit",
    "agency", "agency_detail",
    "fiscal_value", "fiscal_price_year", "fiscal_value_uprated",
    "economic_value", "economic_price_year", "economic_value_uprated",
    "social_value", "social_price_year", "social_value_uprated",
    "uprated_to", "source", "rag", "comment", "revision", "revision_note", "flags",
)

#: Row-1 headers expected at each column (lower case, whitespace folded); None = not checked.
_HEADER1 = {0: "outcome category", 1: "outcome detail", 2: "cost code",
            3: "cost / saving detail", 4: "unit", 5: "agency bearing the cost",
            16: "original source", 17: "rag assessment", 18: "comment"}
#: Row-2 headers under each value block.
_HEADER2 = {5: "level 1", 6: "level 2", 7: "estimated cost/saving", 8: "year",
            9: "updated cost", 10: "estimated cost/saving", 11: "year", 12: "updated cost",
            13: "estimated cost/saving", 14: "year", 15: "updated cost"}
_VALUE_COL = {"fiscal": 7, "economic": 10, "social": 13}
_YEAR = re.compile(r"^(\d{4})\s*/\s*(\d{2})$")


def read(path: Path, source: SourceInfo, options: dict[str, Any]) -> LoadBatch:
    log = ProblemLog(source.file_name)
    sheets = dict(read_workbook(path, [*SHEETS, "Lookups"]))
    uprated_to = _current_year(sheets["Lookups"], log)
    rows: list[tuple[Any, ...]] = []
    for name in SHEETS:
        rows += read_sheet(name, sheets[name], uprated_to, log)
    batch = LoadBatch(source=source, tables={"unit_costs": Table(COLUMNS, rows)},
                      problems=log, check_areas=False)
    batch.messages += _messages(rows, uprated_to)
    return batch


def _current_year(rows: Rows, log: ProblemLog) -> str | None:
    """The workbook's 'Current year' (Lookups K11): the year its updated values are in."""
    try:
        label, value = rows[8][10], rows[10][10]
    except IndexError:
        label = value = None
    year = price_year(value)
    if label != "Current Year" or year is None:
        log.add("Expected the 'Current Year' of the uprated values in cell K11 of the Lookups "
                f"sheet (found {value!r}); is this v1.4 of the Unit Cost Database?", 11, "K")
    return year


def price_year(value: object) -> str | None:
    """``'2002/03'`` -> ``'2002-03'``; anything that is not such a year -> None."""
    if not isinstance(value, str):
        return None
    m = _YEAR.match(value.strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        return None
    return f"{m.group(1)}-{m.group(2)}"


def read_sheet(name: str, rows: Rows, uprated_to: str | None,
               log: ProblemLog) -> list[tuple[Any, ...]]:
    """The cost lines of one thematic sheet, each as a tuple in :data:`COLUMNS` order."""
    if not _headers_ok(name, rows, log):
        return []
    out: list[tuple[Any, ...]] = []
    for index, row in enumerate(rows[2:], start=3):
        cells = [*row, *[None] * (21 - len(row))]
        if cells[0] == END_MARKER:
            return out
        if _text(cells[2]) is None and all(_text(c) is None for c in cells[:19]):
            continue
        out.append(parse_line(name, index, cells, uprated_to, log))
    log.add(f"Sheet {name!r}: the end marker {END_MARKER!r} was not found; the sheet's layout "
            "is not the one this reader knows.", None, "A")
    return out


def _norm(value: object) -> str:
    return " ".join(str(value or "").lower().split())


def _headers_ok(name: str, rows: Rows, log: ProblemLog) -> bool:
    ok = len(rows) >= 3
    for row_no, expected in ((0, _HEADER1), (1, _HEADER2)):
        for col, text in expected.items():
            found = _norm(rows[row_no][col]) if ok and col < len(rows[row_no]) else ""
            if not found.replace("cost/ saving", "cost/saving").startswith(text):
                log.add(f"Sheet {name!r}: expected a header starting {text!r}, found "
                        f"{found!r}.", row_no + 1, column_letter(col))
                ok = False
    return ok


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_line(sheet: str, index: int, cells: list[Any], uprated_to: str | None,
               log: ProblemLog) -> tuple[Any, ...]:
    """One cost line; problems with a value are logged against its cell."""
    values: list[Any] = []
    flags = []
    for kind in VALUE_KINDS:
        col = _VALUE_COL[kind]
        value = _number(cells[col], sheet, index, col, log)
        uprated = _number(cells[col + 2], sheet, index, col + 2, log)
        year = price_year(cells[col + 1])
        if cells[col + 1] is not None and year is None:
            log.add(f"Sheet {sheet!r}: the price year {cells[col + 1]!r} is not a financial "
                    "year such as 2002/03.", index, column_letter(col + 1))
        if value is not None and year is None:
            flags.append(f"{kind} value without a price year")
        values += [value, year, uprated]
    if all(v is None for v in values[0::3]):
        flags.append("no value")
    if _text(cells[2]) is None:
        flags.append("no cost code in the workbook")
    rag = _text(cells[17])
    if rag is not None and rag not in ("R", "A", "G"):
        log.add(f"Sheet {sheet!r}: the RAG assessment {rag!r} is not R, A or G.", index, "R")
    return (_text(cells[2]), sheet, index, _text(cells[0]), _text(cells[1]), _text(cells[3]),
            _text(cells[4]), _text(cells[5]), _text(cells[6]), *values, uprated_to,
            _text(cells[16]), rag, _text(cells[18]), _text(cells[19]), _text(cells[20]),
            "; ".join(flags) or None)


def _number(value: object, sheet: str, index: int, col: int, log: ProblemLog) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        log.add(f"Sheet {sheet!r}: expected a number, found {value!r}.", index,
                column_letter(col))
        return None
    return float(value)


def _messages(rows: list[tuple[Any, ...]], uprated_to: str | None) -> list[str]:
    codes = [r[0] for r in rows if r[0] is not None]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    flagged = [r[0] or f"{r[1]} row {r[2]}" for r in rows if r[-1]]
    out = [(f"{len(rows)} unit cost lines read from {len(SHEETS)} sheets; updated values are "
            f"in {uprated_to} prices as published (the workbook's own GDP deflator uprating).")]
    if repeated:
        out.append(f"Cost codes used by more than one line: {', '.join(repeated)}.")
    if flagged:
        more = " ..." if len(flagged) > 20 else ""
        out.append(f"{len(flagged)} lines are flagged (no value, a value without a price "
                   f"year, or no cost code): {', '.join(flagged[:20])}{more}.")
    return out
