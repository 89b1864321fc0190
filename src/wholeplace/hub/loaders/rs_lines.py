"""The Revenue Outturn Summary (RS) lines wholeplace loads, and how to find them in a sheet.

Pure: a sheet is handed in as a list of rows of cell values; nothing here opens a file.

The RS spreadsheets (2010-11 to 2017-18) are laid out differently each year, so columns are
found by what their headers say, never by position:

* the **header row** is the row whose cells include ``E-code`` (row 6 in the .xls files, row 7 in
  2017-18, counting from 1);
* 2017-18 has a **code row** just above it holding the RS form line number of each column
  (190, 290, ... 749, 800, 805, 890, 911-916); columns are matched by that code there;
* the older files have only labels, matched by the patterns in :data:`RS_LINES`;
* the **group row** above those (``Financial reserves levels at 1 April 2010``,
  ``Reserves at 31 March 2018``) says which date a reserves column is at;
* the **title** (``Net current expenditure (£ thousand)``, ``Capital charges (£ thousand)``,
  ``Net total cost ...``) says what the first block of service columns means in that sheet. Only
  the net current expenditure sheet's service block is loaded.

The table of label patterns to line codes (2017-18 form numbering; older forms numbered some of
the financing lines differently, e.g. net revenue expenditure was line 799 in 2010-11):

=========================================  ====  ============================================
indicator                                  line  header label (case and spacing ignored)
=========================================  ====  ============================================
rs.nce.education                           190   Education services
rs.nce.highways_transport                  290   Highways and transport services
rs.nce.childrens_social_care               330   Children(s) social care (from 2011-12)
rs.nce.adult_social_care                   360   Adult social care (from 2011-12)
rs.nce.social_care                         --    Social care (2010-11 only; not split)
rs.nce.public_health                       390   Public health (from 2013-14)
rs.nce.housing_gf                          490   Housing services (GFRA only)
rs.nce.cultural                            509   Cultural and related services
rs.nce.environmental_regulatory            590   Environmental and regulatory services
rs.nce.planning_development                599   Planning and development services
rs.nce.police                              601   Police services
rs.nce.fire_rescue                         602   Fire and rescue services
rs.nce.central                             690   Central services
rs.nce.other                               698   Other services
rs.nce.total_service                       699   TOTAL SERVICE EXPENDITURE ...
rs.net_current_expenditure                 749   NET CURRENT EXPENDITURE ...
rs.revenue_expenditure                     800   REVENUE EXPENDITURE (TOTAL OF LINES ...)
rs.net_revenue_expenditure                 805   NET REVENUE EXPENDITURE ...
rs.council_tax_requirement                 890   COUNCIL TAX REQUIREMENT ...
rs.reserves.schools.start / .end           911   (Estimated) schools reserves level ...
rs.reserves.public_health.start / .end     914   (Estimated) public health financial reserves
                                                 level ... (from 2013-14)
rs.reserves.other_earmarked.start / .end   915   (Estimated) other earmarked financial
                                                 reserves level ...
rs.reserves.unallocated.start / .end       916   (Estimated) unallocated financial reserves
                                                 level ...
=========================================  ====  ============================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wholeplace.errors import ProblemLog
from wholeplace.hub.loaders.workbook import column_letter

SERVICE, SUMMARY, RESERVES = "service", "summary", "reserves"


@dataclass(frozen=True)
class RsLine:
    """One RS line: the indicator it feeds, its form line number and its header pattern."""

    indicator: str
    code: int | str | None
    label: str
    pattern: str
    block: str
    first_year: int | None = None
    last_year: int | None = None

    def expected(self, year: int) -> bool:
        return ((self.first_year is None or year >= self.first_year)
                and (self.last_year is None or year <= self.last_year))

    def matches(self, text: str) -> bool:
        return re.fullmatch(self.pattern, text) is not None


_TOTAL = r"(\s*\(total of lines.*\))?"
_RES = r"(estimated )?{} level.*"

RS_LINES: tuple[RsLine, ...] = (
    RsLine("rs.nce.education", 190, "Education services", r"education services", SERVICE),
    RsLine("rs.nce.highways_transport", 290, "Highways and transport services",
           r"highways and transport services", SERVICE),
    RsLine("rs.nce.childrens_social_care", 330, "Children social care",
           r"children'?s?'? social care", SERVICE, first_year=2011),
    RsLine("rs.nce.adult_social_care", 360, "Adult social care", r"adult social care", SERVICE,
           first_year=2011),
    RsLine("rs.nce.social_care", None, "Social care", r"social care", SERVICE, last_year=2010),
    RsLine("rs.nce.public_health", 390, "Public health", r"public health", SERVICE,
           first_year=2013),
    RsLine("rs.nce.housing_gf", 490, "Housing services (GFRA only)",
           r"housing services \(gfra only\)", SERVICE),
    RsLine("rs.nce.cultural", 509, "Cultural and related services",
           r"cultural and related services", SERVICE),
    RsLine("rs.nce.environmental_regulatory", 590, "Environmental and regulatory services",
           r"environmental and regulatory services", SERVICE),
    RsLine("rs.nce.planning_development", 599, "Planning and development services",
           r"planning and development services", SERVICE),
    RsLine("rs.nce.police", 601, "Police services", r"police services", SERVICE),
    RsLine("rs.nce.fire_rescue", 602, "Fire and rescue services", r"fire and rescue services",
           SERVICE),
    RsLine("rs.nce.central", 690, "Central services", r"central services", SERVICE),
    RsLine("rs.nce.other", 698, "Other services", r"other services", SERVICE),
    RsLine("rs.nce.total_service", 699, "TOTAL SERVICE EXPENDITURE",
           r"total service expenditure" + _TOTAL, SERVICE),
    RsLine("rs.net_current_expenditure", 749, "NET CURRENT EXPENDITURE",
           r"net current expenditure\s*" + _TOTAL, SUMMARY),
    RsLine("rs.revenue_expenditure", 800, "REVENUE EXPENDITURE",
           r"revenue expenditure" + _TOTAL, SUMMARY),
    RsLine("rs.net_revenue_expenditure", 805, "NET REVENUE EXPENDITURE",
           r"net revenue expenditure" + _TOTAL, SUMMARY),
    RsLine("rs.council_tax_requirement", 890, "COUNCIL TAX REQUIREMENT",
           r"council tax requirement" + _TOTAL, SUMMARY),
    RsLine("rs.grants.revenue_support", 851, "Revenue Support Grant",
           r"revenue support grant( \(-\))?", SUMMARY),
    RsLine("rs.retained_business_rates", 870, "Retained income from Rate Retention Scheme",
           r"retained income from rate retention scheme", SUMMARY, first_year=2013),
    RsLine("rs.reserves.schools", 911, "Schools reserves level",
           _RES.format(r"schools'? reserves"), RESERVES),
    RsLine("rs.reserves.dsg", 913, "Dedicated schools grant reserves level",
           _RES.format("dedicated schools grant reserves"), RESERVES, first_year=2018),
    RsLine("rs.reserves.public_health", 914, "Public health financial reserves level",
           _RES.format("public health financial reserves"), RESERVES, first_year=2013),
    RsLine("rs.reserves.other_earmarked", 915, "Other earmarked financial reserves level",
           _RES.format("other earmarked financial reserves"), RESERVES),
    RsLine("rs.reserves.unallocated", 916, "Unallocated financial reserves level",
           _RES.format("unallocated financial reserves"), RESERVES),
    RsLine("rs.reserves.other_earmarked_adjusted", "915b",
           "Other earmarked financial reserves level (adjusted)",
           _RES.format("other earmarked financial reserves") + r"\(adjusted\)", RESERVES,
           first_year=2022),
    *(RsLine(f"rs.reserves.earmarked.{name}", code, label, "(?!)", RESERVES, first_year=2021)
      for name, code, label in (
          ("contractual_commitments", 1023, "Other earmarked reserves: contractual commitments"),
          ("planned_future_spending", 1024,
           "Other earmarked reserves: planned future revenue and capital spending"),
          ("specific_risks", 1025, "Other earmarked reserves: specific risks"),
          ("budget_stabilisation", 1026, "Other earmarked reserves: budget stabilisation"),
          ("other", 1027, "Other earmarked reserves: other"),
          ("expanded_retail_relief", 1028,
           ("Other earmarked reserves: authority's share of expanded retail relief grants "
           "2020-21 and 2021-22")),
          ("covid_additional_relief", 1029,
           ("Other earmarked reserves: authority's share of COVID-19 additional relief fund "
           "2021-22")),
          ("exceptional_other", 1030, ("Other earmarked reserves: of which (other exceptional "
           "elements within line 1027)")),
      )),
)

#: The detailed earmarked reserves lines (2021-22 onward), found by their codes only.
EARMARKED_SPLIT = tuple(line for line in RS_LINES
                        if line.indicator.startswith("rs.reserves.earmarked."))

#: The identifying columns of every RS data sheet (key -> header pattern, required?).
ID_COLUMNS = {
    "ecode": (r"e-?code", True),
    "ons": (r"ons code", False),
    "name": (r"local authority", True),
    "class": (r"class", True),
}

_RESERVES_DATE = re.compile(r"at\s+(1\s+april|31\s+march)(?:\s+(\d{4}))?")


def norm(value) -> str:
    """A header cell as lower-case text with single spaces ('' for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).lower()


@dataclass
class SheetLayout:
    """Where things are in one RS data sheet (all indexes 0-based)."""

    sheet: str
    title: str
    header_row: int
    ids: dict[str, int]
    #: observation key (indicator id) -> column index
    columns: dict[str, int] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)
    #: the 2021-22 onward layout: every line in this one sheet (see :func:`_one_sheet`)
    whole: bool = False

    @property
    def is_nce(self) -> bool:
        return self.whole or self.title.startswith("net current expenditure")


def find_header_row(rows: list[list], limit: int = 25) -> int | None:
    for r, row in enumerate(rows[:limit]):
        if any(re.fullmatch(ID_COLUMNS["ecode"][0], norm(v)) for v in row):
            return r
    return None


def _title(rows: list[list], header_row: int) -> str:
    for row in rows[:header_row]:
        for v in row[:2]:
            text = norm(v)
            if "£ thousand" in text:
                return text
    return ""


_FORM_CELL = re.compile(r"c\d+r(\d+[a-z]?)")


def _code_row(rows: list[list], header_row: int) -> tuple[int, list[str]] | None:
    """(row, the RS line code of each column) from the rows above the header.

    Either a row of line numbers (190, 290 ... 916; 2015-16 to 2020-21 and 2022-23 onward, just
    above the header) or, failing that, a row of form cells (``C1R190``, ``C2R915``; 2021-22
    onward, a few rows higher), whose line part is the code.
    """
    if header_row > 0:
        codes = [norm(v) for v in rows[header_row - 1]]
        if {"190", "749"} <= set(codes):
            return header_row - 1, codes
    for r in range(header_row - 1, max(-1, header_row - 10), -1):
        cells = [norm(v) for v in rows[r]]
        if "c1r190" in cells:
            return r, [m.group(1) if (m := _FORM_CELL.fullmatch(v)) else "" for v in cells]
    return None


def _one_sheet(rows: list[list], header_row: int) -> bool:
    """True for the 2021-22 onward layout: one sheet holding every RS line, with column codes
    such as ``RS-edu-net-exp`` above the header (the whole RS, not one block of it)."""
    return any(norm(v) == "rs-edu-net-exp" for row in rows[:header_row] for v in row)


def _groups(row: list) -> list[str]:
    """The group header over each column (a merged header carries to the right)."""
    out, current = [], ""
    for v in row:
        text = norm(v)
        current = text or current
        out.append(current)
    return out


def reserves_period(group: str, label: str, year: int) -> tuple[str | None, str | None]:
    """('start' | 'end' | None, error) for a reserves column, from its group header or label."""
    m = _RESERVES_DATE.search(group) if "reserves" in group else None
    m = m or _RESERVES_DATE.search(label)
    if m is None:
        return None, None
    when = "start" if m.group(1).startswith("1") else "end"
    if m.group(2):
        expected = year if when == "start" else year + 1
        if int(m.group(2)) != expected:
            return None, (f"the header says reserves {m.group(0)!r}, but this file is "
                          f"registered as {year}-{(year + 1) % 100:02d}")
    return when, None


def sheet_layout(rows: list[list], sheet: str, year: int, log: ProblemLog) -> SheetLayout | None:
    """Locate the identifying columns and every RS line in one sheet.

    None when the sheet is not an RS data sheet: no ``E-code`` header row, or no title saying
    ``(£ thousand)`` above it (the 2017-18 workbook also has check and look-up sheets).
    """
    header = find_header_row(rows)
    if header is None:
        return None
    title = _title(rows, header)
    if not title:
        return None  # a check or look-up sheet, not one of the "(£ thousand)" data sheets
    labels_row = rows[header]
    found_codes = _code_row(rows, header)
    group_idx = header - 1
    if found_codes is not None and found_codes[0] == group_idx:
        group_idx -= 1
    groups = _groups(rows[group_idx]) if group_idx >= 0 else []
    layout = SheetLayout(sheet, title, header, {}, whole=_one_sheet(rows, header))
    for key, (pattern, required) in ID_COLUMNS.items():
        found = [c for c, v in enumerate(labels_row) if re.fullmatch(pattern, norm(v))]
        if found:
            layout.ids[key] = found[0]
        elif required:
            log.add(f"Sheet {sheet!r}: no {key!r} column in the header row (expected a header "
                    f"matching {pattern!r}). Is this an RS 'LA Data' sheet?", header + 1, key)
    codes = found_codes[1] if found_codes is not None else None
    _map_lines(layout, labels_row, codes, groups, year, log)
    return layout


def _service_end(labels: list[str], codes: list[str] | None) -> int:
    """Index of the total service expenditure column (service lines sit before it)."""
    for c, text in enumerate(labels):
        if (codes and c < len(codes) and codes[c] == "699") or text.startswith(
                "total service expenditure"):
            return c
    return len(labels)


def _map_lines(layout: SheetLayout, labels_row: list, codes: list[str] | None,
               groups: list[str], year: int, log: ProblemLog) -> None:
    labels = [norm(v) for v in labels_row]
    end = _service_end(labels, codes)
    for c, text in enumerate(labels):
        if not text:
            continue
        layout.labels[c] = str(labels_row[c]).strip()
        code = codes[c] if codes and c < len(codes) else ""
        for line in RS_LINES:
            by_code = codes is not None and line.code is not None
            if not (code == str(line.code) if by_code else line.matches(text)):
                continue
            if line.block == SERVICE and c > end:
                continue
            key = line.indicator
            if line.block == RESERVES:
                group = groups[c] if c < len(groups) else ""
                when, error = reserves_period(group, text, year)
                if error:
                    log.add(f"Sheet {layout.sheet!r}, column {column_letter(c)}: {error}. "
                            "Check the file is the right year.", layout.header_row + 1,
                            layout.labels[c])
                if when is None:
                    continue
                key = f"{key}.{when}"
            layout.columns.setdefault(key, c)
            break


def expected_keys(year: int) -> list[tuple[RsLine, str]]:
    """Every (line, observation key) a file for ``year`` must provide."""
    out = []
    for line in RS_LINES:
        if not line.expected(year):
            continue
        if line.block == RESERVES:
            out += [(line, f"{line.indicator}.start"), (line, f"{line.indicator}.end")]
        else:
            out.append((line, line.indicator))
    return out
