"""A council's indicators set in context: against its comparator group and against England, with
confidence intervals where the data allows, how much the verdict depends on the choice of group,
and funnel-plot data. Contextual insight, not a league table: ranks only on request, and then
with the range of ranks their intervals allow.

:func:`compare_area` returns one plain dict (documented on the function) that the CLI, the JSON
API, the profile page and the PDF all use. Reading is three statements whatever the number of
indicators: the council's values, the comparators' and same-kind councils' values for the same
periods, and the comparator groups (:func:`wholeplace.insight.peers.groups.comparator_group`), plus
one look at the schema (:func:`has_interval_rule`).
The verdict rules live in :mod:`wholeplace.insight.comparison.banding`.

Intervals, from the published numerator and denominator only (never reconstructed):

* a share unit (``percent``, ``proportion``): Wilson score interval
  (:func:`~wholeplace.insight.statistics.stats.proportion_interval`), scaled by the unit;
* a rate unit (``rate_per_1000``, ``rate_per_100000``): exact Poisson below 10 events, Byar's
  from 10 (:func:`~wholeplace.insight.statistics.stats.rate_interval`) with the unit's multiplier;
* anything else: no interval, with the reason (most published council data gives no numerator
  or denominator), so the comparison is a position in the distribution, never "significant";
* an indicator whose catalogue entry says ``interval: none`` (a complete count or an
  administrative total, e.g. a share of an ONS population estimate): no interval whatever its
  unit (:data:`COMPLETE_COUNT`), so a position, never "significant", no rank and no funnel plot.
  A funnel's control limits are the sampling variation expected around the pooled baseline; a
  complete count has none, so with populations in the hundreds of thousands nearly every council
  would fall "outside the limits" and look special when it is not.

England is every council of the same kind (by the comparator settings' kind rule, e.g. shire
districts, or unitary councils with metropolitan districts) that has a value for the same
period, including former councils that existed then: the pooled value for a share with
numerators and denominators, else the median (``england.basis`` says which).

Not applicable: a Revenue Outturn spending line of a service another body delivers in the
council's area (:data:`RS_SERVICE_LINES`; who delivers it from
:func:`wholeplace.places.services.delivery`), on which the council published exactly 0 (a
district's £0 on education), is no duty, not a low spend. It keeps its value as published, its
bands say "not applicable" with who delivers the service (:func:`not_delivered`), and it has no
position, significance, rank, funnel or part in ``depends_on_group``. A missing value is never
read as 0 (it stays "not available"), and a non-zero value is always compared.
"""

from __future__ import annotations

from dataclasses import asdict

from wholeplace.errors import InputError
from wholeplace.hub.catalogue import builtin_catalogue
from wholeplace.hub.periods import parse_period
from wholeplace.hub.queries import indicators_by_id
from wholeplace.hub.store import Store
from wholeplace.hub.units import UNITS, Unit
from wholeplace.insight.comparison import banding
from wholeplace.insight.comparison.ordinal import ORDINAL_CODE, ordinal_comparison
from wholeplace.insight.peers.groups import ComparatorGroup, comparator_group
from wholeplace.insight.peers.settings import KIND_RULES, resolve_settings
from wholeplace.insight.profile.sentences import and_list
from wholeplace.insight.statistics import stats
from wholeplace.insight.statistics.distributions import check_confidence
from wholeplace.places import services
from wholeplace.places.queries import get_place, place_row

#: The comparator methods tried for the sensitivity check, in order. ``county`` only for shire
#: districts; ``custom`` only when members are given.
SENSITIVITY_METHODS = ("ours", "cipfa", "region", "county", "custom")
#: How each method's group is named in a band ("above the upper quartile of ...").
WHOM = {
    "ours": "similar councils",
    "cipfa": "CIPFA nearest neighbours",
    "region": "councils of the same kind in the region",
    "county": "the other districts of the county",
    "custom": "the custom group",
}
FUNNEL_LEVELS = (0.95, 0.998)
#: A spending line of a service the council does not deliver, on which it published 0. Not a
#: banding outcome (:mod:`wholeplace.insight.comparison.banding` judges values), but a verdict code
#: beside
#: banding's: never significant, never a position, never a side.
NOT_APPLICABLE, NOT_APPLICABLE_CODE = "not applicable", "not_applicable"
#: Every verdict code a comparison can carry: :data:`banding.VERDICTS`, "not_applicable" and
#: "ordinal" (a grade: the distribution of grades, no verdict; insight.comparison.ordinal).
VERDICTS = (*banding.VERDICTS, NOT_APPLICABLE_CODE, ORDINAL_CODE)
#: Verdicts that say nothing about the council (each comes with a ``reason``).
NO_VERDICT = (*banding.NO_VERDICT, NOT_APPLICABLE_CODE, ORDINAL_CODE)
#: Revenue Outturn spending lines and the service (``places/services.yaml``) each pays for. A
#: line is "not applicable" to a council only when that service is delivered in its area by
#: another body AND its published value is 0. (Highways and transport is only partly the
#: county's: districts run parking and some transport, so a district with a non-zero value stays
#: compared.) A line's ``.per_head`` twin follows its line.
RS_SERVICE_LINES = {
    "rs.nce.education": "education", "rs.nce.childrens_social_care": "childrens_social_care",
    "rs.nce.adult_social_care": "adult_social_care", "rs.nce.public_health": "public_health",
    "rs.nce.highways_transport": "highways", "rs.nce.housing_gf": "housing_and_homelessness",
}
PER_HEAD_SUFFIX = ".per_head"
NO_NUM_DEN = "the published data gives no numerator or denominator"
COMPLETE_COUNT = "a complete count, not a sample: no sampling interval"

_SELECT = """
SELECT o.indicator_id, i.title, i.unit, i.polarity, i.kind, i.theme, i.per_head_of,
       o.period, o.period_type, o.period_start, o.period_end, o.value, o.numerator,
       o.denominator, o.status, o.note, o.dataset_id, o.source_id, {interval} AS interval,
       {newest}
FROM current_observations o JOIN indicators i USING (indicator_id)
WHERE o.area_code = ?"""
#: The interval rule column; a hub file from before schema 2 opened read-only has none, and its
#: indicators are all "auto" (an allow-list: never request data).
_INTERVAL_COLUMN = {True: "i.interval", False: "'auto'"}
#: The only filters the subject query may add (identifiers never come from input).
_SUBJECT_FILTERS = {"period": " AND o.period = ?",
                    "indicators": " AND list_contains(?, o.indicator_id)"}
#: The newest period of each indicator for the council and its status, whether or not it has a
#: value (only when each indicator's latest period is asked for).
_NEWEST = {True: """first_value(o.period) OVER newest AS newest_period,
       first_value(o.status) OVER newest AS newest_status""",
           False: "NULL AS newest_period, NULL AS newest_status"}
#: Each indicator's latest period WITH a value (an indicator without any value keeps its latest,
#: missing, row). The newest period is looked for across a per-head twin and its money
#: indicator (a return not sent has missing money rows but no per-head row at all).
_LATEST = """
WINDOW newest AS (PARTITION BY regexp_replace(o.indicator_id, '\\.per_head$', '')
                  ORDER BY o.period_end DESC, o.period_start DESC)
QUALIFY row_number() OVER (PARTITION BY o.indicator_id ORDER BY (o.value IS NULL),
                           o.period_end DESC, o.period_start DESC) = 1"""
_LATEST_WANTED = " AND list_contains(?, o.indicator_id)"

_PEERS_SQL = """
SELECT o.indicator_id, o.period, o.area_code, p.name, p.la_type, o.value, o.numerator,
       o.denominator
FROM current_observations o
JOIN (SELECT unnest(?::VARCHAR[]) AS indicator_id, unnest(?::VARCHAR[]) AS period) w
  USING (indicator_id, period)
JOIN places p ON p.gss_code = o.area_code
WHERE o.area_code <> ? AND (list_contains(?, o.area_code) OR list_contains(?, p.la_type))
  AND list_contains(?, o.indicator_id)  -- pushed below the view's window; the join is not
"""


# -- SQL (pure) ---------------------------------------------------------------------------------
def subject_sql(code: str, period: str | None, indicators: list[str] | None,
                has_interval: bool = True) -> tuple[str, list]:
    """The council's value of each indicator: for ``period``, or the latest period of each in
    which the council has a value (with ``newest_period`` and ``newest_status``: the newest
    period of the indicator for the council, with or without a value).
    ``has_interval``: whether the hub's indicators table has the ``interval`` column."""
    sql = _SELECT.format(interval=_INTERVAL_COLUMN[has_interval],
                         newest=_NEWEST[period is None])
    params: list[object] = [code]
    if period is not None:
        sql += _SUBJECT_FILTERS["period"]
        params.append(period)
    if indicators:
        sql += _SUBJECT_FILTERS["indicators"]
        bases = [base_id(i) for i in indicators] if period is None else []
        params.append(list(dict.fromkeys([*indicators, *bases])))
    if period is None:
        sql += _LATEST
        if indicators:  # the money rows were read for their newest period only
            sql += _LATEST_WANTED
            params.append(list(indicators))
    return sql + "\nORDER BY i.theme NULLS LAST, i.title, o.indicator_id", params


def peers_sql(code: str, pairs: list[tuple[str, str]], member_codes: list[str],
              la_types: list[str]) -> tuple[str, list]:
    """Values of the members and of every council of the given types, for each (indicator,
    period) pair, leaving out the council itself."""
    return _PEERS_SQL, [[i for i, _ in pairs], [p for _, p in pairs], code,
                        sorted(member_codes), sorted(la_types), sorted({i for i, _ in pairs})]


def has_interval_rule(store: Store) -> bool:
    """Whether the indicators table has the ``interval`` column (schema 2 on: a hub file created
    earlier gains it when next opened writable; read-only, it is read as "auto")."""
    return bool(store.scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'indicators' "
        "AND column_name = 'interval'"))


def interval_rule(obs: dict) -> str:
    """The indicator's interval rule: the built-in catalogue's for its own indicators (uploads
    cannot redefine them, and a hub loaded before a rule was declared still says "auto" until
    its source is reloaded), else the hub's (an upload's metadata may set it)."""
    builtin = builtin_catalogue().get(obs["indicator_id"])
    return builtin.interval if builtin is not None else (obs.get("interval") or "auto")


# -- intervals ----------------------------------------------------------------------------------
def interval_for(value: float | None, numerator: float | None, denominator: float | None,
                 unit: Unit, confidence: float = 0.95, rule: str = "auto"
                 ) -> tuple[stats.Estimate | None, str | None]:
    """The confidence interval the published data allows, or None with the reason. ``rule`` is
    the indicator's catalogue ``interval``: "none" never gets one (a complete count)."""
    if value is None:
        return None, "no value"
    if rule == "none":
        return None, COMPLETE_COUNT
    if numerator is None or denominator is None:
        return None, NO_NUM_DEN
    if denominator <= 0:
        return None, "the denominator is zero"
    if unit.share and unit.scale:
        return stats.proportion_interval(numerator, denominator, unit.scale, confidence), None
    if unit.scale:
        return stats.rate_interval(numerator, denominator, unit.scale, confidence), None
    return None, (f"the unit '{unit.id}' does not say how the value relates to its numerator "
                  "and denominator, so no interval is calculated")


def _interval_dict(est: stats.Estimate | None, reason: str | None) -> dict:
    if est is None or not est.available:
        return {"lower": None, "upper": None, "method": None, "confidence": None,
                "reason": reason or (est.reason if est else None)}
    return {"lower": est.lower, "upper": est.upper, "method": est.method,
            "confidence": est.confidence, "reason": None}


# -- groups -------------------------------------------------------------------------------------
#: Comparator groups already built, by (hub file, data version, code, method, settings,
#: members). A group depends only on the hub's data, so a web process answering many requests
#: builds each once; a load changes the data version and so the key. In-memory hubs are not
#: cached. Bounded: the oldest entries are dropped first.
_GROUP_CACHE: dict[tuple, ComparatorGroup] = {}
GROUP_CACHE_SIZE = 2048


def cached_group(store: Store, code: str, method: str, settings=None,
                 members: list[str] | None = None) -> ComparatorGroup:
    """:func:`comparator_group`, remembered for a hub file whose data has not changed."""
    if store.path is None:
        return comparator_group(store, code, method, settings=settings, members=members)
    key = (str(store.path), store.data_version(), code, method, resolve_settings(settings),
           tuple(members or ()))
    found = _GROUP_CACHE.get(key)
    if found is None:
        found = comparator_group(store, code, method, settings=settings, members=members)
        while len(_GROUP_CACHE) >= GROUP_CACHE_SIZE:
            _GROUP_CACHE.pop(next(iter(_GROUP_CACHE)))
        _GROUP_CACHE[key] = found
    return found


def available_groups(store: Store, code: str, method: str, members: list[str] | None,
                     settings=None, sensitivity: bool = True
                     ) -> tuple[dict[str, ComparatorGroup], dict[str, str]]:
    """The comparator group of ``method`` and (with ``sensitivity``) every other group that
    exists for the council, with why the others do not.

    The group of ``method`` must exist: its error (an unknown method, ``county`` for a council
    that is not a shire district, ``custom`` without members) is raised.
    """
    tier = get_place(store, code)["tier"]
    wanted = [m for m in SENSITIVITY_METHODS
              if (m != "county" or tier == "lower") and (m != "custom" or members)]
    if not sensitivity:
        wanted = []
    if method not in wanted:
        wanted.insert(0, method)  # comparator_group raises the right error for it
    groups, missing = {}, {}
    for m in wanted:
        try:
            groups[m] = cached_group(store, code, m, settings,
                                     members if m == "custom" else None)
        except InputError as exc:
            if m == method:
                raise
            missing[m] = str(exc)
    if not sensitivity:
        return groups, {m: "not checked (sensitivity=False)" for m in SENSITIVITY_METHODS
                        if m != method}
    if "county" not in wanted:
        missing["county"] = "only shire districts have a county group"
    if "custom" not in wanted:
        missing["custom"] = "no custom members were given"
    return groups, missing


def _group_summary(g: ComparatorGroup) -> dict:
    return {"group_id": g.group_id, "method": g.method, "label": g.label,
            "description": g.description, "notes": g.notes,
            "members": [{"code": m.code, "name": m.name, "la_type": m.la_type,
                         "distance": m.distance} for m in g.members]}


def kind_types(kind: str, rule: str) -> list[str]:
    """The authority types of one kind of council under a kind rule."""
    return sorted(t for t, (k, _) in KIND_RULES[rule].items() if k == kind)


# -- one indicator ------------------------------------------------------------------------------
def _against_group(obs: dict, unit: Unit, est: stats.Estimate | None, g: ComparatorGroup,
                   peers: dict[str, dict]) -> dict:
    """The group's values for the same period, their summary, and the council's band."""
    rows = [peers.get(c) for c in g.codes()]
    values = [r["value"] if r else None for r in rows]
    valued = [r for r in rows if r and r["value"] is not None]
    benchmark = basis = None
    if (est is not None and est.available and unit.share and valued
            and all(r["numerator"] is not None and r["denominator"] is not None
                    for r in valued)):
        benchmark = banding.pooled(((r["numerator"], r["denominator"]) for r in valued),
                                   unit.scale or 1.0)
        basis = f"pooled value of {WHOM[g.method]}"
    verdict = banding.band(obs["value"], est, values, obs["polarity"], WHOM[g.method],
                           benchmark, basis, _missing_reason(obs))
    verdict["side"] = banding.side(verdict["verdict"], obs["polarity"])
    return {"method": g.method, "label": g.label, "n_members": len(rows),
            **banding.summary(values),
            "missing": [c for c, r in zip(g.codes(), rows) if not r or r["value"] is None],
            "values": [{"code": c, "name": m.name, "value": r["value"] if r else None}
                       for c, m, r in zip(g.codes(), g.members, rows)],
            "band": verdict}


def _missing_reason(obs: dict) -> str | None:
    if obs["value"] is not None:
        return None
    return f"{banding.NOT_AVAILABLE}: the value is {obs['status']}" + (
        f" ({obs['note']})" if obs.get("note") else "")


def _against_england(obs: dict, unit: Unit, est: stats.Estimate | None, same_kind: list[dict],
                     kind_label: str) -> dict:
    whom = f"all {kind_label} in England"
    ev = banding.england_value([obs, *same_kind], unit.share, unit.scale)
    verdict = banding.band(obs["value"], est, [r["value"] for r in same_kind], obs["polarity"],
                           whom, ev["value"], f"England value ({ev['basis']})",
                           _missing_reason(obs))
    verdict["side"] = banding.side(verdict["verdict"], obs["polarity"])
    return {"value": ev["value"], "basis": ev["basis"], "n": ev["n"], "scope": whom,
            "reason": ev["reason"], **{k: v for k, v in banding.summary(
                [obs["value"], *(r["value"] for r in same_kind)]).items() if k != "n"},
            "band": verdict}


def funnel_data(points: list[dict], scale: float, subject: str, scope: str) -> dict | None:
    """Funnel plot data for a share: every area's point with its significance, limits at 95%
    and 99.8% around the pooled baseline, and (when overdispersed) Spiegelhalter's additive
    random-effects estimate with adjusted limits and significance. None without points."""
    use = [p for p in points if p["numerator"] is not None and p["denominator"]
           and 0 <= p["numerator"] <= p["denominator"]]
    if not use:
        return None
    nums = [p["numerator"] for p in use]
    dens = [p["denominator"] for p in use]
    baseline = sum(nums) / sum(dens)
    axis = stats.funnel_axis_populations(dens)
    od = stats.estimate_overdispersion(nums, dens, baseline)
    tau2 = od.tau2 if od.overdispersed else None

    def limits(**adjust) -> dict:
        pts = stats.funnel_limits(baseline, axis, FUNNEL_LEVELS, scale, **adjust)
        return {"denominators": [p.denominator for p in pts],
                "bands": [{"level": lv, "lower": [p.limit(lv).lower for p in pts],
                           "upper": [p.limit(lv).upper for p in pts]} for lv in FUNNEL_LEVELS]}

    out_points = []
    for p in use:
        sig = stats.funnel_significance(p["numerator"], p["denominator"], baseline, FUNNEL_LEVELS)
        adj = (stats.funnel_significance(p["numerator"], p["denominator"], baseline,
                                         FUNNEL_LEVELS, tau2=tau2) if tau2 is not None else None)
        out_points.append({"code": p["area_code"], "name": p["name"],
                           "numerator": p["numerator"], "denominator": p["denominator"],
                           "value": p["numerator"] / p["denominator"] * scale,
                           "significance": sig, "adjusted_significance": adj,
                           "subject": p["area_code"] == subject})
    return {"scope": scope, "baseline": baseline * scale, "levels": list(FUNNEL_LEVELS),
            "points": out_points, "limits": limits(),
            "overdispersion": {**asdict(od), "overdispersed": od.overdispersed,
                               "adjustment": "additive random effects (tau^2), Spiegelhalter "
                                             "2005" if tau2 is not None else None},
            "adjusted_limits": limits(tau2=tau2) if tau2 is not None else None}


def _rank(obs: dict, unit: Unit, est: stats.Estimate | None, g: ComparatorGroup,
          peers: dict[str, dict], confidence: float) -> dict:
    among = f"{obs['area_name']} and {WHOM[g.method]}"
    if est is None or not est.available:
        return {"rank": None, "best_rank": None, "worst_rank": None, "of": None,
                "label": banding.NOT_AVAILABLE, "among": among,
                "reason": "no confidence interval, so no rank with its uncertainty"}
    estimates = {obs["area_code"]: est}
    for c in g.codes():
        r = peers.get(c)
        if r is not None:
            e, _ = interval_for(r["value"], r["numerator"], r["denominator"], unit, confidence,
                                obs["interval"])
            if e is not None:
                estimates[c] = e
    polarity = "higher_is_better" if obs["polarity"] == "neutral" else obs["polarity"]
    ranked = {r.key: r for r in stats.rank_with_uncertainty(estimates, polarity)}
    mine = asdict(ranked[obs["area_code"]])
    mine.pop("key")
    note = "1 = highest (a neutral indicator)" if obs["polarity"] == "neutral" else "1 = best"
    return {**mine, "among": among, "reason": None, "note": note}


def indicator_comparison(obs: dict, groups: dict[str, ComparatorGroup], method: str,
                         peers: dict[str, dict], same_kind: list[dict], kind_label: str,
                         confidence: float, rank: bool, checked: bool = True) -> dict:
    """Everything about one indicator: value, interval, group, England, sensitivity, funnel."""
    unit = UNITS[obs["unit"]]
    if unit.ordinal:  # grades: counted, never averaged or banded
        return ordinal_comparison(obs, unit, groups, method, peers, same_kind, kind_label,
                                  {m: WHOM[m] for m in groups}, rank)
    est, why = interval_for(obs["value"], obs["numerator"], obs["denominator"], unit,
                            confidence, obs["interval"])
    by_method = {m: _against_group(obs, unit, est, g, peers) for m, g in groups.items()}
    sensitivity = [{"method": m, "label": b["label"], "n": b["n"], **{
        k: b["band"][k] for k in ("band", "verdict", "side")}} for m, b in by_method.items()]
    row = {k: obs[k] for k in ("indicator_id", "title", "unit", "polarity", "kind", "theme",
                               "period", "period_type", "value", "numerator", "denominator",
                               "status", "note", "dataset_id", "source_id")}
    row.update(unit_label=unit.label,
               interval=_interval_dict(est, why) | {"rule": obs["interval"]},
               group=by_method[method],
               england=_against_england(obs, unit, est, same_kind, kind_label),
               sensitivity=sensitivity,
               depends_on_group=(banding.depends_on_group(s["verdict"] for s in sensitivity)
                                 if checked else None))
    row["funnel"], row["not_applicable"] = None, None
    if unit.share and unit.scale and est is not None and est.available:
        row["funnel"] = funnel_data([{**obs, "name": obs["area_name"]}, *same_kind],
                                    unit.scale, obs["area_code"], f"all {kind_label} in England")
    if rank:
        row["rank"] = _rank(obs, unit, est, groups[method], peers, confidence)
    return row


# -- services the council does not deliver ------------------------------------------------------
def base_id(indicator_id: str) -> str:
    """The money indicator a per-head id is derived from (the id itself otherwise)."""
    return indicator_id.removesuffix(PER_HEAD_SUFFIX)


def delivered_in_area(store: Store, place: dict) -> dict[str, dict]:
    """Who delivers each service in the council's own area, by service id: a current council's
    from :func:`services.who_delivers`; a former council's as its area was then (its own
    county), not its successor's. Empty for an authority the service rules do not cover."""
    try:
        if place.get("current", True):
            rows = services.who_delivers(store, place["gss_code"])
        else:
            county, combined = (place_row(store, place[k]) if place.get(k) else None
                                for k in ("parent_county_gss", "combined_authority_gss"))
            rows = services.delivery(place, county=county, combined=combined)
    except InputError:  # no service rules for this kind of authority: compare everything
        return {}
    return {r["service_id"]: r for r in rows}


def not_delivered(store: Store, place: dict, subject: list[dict]) -> dict[str, dict]:
    """The council's spending rows (:data:`RS_SERVICE_LINES`, cash or per head) of services
    another body delivers in its area and on which it published exactly 0, by indicator id:
    ``service``, ``delivered_by`` and ``reason``. A missing value is never read as 0, so it is
    not here (it stays "not available"); a non-zero value is always compared."""
    lines = {o["indicator_id"]: RS_SERVICE_LINES.get(base_id(o["indicator_id"]))
             for o in subject if o["value"] is not None and o["value"] == 0}
    lines = {i: service for i, service in lines.items() if service}
    if not lines:
        return {}
    delivery = delivered_in_area(store, place)
    out = {}
    for indicator_id, service in lines.items():
        d = delivery.get(service) if service is not None else None
        if d is None or d["body_code"] == place["gss_code"] or d["tier"] == "other":
            continue
        out[indicator_id] = {"service": d["service"], "delivered_by": d["body_name"],
                             "reason": f"delivered by {d['body_name']}"}
    return out


def not_applicable_band(reason: str) -> dict:
    """The band of a line the council has no duty for: no significance, position or side."""
    return {"band": NOT_APPLICABLE, "verdict": NOT_APPLICABLE_CODE, "significant_test": False,
            "basis": None, "benchmark": None, "reason": reason, "side": None}


def mark_not_applicable(row: dict, why: dict) -> dict:
    """A compared row made "not applicable" (``why`` from :func:`not_delivered`): the value as
    published and the others' figures stay; every band (group, England, each sensitivity
    group) says "not applicable" with the reason; no funnel, no rank, no dependence on the
    group."""
    row["group"]["band"] = not_applicable_band(why["reason"])
    row["england"]["band"] = not_applicable_band(why["reason"])
    row["sensitivity"] = [s | {"band": NOT_APPLICABLE, "verdict": NOT_APPLICABLE_CODE,
                               "side": None} for s in row["sensitivity"]]
    row.update(depends_on_group=False, funnel=None, not_applicable=why)
    if "rank" in row:
        row["rank"] = {"rank": None, "best_rank": None, "worst_rank": None, "of": None,
                       "label": NOT_APPLICABLE, "among": row["rank"]["among"],
                       "reason": why["reason"]}
    return row


def not_applicable_note(place: dict, rows: list[dict]) -> str | None:
    """One short note listing the spending lines left out of the comparison, and who delivers
    those services instead (None when there are none)."""
    if not rows:
        return None
    by_body: dict[str, list[str]] = {}
    for r in rows:
        names = by_body.setdefault(r["delivered_by"], [])
        name = r["service"][0].lower() + r["service"][1:]
        if name not in names:
            names.append(name)
    clauses = [f"{and_list(names)}, which {body} delivers here"
               for body, names in by_body.items()]
    return (f"Not compared: spending on {'; and on '.join(clauses)}. {place['name']} has no duty "
            "for these services and its published spending on them is £0, so setting that "
            "beside other councils would say nothing about the services.")


# -- a newer period without the council's value --------------------------------------------------
#: Indicator families published as a council's own statutory return (a council that sent none has
#: "no return" for the year).
RETURN_FAMILIES = ("rs.", "ra.")


def newer_period(obs: dict) -> dict | None:
    """When a newer period than the one shown exists for the council without its value: that
    period, its status and a plain note ("no 2023-24 return; showing 2022-23"). None otherwise
    (or when a period was asked for)."""
    newest, shown = obs.get("newest_period"), obs.get("period")
    if not newest or newest == shown or obs.get("value") is None:
        return None
    what = "return" if obs["indicator_id"].startswith(RETURN_FAMILIES) else "value"
    status = obs.get("newest_status") or "missing"
    why = "" if what == "return" or status == "missing" else f" ({status})"
    return {"period": newest, "status": status,
            "note": f"no {newest} {what}{why}; showing {shown}"}


def newer_summary(place: dict, rows: list[dict]) -> str | None:
    """One sentence for the comparison when some indicators show an older period than the
    newest one loaded for the council (None when none do)."""
    pairs: dict[tuple[str, str], int] = {}
    for r in rows:
        if r.get("newer"):
            key = (r["newer"]["period"], r["period"])
            pairs[key] = pairs.get(key, 0) + 1
    if not pairs:
        return None
    parts = [f"{n} {'indicator shows' if n == 1 else 'indicators show'} {shown} because "
             f"{place['name']} has no value for {newest}"
             for (newest, shown), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))]
    return (f"{'; '.join(parts)}. Each is compared with the other councils' values for the "
            "period shown.")


def _missing_row(ind: dict, period: str | None) -> dict:
    """A requested indicator with no value for the council: shown as not available."""
    reason = ("no value for this council" + (f" in {period}" if period else ""))
    na = {"band": banding.NOT_AVAILABLE, "verdict": "not_available", "significant_test": False,
          "basis": None, "benchmark": None, "reason": reason, "side": None}
    return {"indicator_id": ind["indicator_id"], "title": ind["title"], "unit": ind["unit"],
            "unit_label": UNITS[ind["unit"]].label, "polarity": ind["polarity"],
            "kind": ind["kind"], "theme": ind["theme"], "period": period,
            "period_type": None, "value": None, "numerator": None, "denominator": None,
            "status": "missing", "note": reason, "dataset_id": None, "source_id": None,
            "interval": _interval_dict(None, "no value") | {"rule": None}, "group": {"band": na},
            "england": {"value": None, "band": na}, "sensitivity": [],
            "depends_on_group": False, "funnel": None, "not_applicable": None, "newer": None}


def _peers(store: Store, code: str, subject: list[dict], groups: dict[str, ComparatorGroup],
           types: list[str]) -> tuple[dict, dict]:
    """Member values by (indicator, period) and code, and same-kind rows by (indicator, period)."""
    codes = {c for g in groups.values() for c in g.codes()}
    pairs = [(o["indicator_id"], o["period"]) for o in subject]
    by_code: dict[tuple[str, str], dict[str, dict]] = {p: {} for p in pairs}
    same_kind: dict[tuple[str, str], list[dict]] = {p: [] for p in pairs}
    if not pairs:
        return by_code, same_kind
    sql, params = peers_sql(code, pairs, sorted(codes), types)
    for r in store.rows(sql, params):
        key = (r["indicator_id"], r["period"])
        by_code[key][r["area_code"]] = r
        if r["la_type"] in types:
            same_kind[key].append(r)
    return by_code, same_kind


def compare_area(store: Store, code: str, method: str = "ours",
                 indicators: list[str] | None = None, confidence: float = 0.95,
                 rank: bool = False, members: list[str] | None = None,
                 period: str | None = None, settings=None, sensitivity: bool = True) -> dict:
    """The council's indicators compared with its comparator group and with England.

    Arguments: ``method`` picks the main comparator group (``ours``, ``cipfa``, ``region``,
    ``county``, ``custom`` with ``members``); ``indicators`` limits the ids (default: every
    indicator with a value row for the council); ``period`` compares that period instead of each
    indicator's latest; ``rank`` adds a rank with its plausible range; ``settings`` are
    comparator settings (:mod:`wholeplace.insight.peers.settings`); ``sensitivity=False``
    builds only the main group (faster; ``depends_on_group`` is then None: not checked).

    Returns a dict: ``council`` (code, name, la_type, kind, kind_label, region), ``method``,
    ``confidence``, ``min_comparators``, ``group`` (the main group: label, description, notes,
    members with distances), ``groups`` (every available method: label and member count),
    ``unavailable_methods`` (method -> why), ``indicators`` (one dict per indicator, below),
    ``not_applicable`` (the spending lines of services another body delivers in the area, on
    which the council published 0: indicator_id, title, unit, period, value, service,
    delivered_by, reason), ``not_applicable_note`` (one sentence saying so, or None) and
    ``newer_note`` (a sentence when some indicators show an older period because the council has
    no value in the newest one, else None) and ``sensitivity`` (``methods`` compared and
    ``depends_on_group``: the ids whose verdict changes with the group; never a not-applicable
    line).

    Each indicator: ``indicator_id``, ``title``, ``unit``, ``unit_label``, ``polarity``,
    ``period`` (without ``period``: the latest period in which the council has a value),
    ``newer`` (None, or the newer period without the council's value: period, status and a note
    such as "no 2023-24 return; showing 2022-23"; the group and England are compared in the
    period shown), ``value`` (None when missing, with ``status`` and ``note``), ``numerator``,
    ``denominator``, ``interval`` (lower, upper, method, confidence, or ``reason``; ``rule``: the
    indicator's ``interval`` rule, "none" for a complete count), ``group``
    (the members' values for the same period, n, mean, median, q1, q3, min, max, ``missing``
    codes and ``band``), ``england`` (value, basis, n, the distribution and ``band``),
    ``sensitivity`` (per method: n, band, verdict), ``depends_on_group``, ``funnel`` (for shares
    with numerators and denominators, else None), ``not_applicable`` (None, or service,
    delivered_by and reason: every band is then "not applicable", see the module doc) and, only
    with ``rank``, ``rank``. Each ``band`` has ``band`` (text), ``verdict`` (a code of
    :data:`VERDICTS`), ``significant_test`` (True only for interval comparisons), ``basis``,
    ``benchmark``, ``reason`` and ``side`` ("better"/"worse" for a position by polarity, else
    None).
    """
    check_confidence(confidence)
    place = get_place(store, code)
    code = place["gss_code"]
    wanted = indicators_by_id(store, indicators)
    label = parse_period(period).label if period else None
    groups, unavailable = available_groups(store, code, method, members, settings,
                                           sensitivity)
    main = groups[method]
    rule = resolve_settings(settings).kind_rule
    types = kind_types(main.subject["kind"], rule)
    sql, params = subject_sql(code, label, list(wanted) or None, has_interval_rule(store))
    subject = store.rows(sql, params)
    for o in subject:
        o.update(area_code=code, area_name=place["name"], interval=interval_rule(o))
    peers, same_kind = _peers(store, code, subject, groups, types)
    rows = [indicator_comparison(o, groups, method, peers[(o["indicator_id"], o["period"])],
                                 same_kind[(o["indicator_id"], o["period"])],
                                 main.subject["kind_label"], confidence, rank, sensitivity)
            for o in subject]
    for o, r in zip(subject, rows, strict=True):
        r["newer"] = newer_period(o)
    skip = not_delivered(store, place, subject)
    rows = [mark_not_applicable(r, skip[r["indicator_id"]]) if r["indicator_id"] in skip else r
            for r in rows]
    na = [{k: r[k] for k in ("indicator_id", "title", "unit", "period", "value")}
          | r["not_applicable"] for r in rows if r["not_applicable"]]
    have = {o["indicator_id"] for o in subject}
    rows += [_missing_row(ind, label) for i, ind in wanted.items() if i not in have]
    return {
        "council": {"code": code, "name": place["name"], "la_type": place["la_type"],
                    "kind": main.subject["kind"], "kind_label": main.subject["kind_label"],
                    "region": main.subject.get("region")},
        "method": method, "period": label, "confidence": confidence,
        "min_comparators": banding.MIN_COMPARATORS, "rank": rank,
        "group": _group_summary(main),
        "groups": {m: {"label": g.label, "n_members": len(g.members)}
                   for m, g in groups.items()},
        "unavailable_methods": unavailable,
        "indicators": rows,
        "not_applicable": na, "not_applicable_note": not_applicable_note(place, na),
        "newer_note": newer_summary(place, rows),
        "sensitivity": {"checked": sensitivity, "methods": list(groups),
                        "depends_on_group": [r["indicator_id"] for r in rows
                                             if r["depends_on_group"]]},
    }
