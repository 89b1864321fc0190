"""Service-system extracts: the declared mapping of a file's columns, the authorisation a source
is held under, and reading an extract into standard fields (all or nothing).

The :class:`Authorisation` is what the access layer's data-sharing agreement says today; it is
built from ``wholeplace.access`` agreements by :mod:`wholeplace.residents.access`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from wholeplace.errors import InputError, ProblemLog
from wholeplace.residents import standardise as std

#: The standard fields of one record, in the order the linkage workspace holds them.
STANDARD_FIELDS = ("unique_id", "source_dataset", "record_id", "forename", "forename_canonical",
                   "middle_names", "surname", "dob", "sex", "address", "postcode",
                   "postcode_outward", "uprn", "nhs_number", "other_id", "service_start",
                   "service_end")
_MAX_LISTED = 20


class SourceMapping(BaseModel):
    """Which column of an extract holds each standard field. Unnamed fields are not held."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$",
                        description="Short name of the service system, e.g. council_tax.")
    label: str = ""
    record_id: str
    forename: str | None = None
    middle_names: str | None = None
    surname: str | None = None
    dob: str | None = None
    sex: str | None = None
    address_lines: list[str] = Field(default_factory=list)
    postcode: str | None = None
    uprn: str | None = None
    nhs_number: str | None = None
    other_id: str | None = None
    service_start: str | None = None
    service_end: str | None = None
    date_format: str = "%Y-%m-%d"
    encoding: str = "utf-8"
    retention_days: int | None = Field(default=None, gt=0, description=(
        "Records whose service ended more than this many days ago are removed on the next run."))

    def columns(self) -> dict[str, str]:
        """Standard field -> column, for every single-column field named."""
        fields = ("record_id", "forename", "middle_names", "surname", "dob", "sex", "postcode",
                  "uprn", "nhs_number", "other_id", "service_start", "service_end")
        return {f: getattr(self, f) for f in fields if getattr(self, f)}

    def all_columns(self) -> list[str]:
        return [*self.columns().values(), *self.address_lines]


def load_mapping(path: Path) -> SourceMapping:
    """Read a mapping file (YAML), refusing an unknown key or a missing required one."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"Cannot read the mapping file {path}: {exc}. Give a YAML file "
                         "naming the extract's columns (see docs/residents.md).") from exc
    return mapping_from(raw, str(path))


def mapping_from(raw: Any, where: str) -> SourceMapping:
    log = ProblemLog(where)
    try:
        return SourceMapping.model_validate(raw)
    except PydanticError as exc:
        for err in exc.errors():
            log.add(err["msg"], column=".".join(str(p) for p in err["loc"]))
    log.raise_if_any("The mapping is not valid; nothing was registered.")
    raise AssertionError("unreachable")  # pragma: no cover


def item_for(purpose: str, source: str) -> str:
    """The agreement item that covers one source of the residents index for one purpose."""
    return f"dataset:residents.{purpose}.{source}"


@dataclass(frozen=True)
class Authorisation:
    """What the data-sharing agreement a source is held under says today, as read from the
    access layer (:func:`wholeplace.residents.access.authorisation`): its effective status
    (active only once every party's DPO approved; expired past its end date; revoked), dates,
    parties and items, with the organisation holding the source and the purpose."""

    agreement_id: str
    purpose: str
    status: str
    ends_on: date | None = None
    owner: str = ""
    parties: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()
    starts_on: date | None = None

    def refusal(self, today: date, source: str | None = None) -> str | None:
        """Why this authorisation does not allow holding ``source`` today, or None."""
        if not self.agreement_id.strip() or not self.purpose.strip():
            return "no data-sharing agreement or purpose is named"
        if self.status != "active":
            return f"agreement {self.agreement_id!r} is {self.status!r}, not active"
        if self.ends_on is not None and self.ends_on < today:
            return f"agreement {self.agreement_id!r} ended on {self.ends_on.isoformat()}"
        if self.starts_on is not None and self.starts_on > today:
            return f"agreement {self.agreement_id!r} starts on {self.starts_on.isoformat()}"
        if self.owner not in self.parties:
            return (f"{self.owner or 'no organisation'} is not a party to agreement "
                    f"{self.agreement_id!r}")
        if source is not None and item_for(self.purpose, source) not in self.items:
            return (f"agreement {self.agreement_id!r} does not cover "
                    f"{item_for(self.purpose, source)}")
        return None

    def require(self, source: str, today: date) -> None:
        reason = self.refusal(today, source)
        if reason:
            raise InputError(f"Source {source!r} cannot be registered or loaded: {reason}. "
                             "Record an agreement in force that covers it (item "
                             f"{item_for(self.purpose, source)}, approved by each party's "
                             "data protection officer), then register it again. Nothing was "
                             "stored.")

    def as_json(self) -> dict[str, Any]:
        return {"agreement_id": self.agreement_id, "purpose": self.purpose,
                "status": self.status, "owner": self.owner,
                "ends_on": self.ends_on.isoformat() if self.ends_on else None,
                "starts_on": self.starts_on.isoformat() if self.starts_on else None,
                "parties": sorted(self.parties), "items": sorted(self.items)}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Authorisation:
        def day(v: str | None) -> date | None:
            return date.fromisoformat(v) if v else None

        return cls(raw["agreement_id"], raw["purpose"], raw["status"], day(raw["ends_on"]),
                   raw["owner"], frozenset(raw["parties"]), frozenset(raw["items"]),
                   day(raw["starts_on"]))


def _read_rows(path: Path, mapping: SourceMapping, log: ProblemLog) -> list[dict[str, str]]:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        return [{k: "" if v is None else str(v) for k, v in row.items()}
                for row in table.to_pylist()]
    data = path.read_bytes()
    try:
        text = data.decode(mapping.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        log.add(f"the file is not valid {mapping.encoding} ({exc}). Save it as "
                f"{mapping.encoding} or declare its encoding in the mapping.")
        return []
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def _standard(row: dict[str, str], m: SourceMapping, line: int, log: ProblemLog) -> dict[str, Any]:
    def get(f: str) -> str | None:
        column = getattr(m, f)
        value = row.get(column) if column else None
        return value if value and value.strip() else None

    dates: dict[str, date | None] = {}
    for f in ("dob", "service_start", "service_end"):
        try:
            dates[f] = std.parse_date(get(f), m.date_format)
        except ValueError:
            log.add(f"{get(f)!r} is not a date in the declared format {m.date_format}",
                    line=line, column=getattr(m, f))
            dates[f] = None
    record_id = (get("record_id") or "").strip()
    forename = std.name(get("forename"))
    postcode = std.postcode(get("postcode"))
    return {
        "unique_id": f"{m.source}:{record_id}", "source_dataset": m.source,
        "record_id": record_id, "forename": forename,
        "forename_canonical": std.canonical_forename(forename),
        "middle_names": std.name(get("middle_names")), "surname": std.name(get("surname")),
        "dob": dates["dob"], "sex": std.sex(get("sex")),
        "address": std.address([row.get(c) for c in m.address_lines]), "postcode": postcode,
        "postcode_outward": std.outward(postcode), "uprn": std.uprn(get("uprn")),
        "nhs_number": std.nhs_number(get("nhs_number")), "other_id": get("other_id"),
        "service_start": dates["service_start"], "service_end": dates["service_end"],
    }


def read_extract(path: Path, mapping: SourceMapping, authorisation: Authorisation,
                 today: date) -> list[dict[str, Any]]:
    """Every record of an extract in standard fields, or a ValidationError listing every
    problem (nothing is returned when any is found)."""
    authorisation.require(mapping.source, today)
    log = ProblemLog(str(path))
    if not path.is_file():
        raise InputError(f"The extract {path} does not exist. Give the path of a CSV or "
                         "Parquet file.")
    rows = _read_rows(path, mapping, log)
    log.raise_if_any()
    header = list(rows[0]) if rows else _header(path, mapping)
    for column in mapping.all_columns():
        if column not in header:
            log.add(f"the mapping names column {column!r}, which the file does not have "
                    f"(it has: {', '.join(header)})", column=column)
    log.raise_if_any()
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        record = _standard(row, mapping, line, log)
        rid = record["record_id"]
        if not rid:
            log.add("the source record id is empty", line=line, column=mapping.record_id)
        elif rid in seen:
            log.add(f"source record id {rid!r} is repeated (first on line {seen[rid]})",
                    line=line, column=mapping.record_id)
        else:
            seen[rid] = line
        out.append(record)
        if len(log) > _MAX_LISTED:
            log.add(f"more than {_MAX_LISTED} problems; stopped reading here", line=line)
            break
    log.raise_if_any()
    return out


def _header(path: Path, mapping: SourceMapping) -> list[str]:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    first = path.read_text(encoding=mapping.encoding).splitlines()[:1]
    return next(csv.reader(first)) if first else []


# --- The same records, a column at a time (a linkage run's fast path) ---------------------------

#: Marks a date that does not parse (the row-wise reader then lists every problem).
_BAD_DATE = object()


def _by_value(column: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``fn`` applied once per distinct value (extracts repeat the same names, dates and
    postcodes many times); missing stays missing."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [fn(v) for v in uniques]
    results[-1] = None  # code -1: missing
    return pd.Series(results[codes], index=column.index, dtype=object)


def _parse_or_bad(fmt: str) -> Callable[[str], Any]:
    iso = fmt == "%Y-%m-%d"

    def parse(text: str) -> Any:
        if iso and len(text) == 10 and text[4] == text[7] == "-":  # as strptime, faster
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        try:
            return std.parse_date(text, fmt)
        except ValueError:
            return _BAD_DATE
    return parse


def _raw_frame(path: Path, mapping: SourceMapping) -> pd.DataFrame | None:
    """Every column as text, or None when the file cannot be read cleanly (the row-wise reader
    then says why)."""
    if path.suffix.lower() == ".parquet":
        return pd.DataFrame.from_records(_read_rows(path, mapping, ProblemLog(str(path))))
    try:
        text = path.read_bytes().decode(mapping.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    try:
        return pd.read_csv(io.StringIO(text.removeprefix("\ufeff")), dtype="string[pyarrow]",
                           keep_default_na=False, na_filter=False, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        return None


def read_extract_frame(path: Path, mapping: SourceMapping, authorisation: Authorisation,
                       today: date, with_address: bool = True) -> pd.DataFrame:
    """The records of :func:`read_extract` as one DataFrame (columns ``STANDARD_FIELDS``,
    missing values None), standardised a column at a time: each distinct value goes through
    the same ``standardise`` function once. Any problem (a missing column, a bad date, an empty
    or repeated record id, a bad encoding, a ragged row) hands over to :func:`read_extract`,
    which raises with every problem listed, so the two never disagree. Without
    ``with_address`` the address (never compared by the model) is left None."""
    authorisation.require(mapping.source, today)
    if not path.is_file():
        raise InputError(f"The extract {path} does not exist. Give the path of a CSV or "
                         "Parquet file.")
    raw = _raw_frame(path, mapping)
    if raw is None or any(c not in raw.columns for c in mapping.all_columns()) or (
            raw.empty and not len(raw.columns)):
        return _row_wise(path, mapping, authorisation, today)

    def get(f: str) -> pd.Series:
        column = getattr(mapping, f)
        if not column:
            return pd.Series([None] * len(raw), index=raw.index, dtype=object)
        values = raw[column].astype("string[pyarrow]")
        blank = values.isna() | values.str.strip().eq("")
        return values.where(~blank.fillna(True).astype(bool), None)

    out = pd.DataFrame(index=raw.index)
    record_id = get("record_id").fillna("").str.strip().astype(object)
    dates = {f: _by_value(get(f), _parse_or_bad(mapping.date_format))
             for f in ("dob", "service_start", "service_end")}
    bad_date = any(d.map(lambda v: v is _BAD_DATE).any() for d in dates.values())
    if bad_date or record_id.eq("").any() or record_id.duplicated().any():
        return _row_wise(path, mapping, authorisation, today)
    out["unique_id"] = mapping.source + ":" + record_id
    out["source_dataset"] = mapping.source
    out["record_id"] = record_id
    out["forename"] = _by_value(get("forename"), std.name)
    out["forename_canonical"] = _by_value(out["forename"], std.canonical_forename)
    out["middle_names"] = _by_value(get("middle_names"), std.name)
    out["surname"] = _by_value(get("surname"), std.name)
    out["dob"] = dates["dob"]
    out["sex"] = _by_value(get("sex"), std.sex)
    out["address"] = _address(raw, mapping.address_lines) if with_address else None
    out["postcode"] = _by_value(get("postcode"), std.postcode)
    out["postcode_outward"] = _by_value(out["postcode"], std.outward)
    out["uprn"] = _by_value(get("uprn"), std.uprn)
    out["nhs_number"] = _by_value(get("nhs_number"), std.nhs_number)
    out["other_id"] = get("other_id").astype(object)
    out["service_start"] = dates["service_start"]
    out["service_end"] = dates["service_end"]
    out = out[list(STANDARD_FIELDS)].reset_index(drop=True)
    return out.astype(object).where(out.notna(), None)


def _row_wise(path: Path, mapping: SourceMapping, authorisation: Authorisation,
              today: date) -> pd.DataFrame:
    """The row-wise reader's verdict on a file the column reader found irregular: its
    problems raised, or (a ragged row the CSV module tolerates) its records."""
    rows = read_extract(path, mapping, authorisation, today)
    frame = pd.DataFrame.from_records(rows, columns=list(STANDARD_FIELDS))
    return frame.astype(object).where(frame.notna(), None)


def _address(raw: pd.DataFrame, lines: list[str]) -> pd.Series:
    """``standardise.address`` of each row's address lines, a column at a time."""
    if not lines:
        return pd.Series([None] * len(raw), index=raw.index, dtype=object)
    parts = [raw[c].fillna("").astype(str).str.upper().str.replace(
        r"[^A-Z0-9 ]+", " ", regex=True) for c in lines]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + " " + part
    joined = joined.str.replace(r"\s+", " ", regex=True).str.strip()
    return joined.where(joined.ne(""), None).astype(object)
