"""Readers for MHCLG housing supply tables.

* :func:`read_net_additions`: Live Table 122 (``mhclg_live_table_122_net_additional_dwellings.ods``,
  sheet ``LT_122``): net additional dwellings by local authority district, 2001-02 to 2024-25,
  a column per financial year found by its heading (``2004-05 [note 1]``, ``2023-24 [r]``
  revised, ``2024-25 [p]`` provisional: kept in the note). ``[x]`` stays missing. England,
  region-like groups, metropolitan counties and county rows (sums of their districts) and the
  pre-2009 districts that are not in the place register are skipped and counted.
* :func:`read_delivery_test`: the Housing Delivery Test 2023 measurement
  (``mhclg_housing_delivery_test_2023.ods``): homes required and delivered in each of the three
  years, the measurement (delivered / required, as published: 0.81) and the consequence, an
  ORDINAL scale (unit ``hdt_consequence``: None, Action plan, Buffer, Presumption). The sheet
  has several sections (planning authorities; development corporations, skipped; joint plans,
  whose members carry the joint plan's figures; reorganised authorities scored jointly or at
  former boundaries, with their own years): each section's heading and year rows are read.
"""

from __future__ import annotations

import functools
import operator
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
from wholeplace.hub.loaders.workbook import column_letter, read_sheet
from wholeplace.hub.periods import calendar_year, parse_period
from wholeplace.hub.units import UNITS

NET = "housing.net_additional_dwellings"
_FY_HEAD = re.compile(r"^(\d{4}-\d{2})\s*(.*)$")
FLAGS = {"[r]": "revised", "[p]": "provisional"}


def read_net_additions(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    sheet = "LT_122"
    rows = read_sheet(path, sheet)
    header = find_header(rows, {"code": heading("current ons code"),
                                "name": heading("authority data")},
                         source.file_name, sheet, anchor="code")
    years = {}
    for c, v in enumerate(rows[header.row]):
        if v is not None and (m := _FY_HEAD.match(str(v).strip())):
            flags = [FLAGS[f] for f in FLAGS if f in m.group(2)]
            years[c] = (parse_period(m.group(1)), "; ".join(flags) or None)
    if not years:
        raise InputError(f"{source.file_name}, sheet {sheet!r}: no financial-year columns "
                         f"(such as 2001-02) in the heading row {header.row + 1}.")
    log = ProblemLog(source.file_name)
    batch = LoadBatch(source=source, problems=log)
    sieve = AreaSieve.from_options(options)
    counties = 0
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        code = first_text(row, header.columns["code"])
        if not code:
            continue
        kept = sieve.keep(code, first_text(row, header.columns["name"]))
        if kept is None:
            continue
        if sieve.tier(kept) == "upper":
            counties += 1  # a county's row is the sum of its districts
            continue
        for c, (period, flag) in years.items():
            letter = f"{sheet}!{column_letter(c)}"
            cell = published_value(row[c] if c < len(row) else None, log, r + 1, letter)
            note = "; ".join(filter(None, [cell.note, flag])) or None
            batch.observations.add(NET, kept, period, cell.value, status=cell.status,
                                   note=note, line=r + 1, column=letter)
    batch.indicators = [builtin_catalogue()[NET]]
    batch.messages += [
        (f"{len(batch.observations)} observations for "
        f"{len(set(batch.observations.cols['area_code']))} districts and unitary councils, "
        f"{len(years)} years; {counties} county rows (sums of their districts) skipped."),
        sieve.message()]
    return batch


# -- Housing Delivery Test ----------------------------------------------------------------------
HDT = {"required": "housing.hdt_homes_required", "delivered": "housing.hdt_homes_delivered",
       "measurement": "housing.hdt_measurement", "consequence": "housing.hdt_consequence"}
#: The consequence as the sheet writes it -> its grade (words: the unit's labels).
CONSEQUENCE = {"none": 1, "action plan": 2, "buffer": 3, "presumption": 4}


def read_delivery_test(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    sheet = "Sheet1"
    rows = read_sheet(path, sheet)
    log = ProblemLog(source.file_name)
    batch = LoadBatch(source=source, problems=log)
    sieve = AreaSieve.from_options(options)
    measured = calendar_year(2023)
    section, years, r = "Local Planning Authorities", {}, 0
    while r < len(rows):
        row, first = rows[r], first_text(rows[r], 0)
        if first == "ONS Code":
            years = _hdt_years(rows, r, source.file_name, sheet)
            r += 2
            continue
        if first and not re.match(r"^E\d{8}$", first):
            section = first if not first.lower().startswith(("notes", "housing delivery")) \
                else section
            r += 1
            continue
        if first and years and (code := sieve.keep(first, first_text(row, 1))):
            _hdt_row(batch, row, r, code, years, measured, section, log, sheet)
        r += 1
    if not batch.observations.cols["indicator_id"]:
        raise InputError(f"{source.file_name}, sheet {sheet!r}: no 'ONS Code' heading row with "
                         "council rows under it. Is this the Housing Delivery Test table?")
    catalogue = builtin_catalogue()
    batch.indicators = [catalogue[i] for i in HDT.values()]
    batch.messages += [(f"{len(batch.observations)} observations for "
                       f"{len(set(batch.observations.cols['area_code']))} planning authorities."),
                       sieve.message()]
    return batch


def _hdt_years(rows, r: int, file: str, sheet: str) -> dict[str, list[tuple[int, object]]]:
    """The columns of one section: required and delivered per year, measurement, consequence."""
    head, sub = rows[r], rows[r + 1] if r + 1 < len(rows) else []
    texts = [str(v).strip().lower() if v is not None else "" for v in head]
    try:
        req = texts.index("number of homes required")
        dlv = texts.index("number of homes delivered")
        meas = next(c for c, t in enumerate(texts) if t.endswith("measurement"))
        cons = next(c for c, t in enumerate(texts) if t.endswith("consequence"))
    except (ValueError, StopIteration):
        raise InputError(f"{file}, sheet {sheet!r}, row {r + 1}: the heading row lacks one of "
                         "'Number of homes required', 'Number of homes delivered', the "
                         "measurement or the consequence column.") from None
    out: dict[str, list[tuple[int, object]]] = {"required": [], "delivered": []}
    for key, start in (("required", req), ("delivered", dlv)):
        for c in range(start, start + 3):
            label = str(sub[c]).strip() if c < len(sub) and sub[c] is not None else ""
            out[key].append((c, parse_period(label)))
    out["measurement"], out["consequence"] = [(meas, None)], [(cons, None)]
    return out


def _hdt_row(batch: LoadBatch, row: list, r: int, code: str, years: dict, measured,
             section: str, log: ProblemLog, sheet: str) -> None:
    note = None if section == "Local Planning Authorities" else section
    for key in ("required", "delivered", "measurement"):
        for c, period in years[key]:
            letter = f"{sheet}!{column_letter(c)}"
            cell = published_value(row[c] if c < len(row) else None, log, r + 1, letter)
            batch.observations.add(HDT[key], code, period or measured, cell.value,
                                   status=cell.status,
                                   note="; ".join(filter(None, [cell.note, note])) or None,
                                   line=r + 1, column=letter)
    c = years["consequence"][0][0]
    letter = f"{sheet}!{column_letter(c)}"
    text = first_text(row, c)
    grade = CONSEQUENCE.get(text.lower())
    if text and grade is None:
        log.add(f"Unknown consequence {text!r}; expected one of "
                f"{', '.join(CONSEQUENCE)}.",
                r + 1, letter)
    batch.observations.add(
        HDT["consequence"], code, measured, float(grade) if grade else None,
        status=None if grade else "missing",
        note="; ".join(filter(None, [UNITS["hdt_consequence"].label_of(grade) if grade else
                                     text or "blank in the published file (no measurement)",
                                     note])), line=r + 1, column=letter)


# -- planning decisions (P124A) -----------------------------------------------------------------
#: heading (as published, lower case) -> indicator id
PLANNING = {
    "major decisions: total": "planning.decisions_major",
    "major decisions: dwellings": "planning.decisions_major_dwellings",
    "minor decisions: total": "planning.decisions_minor",
    "minor decisions: dwellings": "planning.decisions_minor_dwellings",
    "other decisions: householder developments": "planning.decisions_householder",
    "other decisions: total": "planning.decisions_other",
    "total decisions: grand total": "planning.decisions_total",
}
PLANNING_NOTE = "decisions in the 12 months to 30 September 2025 (stored on that day)"


def read_planning_decisions(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    """Live table P124A: planning decisions by development type per district planning authority,
    year ending September 2025 (``mhclg_planning_live_tables_to_sep_2025.ods``)."""
    sheet = "LT_P124A"
    rows = read_sheet(path, sheet)
    wanted = {i: functools.partial(operator.eq, h) for h, i in PLANNING.items()}
    header = find_header(rows, {"code": lambda t: t == "ons code", **wanted},
                         source.file_name, sheet, anchor="code")
    log = ProblemLog(source.file_name)
    batch = LoadBatch(source=source, problems=log)
    sieve = AreaSieve.from_options(options)
    day = parse_period("2025-09-30")
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        code = first_text(row, header.columns["code"])
        if not code or (kept := sieve.keep(code, first_text(row, 0))) is None:
            continue
        for ind in PLANNING.values():
            c = header.columns[ind]
            letter = f"{sheet}!{column_letter(c)}"
            cell = published_value(row[c] if c < len(row) else None, log, r + 1, letter)
            batch.observations.add(ind, kept, day, cell.value, status=cell.status,
                                   note="; ".join(filter(None, [cell.note, PLANNING_NOTE])),
                                   line=r + 1, column=letter)
    catalogue = builtin_catalogue()
    batch.indicators = [catalogue[i] for i in PLANNING.values()]
    batch.messages += [(f"{len(batch.observations)} observations for "
                       f"{len(set(batch.observations.cols['area_code']))} planning authorities."),
                       sieve.message()]
    return batch
