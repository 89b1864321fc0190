"""Reading the index: one resident's services (for a caseworker, by pseudonymous key) and the
household aggregate for analysts (no identities; counts under 5 suppressed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from wholeplace.errors import NotFoundError
from wholeplace.residents.privacy import Pseudonymiser
from wholeplace.residents.workspace import Workspace

#: Counts below this are suppressed (shown as None with status "suppressed"), never shown as 0.
SMALL_NUMBER = 5


@dataclass(frozen=True)
class Service:
    source: str
    record_key: str
    service_start: date | None
    service_end: date | None


@dataclass(frozen=True)
class Resident:
    resident_id: str
    services: list[Service]
    households: list[str]


def lookup(ws: Workspace, pseudonym: Pseudonymiser, source: str, record_id: str) -> Resident:
    """The resident a source record belongs to and every service linked to them."""
    key = pseudonym(f"{source}:{record_id}")
    resident_id = ws.scalar("SELECT resident_id FROM residents WHERE record_key = ?", [key])
    if resident_id is None:
        raise NotFoundError(f"No record {record_id!r} of source {source!r} is in the index for "
                            f"purpose {pseudonym.purpose!r} (not registered, not yet linked, "
                            "or erased).")
    rows = ws.rows("SELECT source, record_key, service_start, service_end, household_key "
                   "FROM residents WHERE resident_id = ? ORDER BY service_start NULLS LAST, "
                   "source, record_key", [resident_id])
    households = sorted({r[4] for r in rows if r[4]})
    return Resident(resident_id, [Service(*r[:4]) for r in rows], households)


def _suppress(n: int) -> dict[str, Any]:
    if n < SMALL_NUMBER:
        return {"households": None, "status": "suppressed"}
    return {"households": n, "status": "published"}


def household_services(ws: Workspace, by_area: bool = False) -> dict[str, Any]:
    """How many households (UPRNs) receive 1, 2, 3+ services, the common combinations, and
    optionally the same by area (postcode district); counts under 5 suppressed."""
    if not ws.scalar("SELECT count(*) FROM residents"):
        raise NotFoundError("The index is empty: run 'wholeplace residents link' first.")
    area = "area" if by_area else "'all'"
    sql = (f"WITH h AS (SELECT household_key, coalesce(min({area}), 'unknown') AS area, "
           "list_sort(list_distinct(list(source))) AS services FROM residents "
           "WHERE household_key IS NOT NULL GROUP BY household_key) "
           "SELECT area, services, count(*) FROM h GROUP BY ALL ORDER BY area, services")
    out: dict[str, Any] = {}
    for place, services, n in ws.rows(sql):
        entry = out.setdefault(place, {"by_count": {}, "combinations": {}})
        band = str(len(services)) if len(services) < 3 else "3+"
        entry["by_count"][band] = entry["by_count"].get(band, 0) + n
        entry["combinations"][" + ".join(services)] = n
    for entry in out.values():
        entry["by_count"] = {k: _suppress(v) for k, v in sorted(entry["by_count"].items())}
        combos = sorted(entry["combinations"].items(), key=lambda kv: (-kv[1], kv[0]))
        entry["combinations"] = [{"services": k, **_suppress(v)} for k, v in combos]
    return out
