"""The decade measures of the early warning: reserves run-out at the latest rate of drawdown,
changes in reserves as % of net revenue expenditure over 3 and 5 years, debt as % of NRE and
its growth, social care outturn against budget, and the neighbourhood-services squeeze.

Pure: a council's values in (``values[indicator_id][financial year start]``, as
:mod:`wholeplace.insight.early_warning.resilience` reads them from the hub), results out. Each
result is ``{"value", "series", "span", "reason", "missing"}``: ``reason`` says why a published
value cannot be read as a percentage ("not meaningful"); ``missing`` says which input is not in
the data when the value cannot be computed. Nothing missing is ever read as 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from wholeplace.insight.early_warning import flags as rules

Values = Mapping[str, Mapping[int, float | None]]
Series = dict[int, float]

NRE, TOTAL = "rs.net_revenue_expenditure", "rs.nce.total_service"
UNALLOCATED_END = "rs.reserves.unallocated.end"
DEBT = "debt.borrowing.total"
ASC, CSC = "rs.nce.adult_social_care", "rs.nce.childrens_social_care"
RA_ASC, RA_CSC = "ra.nce.adult_social_care", "ra.nce.childrens_social_care"
NEIGHBOURHOOD = ("rs.nce.cultural", "rs.nce.environmental_regulatory",
                 "rs.nce.planning_development", "rs.nce.highways_transport")
#: The inputs read here that the RS reader does not already read (allow-list for its SQL).
EXTRA_IDS = (DEBT, RA_ASC, RA_CSC)

#: What each input is called in a "not in the data" sentence.
INPUT_NAMES = {NRE: "net revenue expenditure (RS line 805)",
               UNALLOCATED_END: "unallocated reserves at 31 March (RS line 916)",
               DEBT: "total external borrowing at 31 March (borrowing and investment table)",
               ASC: "adult social care outturn (RS line 360)",
               CSC: "children's social care outturn (RS line 330)",
               RA_ASC: "adult social care budget (RA)",
               RA_CSC: "children's social care budget (RA)",
               TOTAL: "total service expenditure (RS line 699)"}


def result(value: float | None, series: Series, span: dict[str, Any] | None = None,
           reason: str | None = None, missing: str | None = None) -> dict[str, Any]:
    return {"value": None if reason else value, "series": series, "span": span,
            "reason": reason, "missing": None if value is not None or reason else missing}


def ratio(num: float | None, den: float | None) -> float | None:
    """100 x num / den, or None when either is missing or den is at or below zero."""
    return 100.0 * num / den if num is not None and den is not None and den > 0 else None


def ratio_series(v: Values, num: str, den: str) -> Series:
    out: Series = {}
    for fy, d in v.get(den, {}).items():
        r = ratio(v.get(num, {}).get(fy), d)
        if r is not None:
            out[fy] = r
    return out


def missing_inputs(v: Values, fy: int, ids: tuple[str, ...]) -> str | None:
    """'net revenue expenditure (RS line 805) for 2022-23 is not in the data', or None."""
    absent = [INPUT_NAMES.get(i, i) for i in ids if v.get(i, {}).get(fy) is None]
    if not absent:
        return None
    verb = "is" if len(absent) == 1 else "are"
    return f"{' and '.join(absent)} for {rules.fy_label(fy)} {verb} not in the data"


def span_of(ch: dict[str, Any] | None,
            label: Callable[[int], str] = rules.fy_label) -> dict[str, Any] | None:
    """The years a change spans, naming any year between its ends that is not in the data."""
    if ch is None:
        return None
    gap = rules.gap_phrase(ch["missing"], label)
    return {"from": label(ch["from"]), "to": label(ch["to"]), "years": ch["years"],
            "missing": [label(y) for y in ch["missing"]],
            "text": f"{label(ch['from'])} to {label(ch['to'])} ({rules.years_text(ch['years'])}"
                    f"{'; ' + gap if gap else ''})"}


def _no_window(series: Series, fy: int, window: int, what: str) -> str:
    if fy not in series:
        return f"{what} for {rules.fy_label(fy)} cannot be computed from the data"
    return (f"{what} is not in the data for any year from {rules.fy_label(fy - window)} to "
            f"{rules.fy_label(fy - 1)}, so no change over {window} years can be computed")


def pct_nre_change(series: Series, fy: int, window: int, what: str) -> dict[str, Any]:
    """Change, in percentage points, of a '% of NRE' series over (up to) ``window`` years."""
    ch = rules.change_over_window(series, fy, window)
    if ch is None:
        return result(None, series, missing=_no_window(series, fy, window, what))
    return result(ch["change"], series, span_of(ch))


def reserves_runout(levels: Mapping[int, float], fy: int) -> dict[str, Any]:
    """Years of usable reserves left at 31 March ``fy + 1`` if they kept falling at the latest
    year's rate (the fall over ``fy``, from 31 March ``fy`` to 31 March ``fy + 1``). ``levels``
    are keyed by the year of the 31 March they stand at. math.inf when not falling."""
    trend = {y - 1: x for y, x in levels.items()}

    def label(y: int) -> str:
        return f"31 March {y}"

    ch = rules.change_over_window(dict(levels), fy + 1, 1)
    if ch is None:
        gone = [label(y) for y in (fy, fy + 1) if y not in levels]
        return result(None, trend, missing=f"usable reserves at {' and '.join(gone)} "
                      f"{'is' if len(gone) == 1 else 'are'} not in the data")
    return result(rules.sustainability_years(levels[fy + 1], ch["annual_change"]), trend,
                  span_of(ch, label))


def debt_measures(v: Values, fy: int, window: int) -> dict[str, dict[str, Any]]:
    """Debt as % of NRE in ``fy`` and the % growth of total external borrowing over (up to)
    ``window`` years. Borrowing at zero at the start has no percentage growth: not meaningful."""
    debt = {y: x for y, x in v.get(DEBT, {}).items() if x is not None}
    pct = ratio_series(v, DEBT, NRE)
    nre = v.get(NRE, {}).get(fy)
    nre_why = (rules.nonpositive_base_reason(f"net revenue expenditure in {rules.fy_label(fy)}",
                                             nre) if nre is not None and nre <= 0 else None)
    level = result(pct.get(fy), pct, reason=nre_why if fy in debt else None,
                   missing=missing_inputs(v, fy, (DEBT, NRE)))
    ch = rules.change_over_window(debt, fy, window)
    if ch is None:
        growth = result(None, debt, missing=missing_inputs(v, fy, (DEBT,))
                        or _no_window(debt, fy, window, "total external borrowing"))
    else:
        why = (rules.nonpositive_base_reason(
            f"total external borrowing at 31 March {ch['from'] + 1}", ch["start"],
            "a percentage growth from it") if ch["change_pct"] is None else None)
        growth = result(ch["change_pct"], debt, span_of(ch), reason=why)
    return {"debt_pct_nre": level, "debt_growth_pct": growth}


def overspend(v: Values, fy: int, outturn: str, budget: str, what: str) -> dict[str, Any]:
    """100 x (outturn - budget) / budget for one service, the same financial year: positive
    when the council spent more than it budgeted. Both are net current expenditure."""
    spent, planned = v.get(outturn, {}).get(fy), v.get(budget, {}).get(fy)
    series: Series = {}
    for y, b in v.get(budget, {}).items():
        s = v.get(outturn, {}).get(y)
        if s is not None and b is not None and b > 0:
            series[y] = 100.0 * (s - b) / b
    if planned is not None and planned <= 0:
        return result(None, series, reason=rules.nonpositive_base_reason(
            f"the {what} budget for {rules.fy_label(fy)}", planned, "an overspend against it"))
    value = None if spent is None or planned is None else 100.0 * (spent - planned) / planned
    return result(value, series, missing=missing_inputs(v, fy, (outturn, budget)))


def neighbourhood_share(v: Values) -> Series:
    """Neighbourhood services (cultural, environmental and regulatory, planning and
    development, highways and transport) as % of total service expenditure, by year; only
    years where all four lines and the total are published and both sums are above zero."""
    out: Series = {}
    for fy, total in v.get(TOTAL, {}).items():
        parts = [v.get(i, {}).get(fy) for i in NEIGHBOURHOOD]
        if total is None or any(p is None for p in parts):
            continue
        hood = sum(p for p in parts if p is not None)
        if hood > 0 and total > 0:
            out[fy] = 100.0 * hood / total
    return out


def neighbourhood_squeeze(v: Values, fy: int, window: int) -> dict[str, Any]:
    """Change, in percentage points, of the neighbourhood services' share of service spending
    over (up to) ``window`` years: a fall is the squeeze."""
    share = neighbourhood_share(v)
    if fy not in share and missing_inputs(v, fy, (*NEIGHBOURHOOD, TOTAL)) is None:
        return result(None, share, reason=(
            f"net spending on neighbourhood services or on all services in {rules.fy_label(fy)} "
            "is at or below zero (income netted against them exceeded their cost), so a share "
            "of service spending is not meaningful"))
    return pct_nre_change(share, fy, window, "the neighbourhood services' share")


def decade_measures(v: Values, fy: int, levels: Mapping[int, float], usable_pct: Series,
                    short: int = 3, long: int = 5) -> dict[str, dict[str, Any]]:
    """Every decade measure for financial year ``fy`` (its start year)."""
    unallocated = ratio_series(v, UNALLOCATED_END, NRE)
    nre = v.get(NRE, {}).get(fy)
    nre_why = (rules.nonpositive_base_reason(f"net revenue expenditure in {rules.fy_label(fy)}",
                                             nre) if nre is not None and nre <= 0 else None)
    out = {"reserves_runout": reserves_runout(levels, fy)}
    for name, series, what in (("usable_reserves_pct_nre", usable_pct, "usable reserves"),
                               ("unallocated_pct_nre", unallocated, "unallocated reserves")):
        what = f"{what} as % of net revenue expenditure"
        # ids name the default windows (3 and 5 years); the settings may widen them
        for n, window in (("3y", short), ("5y", long)):
            out[f"{name}_change_{n}"] = (result(None, series, reason=nre_why) if nre_why
                                         else pct_nre_change(series, fy, window, what))
    out |= debt_measures(v, fy, short)
    out["adult_social_care_overspend_pct"] = overspend(v, fy, ASC, RA_ASC, "adult social care")
    out["childrens_social_care_overspend_pct"] = overspend(v, fy, CSC, RA_CSC,
                                                           "children's social care")
    out["neighbourhood_share_change"] = neighbourhood_squeeze(v, fy, long)
    return out
