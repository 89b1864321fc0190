"""Reader for the MHCLG / DLUHC Council Tax Requirement (CTR) returns by authority.

Two layouts, one reader: the ``CTR_YYYY-YY_by_LA.xlsx`` workbooks (sheet ``Data``: a header
row starting ``Ecode``, the year of each two-year column in the row below it, billing
authorities first, then precepting authorities, from 2020-21 under a header of their own), and
``CTR_Table_9_2023-24.ods`` (sheets ``Data_Billing`` and ``Data_Precepting``, one header row,
each column marked "(previous year)" or "(current year)"). Columns are found by the words of
their headings (the form's line numbers changed between years), never by position.

Each file holds the year it was published for and the prior year (lines 1 to 9 of the form);
the prior year's figures are loaded too, as that file's (later) release of the prior year, so
the two releases of a year coexist and "as published on" a date answers from the one then out.

Authorities are mapped to GSS codes by the file's ONS code where it has one (2020-21 on) and
the register is known to hold it, else by E-code through the register. Police, fire and other
precepting bodies are not in the place register: their own rows are skipped (and listed in the
batch messages); the Band D they charge is kept on each billing authority's row, as charged in
that area (``ctr.band_d.police`` and so on), never under an invented code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.loaders.workbook import Rows, column_letter, read_workbook, sheet_names
from wholeplace.hub.periods import financial_year

BILLING_CLASSES = frozenset({"ILB", "OLB", "MD", "UA", "SD"})
LONDON_CLASSES = frozenset({"ILB", "OLB"})
#: Classes of authority that set an adult social care precept.
ASC_CLASSES = frozenset({"ILB", "OLB", "MD", "UA", "SC"})
#: A precepting authority's own Band D -> the indicator it is kept under on its own code.
OWN_BAND_D = {"SC": "ctr.band_d.county", "GLA": "ctr.band_d.gla",
              "CA": "ctr.band_d.combined_authority"}
#: The major preceptors' columns (sub-heading) -> indicator on the billing authority's row.
PRECEPTORS = {"county or gla": "county_or_gla", "police": "ctr.band_d.police",
              "fire": "ctr.band_d.fire", "combined authority": "ctr.band_d.combined_authority"}

INDICATORS = (
    "ctr.band_d.area", "ctr.band_d.billing", "ctr.band_d.billing_incl_parish",
    "ctr.band_d.parish_average", "ctr.band_d.county", "ctr.band_d.police", "ctr.band_d.fire",
    "ctr.band_d.gla", "ctr.band_d.combined_authority", "ctr.band_d.adult_social_care",
    "ctr.tax_base", "ctr.collection_rate", "ctr.requirement",
)

#: E-codes the place register has no GSS code for (councils created in 2019, combined
#: authorities), paired as the publisher pairs them: the E-code and ONS code columns of the
#: CTR 2020-21 and 2021-22 files (same pairs in both), so that 2018-19 and 2019-20, which have
#: no ONS code column, map too.
ECODES_IN_LATER_RETURNS = {
    "E1204": "E06000058", "E1203": "E06000059", "E3538": "E07000244", "E3539": "E07000245",
    "E3336": "E07000246", "E6356": "E47000008", "E6349": "E47000004", "E6358": "E47000011",
    "E6350": "E47000002", "E6355": "E47000006", "E6346": "E47000007",
}

ECODE = re.compile(r"^E\d{4}$")
GSS = re.compile(r"^E\d{8}$")
YEAR_LABEL = re.compile(r"^(\d{4})-(\d{2})$")
PARISH_NOTE = ("derived by wholeplace: the average Band D including parish precepts minus the "
               "average Band D excluding them, both as published")


def _norm(text: object) -> str:
    """A heading in lower case, whitespace collapsed, without its form line number."""
    s = " ".join(str(text).replace("\u2019", "'").split()).lower().lstrip("'")
    return re.sub(r"^\d+[a-z]?\.\s*", "", s)


def _measure(label: str) -> str | None:
    """Which measure a normalised heading is, or None if this reader does not load it."""
    tests: list[tuple[str, Callable[[str], bool]]] = [
        ("area", lambda n: n.startswith("average (band d") and "for area of the billing" in n),
        ("own_band_d", lambda n: n.startswith("average (band d")
         and "of major precepting authority" in n),
        ("billing", lambda n: n.startswith("average (band d")
         and "excluding local precepts" in n),
        ("billing_incl_parish", lambda n: n.startswith("average (band d")
         and "local precepts" in n),
        ("preceptors", lambda n: n.startswith("average council tax of major precepting")),
        ("requirement", lambda n: n.startswith("council tax requirement") and (
            "excluding local precepts" in n or "local precepts" not in n)),
        ("tax_base", lambda n: n.startswith(("council tax base for council tax setting",
                                             "council tax base for the major precepting"))),
        ("collection_rate", lambda n: n.startswith("estimated collection rate")),
        ("asc", lambda n: n.startswith(("adult social care precept element of",
                                        "adult social care precept as an element of the incr"))),
        ("ons", lambda n: n == "ons code"),
        ("authority", lambda n: n == "authority"),
        ("class", lambda n: n == "class"),
    ]
    return next((key for key, test in tests if test(label)), None)


@dataclass
class Layout:
    """Where each measure is in one block of rows: (measure, slot) -> 0-based column."""

    header_row: int
    columns: dict[tuple[str, str], int] = field(default_factory=dict)

    def col(self, measure: str, slot: str = "current") -> int | None:
        return self.columns.get((measure, slot))


def _slot(label: str, sub: object, offset: int, year: int) -> str:
    """Which year (or preceptor) a column of a heading group holds."""
    if "(previous year)" in label:
        return "prior"
    if "(current year)" in label:
        return "current"
    named = re.search(r"\(([a-z ]+)\)$", label)
    if named and named.group(1) in PRECEPTORS:
        return PRECEPTORS[named.group(1)]
    sub_n = _norm(sub) if sub is not None else ""
    m = YEAR_LABEL.match(sub_n)
    if m:
        return "current" if int(m.group(1)) == year else (
            "prior" if int(m.group(1)) == year - 1 else f"year {sub_n}")
    if sub_n in PRECEPTORS:
        return PRECEPTORS[sub_n]
    # a precepting block with no row of years: prior year first, then the current year
    return {0: "prior", 1: "current"}.get(offset, f"column {offset}")


def layout(rows: Rows, header_row: int, year: int) -> Layout:
    """The columns of a block whose headings are on ``header_row`` (years one row below in the
    xlsx layout). The first column found for a (measure, slot) wins: later columns with similar
    headings are the reorganising-authority extras."""
    head = rows[header_row]
    sub = rows[header_row + 1] if header_row + 1 < len(rows) else []
    out = Layout(header_row)
    label, start = "", 0
    for j, cell in enumerate(head):
        if cell is not None:
            label, start = _norm(cell), j
        measure = _measure(_strip_marks(label)) if label else None
        if measure is None:
            continue
        if measure in ("ons", "authority", "class", "area", "asc"):
            slot = "prior" if "(previous year)" in label else "current"
        else:
            slot = _slot(label, sub[j] if j < len(sub) else None, j - start, year)
        out.columns.setdefault((measure, slot), j)
    return out


def _strip_marks(label: str) -> str:
    return label.replace("(previous year)", "").replace("(current year)", "").strip()


def _is_header(row: list) -> bool:
    return bool(row) and isinstance(row[0], str) and _norm(row[0]) in ("ecode", "e-code")


def number(cell: object) -> float | None:
    """A published number, or None for an empty, '-', '[x]' (not submitted), '[z]' (not
    applicable) or other text cell."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    if isinstance(cell, str) and re.fullmatch(r"-?\d+(\.\d+)?", cell.strip()):
        return float(cell)
    return None


REQUIRED = {
    "billing": ("requirement", "tax_base", "collection_rate", "billing", "billing_incl_parish",
                "area", "preceptors"),
    "precepting": ("requirement", "tax_base"),
}


def _check(lay: Layout, kind: str, year: int, log: ProblemLog, sheet: str) -> bool:
    """Every measure the block must have; a problem for each one missing."""
    ok = True
    for measure in REQUIRED[kind]:
        if measure == "preceptors":
            found = any(m == "preceptors" for m, _ in lay.columns)
        elif measure == "area":
            found = lay.col("area") is not None
        else:
            found = lay.col(measure, "current") is not None
        if not found:
            ok = False
            log.add(f"sheet {sheet!r}: no column for {measure.replace('_', ' ')} "
                    f"({year}-{(year + 1) % 100:02d}) under the headings on row "
                    f"{lay.header_row + 1}. Is this the CTR 'data by LA' table?",
                    lay.header_row + 1)
    if kind == "billing" and year >= 2016 and lay.col("asc") is None:
        ok = False
        log.add(f"sheet {sheet!r}: no column for the adult social care precept element "
                "(published from 2016-17).", lay.header_row + 1)
    if lay.col("authority") is None and lay.col("class") is None:
        ok = False
        log.add(f"sheet {sheet!r}: no 'Authority' or 'Class' column.", lay.header_row + 1)
    return ok


@dataclass
class Tally:
    """What the reader skipped, for the batch messages."""

    not_in_register: list[str] = field(default_factory=list)
    zeros: int = 0
    aggregates: int = 0


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    """Read one CTR workbook; ``options['year']`` is the start year of its current year."""
    year = int(options["year"])
    log = ProblemLog(source.file_name)
    batch = LoadBatch(source=source, problems=log)
    tally = Tally()
    for sheet, rows, blocks in _blocks(path, year, log):
        for kind, lay, first, last in blocks:
            if not _check(lay, kind, year, log, sheet):
                continue
            for i in range(first, last):
                _row(batch, rows[i], i, kind, lay, year, options, tally, sheet)
    catalogue = builtin_catalogue()
    batch.indicators = [catalogue[i] for i in INDICATORS]
    areas = len(set(batch.observations.cols["area_code"]))
    batch.messages.append(
        f"{len(batch.observations)} observations for {areas} authorities, "
        f"{year - 1}-{year % 100:02d} (this file's release of the prior year) and "
        f"{year}-{(year + 1) % 100:02d}.")
    if tally.not_in_register:
        batch.messages.append(
            f"Skipped {len(tally.not_in_register)} authorities that are not in the place "
            "register (their Band D is kept on each billing authority's row as charged in its "
            "area): " + "; ".join(sorted(tally.not_in_register)) + ".")
    batch.messages.append(
        f"Not stored: {tally.zeros} zero cells (a preceptor the area does not have, or a year "
        f"before the authority existed), and {tally.aggregates} class or England totals.")
    return batch


def _blocks(path: Path, year: int, log: ProblemLog):
    """(sheet, rows, [(kind, layout, first data row, end row)]) for each data sheet."""
    names = sheet_names(path)
    if "Data_Billing" in names or "Data_Precepting" in names:
        for (sheet, rows), kind in zip(read_workbook(path, ["Data_Billing", "Data_Precepting"]),
                                       ("billing", "precepting"), strict=True):
            heads = [i for i, r in enumerate(rows) if _is_header(r)]
            if not heads:
                log.add(f"sheet {sheet!r}: no header row starting 'E-code'.")
                continue
            yield sheet, rows, [(kind, layout(rows, heads[0], year), heads[0] + 1, len(rows))]
        return
    sheet, rows = read_workbook(path, ["Data"])[0]
    heads = [i for i, r in enumerate(rows) if _is_header(r)]
    if not heads:
        log.add(f"sheet {sheet!r}: no header row starting 'Ecode'.")
        return
    marker = next((i for i, r in enumerate(rows)
                   if r and isinstance(r[0], str) and _norm(r[0]) == "precepting authorities"),
                  len(rows))
    yield sheet, rows, _xlsx_blocks(rows, heads, marker, year)


def _xlsx_blocks(rows: Rows, heads: list[int], marker: int, year: int) -> list:
    """Billing rows up to the 'Precepting authorities' marker, precepting rows after it (under
    their own header if the sheet has a second one, else under the billing header)."""
    billing = layout(rows, heads[0], year)
    second = next((h for h in heads[1:] if h > marker), None)
    precepting = layout(rows, second, year) if second else billing
    start = (second + 1) if second else marker
    return [("billing", billing, heads[0] + 2, marker),
            ("precepting", precepting, start, len(rows))]


def _row(batch: LoadBatch, row: list, i: int, kind: str, lay: Layout, year: int,
         options: dict, tally: Tally, sheet: str) -> None:
    ecode = row[0].strip() if isinstance(row[0], str) else None
    if ecode is None or not ECODE.match(ecode):
        if ecode:
            tally.aggregates += 1
        return
    cls = _text(row, lay.col("class")) or ""
    name = _text(row, lay.col("authority")) or ecode
    code = _area(row, lay, ecode, options)
    if code is None:
        tally.not_in_register.append(f"{name} ({ecode}, {cls or 'class not given'})")
        return
    is_billing = kind == "billing" and cls in BILLING_CLASSES
    add = _adder(batch, row, i, code, sheet, tally)
    for slot, fy in (("prior", year - 1), ("current", year)):
        add("ctr.requirement", lay.col("requirement", slot), fy, scale=0.001)
        add("ctr.tax_base", lay.col("tax_base", slot), fy)
        if is_billing:
            rate = lay.col("collection_rate", slot)
            add("ctr.collection_rate", rate, fy, percent=True)
            excl = add("ctr.band_d.billing", lay.col("billing", slot), fy)
            incl = add("ctr.band_d.billing_incl_parish", lay.col("billing_incl_parish", slot),
                       fy)
            if excl is not None and incl is not None and incl >= excl:
                batch.observations.add("ctr.band_d.parish_average", code, financial_year(fy),
                                       round(incl - excl, 2), status="derived",
                                       note=PARISH_NOTE, source_area_code=code, line=i + 1)
        elif cls in OWN_BAND_D:
            own = lay.col("own_band_d", slot) or lay.col("billing", slot)
            add(OWN_BAND_D[cls], own, fy)
    if is_billing:
        add("ctr.band_d.area", lay.col("area"), year)
        for (measure, slot), j in lay.columns.items():
            if measure != "preceptors":
                continue
            ind = slot if slot != "county_or_gla" else (
                "ctr.band_d.gla" if cls in LONDON_CLASSES else "ctr.band_d.county")
            add(ind, j, year)
    if cls in ASC_CLASSES:
        add("ctr.band_d.adult_social_care", lay.col("asc"), year, zero_ok=True)


def _adder(batch: LoadBatch, row: list, i: int, code: str, sheet: str, tally: Tally):
    """A function adding one cell of ``row`` as an observation; a zero is not stored (a
    preceptor the area does not have, or a year before the authority existed), except for the
    adult social care precept, where 0 means the authority raised none that year."""

    def add(ind: str, j: int | None, fy: int, *, scale: float = 1.0, percent: bool = False,
            zero_ok: bool = False) -> float | None:
        if j is None or j >= len(row):
            return None
        value = number(row[j])
        if value is None:
            return None
        if value == 0 and not zero_ok:
            tally.zeros += 1
            return None
        if percent and value <= 1:
            value *= 100  # the later files publish the rate as a fraction (0.97)
        batch.observations.add(ind, code, financial_year(fy), round(value * scale, 6),
                               source_area_code=code, line=i + 1,
                               column=f"{sheet}!{column_letter(j)}")
        return value
    return add


def _text(row: list, j: int | None) -> str | None:
    if j is None or j >= len(row) or row[j] is None:
        return None
    return " ".join(str(row[j]).split())


def _area(row: list, lay: Layout, ecode: str, options: dict) -> str | None:
    """The GSS code: the file's ONS code if the register has it, else the E-code's."""
    known = options.get("register_codes", {})
    ons = _text(row, lay.col("ons"))
    if ons and GSS.match(ons) and ons in known:
        return ons
    code = options.get("ecode_to_gss", {}).get(ecode) or ECODES_IN_LATER_RETURNS.get(ecode)
    return code if code in known or not known else None
