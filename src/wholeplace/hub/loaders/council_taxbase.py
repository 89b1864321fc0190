"""Reader for the DLUHC Council Taxbase (CTB) local authority level data, sheet
``Council_Taxbase_Data``: 32 tables side by side, each titled on the row above the header
(``Table 1.01 ...``) with one column per band (A to H) and a total.

Loaded: dwellings on the valuation list by band (Table 1.01, form line 1) and their total;
chargeable dwellings (Table 1.04, line 4); Band D equivalents before and after council tax
support (Tables 1.25 and 1.31). One observation per billing authority, period the calendar
year of the return (``2022``: dwellings as at September, discounts as at 3 October).
Tables are found by their numbers and bands by their headings, never by position.
"""

from __future__ import annotations

import re
from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.loaders.council_tax import ECODE, ECODES_IN_LATER_RETURNS, GSS, number
from wholeplace.hub.loaders.workbook import Rows, column_letter, read_workbook
from wholeplace.hub.periods import calendar_year

SHEET = "Council_Taxbase_Data"
BANDS = tuple("ABCDEFGH")
#: Table number -> (indicator id prefix or id, whether each band is loaded or only the total).
TABLES = {
    "1.01": ("ctb.dwellings", True),
    "1.04": ("ctb.chargeable_dwellings", False),
    "1.25": ("ctb.band_d_equivalents", False),
    "1.31": ("ctb.band_d_equivalents_after_support", False),
}
INDICATORS = (*(f"ctb.dwellings.band_{b.lower()}" for b in BANDS), "ctb.dwellings.total",
              "ctb.chargeable_dwellings", "ctb.band_d_equivalents",
              "ctb.band_d_equivalents_after_support")


def _columns(rows: Rows, log: ProblemLog) -> tuple[int, dict[str, int], int, int] | None:
    """(header row, {indicator id: column}, E-code column, ONS code column)."""
    head = next((i for i, r in enumerate(rows)
                 if r and isinstance(r[0], str) and r[0].strip().lower() == "e-code"), None)
    if head is None or head == 0:
        log.add(f"sheet {SHEET!r}: no header row starting 'E-code'.")
        return None
    titles, header = rows[head - 1], rows[head]
    starts = {}
    for j, cell in enumerate(titles):
        m = re.match(r"^Tab\w*\s+(\d\.\d\d)", str(cell or ""))
        if m:
            starts[m.group(1)] = j
    out: dict[str, int] = {}
    for table, (ind, by_band) in TABLES.items():
        if table not in starts:
            log.add(f"sheet {SHEET!r}: no 'Table {table}' above the headings on row {head}.",
                    head)
            continue
        j0 = starts[table]
        end = min([s for s in starts.values() if s > j0], default=len(header))
        labels = {" ".join(str(header[j]).split()).lower(): j for j in range(j0, end)
                  if header[j] is not None}
        wanted = {f"{ind}.band_{b.lower()}": f"band {b.lower()}" for b in BANDS} if by_band \
            else {}
        wanted[f"{ind}.total" if by_band else ind] = "total"
        for ind_id, label in wanted.items():
            if label not in labels:
                log.add(f"sheet {SHEET!r}: Table {table} has no {label.title()!r} column.",
                        head + 1)
            else:
                out[ind_id] = labels[label]
    cols = {" ".join(str(c).split()).lower(): j for j, c in enumerate(header[:6]) if c}
    if "ons code" not in cols:
        log.add(f"sheet {SHEET!r}: no 'ONS Code' column.", head + 1)
        return None
    return head, out, 0, cols["ons code"]


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    year = int(options.get("year", 2022))
    log = ProblemLog(source.file_name)
    batch = LoadBatch(source=source, problems=log)
    rows = read_workbook(path, [SHEET])[0][1]
    found = _columns(rows, log)
    catalogue = builtin_catalogue()
    batch.indicators = [catalogue[i] for i in INDICATORS]
    if found is None or log:
        return batch
    head, columns, ecode_col, ons_col = found
    known = options.get("register_codes", {})
    ecodes = options.get("ecode_to_gss", {})
    skipped: list[str] = []
    areas = set()
    for i in range(head + 1, len(rows)):
        row = rows[i]
        ecode = str(row[ecode_col] or "").strip()
        if not ECODE.match(ecode):
            continue
        ons = str(row[ons_col] or "").strip()
        code = ons if GSS.match(ons) and ons in known else (
            ecodes.get(ecode) or ECODES_IN_LATER_RETURNS.get(ecode))
        if code is None or (known and code not in known):
            skipped.append(f"{row[3]} ({ecode}, {ons or 'no ONS code'})")
            continue
        areas.add(code)
        for ind, j in columns.items():
            v = number(row[j]) if j < len(row) else None
            batch.observations.add(ind, code, calendar_year(year), v,
                                   status=None if v is not None else "missing",
                                   note=None if v is not None else f"cell shows {row[j]!r}",
                                   line=i + 1, column=f"{SHEET}!{column_letter(j)}")
    batch.messages.append(f"{len(batch.observations)} observations for {len(areas)} billing "
                          f"authorities (CTB {year}).")
    if skipped:
        batch.messages.append("Skipped (not in the place register): " + "; ".join(skipped))
    return batch
