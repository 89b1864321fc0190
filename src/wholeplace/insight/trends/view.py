"""A council's time series with their trend tests: the view the trends API and the profile page
show. One query reads every series of the council (and one the deflator), whatever the number of
indicators.

For each series (over the last ``last`` periods, default all):

* the values, oldest first, with **gaps shown**: a yearly series (financial, mid- or calendar
  years) gets an entry with ``value`` None, ``status`` "not published" and ``gap`` True for each
  year between its first and last period that has no row (the Revenue Outturn series have no
  2015-16 or 2016-17), never an interpolated value; a gap also breaks "N periods running";
* Mann-Kendall direction, p-value (exact up to ten values without ties) and Sen's slope (four or
  more values; four values are too few for any trend to reach the 5% level, and the direction
  says so), the least-squares slope per year with its confidence interval (three or more
  values), both on the real time axis (the year the period starts in), so a gap is a gap and
  not a step;
* the change since a baseline period (default: the first period with a value), absolute and %;
* how many periods running the latest value has moved the same way.

Money indicators are shown in cash and, where the hub has the ``<id>.per_head`` twin, per head.

**Real terms.** A deflator is an indicator whose id starts ``deflator.``, with unit ``index``,
stored for the national area ``E92000001`` (England), e.g. HM Treasury's GDP deflators loaded with
the generic upload (see docs/uploads.md). Values are converted to the prices of one period
(default: the series' latest period): real = cash x index(prices_of) / index(period). A period
without a deflator value has no real-terms value (None, with the reason), never a guessed one.
No deflator values ship with wholeplace.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub import periods as P
from wholeplace.hub import successors
from wholeplace.hub.queries import indicators_by_id
from wholeplace.hub.store import Store
from wholeplace.hub.units import UNITS
from wholeplace.insight.trends import analysis as trends
from wholeplace.places.queries import get_place

#: The national area code deflators are stored for.
ENGLAND = "E92000001"
DEFLATOR_PREFIX = "deflator."
#: Period types on a yearly grid, so missing years can be shown as gaps.
YEARLY = {"financial_year": P.financial_year, "mid_year": P.mid_year,
          "calendar_year": P.calendar_year}

_SERIES_SQL = """
SELECT o.indicator_id, i.title, i.unit, i.polarity, i.is_money, i.per_head_of, o.period,
       o.period_type, o.period_start, o.value, o.status, o.note, o.dataset_id, o.source_id
FROM current_observations o JOIN indicators i USING (indicator_id)
WHERE o.area_code = ?"""
_SERIES_FILTER = " AND (list_contains(?, o.indicator_id) OR list_contains(?, i.per_head_of))"
_ORDER = "\nORDER BY o.indicator_id, o.period_start, o.period_end"


def series_sql(code: str, indicators: list[str] | None) -> tuple[str, list]:
    """Every current value of the area (or of the given indicators and their per-head twins)."""
    if not indicators:
        return _SERIES_SQL + _ORDER, [code]
    return _SERIES_SQL + _SERIES_FILTER + _ORDER, [code, list(indicators), list(indicators)]


def with_gaps(rows: list[dict]) -> list[dict]:
    """The rows of one series, oldest first, with an entry for each missing year of a yearly
    series (value None, status "not published", gap True). Non-yearly series are unchanged."""
    out = [{**r, "gap": False} for r in rows]
    if not rows or rows[-1]["period_type"] not in YEARLY:
        return out
    make = YEARLY[rows[-1]["period_type"]]
    have = {r["period_start"].year: r for r in out}
    first, latest = min(have), max(have)
    filled = []
    for year in range(first, latest + 1):
        if year in have:
            filled.append(have[year])
        else:
            p = make(year)
            filled.append({"period": p.label, "period_type": p.type, "period_start": p.start,
                           "value": None, "status": "not published",
                           "note": "no value published for this period", "gap": True})
    return filled


def _time(d: date) -> float:
    return d.year + (d.timetuple().tm_yday - 1) / 365.25


def analyse(points: list[dict], key: str = "value", baseline: str | None = None,
            alpha: float = 0.05, confidence: float = 0.95) -> dict:
    """Trend statistics of one gap-filled series (``points`` from :func:`with_gaps`), reading
    the values under ``key``."""
    values = [p.get(key) for p in points]
    times = [_time(p["period_start"]) for p in points]
    present = [p for p in points if p.get(key) is not None]
    base = present[0] if present and baseline is None else next(
        (p for p in points if p["period"] == baseline), None)
    latest = present[-1] if present else None
    change = asdict(trends.change_since(base.get(key) if base else None,
                                        latest.get(key) if latest else None))
    if base is not None and base is latest:
        change.update(absolute=None, percent=None,
                      reason="only one period with a value: no change to show")
    change.update(baseline_period=base["period"] if base else baseline,
                  latest_period=latest["period"] if latest else None)
    if baseline is not None and base is None:
        change["reason"] = f"the series has no period {baseline}"
    unit = "year" if points and points[-1]["period_type"] in YEARLY else "period"
    return {"n": len(present),
            "mann_kendall": asdict(trends.mann_kendall(values, times, alpha)),
            "linear_trend": asdict(trends.linear_trend(values, times, confidence)),
            "slope_per": "year",
            "change": change,
            "running": asdict(trends.periods_running(values, unit))}


# -- deflators ----------------------------------------------------------------------------------
def deflators(store: Store) -> list[dict]:
    """The deflator indicators loaded (id prefix ``deflator.``, unit ``index``, for England)."""
    return store.rows(
        "SELECT i.indicator_id, i.title, i.source, count(o.value) AS periods, "
        "min(o.period) AS first_period, max(o.period) AS last_period FROM indicators i "
        "JOIN current_observations o USING (indicator_id) WHERE i.indicator_id LIKE ? "
        "AND i.unit = 'index' AND o.area_code = ? GROUP BY ALL ORDER BY i.indicator_id",
        [DEFLATOR_PREFIX + "%", ENGLAND])


def choose_deflator(store: Store, deflator: str | None) -> dict | None:
    """The deflator to use: the one named, else the only one loaded (None when none is, or
    when several are and none was named: the result then says which exist)."""
    found = deflators(store)
    if deflator is not None:
        pick = [d for d in found if d["indicator_id"] == deflator]
        if not pick:
            raise NotFoundError(
                f"There is no deflator {deflator!r} for England ({ENGLAND}). A deflator is an "
                f"indicator with id starting '{DEFLATOR_PREFIX}' and unit 'index' uploaded for "
                f"{ENGLAND}; loaded: {', '.join(d['indicator_id'] for d in found) or 'none'}.")
        return pick[0]
    return found[0] if len(found) == 1 else None


def deflator_index(store: Store, deflator_id: str) -> dict[str, float]:
    return {r["period"]: r["value"] for r in store.rows(
        "SELECT period, value FROM current_observations WHERE indicator_id = ? "
        "AND area_code = ? AND value IS NOT NULL", [deflator_id, ENGLAND])}


def add_real_terms(points: list[dict], index: dict[str, float], prices_of: str | None,
                   key: str = "value") -> tuple[list[dict], dict]:
    """Each point with ``real`` (in prices of ``prices_of``, default the latest period) and
    ``real_reason`` when it cannot be converted. Pure."""
    target = prices_of or next((p["period"] for p in reversed(points)
                                if p.get(key) is not None), None)
    base = index.get(target) if target else None
    info = {"prices_of": target, "base_index": base, "reason": None}
    if base is None:
        info["reason"] = f"the deflator has no value for {target}" if target else "no values"
    out = []
    for p in points:
        q = dict(p)
        v, idx = p.get(key), index.get(p["period"])
        if v is None:
            q["real"] = None
            q["real_reason"] = ("no value published for this period" if p.get("gap")
                                else "no cash value")
        elif base is None or not idx:
            q["real"] = None
            q["real_reason"] = info["reason"] or f"the deflator has no value for {p['period']}"
        else:
            q["real"], q["real_reason"] = v * base / idx, None
        out.append(q)
    return out, info


# -- the view -----------------------------------------------------------------------------------
ORDINAL_NO_TREND = ("an ordinal grade (a judgement on a scale, not a quantity): the grades are "
                    "listed in order, with no trend test, slope or change, which would treat "
                    "them as numbers")
NO_PER_HEAD = ("no per-head values: they exist only where a population estimate within three "
               "years of the period is loaded")


def _point(r: dict) -> dict:
    out = {k: r.get(k) for k in ("period", "period_type", "period_start", "value", "status",
                                 "note", "gap")}
    out["predecessor_sum"] = bool(r.get("predecessor_sum"))
    return out


def _merge_twin(points: list[dict], twin: list[dict] | None) -> list[dict]:
    by_period = {r["period"]: r["value"] for r in twin or []}
    return [{**p, "per_head": by_period.get(p["period"])} for p in points]


def indicator_trend(rows: list[dict], twin: list[dict] | None, last: int | None,
                    baseline: str | None, index: dict[str, float] | None,
                    prices_of: str | None, alpha: float = 0.05) -> dict:
    """One indicator's series and trend statistics (pure: the rows come from one query)."""
    head = rows[-1]
    types = {r["period_type"] for r in rows}
    kept = [r for r in rows if r["period_type"] == head["period_type"]]
    points = [_point(p) for p in with_gaps(kept)]
    if last is not None:
        points = points[-last:]
    money = bool(head["is_money"])
    out = {"indicator_id": head["indicator_id"], "title": head["title"], "unit": head["unit"],
           "polarity": head["polarity"], "is_money": money, "period_type": head["period_type"],
           "gaps": [p["period"] for p in points if p["gap"]], "notes": []}
    if len(types) > 1:
        out["notes"].append(f"Only the {head['period_type']} periods are shown; the series "
                            f"also has {', '.join(sorted(types - {head['period_type']}))}.")
    summed = [p["period"] for p in points if p["predecessor_sum"] and p["value"] is not None]
    out["predecessor_periods"] = summed
    if summed:
        span = summed[0] if len(summed) == 1 else f"{summed[0]} to {summed[-1]}"
        out["notes"].append(f"Values for {span} are the {successors.LABEL} (the councils this "
                            "one replaced), as each value's note says.")
    unit = UNITS.get(head["unit"])
    if unit is not None and unit.ordinal:  # grades: listed with their words, no trend tests
        out.update(ordinal=True, series=[{**p, "label": unit.label_of(p["value"])}
                                         for p in points],
                   measures={"value": {"reason": ORDINAL_NO_TREND}})
        return out
    measures = {"cash" if money else "value": analyse(points, "value", baseline, alpha)}
    if money:
        points = _merge_twin(points, twin)
        has_twin = any(p["per_head"] is not None for p in points)
        measures["per_head"] = (analyse(points, "per_head", baseline, alpha) if has_twin
                                else {"reason": NO_PER_HEAD})
        if index is None:
            measures["real"] = {"reason": "no deflator is loaded (see docs/uploads.md: "
                                          "deflator.* for E92000001)"}
        else:
            points, info = add_real_terms(points, index, prices_of)
            measures["real"] = {**analyse(points, "real", baseline, alpha), **info}
            if has_twin:
                points = [{**p, "real_per_head": r["real"]} for p, r in zip(
                    points, add_real_terms(points, index, info["prices_of"], "per_head")[0])]
                measures["real_per_head"] = analyse(points, "real_per_head", baseline, alpha)
    out.update(series=points, measures=measures)
    return out


_META = ("indicator_id", "title", "unit", "polarity", "is_money", "per_head_of")
_PREDECESSOR_INDICATORS_SQL = f"""
SELECT DISTINCT {', '.join('i.' + c for c in _META)}
FROM current_observations o JOIN indicators i USING (indicator_id)
WHERE list_contains(?, o.area_code) AND (? OR list_contains(?, o.indicator_id))"""


def add_predecessor_sums(store: Store, code: str, by_id: dict[str, list[dict]],
                         wanted: list[str] | None = None) -> None:
    """Extend a reorganised council's series backwards with the sum of its predecessors
    (money and counts only; see :mod:`wholeplace.hub.successors`), in place; an indicator the
    council has no value of its own for gets a series from its predecessors alone."""
    tree = successors.predecessor_tree(store)
    if code not in tree:
        return
    meta = {ind: {k: rows[0][k] for k in _META} for ind, rows in by_id.items()}
    codes = successors.all_predecessors(code, tree)
    for r in store.rows(_PREDECESSOR_INDICATORS_SQL, [codes, wanted is None, wanted or []]):
        meta.setdefault(r["indicator_id"], r)
    kinds = {ind: kind for ind, m in meta.items()
             if (kind := successors.sum_kind(m["unit"], bool(m["is_money"]),
                                             m["per_head_of"])) is not None}
    own = {ind: {r["period"] for r in by_id.get(ind, [])} for ind in kinds}
    found = successors.predecessor_series(store, code, kinds, own, tree)
    for ind, extra in found.items():
        rows = [{**meta[ind], **r} for r in extra] + by_id.get(ind, [])
        by_id[ind] = sorted(rows, key=lambda r: r["period_start"])


def area_trends(store: Store, code: str, indicators: list[str] | None = None,
                last: int | None = None, baseline: str | None = None,
                deflator: str | None = None, prices_of: str | None = None,
                alpha: float = 0.05) -> dict:
    """Every series of the council (or the given indicators) with its trend statistics.

    Returns ``council`` (code, name), ``deflator`` (the one used, or None with ``deflator_note``)
    and ``indicators``: per indicator ``series`` (oldest first, gaps as entries with ``gap``
    True; money ones also carry ``per_head``, ``real`` and ``real_per_head``), ``gaps`` and
    ``measures`` (``value``, or for money ``cash``, ``per_head``, ``real``, ``real_per_head``),
    each with ``mann_kendall``, ``linear_trend`` (slope per year), ``change`` and ``running``
    (or only a ``reason`` when it cannot be computed). Per-head twins are shown under their
    money indicator, not on their own.
    """
    if last is not None and last < 2:
        raise InputError(f"last must be at least 2 periods to show a trend; got {last}.")
    place = get_place(store, code)
    if baseline is not None:
        baseline = P.parse_period(baseline).label
    if prices_of is not None:
        prices_of = P.parse_period(prices_of).label
    wanted = list(indicators_by_id(store, indicators)) or None
    chosen = choose_deflator(store, deflator)
    index = deflator_index(store, chosen["indicator_id"]) if chosen else None
    sql, params = series_sql(place["gss_code"], wanted)
    by_id: dict[str, list[dict]] = {}
    for r in store.rows(sql, params):
        by_id.setdefault(r["indicator_id"], []).append(r)
    add_predecessor_sums(store, place["gss_code"], by_id, wanted)
    out = []
    for ind, rows in by_id.items():
        base = rows[0]["per_head_of"]
        if base and base in by_id:
            continue  # shown with its money indicator
        twin = by_id.get(f"{ind}.per_head")
        out.append(indicator_trend(rows, twin, last, baseline, index, prices_of, alpha))
    for ind in wanted or []:
        if ind not in by_id:
            out.append({"indicator_id": ind, "series": [], "gaps": [], "measures": {},
                        "reason": "not available: no value for this council"})
    many = len(deflators(store)) > 1 and deflator is None
    return {"council": {"code": place["gss_code"], "name": place["name"]},
            "deflator": chosen,
            "deflator_note": ("several deflators are loaded; name one to get real terms"
                              if many else None if chosen else "no deflator is loaded"),
            "indicators": out}


