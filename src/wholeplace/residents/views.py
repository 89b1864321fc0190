"""Reading the index: one resident's services (for a caseworker, by pseudonymous key) and the
household aggregate for analysts (no identities; counts under 5 suppressed)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from wholeplace.errors import NotFoundError
from wholeplace.residents.privacy import Pseudonymiser, check_purpose
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


def _in(sources: Collection[str]) -> tuple[str, list[Any]]:
    listed = sorted(sources)
    if not listed:
        return "false", []
    return f"source IN ({', '.join('?' * len(listed))})", listed


def lookup(ws: Workspace, pseudonym: Pseudonymiser, source: str, record_id: str,
           sources: Collection[str]) -> Resident:
    """The resident a source record belongs to and every service linked to them, from the
    ``sources`` the person may see."""
    check_purpose(pseudonym.purpose)
    key = pseudonym(f"{source}:{record_id}")
    resident_id = ws.scalar("SELECT resident_id FROM residents WHERE record_key = ?", [key])
    if resident_id is None or source not in sources:
        raise NotFoundError(f"No record {record_id!r} of source {source!r} is in the index for "
                            f"purpose {pseudonym.purpose!r} that you may see (not registered, "
                            "not yet linked, erased, or not shared with your organisation).")
    return resident(ws, resident_id, sources)


def resident(ws: Workspace, resident_id: str, sources: Collection[str]) -> Resident:
    """One resident's services from the ``sources`` the person may see, earliest first."""
    where, params = _in(sources)
    rows = ws.rows("SELECT source, record_key, service_start, service_end, household_key "
                   f"FROM residents WHERE resident_id = ? AND {where} ORDER BY service_start "
                   "NULLS LAST, source, record_key", [resident_id, *params])
    if not rows:
        raise NotFoundError(f"No resident {resident_id} is in the index from a source you may "
                            "see (unknown, erased, or not shared with your organisation).")
    households = sorted({r[4] for r in rows if r[4]})
    return Resident(resident_id, [Service(*r[:4]) for r in rows], households)


@dataclass(frozen=True)
class Household:
    household_key: str
    area: str | None
    residents: list[Resident]

    def timeline(self) -> list[tuple[str, Service]]:
        """Every service of every resident, earliest first (undated last)."""
        items = [(r.resident_id, s) for r in self.residents for s in r.services]
        return sorted(items, key=lambda x: (x[1].service_start is None,
                                            x[1].service_start or date.min, x[1].source, x[0]))


def household(ws: Workspace, household_key: str, sources: Collection[str]) -> Household:
    """The residents linked to one address (UPRN, by its pseudonymous key) and their services
    from the ``sources`` the person may see."""
    where, params = _in(sources)
    rows = ws.rows(f"SELECT DISTINCT resident_id, area FROM residents WHERE household_key = ? "
                   f"AND {where} ORDER BY resident_id", [household_key, *params])
    if not rows:
        raise NotFoundError("No household with that key is in the index from a source you may "
                            "see.")
    return Household(household_key, rows[0][1],
                     [resident(ws, rid, sources) for rid in dict.fromkeys(r[0] for r in rows)])


def _suppress(n: int) -> dict[str, Any]:
    if n < SMALL_NUMBER:
        return {"households": None, "status": "suppressed"}
    return {"households": n, "status": "published"}


def household_services(ws: Workspace, by_area: bool = False,
                       sources: Collection[str] | None = None) -> dict[str, Any]:
    """How many households (UPRNs) receive 1, 2, 3+ services, the common combinations, and
    optionally the same by area (postcode district); counts under 5 suppressed. Only the
    ``sources`` given count (every source when None)."""
    if not ws.scalar("SELECT count(*) FROM residents"):
        raise NotFoundError("The index is empty: run 'wholeplace residents link' first.")
    area = "area" if by_area else "'all'"
    where, params = _in(sources) if sources is not None else ("true", [])
    sql = (f"WITH h AS (SELECT household_key, coalesce(min({area}), 'unknown') AS area, "
           "list_sort(list_distinct(list(source))) AS services FROM residents "
           f"WHERE household_key IS NOT NULL AND {where} GROUP BY household_key) "
           "SELECT area, services, count(*) FROM h GROUP BY ALL ORDER BY area, services")
    out: dict[str, Any] = {}
    for place, services, n in ws.rows(sql, params):
        entry = out.setdefault(place, {"by_count": {}, "combinations": {}})
        band = str(len(services)) if len(services) < 3 else "3+"
        entry["by_count"][band] = entry["by_count"].get(band, 0) + n
        entry["combinations"][" + ".join(services)] = n
    for entry in out.values():
        entry["by_count"] = {k: _suppress(v) for k, v in sorted(entry["by_count"].items())}
        combos = sorted(entry["combinations"].items(), key=lambda kv: (-kv[1], kv[0]))
        entry["combinations"] = [{"services": k, **_suppress(v)} for k, v in combos]
    return out
