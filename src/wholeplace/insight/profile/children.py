"""The children's services section of a place profile: the outcomes of the body that delivers
children's services in the place, labelled as delivered by it.

A shire district delivers no children's services: its county council does (Children Act 1989
Part 3 and Children Act 2004 s.65; ``places/services.yaml``). So a district's profile shows the
county's children's outcomes (DfE LAIT and the Ofsted judgements, :data:`CHILDREN_INDICATORS`),
compared with the county's own comparator group and every county council in England, under the
label "Delivered by <County> County Council". A unitary, a metropolitan district, a London
borough or a county shows its own. Who delivers the service comes from
:func:`wholeplace.places.services.who_delivers`, never from the tier alone. An Ofsted judgement is
an ordinal grade, shown as words, never averaged (:mod:`wholeplace.insight.comparison.ordinal`).
"""

from __future__ import annotations

from typing import Any

from wholeplace.errors import InputError, WholeplaceError
from wholeplace.hub.store import Store
from wholeplace.insight.comparison import compare
from wholeplace.insight.profile.rows import indicator_row, whom
from wholeplace.places import services

#: The children's outcomes a profile shows (DfE LAIT, then the Ofsted judgements), in order.
CHILDREN_INDICATORS: tuple[str, ...] = (
    "lait.lac", "lait.cpp_rate", "lait.cpp_abuse_rate", "lait.cin", "lait.careleavereet",
    "lait.16_17_not_known_neet", "lait.avg_attain8_score", "lait.excessyr6",
    "ofsted.overall_effectiveness", "ofsted.help_and_protection", "ofsted.children_in_care",
    "ofsted.care_leavers", "ofsted.impact_of_leaders",
)
#: Families shown only here (never among the place's own outcomes, so nothing shows twice).
CHILDREN_FAMILIES: tuple[str, ...] = ("lait.", "ofsted.")
SERVICE_ID = "childrens_social_care"
#: Comparator groups a county can have: a district's ``county`` and ``custom`` groups are the
#: district's, so the county is compared with its own most similar councils instead.
COUNTY_GROUPS = ("ours", "cipfa", "region")


class NoChildrenOutcomes(WholeplaceError):
    """The place has no children's services body with outcomes in the hub (the message says
    why)."""


def is_children_indicator(indicator_id: str) -> bool:
    """Whether the indicator belongs to the children's services section."""
    return indicator_id.startswith(CHILDREN_FAMILIES)


def delivering_body(store: Store, place: dict[str, Any]) -> dict[str, Any]:
    """Who delivers children's services in the place (a row of
    :func:`services.who_delivers`), or NoChildrenOutcomes saying why there is none."""
    try:
        rows = services.who_delivers(store, place["gss_code"])
    except InputError as exc:
        raise NoChildrenOutcomes(str(exc)) from exc
    found = next((r for r in rows if r["service_id"] == SERVICE_ID), None)
    if found is None or not found.get("body_code"):
        raise NoChildrenOutcomes(f"no council delivers children's services in "
                                 f"{place['name']} according to the service rules")
    return found


def delivered_label(body: dict[str, Any], place: dict[str, Any]) -> str:
    """"Delivered by West Sussex County Council", or the council's own for itself."""
    if body["body_code"] == place["gss_code"]:
        return f"Delivered by {place['official_name']} itself"
    return f"Delivered by {body['body_name']}"


def children_section(store: Store, place: dict[str, Any], group: str,
                     members: list[str] | None = None) -> dict[str, Any]:
    """The children's outcomes of the body that delivers children's services in ``place``,
    compared with that body's comparator group (``group`` when it has one, else ``ours``; a
    council's own ``custom`` group with its ``members``)."""
    body = delivering_body(store, place)
    code = body["body_code"]
    have = {r["indicator_id"] for r in store.rows(
        "SELECT DISTINCT indicator_id FROM current_observations WHERE area_code = ? "
        "AND list_contains(?, indicator_id) AND value IS NOT NULL",
        [code, list(CHILDREN_INDICATORS)])}
    ids = [i for i in CHILDREN_INDICATORS if i in have]
    if not ids:
        raise NoChildrenOutcomes(f"no children's outcomes (DfE LAIT, Ofsted) are loaded for "
                                 f"{body['body_name']}, which delivers children's services in "
                                 f"{place['name']}")
    own = code == place["gss_code"]
    method = group if own or group in COUNTY_GROUPS else "ours"
    result = compare.compare_area(store, code, method=method, indicators=ids,
                                  members=members if method == "custom" else None)
    phrase = whom(result["group"], result["council"])
    if not own:
        phrase = phrase.replace("its ", f"{result['council']['name']}'s ", 1)
    rows = [indicator_row(r, phrase) for r in result["indicators"]]
    order = {i: n for n, i in enumerate(CHILDREN_INDICATORS)}
    rows.sort(key=lambda r: order[r["indicator_id"]])
    label = delivered_label(body, place)
    note = None if own else (
        f"{place['name']} does not deliver children's services: {body['body_name']} does, "
        f"for the whole county. These are its figures for the county, compared with {phrase}.")
    return {"delivered_by": {"code": code, "name": result["council"]["name"],
                             "official_name": body["body_name"], "own": own},
            "label": label, "note": note, "method": method,
            "group": result["group"] | {"whom": phrase}, "indicators": rows,
            "newer_note": result["newer_note"]}
