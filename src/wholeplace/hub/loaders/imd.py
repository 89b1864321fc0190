"""Readers for the English Indices of Deprivation 2019 (IoD2019).

* :func:`read_la`: the official district summaries (File 10, LAD 2019) -> ``imd2019.*``;
  the bundle's derived rank is kept with status ``derived``.
* :func:`read_la23`: a third-party re-aggregation to 2023 districts -> ``imd2019_lad23.*``.
* :func:`read_lsoa`: LSOA ranks and deciles (File 7) -> the ``lsoa_deprivation`` table.
"""

from __future__ import annotations

from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo, Table
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.loaders.csvutil import parse_int, parse_number, read_csv_rows
from wholeplace.hub.periods import calendar_year

PERIOD = calendar_year(2019)

#: The IoD2019 domains, named as in the district files (and in ``lsoa_deprivation.domain``).
DOMAINS = ("imd", "income", "employment", "education_skills_training",
           "health_deprivation_disability", "crime", "barriers_housing_services",
           "living_environment")

#: Measure in the district files -> last part of the indicator id.
MEASURES = {
    "average_score": "average_score",
    "proportion_lsoas_in_most_deprived_10pct": "proportion_most_deprived_10pct",
    "extent": "extent",
    "rank_of_average_score_derived": "rank_of_average_score",
}
DERIVED_RANK_NOTE = ("rank derived by the data bundle from the published average scores "
                     "(3 decimal places); not the official File 10 rank")

#: Column prefix in the LSOA file -> domain name used across the hub.
LSOA_DOMAINS = {
    "imd": "imd",
    "income": "income",
    "employment": "employment",
    "education": "education_skills_training",
    "health": "health_deprivation_disability",
    "crime": "crime",
    "housing_and_access": "barriers_housing_services",
    "environment": "living_environment",
}
LSOA_COUNT = 32844
LSOA_COLUMNS = ("lsoa11_code", "domain", "decile", "rank")


def read_la(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    """Official IoD2019 district summaries on 2019 boundaries."""
    return _read_district_file(path, source, code_column="lad19_code", family="imd2019")


def read_la23(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    """The humaniverse re-aggregation to 2023 districts (not an official statistic)."""
    batch = _read_district_file(path, source, code_column="lad23_code",
                                family="imd2019_lad23")
    batch.messages.append("These values are a third-party re-aggregation to 2023 boundaries, "
                          "not official MHCLG statistics; they are kept apart as "
                          "imd2019_lad23.*.")
    return batch


def _read_district_file(path: Path, source: SourceInfo, *, code_column: str,
                        family: str) -> LoadBatch:
    log = ProblemLog(source.file_name)
    rows = read_csv_rows(path, (code_column, "domain", "measure", "value"), log)
    catalogue = builtin_catalogue()
    batch = LoadBatch(source=source, problems=log)
    used: set[str] = set()
    for line, r in rows:
        ind_id = _indicator_id(family, r["domain"].strip(), r["measure"].strip(), line, log)
        value = parse_number(r["value"], log, line, "value")
        code = r[code_column].strip()
        if ind_id is None or not code:
            if not code:
                log.add("The area code is empty.", line, code_column)
            continue
        if ind_id not in catalogue:
            log.add(f"The {r['measure']!r} measure is not published for the "
                    f"{r['domain']!r} domain in this catalogue ({ind_id}).", line, "measure")
            continue
        derived = r["measure"].strip() == "rank_of_average_score_derived"
        if derived and r.get("source_kind", "derived_by_bundle") != "derived_by_bundle":
            log.add("A derived rank should have source_kind 'derived_by_bundle'.", line,
                    "source_kind")
        batch.observations.add(
            ind_id, code, PERIOD, value, line=line, column="value",
            status="derived" if derived and value is not None else None,
            note=DERIVED_RANK_NOTE if derived else None)
        used.add(ind_id)
    batch.indicators = [catalogue[i] for i in sorted(used)]
    areas = len(set(batch.observations.cols["area_code"]))
    batch.messages.append(f"{len(batch.observations)} observations for {areas} districts, "
                          f"{len(used)} indicators ({family}.*).")
    return batch


def _indicator_id(family: str, domain: str, measure: str, line: int,
                  log: ProblemLog) -> str | None:
    ok = True
    if domain not in DOMAINS:
        log.add(f"Unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}.", line,
                "domain")
        ok = False
    if measure not in MEASURES:
        log.add(f"Unknown measure {measure!r}; expected one of {', '.join(MEASURES)}.", line,
                "measure")
        ok = False
    return f"{family}.{domain}.{MEASURES[measure]}" if ok else None


def read_lsoa(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    """LSOA ranks and deciles for the IMD and its seven domains (no scores in this file)."""
    log = ProblemLog(source.file_name)
    required = ("lsoa11_code", *(f"{p}_{kind}" for p in LSOA_DOMAINS
                                 for kind in ("decile", "rank")))
    rows = read_csv_rows(path, required, log)
    out: list[tuple] = []
    seen: set[str] = set()
    for line, r in rows:
        code = r["lsoa11_code"].strip()
        if not code.startswith("E01"):
            log.add(f"{code!r} is not an English 2011 LSOA code (E01...).", line, "lsoa11_code")
            continue
        if code in seen:
            log.add(f"The LSOA {code} appears twice.", line, "lsoa11_code")
            continue
        seen.add(code)
        for prefix, domain in LSOA_DOMAINS.items():
            decile = _bounded(r, f"{prefix}_decile", 10, line, log)
            rank = _bounded(r, f"{prefix}_rank", LSOA_COUNT, line, log)
            if decile is not None and rank is not None:
                out.append((code, domain, decile, rank))
    if rows and len(seen) != LSOA_COUNT:
        log.add(f"The file has {len(seen)} LSOAs; IoD2019 ranks all {LSOA_COUNT} English "
                "2011 LSOAs. Use the complete published file.")
    return LoadBatch(source=source, tables={"lsoa_deprivation": Table(LSOA_COLUMNS, out)},
                     problems=log, check_areas=False,
                     messages=[(f"{len(seen)} LSOAs x {len(LSOA_DOMAINS)} domains = "
                               f"{len(out)} rows of ranks and deciles (1 = most deprived).")])


def _bounded(row: dict, column: str, top: int, line: int, log: ProblemLog) -> int | None:
    """A whole number from 1 to ``top``; blank or out of range is a problem (NOT NULL column)."""
    value = parse_int(row[column], log, line, column)
    if value is None:
        if not (row[column] or "").strip():
            log.add("The cell is empty; every LSOA has a rank and decile in IoD2019.", line,
                    column)
        return None
    if not 1 <= value <= top:
        log.add(f"{value} is outside 1 to {top}.", line, column)
        return None
    return value
