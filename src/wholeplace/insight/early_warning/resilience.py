"""Early warning of financial and service risk, in the spirit of CIPFA's Financial Resilience
Index, from the Revenue Outturn Summary (RS) observations in the hub.

* :func:`assess` computes every indicator of
:data:`wholeplace.insight.early_warning.flags.INDICATORS` for every
  council with RS data in the latest financial year published by the end of ``year``, places each
  among the council's comparators and bands it.
* :func:`flags` is the council list of :func:`assess`, most at risk first.
* :mod:`wholeplace.insight.early_warning.backtest` compares what :func:`assess` said at
  ``year`` with what happened next.

An assessment is remembered per hub file and data version (:func:`shared_assessment`); the
public functions return copies. A published value that cannot be read as a percentage (a net
figure at or below zero) is "not meaningful", with the reason, never "not enough data".

**As published.** ``assess(store, 2015)`` reads the hub as it stood on 31 December 2015
(:func:`wholeplace.hub.queries.observations_as_published`) and only financial years that had ended
by then. A dataset with no recorded release date (RS 2020-21 and 2021-22, the borrowing table)
cannot be placed by its date, so it is assumed published on 31 December of the calendar year its
latest financial year ends in (RS 2020-21: 31 December 2021; the borrowing table, to 2019-20: 31
December 2020). Each result lists that assumption under ``caveats`` when it was used. RA budgets
and borrowing are read beside the RS year assessed, as published by the same date.

Usable reserves are unallocated + other earmarked reserves. Schools and public health reserves
are left out: they are ring-fenced and cannot meet a general budget gap.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import date

from wholeplace.errors import InputError
from wholeplace.hub.loaders.revenue_outturn import CAVEAT_PREFIX
from wholeplace.hub.queries import observations_as_published
from wholeplace.hub.store import Store
from wholeplace.insight.early_warning import flags as rules
from wholeplace.insight.early_warning import measures
from wholeplace.insight.early_warning.flags import DEFAULT_SETTINGS, RiskIndicator, RiskSettings
from wholeplace.insight.peers import groups as groups_mod

UNALLOCATED, EARMARKED = "rs.reserves.unallocated", "rs.reserves.other_earmarked"
NRE, CTR, TOTAL = ("rs.net_revenue_expenditure", "rs.council_tax_requirement",
                   "rs.nce.total_service")
ASC, CSC, SOCIAL_2010 = ("rs.nce.adult_social_care", "rs.nce.childrens_social_care",
                         "rs.nce.social_care")
NEIGHBOURHOOD = ("rs.nce.cultural", "rs.nce.environmental_regulatory",
                 "rs.nce.planning_development", "rs.nce.highways_transport")
HOOD_NAMES = dict(zip(NEIGHBOURHOOD, ("cultural", "environmental and regulatory",
                                      "planning and development", "highways and transport")))
#: Every RS indicator the early warning reads (allow-list for the SQL below).
RS_IDS = (f"{UNALLOCATED}.start", f"{UNALLOCATED}.end", f"{EARMARKED}.start", f"{EARMARKED}.end",
          NRE, CTR, TOTAL, ASC, CSC, SOCIAL_2010, *NEIGHBOURHOOD, *measures.EXTRA_IDS)

#: Register tiers assessed: councils. Combined authorities and the GLA (tiers combined and
#: strategic), which some RS loads include, are not: their reserves and budgets play another role
#: and there are too few of them to compare.
COUNCIL_TIERS = ("upper", "lower", "single")
#: A council's caveats are those on its values of the assessed year and this many years before
#: (the furthest the measures look back).
CAVEAT_YEARS = 5

#: What each indicator's trend is read from.
TREND_OF = {"reserves_sustainability": "usable reserves (year-end levels)",
            "usable_reserves_change_pct": "usable reserves (year-end levels)",
            "neighbourhood_spend_change_pct": "neighbourhood-service spending",
            "social_care_share_change": "the social care share",
            "reserves_runout": "usable reserves (year-end levels)",
            "debt_pct_nre": "borrowing as % of net revenue expenditure",
            "debt_growth_pct": "total external borrowing",
            "adult_social_care_overspend_pct": "adult social care spent against budget",
            "childrens_social_care_overspend_pct": "children's social care spent against budget",
            "neighbourhood_share_change": "the neighbourhood services' share"}

#: Built-in comparator methods; any other is passed to ``comparator_group`` when it exists.
BUILTIN_METHODS = ("kind", "region")

_PLURAL = {"county council": "county councils", "shire district": "shire districts",
           "unitary": "unitary councils", "metropolitan district": "metropolitan districts",
           "London borough": "London boroughs"}

_UNDATED_SQL = """
SELECT o.indicator_id, o.area_code, o.period_start, o.value, d.dataset_id, d.source_id
FROM visible_observations o JOIN visible_datasets d USING (dataset_id)
WHERE d.released_on IS NULL AND d.superseded_by IS NULL AND o.status <> 'derived'
  AND o.period_type = 'financial_year' AND o.indicator_id IN ({marks})
  AND d.dataset_id IN (
      SELECT dataset_id FROM visible_observations GROUP BY dataset_id
      HAVING make_date(CAST(year(max(period_end)) AS INTEGER), 12, 31) <= ?)
"""


def undated_sql(n_ids: int) -> str:
    """Observations of datasets without a release date, assumed published on 31 December of
    the year their latest period ends in (pure: the caller binds the ids and the date)."""
    return _UNDATED_SQL.format(marks=", ".join("?" * n_ids))


@dataclass
class RsData:
    """RS values as published on ``as_of``: ``values[code][indicator][fy_start]``."""

    as_of: date
    values: dict[str, dict[str, dict[int, float | None]]]
    datasets: dict[int, str]
    undated_sources: list[str]
    #: code -> financial year -> the caveats on its values (checked against the published
    #: file and kept as published: :data:`wholeplace.hub.loaders.revenue_outturn.CAVEAT_PREFIX`)
    caveats: dict[str, dict[int, set[str]]] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """The financial years of the Revenue Outturn returns read (those with a net revenue
        expenditure row): budgets and debt are read beside them, never instead of them."""
        return sorted({y for ind in self.values.values() for y in ind.get(NRE, {})})


def as_of_date(year: int) -> date:
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise InputError(f"The year must be a calendar year such as 2018, not {year!r}.")
    return date(year, 12, 31)


def read_rs(store: Store, as_of: date) -> RsData:
    """The RS values published by ``as_of`` for financial years that ended by then."""
    data = RsData(as_of, {}, {}, [])
    for r in observations_as_published(store, as_of, indicator_ids=list(RS_IDS)):
        if r["period_type"] == "financial_year" and r["period_end"] <= as_of:
            _put(data, r["indicator_id"], r["area_code"], r["period_start"].year, r["value"], r,
                 True)
    for r in store.rows(undated_sql(len(RS_IDS)), [*RS_IDS, as_of]):
        if _put(data, r["indicator_id"], r["area_code"], r["period_start"].year, r["value"], r,
                False) and r["source_id"] not in data.undated_sources:
            data.undated_sources.append(r["source_id"])
    return data


def _put(data: RsData, ind: str, code: str, fy: int, value, row: dict, replace: bool) -> bool:
    cell = data.values.setdefault(code, {}).setdefault(ind, {})
    if fy in cell and not replace:
        return False
    cell[fy] = value
    data.datasets[row["dataset_id"]] = row["source_id"]
    for part in (row.get("note") or "").split("; "):
        if part.startswith(CAVEAT_PREFIX):
            data.caveats.setdefault(code, {}).setdefault(fy, set()).add(
                part.removeprefix(CAVEAT_PREFIX))
    return True


# ------------------------------------------------------------------------------------------------
# One council's indicators (pure: its values in, results out)
# ------------------------------------------------------------------------------------------------

def usable_levels(v: dict[str, dict[int, float | None]]) -> dict[int, float]:
    """Usable reserves by the year of the 31 March they stand at (2018 = 31 March 2018).

    The end-of-year level of a year's own return is used; the start-of-year level of the next
    year's return only fills a date no end-of-year level covers (31 March 2010, 31 March 2017).
    A date is used only when both unallocated and other earmarked levels are published for it.
    """
    out: dict[int, float] = {}
    for edge, shift in (("end", 1), ("start", 0)):
        un, ea = v.get(f"{UNALLOCATED}.{edge}", {}), v.get(f"{EARMARKED}.{edge}", {})
        for fy, a in un.items():
            b = ea.get(fy)
            if a is not None and b is not None and fy + shift not in out:
                out[fy + shift] = a + b
    return out


def _ratio(num: float | None, den: float | None) -> float | None:
    return 100.0 * num / den if num is not None and den is not None and den > 0 else None


def social_care_series(v: dict[str, dict[int, float | None]]) -> dict[int, float]:
    """Social care share of total service expenditure (%) by financial year."""
    out = {}
    for fy, total in v.get(TOTAL, {}).items():
        asc, csc = v.get(ASC, {}).get(fy), v.get(CSC, {}).get(fy)
        care = asc + csc if asc is not None and csc is not None else v.get(SOCIAL_2010, {}).get(fy)
        share = _ratio(care, total)
        if share is not None:
            out[fy] = share
    return out


def neighbourhood_series(v: dict[str, dict[int, float | None]]) -> dict[int, float]:
    """Cultural + environmental and regulatory + planning + highways spend (£ thousand, cash)."""
    years = set.intersection(*(set(v.get(i, {})) for i in NEIGHBOURHOOD))
    out: dict[int, float] = {}
    for fy in years:
        parts = [p for i in NEIGHBOURHOOD if (p := v[i][fy]) is not None]
        if len(parts) == len(NEIGHBOURHOOD):
            out[fy] = sum(parts)
    return out


def _ratio_series(v: dict, num: str, den: str) -> dict[int, float]:
    out = {}
    for fy, d in v.get(den, {}).items():
        r = _ratio(v.get(num, {}).get(fy), d)
        if r is not None:
            out[fy] = r
    return out


def _span(ch: dict | None, dates: bool) -> dict | None:
    """The years a change spans, naming any year between its ends that is not in the data."""
    if ch is None:
        return None
    name = (lambda y: f"31 March {y}") if dates else rules.fy_label
    gap = rules.gap_phrase(ch["missing"], name)
    return {"from": name(ch["from"]), "to": name(ch["to"]), "years": ch["years"],
            "missing": [name(y) for y in ch["missing"]],
            "text": f"{name(ch['from'])} to {name(ch['to'])} ({rules.years_text(ch['years'])}"
                    f"{'; ' + gap if gap else ''})"}


def _base_reason(subject: str, value: float | None, of: str = "a percentage of it") -> str | None:
    """Why a ratio to (or change from) a net figure at or below zero is not meaningful."""
    return rules.nonpositive_base_reason(subject, value, of) if value is not None and value <= 0 \
        else None


def _usable_change_reason(ch: dict | None) -> str | None:
    if ch is None or ch["change_pct"] is not None:
        return None
    return _base_reason(f"usable reserves at 31 March {ch['from']}", ch["start"],
                        "a percentage change from them")


def _hood_reason(v: dict[str, dict[int, float | None]], ch: dict | None) -> str | None:
    """'Not meaningful' when the net neighbourhood spending is at or below zero at either end,
    naming the lines below zero there."""
    if ch is None:
        return None
    detail = []
    for fy, total in ((ch["from"], ch["start"]), (ch["to"], ch["end"])):
        below = [f"{HOOD_NAMES[i]} {rules.money_text(x)}" for i in NEIGHBOURHOOD
                 if (x := v[i][fy]) is not None and x < 0]
        if total <= 0 and below:
            detail.append(f"below zero in {rules.fy_label(fy)}: {', '.join(below)}")
    return rules.net_change_reason("net spending on these services", ch["start"], ch["end"],
                                   rules.fy_label(ch["from"]), rules.fy_label(ch["to"]),
                                   "; ".join(detail))


def council_indicators(v: dict[str, dict[int, float | None]], fy: int,
                       settings: RiskSettings = DEFAULT_SETTINGS) -> dict[str, dict]:
    """Each indicator's value for financial year ``fy`` (its start year), with the series its
    trend is read from, the years any change spans and, when a published value cannot be read
    as a percentage, the reason (the value is then None). Missing inputs give value None."""
    w, levels, nre = settings.window_years, usable_levels(v), v.get(NRE, {}).get(fy)
    ch = rules.change_over_window(levels, fy + 1, w)
    care, hood = social_care_series(v), neighbourhood_series(v)
    care_ch, hood_ch = (rules.change_over_window(care, fy, w),
                        rules.change_over_window(hood, fy, w))
    hood_why = _hood_reason(v, hood_ch)
    nre_why = _base_reason(f"net revenue expenditure in {rules.fy_label(fy)}", nre)
    care_why = _base_reason(f"total service expenditure in {rules.fy_label(fy)}",
                            v.get(TOTAL, {}).get(fy))
    level_trend = {y - 1: x for y, x in levels.items()}  # keyed by the year it closes
    end_levels = {f: levels.get(f + 1) for f in v.get(NRE, {})}
    usable_pct = {f: _ratio(end_levels[f], n) for f, n in v.get(NRE, {}).items()}
    out = {
        "reserves_sustainability": (rules.sustainability_years(
            levels.get(fy + 1), ch["annual_change"] if ch else None), level_trend, _span(ch, True),
            None),
        "usable_reserves_pct_nre": (_ratio(levels.get(fy + 1), nre),
                                    {f: p for f, p in usable_pct.items() if p is not None}, None,
                                    nre_why),
        "usable_reserves_change_pct": (ch["change_pct"] if ch else None, level_trend,
                                       _span(ch, True), _usable_change_reason(ch)),
        "unallocated_pct_nre": (_ratio(v.get(f"{UNALLOCATED}.end", {}).get(fy), nre),
                                _ratio_series(v, f"{UNALLOCATED}.end", NRE), None, nre_why),
        "earmarked_pct_nre": (_ratio(v.get(f"{EARMARKED}.end", {}).get(fy), nre),
                              _ratio_series(v, f"{EARMARKED}.end", NRE), None, nre_why),
        "social_care_share": (care.get(fy), care, None, care_why),
        "council_tax_pct_nre": (_ratio(v.get(CTR, {}).get(fy), nre), _ratio_series(v, CTR, NRE),
                                None, nre_why),
        "neighbourhood_spend_change_pct": (
            hood_ch["change_pct"] if hood_ch and not hood_why else None, hood,
            _span(hood_ch, False), hood_why),
        "social_care_share_change": (care_ch["change"] if care_ch else None, care,
                                     _span(care_ch, False), None),
    }
    got = {k: measures.result(val, ser, span, why) for k, (val, ser, span, why) in out.items()}
    got |= measures.decade_measures(v, fy, levels, {f: p for f, p in usable_pct.items()
                                                    if p is not None},
                                    w, settings.long_window_years)
    for r in got.values():
        r["series"] = {y: s for y, s in r["series"].items() if y <= fy}
    return got


# ------------------------------------------------------------------------------------------------
# Comparators
# ------------------------------------------------------------------------------------------------

def methods() -> tuple[str, ...]:
    """The comparator methods available: 'kind' and 'region', and the comparator-group
    methods (insight.groups) except 'custom', which needs a member list."""
    return tuple(dict.fromkeys([*BUILTIN_METHODS, *(m for m in groups_mod.METHODS
                                                     if m != "custom")]))


def _member_codes(group) -> list[str]:
    if hasattr(group, "codes"):
        return list(group.codes())
    members = group.get("members") or []
    return [m if isinstance(m, str) else (m.get("code") or m.get("gss_code")) for m in members]


def _external_group(store: Store, code: str, method: str) -> dict:
    """The group from ``comparator_group``: the 2021 councils first (the RS years predate the
    2019-23 reorganisations), then today's; a council neither knows has no comparators."""
    from wholeplace.errors import WholeplaceError

    problems = []
    for universe in ("lad2021", "current"):
        try:
            group = groups_mod.comparator_group(store, code, method=method,
                                                settings={"universe": universe})
        except WholeplaceError as exc:
            problems.append(str(exc))
            continue
        label = getattr(group, "label", None) or (group.get("label") if isinstance(group, dict)
                                                  else None)
        return {"codes": _member_codes(group), "label": label or f"{method} comparators"}
    return {"codes": [], "label": f"no {method} comparator group ({problems[-1]})"}


def comparator_groups(store: Store, places: dict[str, dict], codes: list[str],
                      method: str) -> dict[str, dict]:
    """code -> {"method", "label", "members"} for every assessed council."""
    if method == "kind":
        return {code: _builtin_group(places, codes, code, method) for code in codes}
    if method not in methods():
        raise InputError(f"Unknown comparator method {method!r}: choose one of "
                         f"{', '.join(methods())}.")
    groups, assessed = {}, set(codes)
    for code in codes:
        got = _external_group(store, code, method)
        if not got["codes"] and method == "region":  # a former council: the register's region
            groups[code] = _builtin_group(places, codes, code, method)
            continue
        members = [c for c in got["codes"] if c in assessed]
        groups[code] = {"method": method, "members": sorted(set(members) | {code}),
                        "label": got["label"]}
    return groups


def _builtin_group(places: dict[str, dict], codes: list[str], code: str, method: str) -> dict:
    p = places[code]
    same = [c for c in codes if places[c]["la_type"] == p["la_type"]
            and (method == "kind" or places[c]["region"] == p["region"])]
    label = _PLURAL.get(p["la_type"], p["la_type"])
    if method == "region":
        label += f" in {p['region'] or 'an unknown region'}"
    return {"method": method, "label": label, "members": same}


# ------------------------------------------------------------------------------------------------
# Assessment
# ------------------------------------------------------------------------------------------------

def _num(x: float | None) -> float | None:
    return None if x is None or math.isinf(x) else x


def _value_text(ind: RiskIndicator, x: float | None) -> str:
    if x is None:
        return "not enough data"
    if math.isinf(x):
        return "not falling"
    unit = {"percent": "%", "years": " years", "percentage points": " percentage points"}
    signed = any(word in ind.id for word in ("change", "growth", "overspend"))
    return f"{x:+.1f}{unit[ind.unit]}" if signed else f"{x:.1f}{unit[ind.unit]}"


def _threshold(ind: RiskIndicator) -> dict:
    if ind.threshold is None:
        return {"value": None, "text": "relative-only rule", "source": ind.threshold_source}
    side = "below" if ind.polarity == rules.LOWER_RISKIER else "above"
    return {"value": ind.threshold, "text": f"{side} {ind.threshold:g}%",
            "source": ind.threshold_source}


def _judge(ind: RiskIndicator, got: dict, peers: list[float], group: dict,
           settings: RiskSettings) -> dict:
    value = got["value"]
    band = rules.risk_band(ind, value, peers, settings)
    if value is None and got.get("missing"):
        band["reason"] = got["missing"]
    if got.get("reason"):
        band = {"band": rules.NOT_MEANINGFUL, "reason": got["reason"], "n": len(peers)}
    trend = rules.trend_phrase(got["series"])
    trend["text"] = f"{TREND_OF.get(ind.id, 'the value')} {trend['text']}"
    out = {"indicator": ind.id, "title": ind.title, "group": ind.group, "unit": ind.unit,
           "polarity": ind.polarity, "band": band["band"], "value": _num(value),
           "value_text": (rules.NOT_MEANINGFUL if got.get("reason")
                          else _value_text(ind, value)), "span": got["span"],
           "latest_step": rules.latest_step(got["series"]),
           "threshold": _threshold(ind), "trend": trend["text"],
           "trend_direction": trend["direction"], "definition": ind.definition,
           "lines": list(ind.lines), "comparators": {"label": group["label"], "n": band["n"]}}
    if "percentile" in band:
        out["comparators"].update(
            {k: _num(band[k]) for k in ("median", "lower_quartile", "upper_quartile")}
            | {"median_text": _value_text(ind, band["median"]),
               "percentile": round(band["percentile"], 1),
               "risk_percentile": round(band["risk_percentile"], 1)})
        out["comparator_position"] = rules.position_phrase(ind.polarity, band["percentile"],
                                                           band["n"], group["label"])
    else:
        out["comparator_position"] = band["reason"]
    out["explanation"] = _explain(out)
    return out


def _explain(f: dict) -> str:
    """The flag in one paragraph. A change says the years it spans, naming any year between
    its ends that is not in the data."""
    c = f["comparators"]
    if f["band"] == rules.NO_DATA:
        return f"{f['title']}: not enough data ({f['comparator_position']})."
    if f["band"] == rules.NOT_MEANINGFUL:
        why = f["comparator_position"]
        return f"{f['title']}: not meaningful. {why[:1].upper()}{why[1:]}."
    span = f" over {f['span']['text']}" if f.get("span") else ""
    thr = f["threshold"]
    rule = (f"threshold {thr['text']}" if thr["value"] is not None else "relative-only rule")
    return (f"{f['title']}: {f['value_text']}{span}, {f['comparator_position']} "
            f"(median {c['median_text']}; {rule}). Trend: {f['trend']}.")


def _not_applicable(ind: RiskIndicator, place: dict) -> dict:
    return {"indicator": ind.id, "title": ind.title, "group": ind.group, "unit": ind.unit,
            "band": rules.NOT_APPLICABLE, "value": None, "value_text": "not applicable",
            "explanation": f"{ind.title}: not applicable to a {place['la_type']} (no social "
                           "care responsibility)."}


def _places(store: Store) -> dict[str, dict]:
    return {r["gss_code"]: r for r in store.rows(
        "SELECT gss_code, name, la_type, region, current FROM places WHERE tier IN (?, ?, ?)",
        list(COUNCIL_TIERS))}


def assess(store: Store, year: int, method: str = "kind",
           settings: RiskSettings = DEFAULT_SETTINGS) -> dict:
    """Every council's early-warning indicators for the latest financial year published by the
    end of ``year``, using only what was published by then. See the module docstring.

    The result is the caller's own copy (of :func:`shared_assessment`, which is remembered)."""
    return _copy(shared_assessment(store, year, method, settings))


# -- the cache: an assessment depends only on the hub's data and its arguments -------------------
_ASSESSMENTS: dict[tuple, dict] = {}
_LOCK = threading.Lock()
#: Assessments remembered (each a few MB); the oldest is dropped first.
CACHE_SIZE = 8


def shared_assessment(store: Store, year: int, method: str = "kind",
                      settings: RiskSettings = DEFAULT_SETTINGS) -> dict:
    """:func:`assess`'s result, remembered per hub file, data version (a load changes it), year,
    method and settings. Shared between callers: read it, never change it (:func:`assess`
    returns a copy to change). An in-memory hub (no path) is not remembered."""
    if store.path is None:
        return _assess(store, year, method, settings)
    key = (str(store.path), store.data_version(), year, method, settings)
    with _LOCK:
        found = _ASSESSMENTS.get(key)
    if found is None:
        found = _assess(store, year, method, settings)
        with _LOCK:
            while len(_ASSESSMENTS) >= CACHE_SIZE:
                _ASSESSMENTS.pop(next(iter(_ASSESSMENTS)))
            _ASSESSMENTS[key] = found
    return found


def clear_cache() -> None:
    """Forget every remembered assessment (for benchmarks of the computation itself)."""
    with _LOCK:
        _ASSESSMENTS.clear()


def _copy(x):
    """A deep copy of a result made of dicts and lists (faster than ``copy.deepcopy``; the
    leaves are immutable: numbers, strings, dates, None)."""
    if isinstance(x, dict):
        return {k: _copy(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_copy(v) for v in x]
    return x


def _assess(store: Store, year: int, method: str, settings: RiskSettings) -> dict:
    as_of = as_of_date(year)
    data = read_rs(store, as_of)
    if not data.years:
        raise InputError(f"No Revenue Outturn data had been published by {as_of.isoformat()}. "
                         f"{_earliest_hint(store)}")
    fy = max(data.years)
    places = _places(store)
    codes = sorted(c for c, v in data.values.items()
                   if c in places and fy in v.get(NRE, {}))
    computed = {c: council_indicators(data.values[c], fy, settings) for c in codes}
    groups = comparator_groups(store, places, codes, method)
    peers: dict[tuple, list] = {}  # one peer list per group and indicator, shared
    councils = [_council(c, places[c], computed, groups[c], settings, peers) for c in codes]
    for c in councils:  # caveats on the values of the years the measures look back over
        found = data.caveats.get(c["code"], {})
        c["caveats"] = sorted({n for y in range(fy - CAVEAT_YEARS, fy + 1)
                               for n in found.get(y, ())})
    councils.sort(key=lambda r: (-r["higher_risk"], -r["severity"], -r["some_risk"], r["code"]))
    caveats = [f"{s}: no release date recorded; assumed published on 31 December of the year "
               "its financial year ends in." for s in sorted(data.undated_sources)]
    if 2017 in data.years:
        caveats.append("2017-18 reserves levels are labelled 'estimated' in the RS workbook.")
    return {"year": year, "as_of": as_of, "period": rules.fy_label(fy), "method": method,
            "periods_used": [rules.fy_label(y) for y in data.years],
            "missing_years": [rules.fy_label(y) for y in
                              rules.missing_years(min(data.years), fy, data.years)],
            "sources_used": sorted(set(data.datasets.values())), "caveats": caveats,
            "councils": councils}


def _earliest_hint(store: Store) -> str:
    first = store.scalar("SELECT min(released_on) FROM visible_datasets WHERE source_id IN "
                         "(SELECT DISTINCT d.source_id FROM visible_observations o "
                         "JOIN visible_datasets d USING (dataset_id) WHERE o.indicator_id = ?)",
                         [NRE])
    return (f"The first RS release in the hub is dated {first.isoformat()}: use a year from "
            f"{first.year} on." if first else "Load the RS sources first ('wholeplace load').")


def _council(code: str, place: dict, computed: dict, group: dict,
             settings: RiskSettings, shared: dict[tuple, list] | None = None) -> dict:
    """One council's result; ``shared`` remembers the peers' values of each group and
    indicator (councils of a kind share a group), so they are gathered once."""
    results = []
    shared = {} if shared is None else shared
    members = tuple(group["members"])
    for ind in settings.indicators:
        if ind.applies_to is not None and place["la_type"] not in ind.applies_to:
            results.append(_not_applicable(ind, place))
            continue
        key = (members, ind.id)
        peers = shared.get(key)
        if peers is None:
            peers = [v for v in (computed[m][ind.id]["value"] for m in members)
                     if v is not None]
            shared[key] = peers
        results.append(_judge(ind, computed[code][ind.id], peers, group, settings))
    flagged = [r for r in results if r["band"] in (rules.HIGHER, rules.SOME)]
    flagged.sort(key=lambda r: (r["band"] != rules.HIGHER,
                                -r["comparators"].get("risk_percentile", 0)))
    assessed = any(r["band"] not in rules.UNJUDGED for r in results)
    return {"code": code, "name": place["name"], "la_type": place["la_type"],
            "region": place["region"], "current": place["current"],
            "status": "assessed" if assessed else rules.NO_DATA,
            "comparator_group": {"method": group["method"], "label": group["label"],
                                 "size": len(group["members"])},
            "higher_risk": sum(r["band"] == rules.HIGHER for r in results),
            "some_risk": sum(r["band"] == rules.SOME for r in results),
            "severity": round(sum(r["comparators"]["risk_percentile"] for r in flagged) / 100, 3),
            "flags": flagged, "indicators": results}


def flags(store: Store, year: int, method: str = "kind",
          settings: RiskSettings = DEFAULT_SETTINGS) -> list[dict]:
    """Every council's early-warning result, most at risk first (by the number of "higher
    risk" flags, then severity: the sum of how far into the risky tail each flag lies)."""
    return _copy(shared_assessment(store, year, method, settings)["councils"])


def council_flags(store: Store, year: int, code: str, method: str = "kind",
                  settings: RiskSettings = DEFAULT_SETTINGS) -> dict:
    """One council's full result (all indicators), with the assessment's provenance."""
    from wholeplace.errors import NotFoundError
    from wholeplace.hub.queries import resolve_area

    result = shared_assessment(store, year, method, settings)
    wanted = resolve_area(store, code)
    for rank, c in enumerate(result["councils"], start=1):
        if c["code"] == wanted:
            return _copy({k: v for k, v in result.items() if k != "councils"}) | {
                "rank": rank, "of": len(result["councils"]), "council": _copy(c)}
    raise NotFoundError(f"{code} has no Revenue Outturn data for {result['period']} (the latest "
                        f"year published by {result['as_of'].isoformat()}). Check the code with "
                        "'wholeplace place CODE'.")
