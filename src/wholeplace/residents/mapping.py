"""Service-system extracts: the declared mapping of a file's columns, the authorisation a source
is held under, and reading an extract into standard fields (all or nothing).

The :class:`Authorisation` is what the access layer's data-sharing agreement says today; it is
built from ``wholeplace.access`` agreements by :mod:`wholeplace.residents.access`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

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
