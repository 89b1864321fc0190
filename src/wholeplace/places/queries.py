"""Place queries: find councils, resolve codes and say who serves an area.

Every function takes a :class:`~wholeplace.hub.store.Store` and returns plain dicts and lists
(dates stay ``datetime.date``; the edges turn them into ISO strings). Values are always bound with
``?``; the only identifiers used are the fixed column names below.
"""

from __future__ import annotations

import difflib
import re

from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.queries import recoded_to
from wholeplace.hub.store import Store
from wholeplace.places.register import TIERS

#: Columns every place dict carries, in this order.
PLACE_FIELDS = ("gss_code", "la_code", "name", "official_name", "la_type", "tier", "current",
                "start_date", "end_date", "parent_county_gss", "region",
                "combined_authority_gss", "dluhc_ecode", "area_km2")
_SELECT = f"SELECT {', '.join(PLACE_FIELDS)} FROM places"

#: An ONS GSS code: a letter, two digits for the entity, six for the instance.
GSS_PATTERN = re.compile(r"^[EWSNK]\d{8}$")

#: Tiers a council list can be filtered on, and the authority types.
TIER_VALUES = tuple(sorted(set(TIERS.values())))
LA_TYPES = tuple(TIERS)

_MATCH_NAMES = {0: "exact", 1: "prefix", 2: "substring"}


def is_gss_code(text: str) -> bool:
    return bool(GSS_PATTERN.match(text.strip().upper()))


def _like_escape(text: str) -> str:
    """Escape LIKE wildcards so a search for '100%' matches the characters, not a pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def place_row(store: Store, code: str) -> dict | None:
    """The register row for exactly ``code`` (no recoding, no note), or None."""
    register = _register(store)
    if register is None:
        return store.row(f"{_SELECT} WHERE gss_code = ?", [code])
    found = register.get(code)
    return dict(found) if found is not None else None


def _register(store: Store) -> dict[str, dict] | None:
    """Every register row by code, read once into ``store.memo`` (None for a store without
    one: each lookup is then a query). A council page looks up its council, county and
    combined authority a dozen times; one read of the ~400 rows costs less than two lookups."""
    if store.memo is None:
        return None
    return store.remember("places", lambda: {r["gss_code"]: r for r in store.rows(_SELECT)})


# -- searching -----------------------------------------------------------------------------------
def find_places(store: Store, text: str, limit: int = 10, current_only: bool = True
                ) -> list[dict]:
    """Places whose GSS code is ``text``, or whose name contains it (case-insensitive).

    A code returns that place (a former or re-issued code included, whatever ``current_only``
    says, because the person asked for it by code). Names rank exact matches first, then names
    that start with the text, then names that contain it; shorter names first within a rank.
    Each dict has the place's fields plus ``match`` (code, exact, prefix or substring).
    """
    text = (text or "").strip()
    if not text:
        raise InputError("Give a council name or GSS code to search for, e.g. 'Cambridge'.")
    if limit < 1:
        raise InputError(f"The limit must be at least 1, not {limit}.")
    if is_gss_code(text):
        found = place_row(store, text.upper())
        if found is None:
            try:
                found = get_place(store, text.upper())
            except NotFoundError:
                return []
        return [{**{k: found[k] for k in PLACE_FIELDS}, "match": "code"}]
    lowered = text.lower()
    prefix = _like_escape(lowered) + "%"
    contains = "%" + _like_escape(lowered) + "%"
    rows = store.rows(
        f"""
        SELECT {', '.join(PLACE_FIELDS)},
            CASE WHEN lower(name) = ? OR lower(official_name) = ? THEN 0
                 WHEN lower(name) LIKE ? ESCAPE '\\' OR lower(official_name) LIKE ? ESCAPE '\\'
                 THEN 1 ELSE 2 END AS match_rank
        FROM places
        WHERE (lower(name) LIKE ? ESCAPE '\\' OR lower(official_name) LIKE ? ESCAPE '\\')
          AND (current OR NOT ?)
        ORDER BY match_rank, length(name), name, gss_code
        LIMIT ?""",
        [lowered, lowered, prefix, prefix, contains, contains, current_only, limit],
    )
    for r in rows:
        r["match"] = _MATCH_NAMES[r.pop("match_rank")]
    return rows


def closest_names(store: Store, text: str, n: int = 5) -> list[str]:
    """Up to ``n`` 'Name (CODE)' labels that look most like ``text``, for error messages."""
    places = store.rows("SELECT gss_code, name FROM places ORDER BY current DESC, gss_code")
    text = (text or "").strip()
    if is_gss_code(text):
        by_key = {p["gss_code"]: p for p in places}
        keys = difflib.get_close_matches(text.upper(), list(by_key), n=n, cutoff=0.7)
    else:
        by_key = {p["name"].lower(): p for p in places}
        keys = difflib.get_close_matches(text.lower(), list(by_key), n=n, cutoff=0.5)
    return [f"{by_key[k]['name']} ({by_key[k]['gss_code']})" for k in keys]


def match_place(store: Store, text: str) -> dict:
    """Resolve what a person typed to one place when that is unambiguous.

    Returns ``{"place": dict | None, "candidates": [...]}``: ``place`` is set for a code, for a
    single match, or for the one current place whose name is exactly ``text``; otherwise
    ``candidates`` lists the matches for the person to choose from. Raises NotFoundError (with
    the closest names) when nothing matches.
    """
    if is_gss_code(text):
        return {"place": get_place(store, text), "candidates": []}
    found = find_places(store, text, limit=20)
    if not found:
        found = find_places(store, text, limit=20, current_only=False)
    exact = [p for p in found if p["match"] == "exact"]
    if len(exact) == 1 or len(found) == 1:
        chosen = exact[0] if exact else found[0]
        return {"place": get_place(store, chosen["gss_code"]), "candidates": []}
    if found:
        return {"place": None, "candidates": found}
    raise NotFoundError(_not_found_message(store, text, "No council is called"))


def _not_found_message(store: Store, text: str, lead: str) -> str:
    close = closest_names(store, text)
    hint = f" The closest are: {'; '.join(close)}." if close else ""
    return (f"{lead} {text!r}.{hint} Search by name with 'wholeplace place NAME' "
            "(e.g. 'wholeplace place Cambridge') to find a council's code.")


# -- one place -----------------------------------------------------------------------------------
def get_place(store: Store, code: str) -> dict:
    """The place with GSS code ``code``, plus ``note`` (None unless something needs saying).

    A former code that was merely re-issued (``recoded``) returns today's place, with
    ``requested_code`` set to what was asked for and a note explaining the change.
    """
    wanted = (code or "").strip().upper()
    if not wanted:
        raise InputError("Give a GSS code, e.g. E07000008 (Cambridge).")
    found = place_row(store, wanted)
    if found is not None:
        return {**found, "requested_code": wanted, "note": _former_note(found)}
    recoded = recoded_to(store, wanted)
    if recoded is not None:
        current = place_row(store, recoded["new_code"])
        if current is not None:
            note = (f"{wanted} is a former GSS code of {current['name']}; its code is now "
                    f"{current['gss_code']}. {recoded['note'] or ''}").strip()
            return {**current, "requested_code": wanted, "note": note}
    lead = "No council has the GSS code" if is_gss_code(wanted) else "No council is called"
    raise NotFoundError(_not_found_message(store, code.strip(), lead))


def _former_note(place: dict) -> str | None:
    if place["current"]:
        return None
    when = f" (its end date in the register is {place['end_date'].isoformat()})" \
        if place["end_date"] else ""
    return f"{place['official_name']} no longer exists{when}."


def successors(store: Store, code: str) -> list[dict]:
    """The places that took over a former authority's area, followed to today's councils.

    Each dict is a place plus ``relation`` (merged_into or split_into) and ``effective_date``.
    """
    out, seen, queue = [], {code}, [code]
    while queue:
        old = queue.pop(0)
        rules = store.rows(
            "SELECT new_code, relation, effective_date FROM place_successors "
            "WHERE old_code = ? AND relation <> 'recoded' ORDER BY new_code", [old])
        for rule in rules:
            new = place_row(store, rule["new_code"])
            if new is None or new["gss_code"] in seen:
                continue
            seen.add(new["gss_code"])
            if new["current"]:
                out.append({**new, "relation": rule["relation"],
                            "effective_date": rule["effective_date"], "via": old})
            else:
                queue.append(new["gss_code"])
    return out


# -- lists ---------------------------------------------------------------------------------------
def regions(store: Store) -> list[str]:
    """The English regions named in the register, sorted."""
    return [r["region"] for r in store.rows(
        "SELECT DISTINCT region FROM places WHERE region IS NOT NULL ORDER BY region")]


def councils(store: Store, region: str | None = None, tier: str | None = None,
             la_type: str | None = None, current: bool | None = True) -> list[dict]:
    """Councils in the register, filtered; ``current=None`` returns current and former."""
    where: list[str] = []
    params: list[object] = []
    if region is not None:
        known = {r.lower(): r for r in regions(store)}
        if region.strip().lower() not in known:
            raise InputError(f"There is no region {region!r} in the register. Use one of: "
                             f"{', '.join(known.values())}.")
        where.append("region = ?")
        params.append(known[region.strip().lower()])
    if tier is not None:
        if tier not in TIER_VALUES:
            raise InputError(f"Unknown tier {tier!r}; use one of {', '.join(TIER_VALUES)}.")
        where.append("tier = ?")
        params.append(tier)
    if la_type is not None:
        if la_type not in LA_TYPES:
            raise InputError(f"Unknown authority type {la_type!r}; use one of "
                             f"{', '.join(LA_TYPES)}.")
        where.append("la_type = ?")
        params.append(la_type)
    if current is not None:
        where.append("current = ?")
        params.append(current)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return store.rows(f"{_SELECT}{clause} ORDER BY name, gss_code", params)


def children(store: Store, code: str) -> list[dict]:
    """Districts of a county, or members of a combined authority (or the GLA's boroughs).

    For a current parent, only current children; for a former county, the districts it had.
    Councils with no children (districts, unitaries) give an empty list.
    """
    parent = get_place(store, code)
    column = {"upper": "parent_county_gss", "combined": "combined_authority_gss",
              "strategic": "combined_authority_gss"}.get(parent["tier"])
    if column is None:
        return []
    only_current = " AND current" if parent["current"] else ""
    return store.rows(f"{_SELECT} WHERE {column} = ?{only_current} ORDER BY name, gss_code",
                      [parent["gss_code"]])


# -- who serves an area ----------------------------------------------------------------------------
def _body(place: dict, role: str) -> dict:
    return {"role": role, "gss_code": place["gss_code"], "name": place["name"],
            "official_name": place["official_name"], "la_type": place["la_type"],
            "tier": place["tier"], "current": place["current"]}


def resident_councils(store: Store, place: dict) -> list[dict]:
    """The councils serving a resident of a lower- or single-tier area, most local first."""
    out = [_body(place, place["la_type"])]
    if place["parent_county_gss"]:
        county = place_row(store, place["parent_county_gss"])
        if county is not None:
            out.append(_body(county, county["la_type"]))
    if place["combined_authority_gss"]:
        ca = place_row(store, place["combined_authority_gss"])
        if ca is not None:
            out.append(_body(ca, ca["la_type"]))
    return out


def served_by(store: Store, code: str) -> dict:
    """Who serves the area of ``code``, in words and structure.

    ``kind`` is ``resident`` (a district or single-tier council: the councils a resident there
    has), ``county``, ``combined`` (a combined authority or the GLA: its members) or ``former``
    (an abolished authority: its successors). ``councils`` lists the bodies, ``children`` the
    districts or members, ``successors`` the councils that took over, ``summary`` a sentence.
    """
    place = get_place(store, code)
    out = {"place": place, "note": place["note"], "region": place["region"], "kind": "",
           "councils": [], "children": [], "successors": [], "summary": ""}
    if not place["current"]:
        return _former(store, place, out)
    if place["tier"] in ("lower", "single"):
        out["kind"] = "resident"
        out["councils"] = resident_councils(store, place)
        names = [f"{c['official_name']} ({c['la_type']})" for c in out["councils"]]
        out["summary"] = (f"A resident of {place['name']} is served by {_join(names)}"
                          + (f"; region: {place['region']}." if place["region"] else "."))
    elif place["tier"] == "upper":
        out["kind"] = "county"
        out["councils"] = resident_councils(store, place)
        out["children"] = children(store, place["gss_code"])
        out["summary"] = (f"{place['official_name']} is the county council for "
                          f"{place['name']}; its area has {len(out['children'])} district "
                          f"councils: {_join([c['name'] for c in out['children']])}.")
    else:
        out["kind"] = "combined"
        out["councils"] = [_body(place, place["la_type"])]
        out["children"] = children(store, place["gss_code"])
        what = ("covers the areas of" if place["tier"] == "strategic" else "has as members")
        out["summary"] = (f"{place['official_name']} {what} {len(out['children'])} "
                          f"councils: {_join([c['name'] for c in out['children']])}.")
    return out


def _former(store: Store, place: dict, out: dict) -> dict:
    out["kind"] = "former"
    out["successors"] = successors(store, place["gss_code"])
    when = (f" (end date in the register: {place['end_date'].isoformat()})"
            if place["end_date"] else "")
    names = [f"{s['official_name']} ({s['gss_code']})" for s in out["successors"]]
    if len(out["successors"]) == 1:
        out["councils"] = resident_councils(store, out["successors"][0])
        out["region"] = out["region"] or out["successors"][0]["region"]
    out["summary"] = (f"{place['official_name']} was abolished{when}. "
                      + (f"Its area is now served by {_join(names)}." if names else
                         "The register names no successor."))
    return out


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
