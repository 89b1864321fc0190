"""Whole-place spend: what every tier of local government in the register spends per resident of
one council area, by RS service line (docs/whole-place-spend.md).

A resident of Cambridge is served by Cambridge City Council, Cambridgeshire County Council and
the Cambridgeshire and Peterborough Combined Authority. For each RS service line this module
gives each tier's spend per head of the people it serves, and their sum: the spend per head of
local government in that place.

* The area's own council: its net current expenditure over the area's population.
* The county council and the combined authority (or the GLA in London): their spend is
  apportioned to the area by population (body spend x area population / body population). Per
  head of the area that is the body's own per-head value; the cash share is given too.
* Populations follow the hub's per-head rule (:mod:`wholeplace.hub.derived`): the mid-year
  estimate of the year the financial year starts in, else the nearest loaded year within
  :data:`~wholeplace.hub.derived.MAX_POPULATION_GAP_YEARS`; one basis year is used for every
  tier. Combined authorities' and the GLA's populations are the sums over the council areas they
  cover. With no estimate that close, per-head and apportioned values stay missing and the result
  says so.
* Only service lines (RS lines 190 to 698 and their total, line 699) are used, never net current
  expenditure (line 749): levies paid to waste, transport and combined authorities, parish
  precepts and housing benefit sit between lines 699 and 749, so the same money is not counted
  twice. Police, fire, waste and transport bodies outside the register are not included.
* Missing is never zero: a tier whose figure is unknown makes the total unknown; the known part
  and the tiers it lacks are given beside it.

The composition (:func:`compose`) is pure; :func:`read_inputs` reads the store once, so a whole
comparator group is composed from one read (:mod:`wholeplace.insight.spend.compare`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.derived import MAX_POPULATION_GAP_YEARS, POPULATION_CTES
from wholeplace.hub.periods import Period, financial_year, parse_period
from wholeplace.hub.store import Store
from wholeplace.places.queries import PLACE_FIELDS, get_place


@dataclass(frozen=True)
class Line:
    """One row of the whole-place table: an RS service line (or a total) and its label."""

    id: str
    label: str


SERVICE_LINES: tuple[Line, ...] = (
    Line("rs.nce.education", "Education"),
    Line("rs.nce.highways_transport", "Highways and transport"),
    Line("rs.nce.childrens_social_care", "Children's social care"),
    Line("rs.nce.adult_social_care", "Adult social care"),
    Line("rs.nce.social_care", "Social care (2010-11, not split)"),
    Line("rs.nce.public_health", "Public health"),
    Line("rs.nce.housing_gf", "Housing (general fund)"),
    Line("rs.nce.cultural", "Cultural and related"),
    Line("rs.nce.environmental_regulatory", "Environmental and regulatory"),
    Line("rs.nce.planning_development", "Planning and development"),
    Line("rs.nce.police", "Police"),
    Line("rs.nce.fire_rescue", "Fire and rescue"),
    Line("rs.nce.central", "Central services"),
    Line("rs.nce.other", "Other services"),
)
TOTAL = Line("rs.nce.total_service", "Total service expenditure")
#: Total service expenditure less police and fire: police and fire are run by bodies outside the
#: register in most places, so only this total compares like with like across England.
COMPARABLE_TOTAL = Line("total_excluding_police_fire", "Total excluding police and fire")
POLICE, FIRE = "rs.nce.police", "rs.nce.fire_rescue"

#: The RS indicators read (service lines and the published total).
RS_INDICATORS: tuple[str, ...] = (*tuple(line.id for line in SERVICE_LINES), TOTAL.id)

#: Tier statuses: figures reported; no figures for the body in this year's data (unknown); the
#: register says the body was created after the year ended (not part of that year's total).
REPORTED, NO_FIGURES, NOT_CREATED = "reported", "no_figures", "not_created"

NO_POPULATION = "no population estimate within {gap} years of this year ({period})"

NOT_INCLUDED = (
    ("Police and crime commissioners, fire and rescue authorities, waste disposal authorities, "
    "passenger transport bodies, national parks and other bodies outside the place register are "
    "not included: the RS files report them as separate bodies that the register cannot tie to "
    "places. Police and fire appear only where a body in the register reports them (the GLA "
    "reports the Mayor's Office for Policing and Crime and London fire; some county and "
    "unitary councils and combined authorities are fire authorities)."),
    ("Parish and town councils' spending is not included. The precepts that fund it are in a "
    "district's net current expenditure (RS line 749), not in its service lines."),
    ("Levies a council pays to waste, transport and combined authorities (and flood defence "
    "levies) are not counted for the payer: they sit between RS lines 699 and 749. The services "
    "they fund are counted where the receiving body is in the register (a combined authority's "
    "transport spending) and are not included where it is not (a waste disposal authority)."),
    ("Housing benefit payments, the Housing Revenue Account, capital spending and specific "
    "grants are not deducted or added: each figure is net current expenditure on services, "
    "net of fees, charges and income from other local authorities (so money one tier pays "
    "another for a service is counted once, by the payer)."),
)

CAVEATS = (
    ("Apportioning a county's or combined authority's spend by population assumes it spends "
    "the same per resident in every district; in reality it does not."),
    ("The register gives today's county and combined-authority relationships and membership; "
    "an area's bodies in an earlier year may have differed."),
    ("Education includes schools funded through the council; academies are funded directly by "
    "government and are not in these figures, so education spend falls as schools convert."),
)


@dataclass
class SpendInputs:
    """Everything :func:`compose` needs for one financial year, read once from the store."""

    period: Period
    places: dict[str, dict]
    values: dict[tuple[str, str], tuple[float | None, str]]
    pops: dict[str, dict[int, tuple[float, int | None]]]
    lines_present: frozenset[str]


# -- pure arithmetic ---------------------------------------------------------------------------
def population_year(years: Iterable[int], period_year: int,
                    max_gap: int = MAX_POPULATION_GAP_YEARS) -> int | None:
    """The hub's rule: the same year if loaded, else the nearest within ``max_gap`` (earlier
    year first on a tie); None when no estimate is that close."""
    near = [y for y in years if abs(y - period_year) <= max_gap]
    return min(near, key=lambda y: (abs(y - period_year), y)) if near else None


def per_head(cash_thousands: float | None, population: float | None) -> float | None:
    """£ per head from £ thousand; missing when either part is missing."""
    if cash_thousands is None or not population:
        return None
    return cash_thousands * 1000.0 / population


def apportion(cash: float | None, area_pop: float | None, body_pop: float | None
              ) -> float | None:
    """The area's population share of a body's spend: cash x area_pop / body_pop."""
    if cash is None or area_pop is None or not body_pop:
        return None
    return cash * area_pop / body_pop


def sum_parts(parts: Iterable[tuple[str, float | None]]) -> dict:
    """Sum named parts: ``total`` is missing if any part is, never a sum with a missing part as
    0; ``known`` sums the parts that are known and ``lacks`` names the others."""
    parts = list(parts)
    lacks = [name for name, v in parts if v is None]
    known = [v for _, v in parts if v is not None]
    return {"total": None if lacks or not parts else sum(known),
            "known": sum(known) if known else None, "lacks": lacks}


def less_police_fire(total: float | None, police: float | None, fire: float | None
                     ) -> float | None:
    """Total service expenditure less police and fire (missing if any of the three is)."""
    if total is None or police is None or fire is None:
        return None
    return total - police - fire


# -- tiers -------------------------------------------------------------------------------------
def tier_bodies(area: Mapping, places: Mapping[str, Mapping]) -> list[tuple[str, Mapping]]:
    """(kind, place) of each tier serving ``area``: own, county, combined (CA or GLA)."""
    out = [("own", area)]
    for kind, column in (("county", "parent_county_gss"), ("combined", "combined_authority_gss")):
        code = area.get(column)
        if code and code in places:
            out.append((kind, places[code]))
    return out


def tier_status(place: Mapping, kind: str, has_figures: bool, period: Period) -> str:
    start = place.get("start_date")
    if kind != "own" and isinstance(start, date) and start > period.end:
        return NOT_CREATED
    return REPORTED if has_figures else NO_FIGURES


def _tier(kind: str, place: Mapping, inputs: SpendInputs, basis: int | None,
          area_pop: float | None) -> dict:
    code = place["gss_code"]
    # A return not submitted is published as '[x]' (missing): no figures, like no row at all.
    has = any(inputs.values.get((code, ind), (None, ''))[0] is not None for ind in RS_INDICATORS)
    status = tier_status(place, kind, has, inputs.period)
    if kind == "own":
        pop, members = area_pop, None
    elif basis is None:
        pop, members = None, None
    else:
        pop, members = inputs.pops.get(code, {}).get(basis, (None, None))
    return {"kind": kind, "code": code, "name": place["name"],
            "official_name": place["official_name"], "la_type": place["la_type"],
            "status": status, "population": pop, "population_members": members,
            "share": area_pop / pop if area_pop and pop else None,
            "note": _tier_note(place, kind, status, pop, basis, inputs.period)}


def _tier_note(place: Mapping, kind: str, status: str, pop: float | None, basis: int | None,
               period: Period) -> str | None:
    name = place["official_name"]
    if status == NOT_CREATED:
        return (f"{name} started on {place['start_date'].isoformat()} (register), after "
                f"{period.label}: not part of this year's total. The area may then have "
                "belonged to another body, whose spending this data cannot attribute.")
    if status == NO_FIGURES:
        return (f"No RS figures for {name} in {period.label}: its spending is unknown, so the "
                "totals lack it. (It may not have existed yet, or its row could not be matched "
                "to the register: files before 2014-15 have no ONS code column.)")
    if basis is not None and pop is None:
        return f"No mid-{basis} population for {name}: its per-head values are unknown."
    return None


# -- lines -------------------------------------------------------------------------------------
def _cash(inputs: SpendInputs, tier: dict, line_id: str) -> tuple[float | None, str]:
    if tier["status"] == NO_FIGURES:
        return None, "unknown"
    if line_id == COMPARABLE_TOTAL.id:
        parts = [inputs.values.get((tier["code"], i), (None, "absent"))[0]
                 for i in (TOTAL.id, POLICE, FIRE)]
        return less_police_fire(*parts), "derived"
    value, status = inputs.values.get((tier["code"], line_id), (None, "absent"))
    return value, status


def line_row(line: Line, tiers: list[dict], inputs: SpendInputs, area_pop: float | None
             ) -> dict:
    """One table row: each counted tier's cash, apportioned cash and per head, and the sums."""
    cells = []
    for t in tiers:
        if t["status"] == NOT_CREATED:
            continue
        cash, status = _cash(inputs, t, line.id)
        # the area's own council spends wholly in the area; other tiers by population share
        share = cash if t["kind"] == "own" else apportion(cash, area_pop, t["population"])
        cells.append({"code": t["code"], "kind": t["kind"], "cash_gbp_thousands": cash,
                      "apportioned_gbp_thousands": share, "status": status,
                      "per_head": per_head(cash, t["population"])})
    names = {t["code"]: t["name"] for t in tiers}
    heads = sum_parts((names[c["code"]], c["per_head"]) for c in cells)
    money = sum_parts((names[c["code"]], c["apportioned_gbp_thousands"]) for c in cells)
    return {"id": line.id, "label": line.label, "tiers": cells,
            "total_per_head": heads["total"], "known_per_head": heads["known"],
            "lacks": heads["lacks"], "total_gbp_thousands": money["total"]}


def _population(area: Mapping, inputs: SpendInputs) -> tuple[int | None, dict]:
    year = inputs.period.start.year
    own = inputs.pops.get(area["gss_code"], {})
    basis = population_year(own, year)
    if basis is None:
        why = NO_POPULATION.format(gap=MAX_POPULATION_GAP_YEARS, period=inputs.period.label)
        return None, {"year": None, "label": None, "value": None, "same_year": None,
                      "note": f"{why[0].upper()}{why[1:]} for {area['name']}: per-head and "
                              "apportioned values are not given; only each council's own "
                              "cash figures are shown."}
    note = (f"Mid-{basis} population estimates, the same year as {inputs.period.label} starts"
            if basis == year else
            f"Mid-{basis} population estimates, the nearest year loaded to {year} (within "
            f"{MAX_POPULATION_GAP_YEARS} years), for every tier")
    return basis, {"year": basis, "label": f"mid-{basis}", "value": own[basis][0],
                   "same_year": basis == year, "note": note + "."}


def compose(inputs: SpendInputs, code: str) -> dict:
    """The whole-place spend table of one lower- or single-tier council area (pure)."""
    area = inputs.places[code]
    basis, population = _population(area, inputs)
    area_pop = population["value"]
    tiers = [_tier(kind, place, inputs, basis, area_pop)
             for kind, place in tier_bodies(area, inputs.places)]
    lines = [line_row(line, tiers, inputs, area_pop) for line in SERVICE_LINES
             if line.id in inputs.lines_present]
    totals = [line_row(line, tiers, inputs, area_pop) for line in (TOTAL, COMPARABLE_TOTAL)]
    return {"kind": "area", "area": {k: area[k] for k in PLACE_FIELDS},
            "period": inputs.period.label, "year": inputs.period.start.year,
            "population": population, "per_head_available": basis is not None,
            "tiers": tiers, "lines": lines, "totals": totals,
            "not_included": list(NOT_INCLUDED),
            "notes": _notes(tiers, lines, totals) + list(CAVEATS)}


def _notes(tiers: list[dict], lines: list[dict], totals: list[dict]) -> list[str]:
    notes = [t["note"] for t in tiers if t["note"]]
    for t in tiers:
        if t["kind"] != "own" and t["share"] is not None:
            notes.append(f"{t['official_name']}: apportioned by population ({t['share']:.1%} of "
                         "its residents live here), so its per-head value here is its own "
                         "spend per resident.")
    by_id = {row["id"]: row for row in lines}
    for line_id, what in ((POLICE, "police"), (FIRE, "fire and rescue")):
        bodies = [c["code"] for c in by_id.get(line_id, {"tiers": []})["tiers"]
                  if c["cash_gbp_thousands"]]
        if bodies:
            names = ", ".join(t["official_name"] for t in tiers if t["code"] in bodies)
            notes.append(f"The {what} spending here is reported by {names}; in most places "
                         f"{what} is run by a body outside the register and is not included, "
                         f"so compare '{COMPARABLE_TOTAL.label}'.")
    if any(row["total_per_head"] is None and row["known_per_head"] is not None
           for row in lines + totals):
        notes.append("Where a total is missing, 'known_per_head' sums only the tiers that are "
                     "known and 'lacks' names the others: it is not the whole-place total.")
    return notes


# -- reading the store -------------------------------------------------------------------------
def period_of(year: int | str) -> Period:
    """``2017`` or ``"2017-18"`` -> the financial year 2017-18."""
    if isinstance(year, int) and not isinstance(year, bool):
        return financial_year(year)
    period = parse_period(str(year))
    if period.type != "financial_year":
        raise InputError(f"{year!r} is not a financial year: give the year it starts in "
                         "(2017 for 2017-18) or '2017-18'.")
    return period


def values_sql(n_indicators: int) -> str:
    """The current RS values of every area for one period (pure)."""
    marks = ", ".join("?" for _ in range(n_indicators))
    return ("SELECT area_code, indicator_id, value, status FROM current_observations "
            f"WHERE period = ? AND period_type = 'financial_year' AND indicator_id IN ({marks})")


POPULATIONS_SQL = f"WITH {POPULATION_CTES} SELECT area_code, pop_year, pop, members FROM pop"


def read_inputs(store: Store, year: int | str) -> SpendInputs:
    """Read the year's RS values, the populations and the register (three queries)."""
    period = period_of(year)
    rows = store.rows(values_sql(len(RS_INDICATORS)), [period.label, *RS_INDICATORS])
    if not rows:
        loaded = [r["period"] for r in store.rows(
            "SELECT DISTINCT period FROM current_observations WHERE indicator_id = ? "
            "ORDER BY period", [TOTAL.id])]
        raise NotFoundError(
            f"No RS service spending is loaded for {period.label}. Years loaded: "
            f"{', '.join(loaded) or 'none'}. Load the RS files with 'wholeplace load'.")
    values = {(r["area_code"], r["indicator_id"]): (r["value"], r["status"]) for r in rows}
    pops: dict[str, dict[int, tuple[float, int | None]]] = {}
    for r in store.rows(POPULATIONS_SQL):
        pops.setdefault(r["area_code"], {})[int(r["pop_year"])] = (r["pop"], r["members"])
    places = {r["gss_code"]: r for r in store.rows(
        f"SELECT {', '.join(PLACE_FIELDS)} FROM places")}
    return SpendInputs(period, places, values, pops,
                       frozenset(r["indicator_id"] for r in rows))


def county_districts(inputs: SpendInputs, county: str) -> list[str]:
    """The districts of a county in the year: those with figures, and current districts that
    the register does not say were created after the year ended."""
    end = inputs.period.end

    def existed(p: Mapping) -> bool:
        return p["current"] and not (isinstance(p["start_date"], date) and p["start_date"] > end)

    codes = [p["gss_code"] for p in inputs.places.values()
             if p["parent_county_gss"] == county
             and ((p["gss_code"], TOTAL.id) in inputs.values or existed(p))]
    return sorted(codes, key=lambda c: (inputs.places[c]["name"], c))


def resolve_subject(store: Store, code: str) -> dict:
    """The register place for ``code``; only council areas and counties are accepted."""
    place = get_place(store, code)
    if place["tier"] in ("combined", "strategic"):
        raise InputError(
            f"{place['official_name']} ({place['gss_code']}) is a combined authority or the "
            "GLA, not a council area: its spending is shared out to the areas it covers. Give "
            "the code of one of its councils (run 'wholeplace place "
            f"{place['gss_code']}' to list them).")
    return place


def spend_for(inputs: SpendInputs, place: Mapping) -> dict:
    """Compose a council area, or each district of a county (pure over ``inputs``)."""
    if place["tier"] != "upper":
        return compose(inputs, place["gss_code"])
    areas = [compose(inputs, c) for c in county_districts(inputs, place["gss_code"])]
    return {"kind": "county", "county": {k: place[k] for k in PLACE_FIELDS},
            "period": inputs.period.label, "year": inputs.period.start.year,
            "areas": areas, "not_included": list(NOT_INCLUDED), "notes": list(CAVEATS)}


def place_spend(store: Store, code: str, year: int | str) -> dict:
    """Whole-place spend per head for a council area (for a county: each of its districts)."""
    place = resolve_subject(store, code)
    return spend_for(read_inputs(store, year), place)
