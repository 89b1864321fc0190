"""The place profile: everything about one council's area on one page, as plain data.

:func:`build_profile` assembles, for a council and a comparator group:

* ``served``: who serves the place (:func:`wholeplace.places.queries.served_by`) and who
  delivers each service (:func:`wholeplace.places.services.who_delivers`);
* ``context``: population and age structure, deprivation (IoD2019 average score), and the spread
  of neighbourhood deprivation: the count and share of the area's LSOAs in each IMD decile (for a
  county, the LSOAs of its districts);
* ``outcomes``: the key indicators against the comparator group and England
  (:func:`wholeplace.insight.comparison.compare.compare_area`), with the sensitivity of each
  verdict to the
  choice of group and funnel data where the data allows; a spending line of a service another
  body delivers in the area, on which the council published £0 (a district's education), is
  "not applicable" in the comparison (the rule is compare's: ``not_applicable`` and
  ``not_applicable_note`` of :func:`~wholeplace.insight.comparison.compare.compare_area`), so it is
  left
  out of the outcomes, the charts, the trends and the sentences and listed in
  ``not_applicable`` with who delivers it;
* ``children``: the children's services outcomes (DfE LAIT, Ofsted judgements as words) of the
  body that delivers children's services in the place, labelled "Delivered by <County> County
  Council" for a shire district, or the council's own for a unitary or county
  (:mod:`wholeplace.insight.profile.children`); each indicator shows the latest period with a
  value and says when a newer period has none (``newer``);
* ``trends``: each key indicator's series and trend test (:mod:`wholeplace.insight.trends.view`);
  spending per head is tested on its cash series (every published year), and said to be "in
  cash terms";
* ``flags``: the early-warning flags for the latest financial year with data
  (:func:`wholeplace.insight.early_warning.resilience.council_flags`);
* ``spend``: whole-place spend per head of every tier serving the area
  (:func:`wholeplace.insight.spend.wholeplace.place_spend`) in the latest RS year, and its
  ``series``: the whole-place total for every year loaded, "incomplete" where a tier has no
  figures that year (:mod:`wholeplace.insight.spend.series`);
* ``sentences``: plain-English sentences built from those statistics
  (:mod:`wholeplace.insight.profile.sentences`), and ``sources``: the datasets used, with licences.

Each section has ``status`` "available" or "not available" with a ``reason`` saying why (its
module is not installed, or the data has nothing for this council); one section failing never
stops the others; a council that no longer exists is told so in plain words, with its
successors. Missing values stay ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wholeplace.errors import InputError, WholeplaceError
from wholeplace.hub import queries as hub
from wholeplace.hub.store import Store
from wholeplace.insight.comparison import compare
from wholeplace.insight.early_warning import resilience
from wholeplace.insight.profile import sentences as say
from wholeplace.insight.profile.children import children_section, is_children_indicator
from wholeplace.insight.profile.rows import GROUP_LABELS, base_id, indicator_row, whom
from wholeplace.insight.spend import series as spend_series
from wholeplace.insight.spend import wholeplace as wholeplace_spend
from wholeplace.insight.trends import view as trend_view
from wholeplace.insight.trends.analysis import MIN_MANN_KENDALL_POINTS as MIN_TREND_POINTS
from wholeplace.places import queries as places
from wholeplace.places import services

#: Comparator groups a profile can use (``custom`` needs ``members``).
GROUPS = ("ours", "cipfa", "region", "county", "custom")
#: Indicator kinds shown as outcomes.
OUTCOME_KINDS = ("outcome", "output")
#: Spending and reserves indicators shown with the outcomes (per resident, so comparable).
SPEND_INDICATORS = (
    "rs.nce.total_service.per_head", "rs.net_revenue_expenditure.per_head",
    "rs.council_tax_requirement.per_head", "rs.nce.adult_social_care.per_head",
    "rs.nce.childrens_social_care.per_head", "rs.nce.education.per_head",
    "rs.nce.highways_transport.per_head", "rs.nce.housing_gf.per_head",
    "rs.nce.cultural.per_head", "rs.nce.environmental_regulatory.per_head",
    "rs.nce.planning_development.per_head", "rs.nce.central.per_head",
    "rs.reserves.unallocated.end.per_head", "rs.reserves.other_earmarked.end.per_head",
)
#: The early-warning flags compare a council with every council of its kind (the RS years
#: predate the 2019-23 reorganisations; see resilience.py).
FLAG_METHOD = "kind"
NOT_AVAILABLE, AVAILABLE = "not available", "available"
_RS_NRE = "rs.net_revenue_expenditure"


class SectionUnavailable(WholeplaceError):
    """A section of the profile has nothing for this council (the message says why)."""


def former_council(store: Store, place: dict) -> str | None:
    """For a council that no longer exists, why a section that compares today's councils has
    nothing, and where to look instead; None for a current council."""
    if place.get("current", True):
        return None
    ended = place.get("end_date")
    when = f" in {ended.year}" if ended else ""
    after = places.successors(store, place["gss_code"])
    see = f" — see {say.and_list([s['official_name'] for s in after])}" if after else ""
    return (f"{place['official_name']} was abolished{when}; comparisons are made for current "
            f"councils{see}")


def section(build: Callable[..., dict], *args: Any) -> dict:
    """Run one section's builder; a failure becomes ``status`` "not available" with the reason."""
    try:
        return {"status": AVAILABLE, "reason": None, **build(*args)}
    except WholeplaceError as exc:
        return {"status": NOT_AVAILABLE, "reason": str(exc)}


# -- who serves the place -----------------------------------------------------------------------
def served_section(store: Store, place: dict) -> dict:
    served = places.served_by(store, place["gss_code"])
    served.pop("place")
    try:
        delivery, note = services.who_delivers(store, place["gss_code"]), None
    except InputError as exc:
        delivery, note = [], str(exc)
    return {"served_by": served, "who_delivers": delivery, "who_delivers_note": note}


# -- context ------------------------------------------------------------------------------------
_DECILES_SQL = """
SELECT d.decile, count(*) AS count
FROM lsoas l JOIN lsoa_deprivation d USING (lsoa11_code)
WHERE d.domain = 'imd' AND (l.la_gss_code = ? OR l.county_gss_code = ?)
GROUP BY d.decile ORDER BY d.decile"""
_LSOA_COUNT_SQL = "SELECT count(*) FROM lsoas WHERE la_gss_code = ? OR county_gss_code = ?"


def lsoa_deciles(store: Store, place: dict) -> dict:
    """The count and share of the area's LSOAs (2011) in each IoD2019 IMD decile (1 = most
    deprived 10% in England). A county counts its districts' LSOAs."""
    code = place["gss_code"]
    total = store.scalar(_LSOA_COUNT_SQL, [code, code]) or 0
    if not total:
        raise SectionUnavailable(
            f"no LSOAs are mapped to {place['name']}: the LSOA lookup maps neighbourhoods to "
            "today's lower-tier and unitary councils (and their counties), so a former or "
            "combined authority has none")
    counts = {r["decile"]: r["count"] for r in store.rows(_DECILES_SQL, [code, code])}
    rows = [{"decile": d, "count": counts.get(d, 0), "share": counts.get(d, 0) / total}
            for d in range(1, 11)]
    ranked = sum(r["count"] for r in rows)
    return {"total": total, "with_decile": ranked, "deciles": rows,
            "note": "IoD2019 IMD deciles of 2011 LSOAs (1 = the 10% most deprived "
                    "neighbourhoods in England), mapped to today's councils."}


def _context_row(store: Store, code: str):
    from wholeplace.insight.peers.context import read_context

    for universe in ("current", "lad2021"):
        found = read_context(store, universe, 2021).by_code().get(code)
        if found is not None:
            return found
    return None


def population_block(c) -> dict:
    """Population and age structure (mid-2021) from the comparator context figures."""
    v = c.values
    pop, young, old = v.get("pop"), v.get("pop_0_17"), v.get("pop_65_plus")
    working = pop - young - old if None not in (pop, young, old) else None
    bands = [("Aged 0 to 17", young), ("Aged 18 to 64", working), ("Aged 65 and over", old)]
    return {"period": "mid-2021", "all_ages": pop, "basis": c.population_basis,
            "share_65_plus": 100 * old / pop if pop and old is not None else None,
            "ages": [{"band": b, "count": n, "share": 100 * n / pop if pop and n is not None
                      else None} for b, n in bands],
            "note": population_note(c.population_basis)}


def population_note(basis: str | None) -> str | None:
    """How the population was obtained, when ONS publishes no estimate for the council itself
    (``basis`` as in :mod:`wholeplace.insight.peers.context`: "published", "sum of 5 districts",
    "missing")."""
    if basis in (None, "published"):
        return None
    if basis.startswith("sum of "):
        return (f"Population is the sum of the ONS estimates for its "
                f"{basis.removeprefix('sum of ')}, added up by wholeplace.")
    return "ONS publishes no population estimate for this council or its parts."


def deprivation_block(c) -> dict:
    basis = {"official": "IoD2019 File 10 (official)",
             "lad23": "IoD2019 re-aggregated to 2023 boundaries (third party, not official)"}
    imd = c.values.get("imd_score")
    return {"imd_score": imd, "basis": basis.get(c.imd_basis or "", c.imd_basis and
                                               f"population-weighted {c.imd_basis} (derived)"),
            "extent": c.values.get("imd_extent"),
            "note": "IMD average score: higher means more deprived (IoD2019)."}


def context_section(store: Store, place: dict) -> dict:
    found = _context_row(store, place["gss_code"])
    former = former_council(store, place) if found is None else None
    if former:
        raise SectionUnavailable(former.replace("comparisons are made",
                                                "population and deprivation are shown"))
    out: dict[str, Any] = {"population": None, "deprivation": None}
    if found is not None:
        out["population"] = population_block(found)
        out["deprivation"] = deprivation_block(found)
    out["lsoas"] = section(lsoa_deciles, store, place)
    if found is None and out["lsoas"]["status"] != AVAILABLE:
        raise SectionUnavailable(f"{place['name']} is not a council with context figures "
                                 "(population, deprivation) in the hub")
    return out


# -- outcomes vs similar councils ---------------------------------------------------------------
def key_indicators(store: Store, code: str) -> list[str]:
    """The outcome indicators and the spending indicators the council has values for. The
    children's services indicators (DfE LAIT, Ofsted) are the children section's
    (:mod:`wholeplace.insight.profile.children`), shown once, labelled with who delivers them."""
    have = {r["indicator_id"]: r["kind"] for r in store.rows(
        "SELECT DISTINCT o.indicator_id, i.kind FROM current_observations o "
        "JOIN indicators i USING (indicator_id) WHERE o.area_code = ?", [code])}
    outcomes = sorted(i for i, k in have.items()
                      if k in OUTCOME_KINDS and not is_children_indicator(i))
    return outcomes + [i for i in SPEND_INDICATORS if i in have]


def outcomes_section(store: Store, place: dict, group: str, members: list[str] | None) -> dict:
    former = former_council(store, place)
    if former:
        raise SectionUnavailable(former)
    ids = key_indicators(store, place["gss_code"])
    if not ids:
        raise SectionUnavailable(f"no outcome or spending indicators are loaded for "
                                 f"{place['name']}")
    result = compare.compare_area(store, place["gss_code"], method=group, indicators=ids,
                                  members=members)
    phrase = whom(result["group"], result["council"])
    rows = [indicator_row(r, phrase) for r in result["indicators"] if not r["not_applicable"]]
    return {"council": result["council"], "group": result["group"] | {"whom": phrase},
            "groups": result["groups"], "unavailable_methods": result["unavailable_methods"],
            "indicators": rows, "depends_on_group": result["sensitivity"]["depends_on_group"],
            "not_applicable": result["not_applicable"],
            "not_applicable_note": result["not_applicable_note"],
            "newer_note": result["newer_note"],
            "outcomes_note": _outcomes_note(store, place, rows)}


def _outcomes_note(store: Store, place: dict, rows: list[dict]) -> str | None:
    """Why a council without social care has no care outcomes, from who delivers the service."""
    outcomes = [r for r in rows if r["kind"] in OUTCOME_KINDS]
    if any(r.get("theme") == "adult_social_care" for r in outcomes):
        return None
    try:
        care = [r for r in services.who_delivers(store, place["gss_code"])
                if r["service_id"] == "adult_social_care"]
    except InputError:
        care = []
    if care and care[0].get("body_code") and care[0]["body_code"] != place["gss_code"]:
        what = "adult social care outcomes" if outcomes else "outcome indicators"
        return (f"No {what} are published for {place['name']}: the adult social "
                f"care outcomes loaded are reported by {care[0]['body_name']}, which delivers "
                "that service here.")
    return None if outcomes else f"No outcome indicators are loaded for {place['name']}."


# -- trends -------------------------------------------------------------------------------------
def _trend_summary(measure: dict, points: list[dict], basis: str = "value") -> dict:
    """What the Mann-Kendall test found, from the first period with a value. ``basis`` "cash":
    the test was of a money series in cash terms (the words say so)."""
    mk = measure.get("mann_kendall") or {}
    first = next((p["period"] for p in points if p.get("value") is not None), None)
    n = measure.get("n", 0)
    reason = mk.get("reason") or measure.get("reason")
    if mk.get("direction", say.NOT_AVAILABLE) == say.NOT_AVAILABLE and n < MIN_TREND_POINTS:
        reason = (f"{n} {'year' if n == 1 else 'years'} with a value; the test needs at least "
                  f"{MIN_TREND_POINTS}")
    return {"direction": mk.get("direction", say.NOT_AVAILABLE), "p_value": mk.get("p_value"),
            "sen_slope": mk.get("sen_slope"), "n": n, "first": first,
            "last": next((p["period"] for p in reversed(points) if p.get("value") is not None),
                         None),
            "reason": reason,
            "running": (measure.get("running") or {}).get("label"),
            "basis": basis, "test": "Mann-Kendall, two-sided, 5% level"}


def trend_ids(ids: list[str]) -> list[str]:
    """The ids whose trends a profile shows: a per-head spending id is asked for as its cash
    money indicator, whose series runs over every published year (per-head values exist only
    where a population estimate is near the year) and carries the per-head twin with it."""
    return list(dict.fromkeys(base_id(i) for i in ids))


def trends_section(store: Store, place: dict, ids: list[str]) -> dict:
    if not ids:
        raise SectionUnavailable(f"no outcome or spending indicators are loaded for "
                                 f"{place['name']}")
    found = trend_view.area_trends(store, place["gss_code"], indicators=ids)
    rows = []
    for t in found["indicators"]:
        points = [{"period": p["period"], "value": p.get("value"), "status": p.get("status"),
                   "gap": p.get("gap", False), "lower": None, "upper": None}
                  for p in t.get("series", [])]
        measures = t.get("measures") or {}
        basis = "cash" if "cash" in measures else "value"
        measure = measures.get(basis) or {"reason": t.get("reason")}
        trend = _trend_summary(measure, points, basis)
        text = say.trend_phrase(trend["direction"], trend["first"], trend["reason"], basis)
        rows.append({"indicator_id": t["indicator_id"], "title": t.get("title"),
                     "unit": t.get("unit"), "series": points, "gaps": t.get("gaps", []),
                     "trend": trend | {"text": text[0].upper() + text[1:] + "."}})
    return {"indicators": rows}


# -- early-warning flags ------------------------------------------------------------------------
def latest_rs_year(store: Store) -> int:
    """The calendar year by whose end the latest Revenue Outturn year was published."""
    start = store.scalar("SELECT max(period_start) FROM current_observations "
                         "WHERE indicator_id = ? AND period_type = 'financial_year'", [_RS_NRE])
    if start is None:
        raise SectionUnavailable("no Revenue Outturn (RS) data is loaded; run 'wholeplace load'")
    return start.year + 1


def flags_section(store: Store, place: dict) -> dict:
    year = latest_rs_year(store)
    found = resilience.council_flags(store, year, place["gss_code"], method=FLAG_METHOD)
    c = found["council"]
    keep = ("indicator", "title", "group", "unit", "polarity", "band", "value", "value_text",
            "span", "threshold", "trend", "trend_direction", "definition", "comparators",
            "comparator_position", "explanation")
    rows = [{k: r.get(k) for k in keep} for r in c["indicators"]]
    return {"period": found["period"], "as_of": found["as_of"],
            "comparators": c["comparator_group"],
            "compared_with": compared_with(c["comparator_group"], rows),
            "higher_risk": c["higher_risk"],
            "some_risk": c["some_risk"], "caveats": found["caveats"],
            "sources_used": found["sources_used"],
            "indicators": rows}


def compared_with(group: dict, flags: list[dict]) -> str:
    """Whom the flags compare the council with, counting the councils that have a value (as
    each flag's explanation does), not the size of the whole group."""
    label, size = group["label"], group["size"]
    # an indicator no council has a value for (debt after 2019-20) says so in its own text
    ns = sorted(n for n in {(f.get("comparators") or {}).get("n") for f in flags} if n)
    if not ns:
        return f"{label} in England"
    if ns == [size]:
        return f"{size:,} {label} in England"
    if len(ns) == 1:
        return f"{ns[0]:,} {label} in England with a value (of {size:,})"
    return (f"{label} in England with a value ({ns[0]:,} to {ns[-1]:,} of {size:,}, depending "
            "on the indicator)")


# -- whole-place spend --------------------------------------------------------------------------
def spend_section(store: Store, place: dict) -> dict:
    """The whole-place table of the latest RS year, and (for a council area) the whole-place
    total of every year loaded, each year's tiers summed for that year only."""
    year = latest_rs_year(store) - 1
    subject = wholeplace_spend.resolve_subject(store, place["gss_code"])
    inputs = spend_series.read_all_inputs(store)
    period = wholeplace_spend.period_of(year).label
    if period not in inputs:
        raise InputError(f"no RS service spending is loaded for {period}")
    found = wholeplace_spend.spend_for(inputs[period], subject)
    if found["kind"] == "county":
        if not found["areas"]:  # a former county: no district of it existed in the year
            raise InputError(f"{place['official_name']} had no districts with spending "
                             f"figures in {found['period']}")
        areas = [{"area": a["area"], "population": a["population"],
                  "totals": a["totals"]} for a in found["areas"]]
        return {"kind": "county", "period": found["period"], "areas": areas,
                "notes": found["notes"], "not_included": found["not_included"]}
    out = {k: found[k] for k in ("kind", "period", "population", "per_head_available",
                                 "tiers", "lines", "totals", "notes", "not_included")}
    out["columns"] = spend_columns(found["tiers"])
    out["series"] = spend_series.compose_series(inputs, subject["gss_code"])
    for row in out["lines"] + out["totals"]:
        row["cells"] = spend_cells(out["columns"], row)
    return out


#: Tier statuses (:mod:`wholeplace.insight.spend.wholeplace`): a body that did not exist in the
#: year has no column; one without figures has a column reading "No figures".
NO_FIGURES, NOT_CREATED = "no_figures", "not_created"


def spend_columns(tiers: list[dict]) -> list[dict]:
    """The tiers a spending table shows, one column each: every tier that existed that year."""
    return [{"code": t["code"], "kind": t["kind"], "name": t["name"], "status": t["status"],
             "no_figures": t["status"] == NO_FIGURES}
            for t in tiers if t["status"] != NOT_CREATED]


def spend_cells(columns: list[dict], row: dict) -> list[dict]:
    """One cell per column, matched by tier (never by position), so a cell is always under
    its own heading: the per-head value, or ``no_figures`` for a tier without figures."""
    by_tier = {(c["code"], c["kind"]): c for c in row["tiers"]}
    out = []
    for col in columns:
        cell = by_tier.get((col["code"], col["kind"])) or {}
        out.append({"code": col["code"], "per_head": cell.get("per_head"),
                    "status": cell.get("status"), "no_figures": col["no_figures"]})
    return out


# -- sentences and sources ----------------------------------------------------------------------
def profile_sentences(name: str, sections: dict) -> list[dict]:
    """Every generated sentence, with the section it summarises."""
    out: list[dict] = []

    def add(where: str, text: str | None) -> None:
        if text:
            out.append({"section": where, "text": text})

    ctx = sections["context"]
    if ctx["status"] == AVAILABLE:
        if ctx.get("population"):
            add("context", say.population_sentence(name, ctx["population"]))
        if ctx["lsoas"]["status"] == AVAILABLE:
            add("context", say.deciles_sentence(name, ctx["lsoas"]["deciles"],
                                                ctx["lsoas"]["total"]))
    for row in sections["outcomes"].get("indicators", []):
        if row["kind"] in OUTCOME_KINDS:  # spending rows have sentences too, on the page
            add("outcomes", row["sentence"])
    flags = sections["flags"]
    for f in flags.get("indicators", []):
        if f["band"] in ("higher risk", "some risk"):
            add("flags", say.flag_sentence(f, flags["period"]))
    if sections["spend"]["status"] == AVAILABLE and sections["spend"]["kind"] == "area":
        add("spend", say.spend_sentence(name, sections["spend"]))
    return out


def outcome_sentence(row: dict, trend: dict | None) -> str:
    g = row["group"]
    item = {"title": row["title"], "unit": row["unit"], "period": row["period"],
            "value": row["value"], "verdict": g["verdict"], "median": g["median"],
            "benchmark": g["benchmark"], "band_reason": g["reason"],
            "reason": row.get("note"), "trend": trend}
    return say.outcome_sentence(item, g["whom"])


#: Sources every profile reads (register, lookup, population, deprivation).
CONTEXT_SOURCES = ("la_register", "lsoa11_lookup", "population_mye", "imd2019_la",
                   "imd2019_la23", "imd2019_lsoa")


def sources(store: Store, sections: dict) -> list[dict]:
    """The datasets the profile used, with publisher, release and licence."""
    used = set(CONTEXT_SOURCES)
    for name in ("outcomes", "children"):
        used |= {r["source_id"] for r in sections[name].get("indicators", []) if r["source_id"]}
    used |= set(sections["flags"].get("sources_used", []))
    if sections["spend"]["status"] == AVAILABLE or sections["flags"]["status"] == AVAILABLE:
        used |= {r["source_id"] for r in store.rows(
            "SELECT DISTINCT source_id FROM current_observations WHERE indicator_id = ?",
            [_RS_NRE])}
    keep = ("dataset_id", "source_id", "title", "publisher", "licence", "release",
            "released_on", "url", "landing_page")
    return [{k: d[k] for k in keep} for d in hub.datasets(store)
            if d["source_id"] in used and d["superseded_by"] is None]


# -- the profile --------------------------------------------------------------------------------
def check_group(place: dict, group: str, members: list[str] | None) -> None:
    if group not in GROUPS:
        raise InputError(f"Unknown comparator group {group!r}: choose one of "
                         f"{', '.join(GROUPS)}.")
    if group == "county" and place["tier"] != "lower":
        raise InputError(f"{place['name']} ({place['gss_code']}) is not a shire district, so it "
                         "has no county group; choose 'ours', 'cipfa' or 'region'.")
    if group == "custom" and not members:
        raise InputError("A custom group needs members: give the GSS codes of the councils "
                         "to compare with.")
    if members and group != "custom":
        raise InputError("Members are only used by the 'custom' group; drop them or choose "
                         "group 'custom'.")


def group_options(place: dict) -> list[dict]:
    """The comparator groups offered for this council (``county`` only for shire districts)."""
    return [{"method": m, "label": GROUP_LABELS[m]} for m in GROUPS
            if m != "custom" and (m != "county" or place["tier"] == "lower")]


def build_profile(store: Store, code: str, group: str = "ours",
                  members: list[str] | None = None) -> dict:
    """The place profile of council ``code`` against comparator ``group`` (see module doc).

    Raises NotFoundError for an unknown code and InputError for a group the council cannot
    have; anything a section cannot provide is reported in that section instead.
    """
    place = places.get_place(store, code)
    check_group(place, group, members)
    outcomes = section(outcomes_section, store, place, group, members)
    skip = {r["indicator_id"] for r in outcomes.get("not_applicable", [])}
    ids = [i for i in key_indicators(store, place["gss_code"]) if i not in skip]
    children = section(children_section, store, place, group, members)
    if children.get("delivered_by", {}).get("own"):  # its own children's outcomes: trends too
        ids += [r["indicator_id"] for r in children["indicators"]]
    sections = {
        "served": section(served_section, store, place),
        "context": section(context_section, store, place),
        "outcomes": outcomes,
        "children": children,
        "trends": section(trends_section, store, place, trend_ids(ids)),
        "flags": section(flags_section, store, place),
        "spend": section(spend_section, store, place),
    }
    trends = {t["indicator_id"]: t["trend"] for t in sections["trends"].get("indicators", [])}
    for row in [*sections["outcomes"].get("indicators", []),
                *sections["children"].get("indicators", [])]:
        row["trend"] = trends.get(row["indicator_id"]) or trends.get(base_id(row["indicator_id"]))
        row["sentence"] = outcome_sentence(row, row["trend"])
    return {"council": place, "group": group, "members": members,
            "group_options": group_options(place), **sections,
            "sentences": profile_sentences(place["name"], sections),
            "sources": sources(store, sections)}
