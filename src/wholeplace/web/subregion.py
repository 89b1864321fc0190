"""The subregion overview: every member council of a subregional hub in one table, with its
early-warning flags and a few key outcomes against its comparators, each row linking to the
council's profile.

Built from the insight functions the council pages use (:func:`resilience.council_flags`,
:func:`compare.compare_area`) on the request's store, so every value follows the reader's
visibility: a private upload shows only to the people who may see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.store import Store
from wholeplace.insight.comparison.compare import compare_area
from wholeplace.insight.early_warning import resilience

#: The key outcomes shown by default: spending per head, recycling, temporary accommodation.
KEY_INDICATORS = ("rs.net_revenue_expenditure.per_head", "waste.household_recycling_rate",
                  "homelessness.temporary_accommodation.per_1000_households")
MAX_INDICATORS = 8


def key_indicators(store: Store, wanted: Sequence[str]) -> list[dict[str, Any]]:
    """The indicators to show (default :data:`KEY_INDICATORS`), as the reader may see them; an
    id the reader cannot see is refused as unknown."""
    ids = list(dict.fromkeys(wanted)) or list(KEY_INDICATORS)
    if len(ids) > MAX_INDICATORS:
        raise InputError(f"Ask for at most {MAX_INDICATORS} indicators at once.")
    found = {r["indicator_id"]: r for r in store.rows(
        "SELECT indicator_id, title, unit, polarity FROM visible_indicators "
        "WHERE list_contains(?::VARCHAR[], indicator_id)", [ids])}
    unknown = [i for i in ids if i not in found]
    if unknown and wanted:
        raise InputError(f"There is no indicator {', '.join(unknown)}. The dataset catalogue "
                         "at /datasets lists the indicators.")
    return [found[i] for i in ids if i in found]


def _flags(store: Store, year: int, code: str) -> dict[str, Any]:
    try:
        result = resilience.council_flags(store, year, code)
    except NotFoundError as exc:
        return {"status": "no_data", "reason": str(exc), "higher_risk": None,
                "some_risk": None, "flags": [], "period": None}
    council = result["council"]
    return {"status": council["status"], "reason": None, "period": result["period"],
            "higher_risk": council["higher_risk"], "some_risk": council["some_risk"],
            "comparator_group": council["comparator_group"],
            "flags": [{"indicator": f["indicator"], "title": f["title"], "band": f["band"],
                       "value_text": f["value_text"],
                       "position": f["comparator_position"]} for f in council["flags"]]}


def _outcomes(store: Store, code: str, indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [i["indicator_id"] for i in indicators]
    try:
        result = compare_area(store, code, indicators=ids, sensitivity=False)
    except (NotFoundError, InputError) as exc:
        return [{"indicator_id": i, "value": None, "reason": str(exc)} for i in ids]
    by_id = {r["indicator_id"]: r for r in result["indicators"]}
    out = []
    for ind in ids:
        row = by_id.get(ind)
        if row is None:
            out.append({"indicator_id": ind, "value": None, "period": None,
                        "reason": "No value published for this council."})
            continue
        group = row.get("group") or {}
        band = group.get("band") or {}
        out.append({"indicator_id": ind, "value": row["value"], "unit": row["unit"],
                    "period": row["period"], "status": row.get("status"),
                    "group_median": group.get("median"), "group_n": group.get("n"),
                    "band": band.get("band"), "verdict": band.get("verdict"),
                    "group_label": (result.get("group") or {}).get("label"),
                    "reason": None})
    return out


def overview(store: Store, hub: dict[str, Any], members: Iterable[str], year: int,
             wanted: Sequence[str] = ()) -> dict[str, Any]:
    """The overview's data: the hub, the indicators shown and one row per member council."""
    indicators = key_indicators(store, wanted)
    rows = []
    for code in sorted(members):
        place = store.row("SELECT gss_code, name, la_type, region FROM places "
                          "WHERE gss_code = ?", [code])
        if place is None:
            continue
        rows.append({"code": code, "name": place["name"], "la_type": place["la_type"],
                     "profile": f"/council/{code}/profile", "flags": _flags(store, year, code),
                     "outcomes": _outcomes(store, code, indicators)})
    return {"hub": hub, "year": year, "indicators": indicators, "councils": rows}
