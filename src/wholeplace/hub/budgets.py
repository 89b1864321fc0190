"""A council's budget (RA, ``ra.*``) beside its outturn (RS, ``rs.*``) for the same year.

Every ``ra.<x>`` indicator has the suffix of the ``rs.<x>`` outturn it budgets for, so the two
line up by id. Values are the current ones (``current_observations``); missing stays missing and
a difference is given only where both figures are published.
"""

from __future__ import annotations

from wholeplace.errors import InputError
from wholeplace.hub.periods import financial_year
from wholeplace.hub.queries import area_current, with_titles
from wholeplace.hub.store import Store

#: The lines compared, in reading order (suffixes shared by ra.* and rs.*).
LINES: tuple[str, ...] = (
    "nce.education", "nce.highways_transport", "nce.childrens_social_care",
    "nce.adult_social_care", "nce.public_health", "nce.housing_gf", "nce.cultural",
    "nce.environmental_regulatory", "nce.planning_development", "nce.police",
    "nce.fire_rescue", "nce.central", "nce.other", "nce.total_service",
    "net_current_expenditure", "revenue_expenditure", "net_revenue_expenditure",
    "council_tax_requirement", "reserves.unallocated.start", "reserves.unallocated.end",
    "reserves.other_earmarked.end",
)

_VALUES_SQL = """
SELECT o.indicator_id, o.value, o.status, i.title
FROM current_observations o JOIN indicators i ON i.indicator_id = o.indicator_id
WHERE o.area_code = ? AND o.period = ? AND o.indicator_id IN ({marks})
"""


def _values(store: Store, code: str, period: str, ids: list[str]) -> dict[str, dict]:
    sql = _VALUES_SQL.format(marks=", ".join("?" * len(ids)))
    return {r["indicator_id"]: r for r in store.rows(sql, [code, period, *ids])}


def compare_lines(budget: dict[str, dict], outturn: dict[str, dict]) -> list[dict]:
    """One row per line that has a budget or an outturn figure (pure)."""
    out = []
    for suffix in LINES:
        b, o = budget.get(f"ra.{suffix}"), outturn.get(f"rs.{suffix}")
        if b is None and o is None:
            continue
        bv, ov = (b or {}).get("value"), (o or {}).get("value")
        diff = ov - bv if bv is not None and ov is not None else None
        out.append({
            "line": suffix, "title": (o or b or {}).get("title"),
            "budget": bv, "outturn": ov, "difference": diff,
            "difference_pct": 100 * diff / abs(bv) if diff is not None and bv else None,
            "budget_status": (b or {}).get("status", "absent"),
            "outturn_status": (o or {}).get("status", "absent")})
    return out


def budget_vs_outturn(store: Store, code: str, year: int) -> dict:
    """The council's budget and outturn for the financial year starting in ``year``.

    ``difference`` is outturn minus budget (£ thousand; positive: spent more than budgeted).
    """
    period = financial_year(year).label
    budget = _values(store, code, period, [f"ra.{s}" for s in LINES])
    outturn = _values(store, code, period, [f"rs.{s}" for s in LINES])
    return _comparison(code, period, budget, outturn)


def _comparison(code: str, period: str, budget: dict[str, dict],
                outturn: dict[str, dict]) -> dict:
    """One year's budget against its outturn, from the rows of each (pure)."""
    return {"area_code": code, "period": period, "unit": "gbp_thousands",
            "has_budget": any(r["value"] is not None for r in budget.values()),
            "has_outturn": any(r["value"] is not None for r in outturn.values()),
            "lines": compare_lines(budget, outturn)}


def latest_budget(store: Store, code: str) -> dict:
    """The latest budget year the hub holds for the council, with every budgeted line."""
    period = store.scalar(
        "SELECT max(period) FROM current_observations WHERE area_code = ? "
        "AND indicator_id LIKE 'ra.%' AND indicator_id NOT LIKE '%.per_head' "
        "AND value IS NOT NULL", [code])
    if period is None:
        raise InputError(f"No budget (RA) figures for {code}. Load the RA sources with "
                         "'wholeplace load', or check the council code.")
    rows = store.rows(
        "SELECT o.indicator_id, o.value, o.status, i.title, o.released_on "
        "FROM current_observations o JOIN indicators i ON i.indicator_id = o.indicator_id "
        "WHERE o.area_code = ? AND o.period = ? AND o.indicator_id LIKE 'ra.%' "
        "AND o.indicator_id NOT LIKE '%.per_head' ORDER BY o.indicator_id", [code, period])
    return {"area_code": code, "period": period, "unit": "gbp_thousands",
            "released_on": max((r["released_on"] for r in rows if r["released_on"]),
                               default=None),
            "lines": [{"indicator": r["indicator_id"], "title": r["title"],
                       "value": r["value"], "status": r["status"]} for r in rows]}


def latest_comparison(store: Store, code: str) -> dict | None:
    """:func:`budget_vs_outturn` for the latest year with both a budget and an outturn for the
    council (None when no year has both)."""
    outturn_ids = {f"rs.{s}" for s in LINES}
    budget_ids = {f"ra.{s}" for s in LINES}
    rows = with_titles(store, [r for r in area_current(store, code)
                               if r["indicator_id"].startswith("ra.")
                               or r["indicator_id"] in outturn_ids])
    by_period: dict[str, tuple[dict[str, dict], dict[str, dict]]] = {}
    for r in rows:
        budget, outturn = by_period.setdefault(r["period"], ({}, {}))
        if r["indicator_id"] in budget_ids:
            budget[r["indicator_id"]] = r
        elif r["indicator_id"].startswith("rs."):
            outturn[r["indicator_id"]] = r
    periods = sorted({r["period"] for r in rows
                      if r["indicator_id"].startswith("ra.") and r["value"] is not None},
                     reverse=True)
    for period in periods:
        label = financial_year(int(period[:4])).label
        found = _comparison(code, label, *by_period.get(label, ({}, {})))
        if found["has_budget"] and found["has_outturn"]:
            return found
    return None
