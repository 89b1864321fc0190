"""MHCLG local authority borrowing and investment live table (QB4, 2013-14 to 2019-20).

The workbook has one borrowing sheet and one investment sheet per year-end: 'LA Borrowing 13-14'
... 'LA Borrowing 17-18' (31 March of each year), then quarterly sheets for 2018-19 and 2019-20
('LA Borrowing 18-19 Q1' ... 'LA Borrowing 19-20 Q4'), of which only the Q4 sheets (31 March)
are read, so every year is the same year-end stock. Each sheet says its date in its first cell
('... as at 31 March 2020, UK'); that date, not the sheet name, gives the financial year.

Columns are found by their labels in the first header row (the row whose first cell is 'LGF
code'). A second header row further down repeats them, but in 2013-14 it swaps 'Country' and
'Class of authority', so it is not used. The first rows are UK and country totals; authorities
follow, keyed by the LGF code (the MHCLG E-code for English authorities: E2221 Kent). Rows whose
code is not an E-code in the place register (Scottish, Welsh and Northern Irish councils,
police, fire, transport and other bodies) are skipped and counted; a council created since 2019
or a combined authority, which the register gives no E-code, is matched by the ONS code column
of the second header row where the sheet has one (2017-18 onward).

Indicators (£ thousand as published; period = the financial year ending on the sheet's date):

* ``debt.borrowing.pwlb``: 'Loans Longer-term - PWLB' (the Public Works Loan Board);
* ``debt.borrowing.banks``: short-term plus longer-term loans from banks in the UK;
* ``debt.borrowing.local_authorities``: short-term plus longer-term loans from other
  local authorities;
* ``debt.borrowing.bonds``: negotiable bonds and commercial paper plus other stock issues;
* ``debt.borrowing.other``: every other borrowing column (building societies, other financial
  intermediaries, public corporations, private non-financial corporations, central
  government, households, other sources; short and longer term);
* ``debt.borrowing.total``: the sum of every borrowing column;
* ``debt.borrowing.short_term``: the sum of the short-term columns;
* ``debt.investments.total``: the sum of every investment column.

Each sum is of the published cells, and is missing when any of its cells is. The derived
``debt.<x>.pct_nre`` twins (:data:`PCT_NRE`) are computed in the hub, from the same year's
``rs.net_revenue_expenditure``, see :mod:`wholeplace.hub.derived`.
"""

from __future__ import annotations

import re
from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, ObservationFrame, SourceInfo
from wholeplace.hub.loaders.revenue_outturn import cell_number
from wholeplace.hub.loaders.rs_lines import norm
from wholeplace.hub.loaders.workbook import column_letter, read_workbook
from wholeplace.hub.periods import financial_year

_SHEET = re.compile(r"la (borrowing|investments?) (\d\d)-(\d\d)( q4)?$")
_DATE = re.compile(r"as at 31(?:st)? march (\d{4})")

#: Borrowing indicator -> the column labels (normalised, footnote marks removed) it sums.
BORROWING: dict[str, tuple[str, ...]] = {
    "debt.borrowing.pwlb": ("loans longer-term - pwlb",),
    "debt.borrowing.banks": ("loans short term - banks in uk", "loans longer-term - banks in uk"),
    "debt.borrowing.local_authorities": ("short term loans local authorities",
                                         "longer term loans local authorities"),
    "debt.borrowing.bonds": ("securities - negotiable bonds & commercial paper",
                             "securities - other stock issues"),
}
_OTHER = tuple(f"loans {t} - {who}" for t in ("short term", "longer-term") for who in (
    "building societies", "other financial intermediaries", "public corporations",
    "private non-financial corporations", "central government", "households sector",
    "other sources"))
BORROWING["debt.borrowing.other"] = _OTHER
BORROWING["debt.borrowing.total"] = tuple(c for cols in list(BORROWING.values()) for c in cols)
BORROWING["debt.borrowing.short_term"] = tuple(
    c for c in BORROWING["debt.borrowing.total"] if "short term" in c)

INVESTMENT_COLUMNS = ("deposits: banks", "deposits: building societies", "treasury bills",
                      "certificates of deposit: banks",
                      "certificates of deposit: building societies",
                      "british government (gilt-edge) securities",
                      "other financial intermediaries", "public corporations",
                      "debt management account deposit facility", "money market funds",
                      "externally managed funds", "other investments",
                      "loans local government")

#: The debt indicators that get a "% of net revenue expenditure" twin.
PCT_NRE = ("debt.borrowing.total", "debt.borrowing.pwlb", "debt.investments.total")


def _label(value: object) -> str:
    return re.sub(r"\s*\([a-z]\)$", "", norm(value))


def _header(rows: list[list]) -> int | None:
    for r, row in enumerate(rows[:20]):
        if row and norm(row[0]) == "lgf code":
            return r
    return None


def year_end_sheets(sheets: list[tuple[str, list[list]]]) -> list[tuple[str, str, list[list]]]:
    """(kind, sheet name, rows) of the year-end sheets: borrowing/investment, annual or Q4."""
    out = []
    for name, rows in sheets:
        m = _SHEET.fullmatch(norm(name))
        if m is None:
            continue
        quarterly = any(norm(n).startswith(f"la {m.group(1)} {m.group(2)}-{m.group(3)} q")
                        for n, _ in sheets)
        if quarterly and not m.group(4):
            continue
        out.append(("borrowing" if m.group(1) == "borrowing" else "investments", name, rows))
    return out


class _Sheet:
    """One year-end sheet: its date, header and the columns of each indicator."""

    def __init__(self, kind: str, name: str, rows: list[list], log: ProblemLog):
        self.kind, self.name, self.rows = kind, name, rows
        title = norm(rows[0][0]) if rows and rows[0] else ""
        m = _DATE.search(title)
        self.year = int(m.group(1)) - 1 if m else None
        if self.year is None:
            log.add(f"Sheet {name!r}: the first cell does not say 'as at 31 March YYYY' "
                    f"({title[:80]!r}); the year-end cannot be known.", 1, None)
        self.header = _header(rows)
        labels = [_label(v) for v in rows[self.header]] if self.header is not None else []
        self.col = {lab: c for c, lab in reversed(list(enumerate(labels))) if lab}
        # 'ONS code' is only in the second header row (2017-18 onward).
        self.ons_col = next((c for row in rows[:20] if row and norm(row[0]) == "lgf code"
                             for c, v in enumerate(row) if norm(v) == "ons code"), None)
        wanted = (BORROWING if kind == "borrowing"
                  else {"debt.investments.total": INVESTMENT_COLUMNS})
        self.indicators = wanted
        missing = sorted({c for cols in wanted.values() for c in cols} - set(self.col))
        if self.header is None:
            log.add(f"Sheet {name!r}: no header row starting 'LGF code'.", None, None)
        elif missing:
            log.add(f"Sheet {name!r}: no column for {', '.join(repr(m) for m in missing)} in "
                    "the header row. The layout may have changed.", self.header + 1, None)

    def values(self, r: int, log: ProblemLog) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        row = self.rows[r]
        for ind, cols in self.indicators.items():
            total: float | None = 0.0
            for lab in cols:
                c = self.col[lab]
                value, _, ok = cell_number(row[c] if c < len(row) else None)
                if not ok:
                    log.add(f"Sheet {self.name!r}, column {column_letter(c)}: "
                            f"{row[c]!r} is not a number.", r + 1, lab)
                total = None if value is None or total is None else total + value
            out[ind] = total
        return out


def read_borrowing_investment(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    """Read the borrowing and investment live table (year-end stocks, every year in it)."""
    log = ProblemLog(source.file_name)
    sheets = [_Sheet(k, n, rows, log) for k, n, rows in year_end_sheets(read_workbook(Path(path)))]
    if not sheets:
        log.add("No 'LA Borrowing YY-YY' or 'LA Investments YY-YY' sheets were found. Is this "
                "the MHCLG borrowing and investment live table?", None, None)
    log.raise_if_any(f"{source.file_name}: the layout could not be read, so nothing was loaded.")
    ecode_to_gss = {k.upper(): v for k, v in (options.get("ecode_to_gss") or {}).items()}
    register = options.get("register_codes") or {}
    with_ecode = set(ecode_to_gss.values())
    frame, skipped, years = ObservationFrame(), 0, set()
    for sheet in sheets:
        period = financial_year(sheet.year)  # type: ignore[arg-type]
        years.add(period.label)
        ons_col = sheet.ons_col
        for r in range(sheet.header + 1, len(sheet.rows)):  # type: ignore[operator]
            row = sheet.rows[r]
            code = norm(row[0] if row else None).upper()
            ons = norm(row[ons_col]).upper() if ons_col is not None and ons_col < len(row) \
                else ""
            gss = ecode_to_gss.get(code) or (
                ons if ons in register and ons not in with_ecode else None)
            if gss is None:
                skipped += 1 if code and code != "LGF CODE" else 0
                continue
            for ind, value in sheet.values(r, log).items():
                frame.add(ind, gss, period, value, line=r + 1, column=sheet.name)
    messages = [(f"Year-end borrowing and investment for {', '.join(sorted(years))} from "
                f"{len(sheets)} sheets (2018-19 and 2019-20: the Q4 sheets, 31 March)."),
                (f"Skipped {skipped} rows of authorities not in the place register (outside "
                "England, police, fire, transport, parks and other bodies) or of totals.")]
    return LoadBatch(source=source, observations=frame, problems=log, messages=messages)
