"""What a Band D household pays in a billing area, and to whom, from the CTR returns in the hub.

:func:`band_d_bill` answers for any council in the register. For a billing authority (a
district, unitary, metropolitan district or London borough) it gives the latest year's area Band
D (every preceptor included, as published) and its parts: the billing council's own Band D, the
average parish precept, and the Band D of the county council, the GLA, the combined authority,
police and fire as charged in that area; the adult social care precept is shown within the share
of the authority that raises it. The published total is kept as it is; ``parts_sum`` says what
the parts add up to, so a reader can see they agree. For a county council, combined authority or
the GLA, which do not send bills, it lists each billing area's total and this body's share.
Nothing is estimated: a part the hub does not hold is left out and said to be missing.
"""

from __future__ import annotations

from typing import Any

from wholeplace.hub.queries import area_current, with_dataset
from wholeplace.hub.store import Store
from wholeplace.places.queries import get_place, place_row

AREA = "ctr.band_d.area"
ASC = "ctr.band_d.adult_social_care"
#: The parts of an area's Band D: (indicator, who gets it) in the order a bill lists them.
PARTS = (
    ("ctr.band_d.billing", "billing"),
    ("ctr.band_d.parish_average", "parish"),
    ("ctr.band_d.county", "county"),
    ("ctr.band_d.gla", "gla"),
    ("ctr.band_d.combined_authority", "combined"),
    ("ctr.band_d.police", "police"),
    ("ctr.band_d.fire", "fire"),
)
#: Bodies outside the place register, named by role.
UNREGISTERED = {
    "parish": "Parish and town councils (average over the area)",
    "police": "Police (police and crime commissioner or mayor)",
    "fire": "Fire and rescue authority",
}
#: A preceptor's own indicator, by tier.
OWN = {"upper": "ctr.band_d.county", "strategic": "ctr.band_d.gla",
       "combined": "ctr.band_d.combined_authority"}
BANDS = {"A": 6, "B": 7, "C": 8, "D": 9, "E": 11, "F": 13, "G": 15, "H": 18}


def _latest_period(rows: list[dict[str, Any]]) -> str | None:
    """The period of the row with a value that starts latest (None when none has a value)."""
    with_value = [r for r in rows if r["value"] is not None]
    return max(with_value, key=lambda r: r["period_start"])["period"] if with_value else None


def band_d_bill(store: Store, code: str) -> dict[str, Any]:
    """The latest Band D bill for the council ``code`` (see the module docstring)."""
    place = get_place(store, code)
    if place["tier"] in ("lower", "single"):
        return _billing_area(store, place)
    return _preceptor(store, place)


def _name(store: Store, code: str | None) -> str | None:
    found = place_row(store, code) if code else None
    return found["official_name"] if found is not None else None


def _bodies(store: Store, place: dict[str, Any]) -> dict[str, str | None]:
    """The register code of each preceptor role for a billing area (None where none)."""
    county = place.get("parent_county_gss")
    above = place_row(store, county) if county else None
    ca = place.get("combined_authority_gss") or (
        above["combined_authority_gss"] if above is not None else None)
    gla = store.scalar("SELECT gss_code FROM places WHERE tier = 'strategic' LIMIT 1") \
        if place.get("region") == "London" else None
    return {"billing": place["gss_code"], "county": county, "gla": gla, "combined": ca}


def _billing_area(store: Store, place: dict[str, Any]) -> dict[str, Any]:
    code = place["gss_code"]
    out: dict[str, Any] = {"kind": "billing", "code": code, "name": place["official_name"],
                           "period": None, "total": None, "parts": [], "parts_sum": None,
                           "adult_social_care": None, "source": None, "bands": [],
                           "note": None}
    # The latest period with a Band D figure and that period's figures, from the area's
    # current values (read once for the council page).
    ctr = [r for r in area_current(store, code) if r["indicator_id"].startswith("ctr.")]
    period = _latest_period([r for r in ctr if r["indicator_id"] == AREA])
    if period is None:
        out["note"] = (f"The hub holds no council tax (CTR) figures for {place['official_name']}."
                       " Load the CTR returns with 'wholeplace load'.")
        return out
    values = {r["indicator_id"]: r for r in with_dataset(
        store, [r for r in ctr if r["period"] == period])}
    bodies = _bodies(store, place)
    area = values[AREA]
    out.update(period=period, total=area["value"],
               source={k: area[k] for k in ("dataset_id", "dataset_title", "release",
                                            "released_on")})
    for indicator, role in PARTS:
        row = values.get(indicator)
        if row is None or row["value"] is None or (role == "parish" and row["value"] == 0):
            continue
        body = bodies.get(role)
        out["parts"].append({"role": role, "indicator_id": indicator, "amount": row["value"],
                             "body_code": body,
                             "body_name": _name(store, body) or UNREGISTERED.get(role, role),
                             "status": row["status"], "note": row["note"]})
    out["parts_sum"] = round(sum(p["amount"] for p in out["parts"]), 2)
    out["adult_social_care"] = _asc(store, place, bodies, period, values)
    out["bands"] = [{"band": b, "amount": round(area["value"] * n / 9, 2)}
                    for b, n in BANDS.items()]
    return out


def _asc(store: Store, place: dict[str, Any], bodies: dict[str, str | None],
         period: str, own: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The adult social care precept within the social care authority's share, if published
    (``own``: the billing area's figures for ``period``, which hold it for a single tier)."""
    authority = bodies["county"] if place["tier"] == "lower" else place["gss_code"]
    if authority is None:
        return None
    row = own.get(ASC) if authority == place["gss_code"] else store.row(
        "SELECT value FROM current_observations WHERE indicator_id = ? "
        "AND area_code = ? AND period = ?", [ASC, authority, period])
    if row is None or row["value"] is None:
        return None
    return {"amount": row["value"], "authority_code": authority,
            "authority_name": _name(store, authority),
            "within": "county" if place["tier"] == "lower" else "billing"}


def _preceptor(store: Store, place: dict[str, Any]) -> dict[str, Any]:
    """A county council, combined authority or the GLA: its own Band D and each billing area's."""
    code = place["gss_code"]
    own = OWN.get(place["tier"])
    out: dict[str, Any] = {"kind": "preceptor", "code": code, "name": place["official_name"],
                           "period": None, "own_band_d": None, "adult_social_care": None,
                           "areas": [], "note": (
                               f"{place['official_name']} does not send council tax bills: "
                               "the billing councils in its area collect its share with their "
                               "own. A household's bill is on each billing council's page.")}
    members = store.rows(
        "SELECT gss_code, official_name FROM places p WHERE current AND tier IN "
        "('lower', 'single') AND (parent_county_gss = ? OR combined_authority_gss = ? OR "
        "(? = 'strategic' AND region = 'London')) ORDER BY name", [code, code, place["tier"]])
    period = None
    if members:
        period = store.scalar(
            "SELECT max(period) FROM current_observations WHERE indicator_id = ? "
            "AND area_code IN (SELECT unnest(?))", [AREA, [m["gss_code"] for m in members]])
    # its own figures from its current values (read once for the council page)
    ours = [r for r in area_current(store, code) if r["indicator_id"] in (own, ASC)]
    if period is None and own:
        period = _latest_period([r for r in ours if r["indicator_id"] == own])
    if period is None:
        return out
    out["period"] = period
    in_period = {r["indicator_id"]: r["value"] for r in ours if r["period"] == period}
    if own:
        out["own_band_d"] = in_period.get(own)
    out["adult_social_care"] = in_period.get(ASC)
    # Every billing area's figures for the period in one read (not a query an area).
    by_area: dict[str, dict[str, Any]] = {}
    for area_code, indicator_id, value in store.execute(
            "SELECT area_code, indicator_id, value FROM current_observations "
            "WHERE area_code IN (SELECT unnest(?)) AND period = ? AND indicator_id LIKE 'ctr.%'",
            [[m["gss_code"] for m in members], period]).fetchall():
        by_area.setdefault(area_code, {})[indicator_id] = value
    for m in members:
        vals = by_area.get(m["gss_code"], {})
        out["areas"].append({"code": m["gss_code"], "name": m["official_name"],
                             "total": vals.get(AREA), "this_body": vals.get(own) if own else None})
    return out
