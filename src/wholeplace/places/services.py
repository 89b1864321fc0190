"""Service responsibilities: which body delivers each council service in an area.

The rules are declarative (``services.yaml`` beside this module, documented in
``docs/services.md``); every rule names the law or official guidance it rests on. Evaluating the
rules is pure (:func:`delivery` takes place dicts); :func:`who_delivers` looks the places up in
the store and is the only function here that does I/O.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from wholeplace.errors import InputError
from wholeplace.hub.store import Store
from wholeplace.places import queries

Holder = Literal["lower", "upper", "single", "combined", "combined_or_upper",
                 "combined_or_single", "gla", "other"]
AREA_KINDS = ("two_tier", "unitary", "metropolitan", "london")

#: The area kind of each authority type that has service rules.
KIND_OF_TYPE = {
    "shire district": "two_tier",
    "county council": "two_tier",
    "unitary": "unitary",
    "Isles of Scilly": "unitary",
    "metropolitan district": "metropolitan",
    "London borough": "london",
    "City of London": "london",
}


class Rule(BaseModel):
    """Who holds a service in one kind of area."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    holder: Holder
    body: str | None = Field(default=None, description="Generic description for 'other'.")
    note: str | None = None

    @model_validator(mode="after")
    def _other_needs_body(self) -> Rule:
        if (self.holder == "other") != (self.body is not None):
            raise ValueError("a rule has a 'body' description exactly when its holder is 'other'")
        return self


def _rule(value: str | dict) -> Rule:
    return Rule(holder=value) if isinstance(value, str) else Rule(**value)


class Service(BaseModel):
    """One service line and its rules for every kind of area."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    service: str
    two_tier: Rule
    unitary: Rule
    metropolitan: Rule
    london: Rule
    by_combined_authority: dict[str, Rule] = Field(default_factory=dict)
    by_place: dict[str, Rule] = Field(default_factory=dict)
    source: str = Field(min_length=10)
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _rules(cls, data: dict) -> dict:
        data = dict(data)
        for kind in AREA_KINDS:
            if kind in data:
                data[kind] = _rule(data[kind])
        for key in ("by_combined_authority", "by_place"):
            data[key] = {code: _rule(v) for code, v in (data.get(key) or {}).items()}
        return data

    def rule_for(self, place: dict) -> Rule:
        """The rule for ``place``: its own override, its combined authority's, or its kind's."""
        if place["gss_code"] in self.by_place:
            return self.by_place[place["gss_code"]]
        ca = place.get("combined_authority_gss")
        if ca in self.by_combined_authority:
            return self.by_combined_authority[ca]
        return getattr(self, area_kind(place))


def parse_services(text: str) -> tuple[Service, ...]:
    services = tuple(Service(**item) for item in yaml.safe_load(text))
    ids = [s.id for s in services]
    if len(set(ids)) != len(ids):
        raise ValueError("services.yaml declares the same service id twice")
    return services


@cache
def services() -> tuple[Service, ...]:
    """The service table from ``services.yaml``, validated."""
    text = (resources.files("wholeplace.places") / "services.yaml").read_text(encoding="utf-8")
    return parse_services(text)


def area_kind(place: dict) -> str:
    """two_tier, unitary, metropolitan or london; InputError for authorities without an area."""
    kind = KIND_OF_TYPE.get(place["la_type"])
    if kind is None:
        raise InputError(
            f"{place['official_name']} ({place['gss_code']}) is a {place['la_type']}: it covers "
            "several councils' areas, whose services differ. Ask about one of its member "
            f"councils (run 'wholeplace place {place['gss_code']}' to list them).")
    return kind


# -- pure evaluation -----------------------------------------------------------------------------
def _council(place: dict) -> dict:
    return {"body_name": place["official_name"], "body_code": place["gss_code"],
            "tier": place["tier"]}


def _generic(description: str, tier: str) -> dict:
    return {"body_name": description, "body_code": None, "tier": tier}


def _districts_body(place: dict, districts: list[dict]) -> dict:
    names = ", ".join(d["name"] for d in districts)
    listed = f" ({len(districts)}: {names})" if districts else ""
    return _generic(f"the district council for each part of {place['name']}{listed}", "lower")


def _holder_body(holder: str, place: dict, county: dict | None, combined: dict | None,
                 districts: list[dict]) -> dict:
    """The body a holder name means for ``place`` (a district, single-tier council or county)."""
    is_county = place["tier"] == "upper"
    if holder == "combined_or_upper":
        holder = "combined" if combined is not None else "upper"
    elif holder == "combined_or_single":
        holder = "combined" if combined is not None else "single"
    if holder == "lower":
        return _districts_body(place, districts) if is_county else _council(place)
    if holder == "upper":
        if is_county:
            return _council(place)
        return _council(county) if county is not None else _generic(
            "the county council for this area (not found in the register)", "upper")
    if holder == "single":
        return _council(place)
    if holder in ("combined", "gla"):
        if combined is not None:
            return _council(combined)
        return _generic("the combined authority for this area (not found in the register)",
                        "combined")
    raise ValueError(f"holder {holder!r} needs a body description")


def delivery(place: dict, *, county: dict | None = None, combined: dict | None = None,
             districts: list[dict] | None = None,
             table: tuple[Service, ...] | None = None) -> list[dict]:
    """One row per service: who delivers it in ``place``'s area. Pure.

    ``place`` is a district, single-tier council or county (a place dict); ``county`` the county
    council over a district; ``combined`` the combined authority (or, in London, the GLA) the
    area belongs to; ``districts`` a county's districts. Each row has service_id, service,
    body_name, body_code (None for a body that is not in the register), tier, source and note.
    """
    area_kind(place)  # raises for authorities that have no area of their own
    rows = []
    for service in table if table is not None else services():
        rule = service.rule_for(place)
        if rule.holder == "other":
            body = _generic(rule.body or "", "other")
        else:
            body = _holder_body(rule.holder, place, county, combined, districts or [])
        notes = [n for n in (rule.note, service.note) if n]
        rows.append({"service_id": service.id, "service": service.service, **body,
                     "source": service.source, "note": " ".join(notes) or None})
    return rows


# -- the edge --------------------------------------------------------------------------------------
def who_delivers(store: Store, code: str) -> list[dict]:
    """Who delivers each service in the area of council ``code`` (see :func:`delivery`).

    A re-issued code is read as today's code. A former authority whose area went to one
    successor is answered for that successor (each row's note says so); one that was split
    raises InputError naming the successors.
    """
    place = queries.get_place(store, code)
    lead = place["note"] if place["requested_code"] != place["gss_code"] else None
    if not place["current"]:
        place, lead = _successor(store, place)
    county = combined = None
    if place["parent_county_gss"]:
        county = queries.place_row(store, place["parent_county_gss"])
    if place["combined_authority_gss"]:
        combined = queries.place_row(store, place["combined_authority_gss"])
    districts = queries.children(store, place["gss_code"]) if place["tier"] == "upper" else []
    rows = delivery(place, county=county, combined=combined, districts=districts)
    if lead:
        for r in rows:
            r["note"] = f"{lead} {r['note'] or ''}".strip()
    return rows


def _successor(store: Store, place: dict) -> tuple[dict, str]:
    after = queries.successors(store, place["gss_code"])
    if len(after) != 1:
        names = ", ".join(f"{s['name']} ({s['gss_code']})" for s in after) or "none recorded"
        raise InputError(
            f"{place['official_name']} was abolished and its area split between councils "
            f"({names}); ask about one of them, e.g. 'wholeplace place "
            f"{after[0]['gss_code'] if after else 'NAME'}'.")
    new = queries.get_place(store, after[0]["gss_code"])
    return new, (f"{place['official_name']} ({place['gss_code']}) was abolished; these are the "
                 f"arrangements for {new['official_name']} ({new['gss_code']}), which now "
                 "serves its area.")
