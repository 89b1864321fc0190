"""Revenue outturn readers: the RS spreadsheets (2010-11 to 2023-24) and the RO time-series CSV.

Both readers are pure (file in, :class:`LoadBatch` out) and give the same indicators
(``rs.nce.education``, ``rs.net_revenue_expenditure``, ``rs.reserves.unallocated.end`` ...,
declared in ``hub/catalogue/revenue_outturn.yaml``), in £ thousand as published, one value per
council and financial year.

* :func:`read_rs_spreadsheet` reads the government's Revenue Outturn Summary (RS) workbooks
  (.xls and .xlsx, read through python-calamine). Columns are found by their header labels or RS
  line codes (see :mod:`wholeplace.hub.loaders.rs_lines`), never by position. A missing
  expected column raises a :class:`~wholeplace.errors.ValidationError` naming the file, sheet
  and line.
* :func:`read_time_series_csv` reads GOV.UK's ``Revenue_Outturn_time_series_data_v*.csv`` (one
  row per authority and year, columns such as ``RS_edu_net_exp``). Only the columns in
  :data:`TS_COLUMNS` are loaded; the rest are listed in the batch messages. It is not in the
  registry: load a downloaded copy with
  ``wholeplace load FILE --source ro_timeseries --loader ro_timeseries_csv --publisher MHCLG``
  (in Python: ``wholeplace.hub.uploads.load_file(store, path, source_id="ro_timeseries",
  loader="ro_timeseries_csv")``).

Only councils are kept (RS classes SC, SD, UA, MD, L; time-series classes Shire County, Shire
District, Unitary Authority, Met District, London), plus, in the RS workbooks, the class-O rows of
the combined authorities and the Greater London Authority that are in the place register (see
:func:`register_body`). Police, fire, transport, waste, national park and other bodies are not
in the register, so their spending cannot be attributed to places from these files: they are
skipped and counted, with England and class totals and the notes under the table.
Suppressed or blank cells ('..', '...', 'n/a', '-', empty) become missing values (NULL, status
'missing'), never 0; a published 0 stays 0.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, ObservationFrame, SourceInfo
from wholeplace.hub.loaders.csvutil import read_csv_table
from wholeplace.hub.loaders.rs_lines import (
    RESERVES,
    SheetLayout,
    expected_keys,
    norm,
    sheet_layout,
)
from wholeplace.hub.loaders.workbook import column_letter, read_workbook
from wholeplace.hub.periods import Period, financial_year

#: RS "Class" values of councils. O (other bodies) and anything else is skipped.
RS_COUNCIL_CLASSES = frozenset({"SC", "SD", "UA", "MD", "L", "LB"})  # LB from 2021-22

#: Register tiers of the class-O bodies that are kept: combined authorities and the GLA.
RS_REGISTER_BODY_TIERS = frozenset({"combined", "strategic"})

#: An MHCLG/DLUHC local government finance "E-code" (E0521 Cambridgeshire).
ECODE = re.compile(r"^E\d{4}$")

#: Cell texts that mean "no value published" (case-insensitive).
MISSING_MARKS = frozenset({"", "..", "...", "…", "n/a", "na", "-", "–", "x", ":", "[x]"})

# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


def cell_number(value) -> tuple[float | None, str | None, bool]:
    """(number, note, ok) for one published cell.

    A number is returned as a float (0 stays 0). A missing marker gives ``(None, note, True)``;
    anything else that is not a finite number gives ``ok = False``.
    """
    if value is None:
        return None, None, True
    if isinstance(value, bool):
        return None, None, False
    if isinstance(value, (int, float)):
        number = float(value)
        return (number, None, True) if math.isfinite(number) else (None, None, False)
    text = str(value).strip()
    if text.lower() in MISSING_MARKS:
        return None, (f"published as {text!r}" if text else None), True
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return None, None, False
    return (number, None, True) if math.isfinite(number) else (None, None, False)


# --------------------------------------------------------------------------------------------
# RS spreadsheets
# --------------------------------------------------------------------------------------------


def _year(options: dict, log: ProblemLog) -> int | None:
    year = options.get("year")
    if not isinstance(year, int):
        log.add("Say which financial year the RS workbook holds, by the year it starts in: "
                "wholeplace load FILE --loader rs_spreadsheet --year 2017 for 2017-18 (from "
                "Python, load_file(..., options={'year': 2017})).", None, "year")
        return None
    return year


def rs_layouts(sheets: list[tuple[str, list[list]]], year: int,
               log: ProblemLog) -> list[SheetLayout]:
    """The data sheets' layouts, checking that every expected RS line was found.

    Structural problems are logged; the caller raises them before reading any row.
    """
    layouts = [lay for name, rows in sheets
               if (lay := sheet_layout(rows, name, year, log)) is not None]
    nce = [lay for lay in layouts if lay.is_nce]
    if not nce:
        log.add("No sheet titled 'Net current expenditure (£ thousand)' with an 'E-code' header "
                f"row was found (sheets: {', '.join(n for n, _ in sheets)}). Is this an RS "
                "'data by LA' workbook?", None, None)
        return layouts
    main, found = nce[0], _sources_of_keys(layouts)
    for line, key in expected_keys(year):
        where = found.get(key)
        if where is None or (line.block != RESERVES and where[0] is not main):
            what = (f"RS line {line.code} " if line.code else "") + repr(line.label)
            when = {"start": " at 1 April", "end": " at 31 March"}.get(key.rsplit(".")[-1], "")
            log.add(f"Sheet {main.sheet!r}: no column for {what}{when} ({key}). Expected a "
                    f"header matching {line.pattern!r}"
                    + (f" or the code {line.code} in the code row" if line.code else "")
                    + ". The layout may have changed: check the header rows.",
                    main.header_row + 1, line.label)
    return layouts


def _sources_of_keys(layouts: list[SheetLayout]) -> dict[str, tuple[SheetLayout, int]]:
    """Observation key -> (layout, column). Service and summary lines come from the net current
    expenditure sheet only; reserves from the first sheet that has them with a date."""
    found: dict[str, tuple[SheetLayout, int]] = {}
    nce = [lay for lay in layouts if lay.is_nce][:1]
    for lay in nce + [lay for lay in layouts if lay not in nce]:
        for key, col in lay.columns.items():
            if ".reserves." in key or lay.is_nce:
                found.setdefault(key, (lay, col))
    return found


def _table_end(rows: list[list], lay: SheetLayout) -> int:
    """The row after the sheet's first table: from 2021-22 a second table of class totals
    follows under its own 'E-code' header (its E-codes read '[Y]')."""
    col = lay.ids["ecode"]
    for r in range(lay.header_row + 1, len(rows)):
        if norm(_cell(rows, r, col)) == "e-code":
            return r
    return len(rows)


def _rows_by_ecode(rows: list[list], lay: SheetLayout) -> dict[str, int]:
    out: dict[str, int] = {}
    col = lay.ids["ecode"]
    for r in range(lay.header_row + 1, _table_end(rows, lay)):
        row = rows[r]
        code = norm(row[col] if col < len(row) else None).upper()
        if code and code not in out:
            out[code] = r
    return out


def _cell(rows: list[list], r: int, c: int):
    row = rows[r]
    return row[c] if c < len(row) else None


def register_body(ecode: str, ons: str, ecode_to_gss: dict[str, str],
                  register_codes: dict[str, str]) -> str | None:
    """The register code of a class-O row that is a combined authority or the GLA, else None.

    By E-code first (the register gives the GLA's, E5100; the file's ONS column shows the London
    region, E12000007, for it), then by the file's ONS code where the year has that column
    (2014-15 and 2017-18) and the code is a combined authority in the register. The register
    gives combined authorities no E-code, and matching them by E-code would be wrong anyway:
    E6346 was the West Midlands Integrated Transport Authority in 2014-15.
    """
    by_ecode = ecode_to_gss.get(ecode)
    if by_ecode is not None and register_codes.get(by_ecode) in RS_REGISTER_BODY_TIERS:
        return by_ecode
    if ons and register_codes.get(ons) in RS_REGISTER_BODY_TIERS:
        return ons
    return None


class _RsRows:
    """Reads the council rows of the RS data sheets into an observation frame."""

    def __init__(self, sheets: dict[str, list[list]], layouts: list[SheetLayout],
                 period: Period, ecode_to_gss: dict[str, str], log: ProblemLog,
                 register_codes: dict[str, str] | None = None):
        self.sheets, self.period, self.log = sheets, period, log
        self.ecode_to_gss = {k.upper(): v for k, v in ecode_to_gss.items()}
        self.register_codes = register_codes or {}
        self.main = next(lay for lay in layouts if lay.is_nce)
        self.found = _sources_of_keys(layouts)
        self.index = {lay.sheet: _rows_by_ecode(sheets[lay.sheet], lay) for lay in layouts}
        self.frame = ObservationFrame()
        self.skipped_other: dict[str, int] = {}
        self.skipped_blank = 0
        self.councils = 0
        self.bodies: list[str] = []
        self.recoded: list[str] = []
        self.by_ons: list[str] = []
        self.gss_with_ecode = set(self.ecode_to_gss.values())

    def run(self) -> None:
        rows = self.sheets[self.main.sheet]
        ids = self.main.ids
        seen: set[str] = set()
        for r in range(self.main.header_row + 1, _table_end(rows, self.main)):
            ecode = norm(_cell(rows, r, ids["ecode"])).upper()
            cls = norm(_cell(rows, r, ids["class"])).upper()
            if not ECODE.match(ecode):
                if cls in RS_COUNCIL_CLASSES and ecode:
                    self.log.add(f"Sheet {self.main.sheet!r}: {ecode!r} is not an E-code "
                                 "(E and four digits, e.g. E0521).", r + 1, "E-code")
                self.skipped_blank += 1 if any(v is not None for v in rows[r]) else 0
                continue
            body = None
            if cls not in RS_COUNCIL_CLASSES:
                body = register_body(ecode, self._ons(r), self.ecode_to_gss,
                                     self.register_codes)
                if body is None:
                    self.skipped_other[cls or "(blank)"] = self.skipped_other.get(
                        cls or "(blank)", 0) + 1
                    continue
            if ecode in seen:
                self.log.add(f"Sheet {self.main.sheet!r}: the E-code {ecode} appears twice.",
                             r + 1, "E-code")
                continue
            seen.add(ecode)
            self._council(ecode, r, body)

    def _by_ons(self, r: int) -> str | None:
        """The file's ONS code, when the register has that council but no E-code for it (the
        councils created since 2019: Dorset, BCP, East and West Suffolk, Buckinghamshire...)."""
        ons = self._ons(r)
        if ons in self.register_codes and ons not in self.gss_with_ecode:
            return ons
        return None

    def _ons(self, r: int) -> str:
        ids = self.main.ids
        return norm(_cell(self.sheets[self.main.sheet], r, ids["ons"])).upper() \
            if "ons" in ids else ""

    def _council(self, ecode: str, r: int, body: str | None = None) -> None:
        rows, ids = self.sheets[self.main.sheet], self.main.ids
        gss = body or self.ecode_to_gss.get(ecode) or self._by_ons(r)
        name = str(_cell(rows, r, ids["name"]) or "").strip()
        if gss is not None and body is None and ecode not in self.ecode_to_gss:
            self.by_ons.append(f"{name} ({ecode}, {gss})")
        if gss is None:
            self.log.add(f"Sheet {self.main.sheet!r}: the council {name!r} has E-code {ecode}, "
                         "which is not in the place register's dluhc_ecode column. Load the "
                         "register first (la_register) or add the E-code to it.", r + 1,
                         "E-code")
            return
        ons = self._ons(r)
        if ons and ons != gss:
            self.recoded.append(f"{name} ({ecode}): file {ons}, register {gss}")
        if body is None:
            self.councils += 1
        else:
            self.bodies.append(f"{name} ({ecode}, {gss})")
        for key, (lay, col) in self.found.items():
            self._value(key, lay, col, ecode, gss, ons or None, name)

    def _value(self, key: str, lay: SheetLayout, col: int, ecode: str, gss: str,
               ons: str | None, name: str) -> None:
        r = self.index[lay.sheet].get(ecode)
        if r is None:
            self.log.add(f"The council {name!r} (E-code {ecode}) is in sheet "
                         f"{self.main.sheet!r} but not in sheet {lay.sheet!r}.", None, "E-code")
            return
        raw = _cell(self.sheets[lay.sheet], r, col)
        value, note, ok = cell_number(raw)
        label = lay.labels.get(col, "")
        where = f"{lay.sheet}!{column_letter(col)}"
        if not ok:
            self.log.add(f"Sheet {lay.sheet!r}, column {column_letter(col)} ({label}), council "
                         f"{name!r}: {raw!r} is not a number. Expected a number or a missing "
                         "marker ('..', 'n/a', '-', blank).", r + 1, label)
            return
        self.frame.add(key, gss, self.period, value, note=note, source_area_code=ons,
                       line=r + 1, column=where)

    def messages(self) -> list[str]:
        other = ", ".join(f"{n} of class {c}" for c, n in sorted(self.skipped_other.items()))
        out = [(f"{self.councils} councils loaded for {self.period.label} from sheet "
               f"{self.main.sheet!r} (header row {self.main.header_row + 1})."),
               (f"{len(self.bodies)} class-O bodies in the place register loaded (combined "
               f"authorities, the GLA): {'; '.join(self.bodies) or 'none'}."),
               (f"Skipped {sum(self.skipped_other.values())} rows that are not councils "
               f"({other}): police, fire, transport, waste, parks and other bodies, and "
               "combined authorities not in the place register. They are not in the register, "
               "so their spending cannot be attributed to places from this file."),
               (f"Skipped {self.skipped_blank} rows without an E-code (England and class totals, "
               "notes under the table).")]
        if self.by_ons:
            out.append(f"{len(self.by_ons)} councils matched by the file's ONS code because the "
                       f"register has no E-code for them: {'; '.join(self.by_ons)}.")
        if self.recoded:
            out.append(f"{len(self.recoded)} bodies' ONS code in the file differs from the "
                       "register's code for their E-code; the file's code is kept as "
                       f"source_area_code: {'; '.join(self.recoded)}.")
        return out


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_PUBLISHED = re.compile(r"(?:published|updated)\s+(?:on\s+)?(\d{1,2})\s+(" + "|".join(_MONTHS)
                        + r")\s+(\d{4})", re.IGNORECASE)


def front_page_date(sheets: list[tuple[str, list[list]]]) -> date | None:
    """The latest 'published on' / 'updated on' date on the workbook's front page, if any.

    2019-20's front page says it was 'originally published on 21 January 2021' and 'updated on
    11 June 2021': the workbook is the update, so the latest date is the one it holds.
    """
    for name, rows in sheets[:1]:
        if "front" not in name.lower():
            return None
        text = " ".join(str(v) for row in rows for v in row if isinstance(v, str))
        found = [date(int(y), _MONTHS.index(m.lower()) + 1, int(d))
                 for d, m, y in _PUBLISHED.findall(text)]
        return max(found) if found else None
    return None


def _release_message(sheets: list[tuple[str, list[list]]], source: SourceInfo) -> str | None:
    on_page = front_page_date(sheets)
    if on_page is None:
        return None
    if source.released_on is None:
        return (f"The front page says the release was published on {on_page.isoformat()}; the "
                "registry gives no released_on for it.")
    if on_page != source.released_on:
        return (f"The front page says the release was published on {on_page.isoformat()}, but "
                f"the registry's released_on is {source.released_on.isoformat()}.")
    return f"Published on {on_page.isoformat()} (front page and registry agree)."


def read_rs_spreadsheet(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    """Read one RS 'data by LA' workbook (``options['year']``: the year it starts in).

    ``options['ecode_to_gss']`` maps E-codes to register codes; ``options['register_codes']``
    (register code -> tier) lets class-O combined authorities and the GLA be kept.
    """
    log = ProblemLog(source.file_name)
    year = _year(options, log)
    log.raise_if_any()
    assert year is not None  # _year logged a problem otherwise, and raise_if_any raised it
    sheets = read_workbook(Path(path))
    layouts = rs_layouts(sheets, year, log)
    log.raise_if_any(f"{source.file_name}: the RS layout could not be read, so nothing was "
                     "loaded. Each problem names the sheet and the column that is missing.")
    reader = _RsRows(dict(sheets), layouts, financial_year(year),
                     options.get("ecode_to_gss") or {}, log,
                     options.get("register_codes") or {})
    reader.run()
    release = _release_message(sheets, source)
    caveats = add_caveats(reader.frame, options.get("caveats") or [], source.file_name)
    return LoadBatch(source=source, observations=reader.frame, problems=log,
                     messages=reader.messages() + ([release] if release else []) + caveats)


#: How a caveat from the registry starts, in an observation's note (the early warning lists
#: such notes beside a council's flags).
CAVEAT_PREFIX = "Check the published figure: "


def add_caveats(frame: ObservationFrame, caveats: list[dict], file: str) -> list[str]:
    """Add the registry's caveats to the notes of the published values they are about.

    Each caveat is ``{"area": GSS code, "indicators": [glob patterns of indicator ids],
    "note": words}``: a value that the published file gives but that looks wrong (checked
    against the file and kept as published, never changed). A caveat matching no value is
    reported in the messages (the file or the register changed), not silently dropped."""
    from fnmatch import fnmatchcase

    out = []
    cols = frame.cols
    for c in caveats:
        patterns = c["indicators"]
        hits = [i for i, (ind, area) in enumerate(zip(cols["indicator_id"], cols["area_code"]))
                if area == c["area"] and any(fnmatchcase(ind, p) for p in patterns)]
        for i in hits:
            cols["note"][i] = "; ".join(filter(None, [cols["note"][i],
                                                      CAVEAT_PREFIX + c["note"]]))
        out.append(f"Caveat added to {len(hits)} values of {c['area']} "
                   f"({', '.join(patterns)}): {c['note']}" if hits else
                   f"{file}: the registry's caveat for {c['area']} ({', '.join(patterns)}) "
                   "matches no value in the file: check the registry entry.")
    if caveats:
        frame.touch()
    return out


# --------------------------------------------------------------------------------------------
# Revenue Outturn time-series CSV
# --------------------------------------------------------------------------------------------

#: Time-series column -> indicator. Only codes whose meaning was verified against public code
#: that parses the real file are listed (see docs in the catalogue); others are ignored.
TS_COLUMNS: dict[str, str] = {
    "RS_edu_net_exp": "rs.nce.education",
    "RS_trans_net_exp": "rs.nce.highways_transport",
    "RS_csc_net_exp": "rs.nce.childrens_social_care",
    "RS_asc_net_exp": "rs.nce.adult_social_care",
    "RS_phs_net_exp": "rs.nce.public_health",
    "RS_hous_net_exp": "rs.nce.housing_gf",
    "RS_cul_net_exp": "rs.nce.cultural",
    "RS_env_net_exp": "rs.nce.environmental_regulatory",
    "RS_plan_net_exp": "rs.nce.planning_development",
    "RS_pol_net_exp": "rs.nce.police",
    "RS_frs_net_exp": "rs.nce.fire_rescue",
    "RS_cen_net_exp": "rs.nce.central",
    "RS_oth_net_exp": "rs.nce.other",
    "RS_totsx_net_exp": "rs.nce.total_service",
    "RS_netcurrtot_net_exp": "rs.net_current_expenditure",
    "RS_revenuetot_net_exp": "rs.revenue_expenditure",
    "RS_netrevexp_net_exp": "rs.net_revenue_expenditure",
    "RS_ctrtot_net_exp": "rs.council_tax_requirement",
    "RS_resunall_start_cy": "rs.reserves.unallocated.start",
    "RS_resunall_end_cy": "rs.reserves.unallocated.end",
}

#: Identifying columns of the time series (the first four are required).
TS_ID_COLUMNS = ("year_ending", "ONS_code", "LA_class", "status", "LA_name", "LA_subclass",
                 "E_code", "LA_code")
TS_REQUIRED = TS_ID_COLUMNS[:4]

#: Time-series ``LA_class`` values of councils.
TS_COUNCIL_CLASSES = frozenset({"London", "Met District", "Unitary Authority", "Shire County",
                                "Shire District"})

_YEAR_ENDING = re.compile(r"^(\d{4})03$")


def ts_period(text: str) -> Period | None:
    """``201803`` (the year ending March 2018) -> financial year 2017-18."""
    m = _YEAR_ENDING.match((text or "").strip())
    return financial_year(int(m.group(1)) - 1) if m else None


def _ts_header(fieldnames: list[str], log: ProblemLog) -> list[str]:
    for col in TS_REQUIRED:
        if col not in fieldnames:
            log.add(f"The column {col!r} is missing. A Revenue Outturn time-series CSV has "
                    f"{', '.join(TS_REQUIRED)} and value columns such as RS_edu_net_exp.",
                    1, col)
    mapped = [c for c in fieldnames if c in TS_COLUMNS]
    if not mapped:
        log.add("None of the known value columns is in the file (expected some of "
                f"{', '.join(list(TS_COLUMNS)[:5])} ...).", 1, None)
    return mapped


def _ts_row(row: dict, line: int, mapped: list[str], frame: ObservationFrame,
            log: ProblemLog) -> None:
    period = ts_period(row["year_ending"])
    code = (row["ONS_code"] or "").strip().upper()
    if period is None:
        log.add(f"{row['year_ending']!r} is not a year ending in March (YYYY03, e.g. 201803 "
                "for 2017-18).", line, "year_ending")
        return
    if not code:
        log.add("A council row has no ONS code.", line, "ONS_code")
        return
    status = (row.get("status") or "").strip()
    extra = f"status {status!r} in the source" if status not in ("", "submitted") else None
    for col in mapped:
        value, note, ok = cell_number(row.get(col))
        if not ok:
            log.add(f"{row.get(col)!r} is not a number. Leave the cell empty if the value is "
                    "missing.", line, col)
            continue
        frame.add(TS_COLUMNS[col], code, period, value,
                  note="; ".join(n for n in (note, extra) if n) or None, line=line, column=col)


def read_time_series_csv(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    """Read GOV.UK's Revenue Outturn multi-year CSV (all years in the file, councils only)."""
    log = ProblemLog(source.file_name)
    frame = ObservationFrame()
    skipped: dict[str, int] = {}
    councils: set[tuple[str, str]] = set()
    fieldnames, rows = read_csv_table(path, log)
    if not fieldnames:  # not UTF-8, or empty
        log.raise_if_any()
    before = len(log)
    mapped = _ts_header(fieldnames, log)
    if len(log) > before:  # without the columns no row can be read
        log.raise_if_any()
    for line, row in rows:
        status = (row.get("status") or "").strip().lower()
        cls = (row.get("LA_class") or "").strip()
        if status == "total" or cls not in TS_COUNCIL_CLASSES:
            why = "England/class totals" if status == "total" else f"class {cls or '(blank)'}"
            skipped[why] = skipped.get(why, 0) + 1
            continue
        _ts_row(row, line, mapped, frame, log)
        councils.add(((row.get("ONS_code") or "").strip(), row.get("year_ending") or ""))
    ignored = [c for c in fieldnames if c not in TS_COLUMNS and c not in TS_ID_COLUMNS]
    messages = [
        f"{len(councils)} council-years loaded from {len(mapped)} mapped columns.",
        "Skipped rows: " + (", ".join(f"{n} ({why})" for why, n in sorted(skipped.items()))
                            or "none") + ".",
    ]
    if ignored:
        shown = ", ".join(ignored[:30]) + (f" ... and {len(ignored) - 30} more"
                                           if len(ignored) > 30 else "")
        messages.append(f"Ignored {len(ignored)} columns with no wholeplace indicator: {shown}.")
    return LoadBatch(source=source, observations=frame, problems=log, messages=messages)
