"""Reader for the DfE Local Authority Interactive Tool (LAIT) long table
(``dfe_lait_bds_long.parquet``) with its data dictionary (``dfe_lait_data_dictionary.csv``).

About 434 measures (``Short Desc``) for the 153 children's services authorities, regions and
England, up to ten years. ``Data item`` is filled only on a measure's first row and is carried
forward within its ``Short Desc``. Each measure becomes an indicator ``lait.<slug>`` whose
title, polarity (High/Low), year type and description come from the dictionary; its unit from
the dictionary's axis name (``%``: percent; ``Rate per 10,000``; ``Spend``: £; weekly unit
costs: £ per week; averages and scores: score). A percentage measure with values outside 0 to
100 (a gap or a change) is given the unit percentage points instead.

Areas are DfE LA numbers and names, mapped to GSS codes by :mod:`.lait_areas`; every name that
maps to no council is listed in the messages. ``-`` stays missing. Years as DfE labels them:
``2023`` is stored as the year 2023 (for an academic-year measure, the year the academic year
ends, as DfE labels it), ``2016-17 (OT)`` and ``2015/16`` as the year 2016-17; a three-year
period (``2014-16``, ``2013/14-15/16``) under its last year, with a note. Qualifiers such as
``(Rev)``, ``(Final)``, ``(prov)`` and ``(OT)`` are kept in the note.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from wholeplace.errors import InputError, ProblemLog, SourceError
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import Indicator
from wholeplace.hub.loaders.csvutil import read_csv_rows
from wholeplace.hub.loaders.lait_areas import map_area, register_index
from wholeplace.hub.periods import Period, calendar_year, financial_year
from wholeplace.hub.units import UNITS

COLUMNS = ("Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number")
DICTIONARY_COLUMNS = ("Measure_short", "Measure", "Chart_title", "Polarity", "y_axis_name",
                      "Description", "Year_Type", "Topic")
POLARITY = {"high": "higher_is_better", "low": "lower_is_better"}
_YEAR = re.compile(r"^(\d{4})(?:\s*\((rev|final|prov)\))?$", re.I)
_FY = re.compile(r"^(\d{4})[-/](\d{2})(?:\s*\((ot)\))?$", re.I)
_RANGE = re.compile(r"^(\d{4})-(\d{2})$")
_FY_RANGE = re.compile(r"^(\d{4})/(\d{2})-(\d{2})/(\d{2})$")
QUALIFIER = {"rev": "revised", "final": "final", "prov": "provisional",
             "ot": "S251 outturn"}


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    log = ProblemLog(source.file_name)
    measures = read_dictionary(_dictionary_path(path, options), log)
    table = _read_parquet(path, source.file_name)
    batch = LoadBatch(source=source, problems=log)
    index = register_index(options.get("register_places") or {})
    unmapped: Counter[str] = Counter()
    undated: Counter[str] = Counter()
    items: dict[str, str] = {}
    values: dict[str, list[float]] = {}
    current_item, previous = None, None
    areas = {n: map_area(n, index) for n in set(table[3])}
    periods = {y: lait_period(y) for y in set(table[2])}
    ids = {d: indicator_id(d) for d in set(table[0])}
    for i, (desc, item, years, name, raw, number) in enumerate(zip(*table)):
        line = i + 1
        if desc != previous:
            current_item, previous = None, desc
        current_item = item or current_item
        if desc not in measures:
            log.add(f"Measure {desc!r} is not in the data dictionary.", line, "Short Desc")
            continue
        items.setdefault(desc, current_item or desc)
        code = areas[name]
        if code is None:
            unmapped[f"{name} (LA {_la(number)})"] += 1
            continue
        period, note = periods[years]
        if period is None:
            undated[f"{desc} {years!r}"] += 1
            continue
        value = _number(raw, log, line)
        if value is None and raw.strip() != "-":
            continue
        status = None if value is not None else "missing"
        if value is None:
            note = "; ".join(filter(None, ["published as '-' (not available)", note]))
        else:
            values.setdefault(desc, []).append(value)
        batch.observations.add(ids[desc], code, period, value, status=status,
                               note=note, line=line, column="Values")
    batch.indicators = [lait_indicator(d, measures[d], items[d], values.get(d, []))
                        for d in sorted(items)]
    batch.messages += _messages(batch, unmapped, undated)
    return batch


def _dictionary_path(path: Path, options: dict) -> Path:
    from wholeplace.hub.registry import sha256_of

    name = options.get("dictionary")
    if not name:
        raise InputError(f"{path.name}: the LAIT reader needs its data dictionary, "
                         "options {'dictionary': 'dfe_lait_data_dictionary.csv'}.")
    dictionary = path.parent / name
    if not dictionary.is_file():
        raise SourceError(f"The LAIT data dictionary {dictionary} is missing: put "
                          f"{name} beside {path.name}.")
    expected = options.get("dictionary_sha256")
    if expected and sha256_of(dictionary) != expected:
        raise SourceError(f"{dictionary} is not the data dictionary published with this "
                          f"release (its SHA-256 is not {expected}). Replace it with the "
                          "original.")
    return dictionary


def read_dictionary(path: Path, log: ProblemLog) -> dict[str, dict]:
    """Measure_short -> its first dictionary row (a short name listed twice keeps the first)."""
    own = ProblemLog(path.name)
    rows = read_csv_rows(path, DICTIONARY_COLUMNS, own)
    if own:
        log.problems.extend(own.problems)
    out: dict[str, dict] = {}
    for _, r in rows:
        out.setdefault(r["Measure_short"].strip(), r)
    return out


def _read_parquet(path: Path, file: str) -> list[list]:
    """The columns of :data:`COLUMNS` as Python lists, each distinct value one shared object
    (641,070 rows of a few hundred names and years: about 200 MB less than a string per cell)."""
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
        missing = [c for c in COLUMNS if c not in names]
        table = None if missing else pq.read_table(
            path, columns=list(COLUMNS), read_dictionary=[c for c in COLUMNS if c != "LA Number"])
    except Exception as exc:
        raise InputError(f"{file} could not be read as Parquet ({type(exc).__name__}: "
                         f"{exc}).") from exc
    if table is None:
        raise InputError(f"{file}: no column {', '.join(map(repr, missing))} (it has "
                         f"{', '.join(map(repr, names))}). Is this the LAIT long table?")
    out = [_shared_values(table.column(c)) for c in COLUMNS]
    out[1] = [v.strip() if isinstance(v, str) and v.strip() else None for v in out[1]]
    out[4] = ["" if v is None else str(v) for v in out[4]]
    return out


def _shared_values(column) -> list:
    """An Arrow column as a Python list in which equal values are one object (the column's
    dictionary, looked up by index)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = column.combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    values = [*array.dictionary.to_pylist(), None]  # the last for a null cell
    at = array.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False)
    return list(map(values.__getitem__, at.tolist()))


def _la(number: object) -> str:
    return str(int(number)) if isinstance(number, (int, float)) else "none"


def _number(raw: str, log: ProblemLog, line: int) -> float | None:
    text = raw.strip()
    if text in ("-", ""):
        return None
    try:
        return float(text)
    except ValueError:
        log.add(f"Expected a number or '-', found {raw!r}.", line, "Values")
        return None


def lait_period(years: str) -> tuple[Period | None, str | None]:
    """The period of a LAIT year label and a note (qualifier, multi-year), or (None, None)."""
    text = str(years).strip()
    if m := _YEAR.match(text):
        qualifier = m.group(2)
        return calendar_year(int(m.group(1))), (QUALIFIER[qualifier.lower()]
                                                if qualifier else None)
    if (m := _FY.match(text)) and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
        return financial_year(int(m.group(1))), (QUALIFIER["ot"] if m.group(3) else None)
    if (m := _RANGE.match(text)) and int(m.group(2)) == (int(m.group(1)) + 2) % 100:
        end = int(m.group(1)) + 2
        return calendar_year(end), f"three-year period {text}, stored under its last year"
    if (m := _FY_RANGE.match(text)) and int(m.group(4)) == (int(m.group(3)) + 1) % 100:
        start = int(m.group(1)) + 2
        return financial_year(start), f"three-year period {text}, stored under its last year"
    return None, None


def indicator_id(short: str) -> str:
    # '%' is spelt out: DfE has both LAC_ceased_SGO (a count) and LAC_ceased_SGO% (a share)
    slug = re.sub(r"[^a-z0-9]+", "_", short.lower().replace("%", "_pct")).strip("_")
    return f"lait.{slug}"


def lait_unit(axis: str, values: list[float]) -> str:
    """The unit for a dictionary axis name, checked against the measure's published values."""
    a = axis.strip().lower()
    unit = "score"
    if a.startswith("%") or "percent" in a:
        unit = "percent"
    elif "per 10,000" in a or "per 10000" in a:
        unit = "rate_per_10000"
    elif "per 100,000" in a:
        unit = "rate_per_100000"
    elif "per 1000" in a or "per 1,000" in a:
        unit = "rate_per_1000"
    elif a == "spend":
        unit = "gbp"
    elif a == "unit cost":
        unit = "gbp_per_week"
    elif a.startswith("number") or a in ("entries", "total cases"):
        unit = "count"
    u = UNITS[unit]
    low = min(values, default=0.0)
    high = max(values, default=0.0)
    if (u.minimum is not None and low < u.minimum) or (u.maximum is not None and high > u.maximum):
        return "percentage_points" if unit == "percent" else "score"
    return unit


def lait_indicator(short: str, entry: dict, item: str, values: list[float]) -> Indicator:
    polarity = POLARITY.get(entry["Polarity"].strip().lower(), "neutral")
    title = re.sub(r"\s+", " ", entry["Chart_title"] or entry["Measure"] or item).strip()
    description = re.sub(r"\s+", " ", entry["Description"]).strip()
    if len(description) > 900:
        description = description[:900].rsplit(" ", 1)[0] + " ..."
    year_type = entry["Year_Type"].strip() or "not stated"
    return Indicator(
        id=indicator_id(short), title=title[:200] if len(title) >= 3 else item,
        unit=lait_unit(entry["y_axis_name"], values), polarity=polarity,
        kind="outcome" if polarity != "neutral" else "context", theme="children",
        interval="none",
        source=f"DfE Local Authority Interactive Tool (LAIT), measure {short} "
               f"({entry['Topic'].strip()})",
        definition=(f"{item}. {description} Year type: {year_type}. Polarity from DfE's "
                    f"data dictionary: {entry['Polarity'].strip() or 'none'}.").strip(),
    )


def _messages(batch: LoadBatch, unmapped: Counter[str], undated: Counter[str]) -> list[str]:
    out = [(f"{len(batch.observations)} observations of {len(batch.indicators)} LAIT measures "
           f"for {len(set(batch.observations.cols['area_code']))} councils.")]
    if unmapped:
        out.append(f"Not mapped to a council (every one listed; none guessed): "
                   f"{sum(unmapped.values())} rows for {len(unmapped)} names: "
                   + "; ".join(f"{k} x{v}" for k, v in sorted(unmapped.items())) + ".")
    if undated:
        out.append(f"Skipped {sum(undated.values())} rows whose year label is not a year: "
                   + "; ".join(f"{k} x{v}" for k, v in sorted(undated.items())) + ".")
    return out
