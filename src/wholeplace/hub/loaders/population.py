"""Reader for ONS mid-year population estimates by age band (``population_la.csv``).

One observation per authority, mid-year and age band, plus a derived share aged 65 and over.
Blank counts stay missing; the 2020 to 2021 census rebasing is noted on every mid-2021 value.
"""

from __future__ import annotations

from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.loaders.csvutil import parse_int, parse_number, read_csv_rows
from wholeplace.hub.periods import mid_year

REQUIRED = ("gss_code", "geography_level", "geography_vintage", "mid_year", "age_band",
            "population")

#: Age band in the file -> indicator id.
AGE_BANDS = {
    "all_ages": "population.all_ages",
    "0-17": "population.age_0_17",
    "18-64": "population.age_18_64",
    "65+": "population.age_65_plus",
}
SHARE_65 = "population.share_65_plus"

#: Mid-years this reader knows the basis of (a later file with other years is refused).
YEARS = range(2011, 2031)

REBASED_NOTE = ("Census 2021-based estimate; earlier years here are the original estimates "
                "rolled forward from Census 2011, so the change from mid-2020 includes the "
                "census rebasing and is not a real year-on-year change")
SHARE_NOTE = ("derived by wholeplace: people aged 65 and over divided by all ages, "
              "times 100, from the same ONS estimate")


def _note(year: int) -> str | None:
    return REBASED_NOTE if year == 2021 else None


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    log = ProblemLog(source.file_name)
    rows = read_csv_rows(path, REQUIRED, log)
    batch = LoadBatch(source=source, problems=log)
    #: (area, year) -> {indicator id: (count, line)}, for the derived 65+ share.
    counts: dict[tuple[str, int], dict[str, tuple[float | None, int]]] = {}
    for line, r in rows:
        code = r["gss_code"].strip()
        ind = AGE_BANDS.get(r["age_band"].strip())
        year = parse_int(r["mid_year"], log, line, "mid_year")
        if ind is None:
            log.add(f"Unknown age band {r['age_band']!r}; expected one of "
                    f"{', '.join(AGE_BANDS)}.", line, "age_band")
        if year is not None and year not in YEARS:
            log.add(f"The mid-year {year} is outside {YEARS.start}-{YEARS.stop - 1}.",
                    line, "mid_year")
            year = None
        value = parse_number(r["population"], log, line, "population")
        if ind is None or year is None or not code:
            continue
        batch.observations.add(ind, code, mid_year(year), value, note=_note(year),
                               line=line, column="population")
        counts.setdefault((code, year), {})[ind] = (value, line)
    _add_shares(batch, counts)
    used = {*AGE_BANDS.values(), SHARE_65}
    catalogue = builtin_catalogue()
    batch.indicators = [catalogue[i] for i in sorted(used)]
    years = sorted({y for _, y in counts})
    batch.messages.append(
        f"{len(batch.observations)} observations for {len({a for a, _ in counts})} areas, "
        f"mid-years {', '.join(map(str, years))}; {SHARE_65} derived where both counts exist.")
    return batch


def _add_shares(batch: LoadBatch,
                counts: dict[tuple[str, int], dict[str, tuple[float | None, int]]]) -> None:
    """The share aged 65+ (percent), kept with its numerator and denominator."""
    for (code, year), found in sorted(counts.items()):
        old, total = found.get("population.age_65_plus"), found.get("population.all_ages")
        if old is None or total is None:
            continue
        (num, line), (den, _) = old, total
        if num is None or den is None or den == 0:
            batch.observations.add(SHARE_65, code, mid_year(year), None, status="missing",
                                   note="a count needed for the share is missing", line=line)
            continue
        note = SHARE_NOTE + (f"; {REBASED_NOTE}" if year == 2021 else "")
        batch.observations.add(SHARE_65, code, mid_year(year), 100.0 * num / den,
                               numerator=num, denominator=den, status="derived", note=note,
                               line=line, column="population")
