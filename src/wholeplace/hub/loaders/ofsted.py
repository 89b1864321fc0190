"""Reader for Ofsted's five-year inspection data of local authority children's services
(``ofsted_childrens_services_inspections.ods``, sheet ``Provider_level_data``).

One row per children's services authority and "as at" date (31 March 2019 to 2023): the
judgements of its most recent inspection by then. Judgements are an ORDINAL scale (unit
``ofsted_grade``: 1 Outstanding, 2 Good, 3 Requires improvement, 4 Inadequate), stored as the
grade number with the word in the note, and never averaged (see
:mod:`wholeplace.insight.comparison.ordinal`). A blank (not yet inspected) and 9 (the
sub-judgement did not exist under the framework of that inspection) stay missing. The period is
the as-at day. Authorities are named, not coded: names are mapped to GSS codes as for DfE's
LAIT (:mod:`.lait_areas`), except that "Dorset" before 1 April 2019 is Dorset County Council.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.loaders.lait_areas import map_area, name_key, register_index
from wholeplace.hub.loaders.tables import find_header, first_text, heading
from wholeplace.hub.loaders.workbook import column_letter, read_sheet
from wholeplace.hub.periods import Period
from wholeplace.hub.units import UNITS

SHEET = "Provider_level_data"
JUDGEMENTS = {
    "ofsted.overall_effectiveness": heading("overall effectiveness"),
    "ofsted.impact_of_leaders": heading("impact of leaders"),
    "ofsted.help_and_protection": heading("children who need help and protection"),
    "ofsted.children_in_care": heading("experiences and progress of children in care"),
    "ofsted.care_leavers": heading("experiences and progress of care leavers"),
}
COLUMNS = {"name": lambda t: t == "name", "as_at": heading("as at date"),
           "published": lambda t: t == "published date", **JUDGEMENTS}
#: Grade 9 in the file: the sub-judgement did not exist at the time of the inspection.
NOT_A_JUDGEMENT = 9
DORSET_COUNTY, DORSET_REORGANISED = "E10000009", date(2019, 4, 1)
GRADE = UNITS["ofsted_grade"]


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    rows = read_sheet(path, SHEET)
    header = find_header(rows, COLUMNS, source.file_name, SHEET, anchor="as_at")
    col = header.columns
    log = ProblemLog(source.file_name)
    batch = LoadBatch(source=source, problems=log)
    index = register_index(options.get("register_places") or {})
    unmapped: dict[str, int] = {}
    for r in range(header.row + 1, len(rows)):
        row, line = rows[r], r + 1
        name = first_text(row, col["name"])
        as_at = _day(row[col["as_at"]])
        if not name and as_at is None:
            continue
        if as_at is None:
            log.add(f"The as-at date {row[col['as_at']]!r} is not a date.", line,
                    f"{SHEET}!{column_letter(col['as_at'])}")
            continue
        code = _area(name, as_at, index)
        if code is None:
            unmapped[name] = unmapped.get(name, 0) + 1
            continue
        published = _day(row[col["published"]])
        period = Period(as_at, as_at, "day", as_at.isoformat())
        inspected = row[col["ofsted.overall_effectiveness"]] is not None
        for ind in JUDGEMENTS:
            letter = f"{SHEET}!{column_letter(col[ind])}"
            value, status, note = _grade(row[col[ind]], published, log, line, letter)
            if value is None and inspected and row[col[ind]] is None:
                note = "blank in the published file"
            batch.observations.add(ind, code, period, value, status=status, note=note,
                                   line=line, column=letter)
    catalogue = builtin_catalogue()
    batch.indicators = [catalogue[i] for i in JUDGEMENTS]
    batch.messages.append(
        f"{len(batch.observations)} judgements for "
        f"{len(set(batch.observations.cols['area_code']))} authorities at "
        f"{len(set(batch.observations.cols['period']))} as-at dates (ordinal grades, stored as "
        "1-4 with the word).")
    if unmapped:
        batch.messages.append("Not mapped to a council (none guessed): " + "; ".join(
            f"{k} x{v}" for k, v in sorted(unmapped.items())) + ".")
    return batch


def _area(name: str, as_at: date, index: dict[str, str]) -> str | None:
    if name_key(name) == "dorset" and as_at < DORSET_REORGANISED:
        return DORSET_COUNTY
    return map_area(name, index)


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _grade(raw: object, published: date | None, log: ProblemLog, line: int, column: str
           ) -> tuple[float | None, str | None, str | None]:
    report = f"inspection report published {published.isoformat()}" if published else None
    if raw is None:
        return None, "missing", "not inspected by this date"
    if not isinstance(raw, (int, float)) or isinstance(raw, bool):
        log.add(f"Expected a grade 1 to 4 (or 9, or blank), found {raw!r}.", line, column)
        return None, "missing", None
    if raw == NOT_A_JUDGEMENT:
        return None, "missing", ("published as 9: this judgement did not exist under the "
                                 "framework of the inspection")
    word = GRADE.label_of(raw)
    if word is None:
        log.add(f"Expected a grade 1 to 4 (or 9, or blank), found {raw!r}.", line, column)
        return None, "missing", None
    return float(raw), None, "; ".join(filter(None, [word, report]))
