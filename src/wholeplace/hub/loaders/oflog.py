"""Reader for Oflog's adult social care indicators (``oflog_adult_social_care.csv``).

One observation per council, financial year and measure (ASC1 to ASC7). Blank values stay
missing; the ASC2 values published as 0 and flagged ``zero_on_0-1_QoL_scale_probably_missing``
are stored as missing with a note. Oflog's own median columns are not loaded.
"""

from __future__ import annotations

from pathlib import Path

from wholeplace.errors import InputError, ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.loaders.csvutil import parse_number, read_csv_rows
from wholeplace.hub.periods import parse_period

REQUIRED = ("financial_year", "gss_code", "measure_code", "value", "quality_flag")

MEASURES = {
    "ASC1": "oflog.asc1_carer_quality_of_life",
    "ASC2": "oflog.asc2_quality_of_life",
    "ASC3": "oflog.asc3_ease_finding_information_users",
    "ASC4": "oflog.asc4_ease_finding_information_carers",
    "ASC5": "oflog.asc5_short_term_service_outcome",
    "ASC6": "oflog.asc6_requests_resulting_in_service",
    "ASC7": "oflog.asc7_workforce_turnover",
}

BLANK_FLAG = "missing_in_source"
ZERO_FLAG = "zero_on_0-1_QoL_scale_probably_missing"
FLAGS = ("", BLANK_FLAG, ZERO_FLAG)

BLANK_NOTE = "blank in the published file"
ZERO_NOTE = ("published as 0, which on this 0 to 1 quality-of-life scale almost certainly "
             "means no data; treated as missing")


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    log = ProblemLog(source.file_name)
    rows = read_csv_rows(path, REQUIRED, log)
    batch = LoadBatch(source=source, problems=log)
    periods: dict[str, object] = {}
    counts = {"missing": 0, "zero": 0}
    for line, r in rows:
        ind_id = MEASURES.get(r["measure_code"].strip())
        if ind_id is None:
            log.add(f"Unknown measure code {r['measure_code']!r}; expected one of "
                    f"{', '.join(MEASURES)}.", line, "measure_code")
        period = _period(r["financial_year"], periods, log, line)
        flag = r["quality_flag"].strip()
        if flag not in FLAGS:
            log.add(f"Unknown quality flag {flag!r}; expected blank, {BLANK_FLAG!r} or "
                    f"{ZERO_FLAG!r}.", line, "quality_flag")
        value = parse_number(r["value"], log, line, "value")
        if ind_id is None or period is None:
            continue
        note = None
        if flag == ZERO_FLAG:
            if value != 0:
                log.add(f"The row is flagged {ZERO_FLAG!r} but its value is {r['value']!r}, "
                        "not 0.", line, "value")
            value, note = None, ZERO_NOTE
            counts["zero"] += 1
        elif value is None:
            note = BLANK_NOTE
            counts["missing"] += 1
        batch.observations.add(ind_id, r["gss_code"].strip(), period, value, note=note,
                               line=line, column="value")
    catalogue = builtin_catalogue()
    batch.indicators = [catalogue[i] for i in sorted(set(batch.observations.cols["indicator_id"]))]
    batch.messages.append(
        f"{len(batch.observations)} observations; {counts['missing']} blank values and "
        f"{counts['zero']} ASC2 values published as 0 are stored as missing. Oflog's median "
        "columns are not loaded.")
    return batch


def _period(text: str, cache: dict, log: ProblemLog, line: int):
    label = text.strip()
    if label not in cache:
        try:
            period = parse_period(label)
        except InputError as exc:
            log.add(str(exc), line, "financial_year")
            return None
        if period.type != "financial_year":
            log.add(f"{label!r} is not a financial year such as 2016-17.", line,
                    "financial_year")
            return None
        cache[label] = period
    return cache[label]
