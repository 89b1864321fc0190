"""The early-warning page: every council's financial-resilience and service-pressure flags for a
year, most at risk first, using only data published by the end of that year; and the backtest
page (``/early-warning/backtest``): whether the flags of each year foretold how reserves moved."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from wholeplace.hub.store import Store
from wholeplace.insight.early_warning import backtest, resilience
from wholeplace.report.backtest_chart import backtest_chart, median_difference, points
from wholeplace.report.scene import to_svg
from wholeplace.web.deps import get_store
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)

#: Years a person can pick: 2012 (the first RS release, 2010-11) to 2024 (2023-24).
YEARS = tuple(range(2012, 2025))
DEFAULT_YEAR = 2024


def early_warning(store: Store, year: int, show: str) -> dict:
    """The page's data: the assessment, cut to councils with flags unless ``show`` is 'all'.

    Reads the remembered assessment (:func:`resilience.shared_assessment`) without changing it,
    so a request after the first for the same year costs a dictionary look-up."""
    result = resilience.shared_assessment(store, year)
    councils = result["councils"]
    flagged = [c for c in councils if c["higher_risk"]]
    shown = councils if show == "all" else flagged
    return {"assessment": {k: v for k, v in result.items() if k != "councils"},
            "year": year, "years": YEARS, "show": show, "assessed": len(councils),
            "flagged": len(flagged), "councils": shown}


@router.get("/early-warning.json")
def early_warning_json(year: int = Query(DEFAULT_YEAR, ge=2000, le=2100),
                       show: str = Query("flagged", pattern="^(flagged|all)$"),
                       store: Store = Depends(get_store)) -> Response:
    return as_json(early_warning(store, year, show))


@router.get("/early-warning")
def early_warning_page(request: Request, year: int = Query(DEFAULT_YEAR, ge=2000, le=2100),
                       show: str = Query("flagged", pattern="^(flagged|all)$"),
                       store: Store = Depends(get_store)) -> Response:
    data = early_warning(store, year, show)
    return render(request, "early_warning.html", {
        "title": f"Early warning, {data['assessment']['period']}", **data,
        "json_url": f"/early-warning.json?year={year}&show={show}"})


def backtest_page_data(store: Store) -> dict:
    """The backtest (computed once per hub and data version, then remembered: the hub is
    read-only while serving), with its summary counted from the table."""
    result = backtest.shared_backtest(store)
    return {**result, "summary": backtest.summary(result),
            "rule": {"min_higher": result["min_higher"], "horizon_years": result["horizon_years"],
                     "flagged_means": result["flagged_means"], "outcome": result["outcome"],
                     "method": result["method"], "comparators": result["comparators"]}}


@router.get("/early-warning/backtest.json")
def backtest_json(store: Store = Depends(get_store)) -> Response:
    return as_json(backtest_page_data(store))


@router.get("/early-warning/backtest")
def backtest_page(request: Request, store: Store = Depends(get_store)) -> Response:
    data = backtest_page_data(store)
    chart = backtest_chart(data["rows"])
    return render(request, "early_warning_backtest.html", {
        "title": "Early warning: do the flags carry information?", **data,
        "chart_svg": Markup(to_svg(chart)), "median_difference": median_difference,
        "points": points, "json_url": "/early-warning/backtest.json"})
