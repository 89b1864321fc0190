"""Revenue Account budget (RA) readers: what councils budgeted before each financial year.

The RA 'data by LA' workbooks (2015-16 .xls to 2021-22 .xlsx) and the CSV export of RA 2023-24
part 1 carry one row per authority (E-code, ONS code, name, class) and one column per RA form
line. Only the service totals, the summary lines and the estimated reserves are loaded, as the
``ra.*`` indicators of ``hub/catalogue/revenue_account.yaml``: ``ra.nce.<line>`` uses the same
suffixes as ``rs.nce.<line>`` so a council's budget sits beside its outturn for the same year.

Columns are found by their header labels (the RA form numbers its lines differently from the RS:
total service expenditure is RA line 799, RS line 699), never by position:

* the header row is the row whose cells include ``E-code``;
* a column belongs to the sheet titled 'Net current expenditure (£ thousand)' (2015-16 to
  2021-22) or to the one-table sheet of the 2023-24 export ('Data are reported in £ thousand');
* reserves carry their date in the label ('... level at 1 April') or in a group header above
  ('Financial reserves levels at 1 April 2015', the 2015-16 workbook's two sheets).

Rows are read exactly as the RS rows are (:class:`~wholeplace.hub.loaders.revenue_outturn`):
councils, plus the combined authorities and the GLA that are in the place register; '…', '[x]'
and blanks stay missing, never 0. The RA has no net revenue expenditure line from 2018-19
(the form went from revenue expenditure straight to its financing), so
``ra.net_revenue_expenditure`` exists for 2015-16 to 2017-18 only and is never derived.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.loaders.revenue_outturn import _release_message, _RsRows, _year
from wholeplace.hub.loaders.rs_lines import (
    ID_COLUMNS,
    SheetLayout,
    find_header_row,
    norm,
    reserves_period,
)
from wholeplace.hub.loaders.workbook import column_letter, read_workbook
from wholeplace.hub.periods import financial_year

_TOT = r"( \(total of lines[^)]*\))?( \([a-z]\))?"
_RES = r"estimated {} level( at (1 april|31 march))?( \([a-z]\))?"


@dataclass(frozen=True)
class RaLine:
    """One RA line: the indicator it feeds and its header pattern (case and spacing ignored)."""

    indicator: str
    pattern: str
    reserves: bool = False
    first_year: int | None = None
    last_year: int | None = None

    def expected(self, year: int, part1: bool) -> bool:
        if self.reserves and part1:
            return False
        return ((self.first_year is None or year >= self.first_year)
                and (self.last_year is None or year <= self.last_year))


RA_LINES: tuple[RaLine, ...] = (
    RaLine("ra.nce.education", r"total education services" + _TOT),
    RaLine("ra.nce.highways_transport", r"total highways and transport services" + _TOT),
    RaLine("ra.nce.childrens_social_care", r"total children'?s'? social care" + _TOT),
    RaLine("ra.nce.adult_social_care", r"total adult social care" + _TOT),
    RaLine("ra.nce.public_health", r"total public health" + _TOT),
    RaLine("ra.nce.housing_gf", r"total housing services \(gfra only\)" + _TOT),
    RaLine("ra.nce.cultural", r"total cultural and related services" + _TOT),
    RaLine("ra.nce.environmental_regulatory",
           r"total environmental and regulatory services" + _TOT),
    RaLine("ra.nce.planning_development", r"total planning and development services" + _TOT),
    RaLine("ra.nce.police", r"total police services" + _TOT),
    RaLine("ra.nce.fire_rescue", r"total fire and rescue services" + _TOT),
    RaLine("ra.nce.central", r"total central services" + _TOT),
    RaLine("ra.nce.other", r"total other services" + _TOT),
    RaLine("ra.nce.total_service", r"total service expenditure" + _TOT),
    RaLine("ra.net_current_expenditure", r"net current expenditure" + _TOT),
    RaLine("ra.revenue_expenditure", r"revenue expenditure" + _TOT),
    RaLine("ra.net_revenue_expenditure", r"net revenue expenditure" + _TOT, last_year=2017),
    RaLine("ra.council_tax_requirement", r"council tax requirement" + _TOT),
    RaLine("ra.reserves.schools", _RES.format(r"schools'? reserves"), reserves=True),
    RaLine("ra.reserves.dsg", _RES.format(r"dedicated schools grant (financial )?reserves"),
           reserves=True, first_year=2019),
    RaLine("ra.reserves.public_health", _RES.format("public health financial reserves"),
           reserves=True),
    RaLine("ra.reserves.other_earmarked",
           _RES.format("other earmarked financial reserves"), reserves=True),
    RaLine("ra.reserves.unallocated", _RES.format("unallocated financial reserves"),
           reserves=True),
)

_RESERVES_GROUP = re.compile(r"reserves.*at\s+(1\s+april|31\s+march)")


def _title(rows: list[list], header: int) -> str:
    for row in rows[:header]:
        for v in row[:2]:
            if "£ thousand" in (text := norm(v)):
                return text
    return ""


def _group_above(rows: list[list], header: int, col: int) -> str:
    """The nearest reserves group header over ``col`` (a merged header carries right)."""
    for r in range(header - 1, -1, -1):
        row = rows[r]
        for c in range(min(col, len(row) - 1), -1, -1):
            text = norm(row[c])
            if text:
                if _RESERVES_GROUP.search(text):
                    return text
                break
    return ""


def ra_layout(rows: list[list], sheet: str, year: int, log: ProblemLog) -> SheetLayout | None:
    """Where the identifying columns and the RA lines are in one sheet (None: not a data sheet)."""
    header = find_header_row(rows)
    if header is None or not (title := _title(rows, header)):
        return None
    whole = title.startswith("data are reported") or "net current expenditure" in title
    lay = SheetLayout(sheet, "net current expenditure" if whole else title, header, {})
    labels = rows[header]
    for key, (pattern, required) in ID_COLUMNS.items():
        found = [c for c, v in enumerate(labels) if re.fullmatch(pattern, norm(v))]
        if found:
            lay.ids[key] = found[0]
        elif required:
            log.add(f"Sheet {sheet!r}: no {key!r} column in the header row (expected a header "
                    f"matching {pattern!r}). Is this an RA 'LA Data' sheet?", header + 1, key)
    for c, value in enumerate(labels):
        text = norm(value)
        if not text:
            continue
        lay.labels[c] = str(value).strip()
        line = next((ln for ln in RA_LINES if re.fullmatch(ln.pattern, text)), None)
        if line is None or (not whole and not line.reserves):
            continue
        key = line.indicator
        if line.reserves:
            when, error = reserves_period(_group_above(rows, header, c), text, year)
            if error:
                log.add(f"Sheet {sheet!r}, column {column_letter(c)}: {error}.", header + 1,
                        lay.labels[c])
            if when is None:
                continue
            key = f"{key}.{when}"
        lay.columns.setdefault(key, c)
    return lay


def ra_layouts(sheets: list[tuple[str, list[list]]], year: int, part1: bool,
               file_name: str, log: ProblemLog) -> list[SheetLayout]:
    layouts = [lay for name, rows in sheets if (lay := ra_layout(rows, name, year, log))]
    main = [lay for lay in layouts if lay.is_nce]
    if not main:
        log.add(f"{file_name}: no sheet titled 'Net current expenditure (£ thousand)' with an "
                f"'E-code' header row (sheets: {', '.join(n for n, _ in sheets)}). Is this an "
                "RA 'data by LA' file?", None, None)
        return layouts
    found = {key for lay in layouts for key in lay.columns
             if lay is main[0] or ".reserves." in key}
    for line in RA_LINES:
        if not line.expected(year, part1):
            continue
        keys = ([f"{line.indicator}.start", f"{line.indicator}.end"] if line.reserves
                else [line.indicator])
        for key in keys:
            if key not in found:
                log.add(f"Sheet {main[0].sheet!r}: no column for {key} (expected a header "
                        f"matching {line.pattern!r}). The layout may have changed: check the "
                        "header row.", main[0].header_row + 1, key)
    return layouts


def _read_csv_rows(path: Path) -> list[list]:
    """The CSV as rows of cells ('' -> None). The 2023-24 export is Windows-1252 (its '£' is
    byte A3); UTF-8 is tried first."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return [[v if v.strip() else None for v in row] for row in csv.reader(io.StringIO(text))]


def _read(path: Path, source: SourceInfo, options: dict,
          sheets: list[tuple[str, list[list]]], part1: bool) -> LoadBatch:
    log = ProblemLog(source.file_name)
    year = _year(options, log)
    log.raise_if_any()
    assert year is not None
    layouts = ra_layouts(sheets, year, part1, source.file_name, log)
    log.raise_if_any(f"{source.file_name}: the RA layout could not be read, so nothing was "
                     "loaded. Each problem names the sheet and the column that is missing.")
    reader = _RsRows(dict(sheets), layouts, financial_year(year),
                     options.get("ecode_to_gss") or {}, log,
                     options.get("register_codes") or {})
    reader.run()
    messages = [m.replace("councils loaded", "councils' budgets loaded", 1)
                for m in reader.messages()]
    if (release := _release_message(sheets, source)) is not None:
        messages.append(release)
    if part1:
        messages.append("RA part 1 only: services and financing down to the council tax "
                        "requirement; estimated reserves are in part 2, which is not loaded.")
    return LoadBatch(source=source, observations=reader.frame, problems=log, messages=messages)


def read_ra_spreadsheet(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    """Read one RA 'data by LA' workbook (``options['year']``: the year the budget starts in)."""
    return _read(path, source, options, read_workbook(Path(path)), part1=False)


def read_ra_csv(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    """Read a CSV export of the RA (``options['part1']``: services and financing only)."""
    rows = _read_csv_rows(Path(path))
    return _read(path, source, options, [(Path(path).stem, rows)],
                 part1=bool(options.get("part1", True)))
