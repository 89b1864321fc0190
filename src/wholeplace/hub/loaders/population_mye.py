"""Readers for the ONS mid-year population estimate workbooks (MYE tables, 2023 boundaries).

``read_mye23`` (``ons_mye23_tables_ew.xlsx``, England and Wales, mid-2023, published 15 July
2024): all-ages totals mid-2011 to mid-2023 (MYE4), age bands for mid-2023 from the single years
of MYE2 - Persons, density (MYE5) and median age (MYE6), mid-2011 to mid-2023.
``read_mye22`` (``ons_mye22_final_uk.xlsx``, UK, mid-2022, published 26 March 2024): age bands and
the all-ages total for mid-2022 from MYE2 - Persons.

Each sheet's header row starts ``Code``; columns are found by their headings (``Mid-2019``,
``All ages``, ``0`` ... ``90+``, ``2019 people per sq. km``). Only codes in the place register
are kept (regions, metropolitan counties, Wales, Scotland and Northern Ireland are counted in the
batch messages). Age bands: 0-17, 18-64 and 65+ (65 to 89 plus the 90+ group), as the first
bundle's, and 85+ (85 to 89 plus 90+), each the sum of the published single years.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.loaders.council_tax import number
from wholeplace.hub.loaders.population import SHARE_65, _add_shares
from wholeplace.hub.loaders.workbook import Rows, column_letter, read_workbook
from wholeplace.hub.periods import mid_year

PERSONS = "MYE2 - Persons"
ALL_AGES = "population.all_ages"
#: Indicator -> (first single year, last single year or None for "and the 90+ group").
BANDS = {
    "population.age_0_17": (0, 17),
    "population.age_18_64": (18, 64),
    "population.age_65_plus": (65, None),
    "population.age_85_plus": (85, None),
}
DENSITY = "population.density"
MEDIAN_AGE = "population.median_age"
REBASED = ("as published in the mid-2023 release (ONS's revised series consistent with Census "
           "2021), not the original estimate rolled forward from Census 2011")
Counts = dict[tuple[str, int], dict[str, tuple[float | None, int]]]


def _header(rows: Rows, sheet: str, log: ProblemLog) -> tuple[int, dict[str, int]] | None:
    """The header row (first cell 'Code') and its normalised headings -> column."""
    for i, r in enumerate(rows):
        if r and isinstance(r[0], str) and r[0].strip().lower() == "code":
            return i, {" ".join(str(c).split()).lower(): j for j, c in enumerate(r)
                       if c is not None}
    log.add(f"sheet {sheet!r}: no header row starting 'Code'.")
    return None


def _need(cols: dict[str, int], names: Iterable[str], sheet: str, row: int,
          log: ProblemLog) -> bool:
    missing = [n for n in names if n not in cols]
    for n in missing:
        log.add(f"sheet {sheet!r}: no column headed {n!r}.", row + 1)
    return not missing


class _Reader:
    """Shared state of one workbook's read: the batch, the register and what was skipped."""

    def __init__(self, path: Path, source: SourceInfo, options: dict) -> None:
        self.path = path
        self.log = ProblemLog(source.file_name)
        self.batch = LoadBatch(source=source, problems=self.log)
        self.known: dict[str, str] = options.get("register_codes", {})
        self.skipped: set[str] = set()
        self.counts: Counts = {}

    def areas(self, rows: Rows, head: int) -> Iterable[tuple[int, str, list]]:
        """(row index, code, row) for every data row whose code is in the register."""
        for i in range(head + 1, len(rows)):
            code = str(rows[i][0] or "").strip()
            if not re.match(r"^[EWSNK]\d{8}$", code):
                continue
            if self.known and code not in self.known:
                self.skipped.add(code)
                continue
            yield i, code, rows[i]

    def add(self, ind: str, code: str, year: int, cell: object, i: int, j: int, sheet: str,
            note: str | None = None) -> None:
        value = number(cell)
        self.batch.observations.add(
            ind, code, mid_year(year), value, note=note if value is not None else
            f"cell shows {cell!r}", line=i + 1, column=f"{sheet}!{column_letter(j)}")
        if ind == ALL_AGES or ind in BANDS:
            self.counts.setdefault((code, year), {})[ind] = (value, i + 1)

    def age_bands(self, rows: Rows, year: int, all_ages: bool) -> None:
        found = _header(rows, PERSONS, self.log)
        if found is None:
            return
        head, cols = found
        ages = [str(a) for a in range(90)] + ["90+"]
        if not _need(cols, ["all ages", *ages], PERSONS, head, self.log):
            return
        for i, code, row in self.areas(rows, head):
            if all_ages:
                self.add(ALL_AGES, code, year, row[cols["all ages"]], i, cols["all ages"],
                         PERSONS)
            for ind, (lo, hi) in BANDS.items():
                picked = [row[cols[a]] for a in (ages[lo:hi + 1] if hi is not None
                                                  else ages[lo:])]
                values = [number(c) for c in picked]
                total = None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]
                self.batch.observations.add(
                    ind, code, mid_year(year), total, line=i + 1,
                    column=f"{PERSONS}!{column_letter(cols[ages[lo]])}",
                    note=None if total is not None else "a single year of age is missing",
                    status=None if total is not None else "missing")
                self.counts.setdefault((code, year), {})[ind] = (total, i + 1)

    def finish(self, indicators: Iterable[str]) -> LoadBatch:
        _add_shares(self.batch, self.counts)
        catalogue = builtin_catalogue()
        self.batch.indicators = [catalogue[i] for i in sorted({*indicators, SHARE_65})]
        cols = self.batch.observations.cols
        years = sorted({p for p in cols["period"]})
        self.batch.messages.append(
            f"{len(self.batch.observations)} observations for "
            f"{len(set(cols['area_code']))} areas in the register, {years[0]} to {years[-1]}."
            if years else "No observations.")
        if self.skipped:
            kinds = sorted({c[:3] for c in self.skipped})
            self.batch.messages.append(
                f"Skipped {len(self.skipped)} codes not in the place register (countries, "
                f"regions, metropolitan counties, Wales, Scotland, Northern Ireland): code "
                f"prefixes {', '.join(kinds)}.")
        return self.batch


def read_mye23(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    r = _Reader(path, source, options)
    sheets = dict(read_workbook(path, [PERSONS, "MYE4", "MYE5", "MYE6"]))
    year = int(options.get("year", 2023))
    _series(r, sheets["MYE4"], "MYE4", ALL_AGES, r"^mid-(\d{4})$")
    _series(r, sheets["MYE5"], "MYE5", DENSITY, r"^(\d{4}) people per sq\. ?km2?$")
    _series(r, sheets["MYE6"], "MYE6", MEDIAN_AGE, r"^mid-(\d{4})$")
    r.age_bands(sheets[PERSONS], year, all_ages=False)
    return r.finish([ALL_AGES, *BANDS, DENSITY, MEDIAN_AGE])


def read_mye22(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    r = _Reader(path, source, options)
    r.age_bands(read_workbook(path, [PERSONS])[0][1], int(options.get("year", 2022)),
                all_ages=True)
    return r.finish([ALL_AGES, *BANDS])


def _series(r: _Reader, rows: Rows, sheet: str, ind: str, pattern: str) -> None:
    """One value per area and mid-year 2011 to 2023, from the columns whose heading matches
    ``pattern`` (its group: the year)."""
    found = _header(rows, sheet, r.log)
    if found is None:
        return
    head, cols = found
    by_year = {int(m.group(1)): j for h, j in cols.items() if (m := re.match(pattern, h))}
    missing = [y for y in range(2011, 2024) if y not in by_year]
    if missing:
        r.log.add(f"sheet {sheet!r}: no column for mid-{', mid-'.join(map(str, missing))} "
                  f"(headings like {pattern!r}).", head + 1)
        return
    for i, code, row in r.areas(rows, head):
        for y, j in sorted(by_year.items()):
            r.add(ind, code, y, row[j], i, j, sheet,
                  note=REBASED if ind == ALL_AGES and 2012 <= y <= 2020 else None)
