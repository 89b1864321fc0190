"""The data of every page, built from the domain queries. HTML and JSON twins both call these.

Each function takes a read-only store and returns plain data (dicts, lists, dates): the HTML route
hands it to a template, the ``.json`` and ``/api/`` routes return it as it is. Nothing here formats
values for display (templates do) or invents one: a missing value stays ``None``.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any

from wholeplace.errors import InputError
from wholeplace.hub import queries as hub
from wholeplace.hub.store import Store
from wholeplace.places import queries as places
from wholeplace.places import services

TIERS = ("upper", "lower", "single", "combined", "strategic")
SEARCH_LIMIT = 20
MAX_QUERY = 100


def home(store: Store) -> dict[str, Any]:
    return {"regions": places.regions(store), "tiers": list(TIERS)}


def search(store: Store, q: str) -> dict[str, Any]:
    text = (q or "").strip()
    if len(text) > MAX_QUERY:
        raise InputError(f"The search text is {len(text)} characters long; use at most "
                         f"{MAX_QUERY}, for example a council or place name.")
    results = places.find_places(store, text, limit=SEARCH_LIMIT) if text else []
    if text and not results:  # a former authority is found when no current one matches
        results = places.find_places(store, text, limit=SEARCH_LIMIT, current_only=False)
    return {"query": text, "results": results}


def exact_match(data: dict[str, Any]) -> str | None:
    """The code of the one result matching the search exactly (by name or code), if any."""
    exact = [r for r in data["results"] if r["match"] in ("exact", "code")]
    return exact[0]["gss_code"] if len(exact) == 1 else None


def council_list(store: Store, region: str | None = None, tier: str | None = None) -> dict[str, Any]:
    """Current councils, filtered (the place queries refuse an unknown region or tier)."""
    region = region or None
    tier = tier or None
    found = places.councils(store, region=region, tier=tier)
    return {"region": region, "tier": tier, "regions": places.regions(store),
            "tiers": list(TIERS), "councils": found}


def council(store: Store, code: str) -> dict[str, Any]:
    place = places.get_place(store, code)
    served = places.served_by(store, place["gss_code"])
    served.pop("place")  # the same dict as "council"
    latest = hub.latest_values(store, place["gss_code"])
    return {
        "council": place,
        "served_by": served,
        **_delivery(store, place["gss_code"]),
        "themes": _by_theme(store, place["gss_code"], latest),
    }


def _delivery(store: Store, code: str) -> dict[str, Any]:
    """Who delivers what; for a combined authority the domain says why there is no one answer."""
    try:
        return {"who_delivers": services.who_delivers(store, code), "who_delivers_note": None}
    except InputError as exc:
        return {"who_delivers": [], "who_delivers_note": str(exc)}


def _by_theme(store: Store, code: str, latest: list[dict]) -> list[dict[str, Any]]:
    """The latest values grouped by theme, each with its history (``series``) when it has one."""
    history = _history(store, code, latest)

    def theme(row: dict) -> str:
        return row["theme"] or "other"

    out = []
    for name, rows in groupby(sorted(latest, key=lambda r: (theme(r), r["title"])), theme):
        values = [{**row, "series": history.get(row["indicator_id"], [])} for row in rows]
        out.append({"theme": name, "indicators": values})
    return out


def _history(store: Store, code: str, latest: list[dict]) -> dict[str, list[dict]]:
    """Every period of every indicator for one area, in one query, as (period, value, status).

    Read as published today (each source's newest release), and kept for an indicator only when
    it ends on exactly the latest value shown, so a chart can never disagree with the table.
    """
    rows = hub.observations_as_published(store, date.today(), area_code=code)
    points: dict[str, list[dict]] = {}
    for r in rows:
        points.setdefault(r["indicator_id"], []).append(
            {"period": r["period"], "period_end": r["period_end"], "value": r["value"],
             "status": r["status"]})
    out = {}
    for row in latest:
        found = sorted(points.get(row["indicator_id"], []), key=lambda p: p["period_end"])
        if found and (found[-1]["period"], found[-1]["value"]) == (row["period"], row["value"]):
            out[row["indicator_id"]] = [{k: p[k] for k in ("period", "value", "status")}
                                        for p in found]
    return out


def dataset_list(store: Store) -> dict[str, Any]:
    return {"datasets": hub.datasets(store)}


def dataset(store: Store, dataset_id: int) -> dict[str, Any]:
    return {"dataset": hub.dataset(store, dataset_id)}


def indicator_list(store: Store) -> dict[str, Any]:
    return {"indicators": hub.indicators(store)}
