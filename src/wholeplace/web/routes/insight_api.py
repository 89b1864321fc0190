"""The insight JSON API: a council's comparator group, its indicators compared with the group
and England, its time series with trend tests, early-warning flags and whole-place spend.

Thin handlers over wholeplace.insight; errors go through the app's one handler
(``{"error", "message"}`` with the status)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from wholeplace.errors import InputError
from wholeplace.hub.store import Store
from wholeplace.insight.comparison.compare import compare_area
from wholeplace.insight.early_warning import resilience
from wholeplace.insight.peers.groups import comparator_group
from wholeplace.insight.spend.compare import compare_spend
from wholeplace.insight.spend.series import latest_year, place_spend_series
from wholeplace.insight.spend.wholeplace import place_spend
from wholeplace.insight.trends.view import area_trends
from wholeplace.web.deps import get_store
from wholeplace.web.routes.api import ERRORS

router = APIRouter(prefix="/api", tags=["Comparison"])

Method = Literal["ours", "cipfa", "region", "county", "custom"]
MEMBERS_HELP = "For method custom: the GSS codes of the group, comma-separated"


def _codes(members: str | None) -> list[str] | None:
    return [m for m in (members or "").split(",") if m.strip()] or None


@router.get("/councils/{code}/neighbours", summary="A council's comparator group",
            responses=ERRORS)
def api_neighbours(code: str,
                   method: Method = Query("ours", description="How the group is chosen"),
                   k: int = Query(15, ge=1, le=100, description="Group size (method ours)"),
                   members: str | None = Query(None, description=MEMBERS_HELP),
                   store: Store = Depends(get_store)) -> dict[str, Any]:
    """The councils a council is compared with, most similar first, with distances and the
    reasons they are similar or differ."""
    return comparator_group(store, code, method, settings={"k": k},
                            members=_codes(members)).to_dict()


@router.get("/councils/{code}/compare", summary="Indicators compared with the group and England",
            responses=ERRORS)
def api_compare(code: str,
                group: Method = Query("ours", description="The comparator group"),
                indicator: list[str] | None = Query(None, description="Only these indicators"),
                period: str | None = Query(None, description=(
                    "Compare this period, e.g. 2017-18 (default: each indicator's latest period "
                    "with the council's value; a newer one without it is named in 'newer')")),
                rank: bool = Query(False, description="Add ranks with their plausible range"),
                members: str | None = Query(None, description=MEMBERS_HELP),
                store: Store = Depends(get_store)) -> dict[str, Any]:
    """Each indicator's value with its confidence interval where the data allows, the group's
    and England's values for the same period, the band against each (a significance test only
    with an interval, else a position among the others), how the verdict changes with the
    choice of group, and funnel-plot data for shares. Missing values are null with a reason.
    A spending line of a service another body delivers in the area, on which the council
    published 0, is "not applicable" with who delivers it (``not_applicable``), not compared."""
    return compare_area(store, code, method=group, indicators=indicator, rank=rank,
                        members=_codes(members), period=period)


@router.get("/councils/{code}/trends", summary="Time series with trend tests", responses=ERRORS)
def api_trends(code: str,
               indicator: list[str] | None = Query(None, description="Only these indicators"),
               last: int | None = Query(None, ge=2, description="Only the last N periods"),
               baseline: str | None = Query(None, description="Change since this period"),
               deflator: str | None = Query(None, description="Deflator indicator for real "
                                                              "terms (deflator.*)"),
               store: Store = Depends(get_store)) -> dict[str, Any]:
    """Each series (gaps shown as null entries, never interpolated) with Mann-Kendall,
    least-squares slope, change since the baseline and periods running; money in cash, per head
    and, with a deflator loaded, in real terms."""
    return area_trends(store, code, indicators=indicator, last=last, baseline=baseline,
                       deflator=deflator)


FlagMethod = Literal["kind", "region", "ours", "cipfa", "county"]
SpendMethod = Literal["national", "region", "ours", "cipfa", "county"]
YEAR_HELP = ("Use only data published by 31 December of this year; the latest financial year "
             "published by then is assessed (2018 assesses 2017-18)")


@router.get("/flags", summary="Early-warning flags for every council", tags=["Early warning"],
            responses=ERRORS)
def api_flags(year: int = Query(..., ge=2000, le=2100, description=YEAR_HELP),
              method: FlagMethod = Query("kind", description="Comparators: same kind of "
                                         "council nationally ('kind'), in the region, or a "
                                         "comparator-group method (slower)"),
              limit: int | None = Query(None, ge=1, description="Only the N most at risk"),
              store: Store = Depends(get_store)) -> dict[str, Any]:
    """Every council's financial-resilience and service-pressure indicators, most at risk
    first, each flag with its value, threshold, comparator position and trend, using only data
    published by the end of ``year`` (backtesting)."""
    result = resilience.assess(store, year, method)
    if limit is not None:
        result = result | {"councils": result["councils"][:limit]}
    return result


@router.get("/councils/{code}/flags", summary="One council's early-warning indicators",
            tags=["Early warning"], responses=ERRORS)
def api_council_flags(code: str, year: int = Query(..., ge=2000, le=2100, description=YEAR_HELP),
                      method: FlagMethod = Query("kind", description="Comparators"),
                      store: Store = Depends(get_store)) -> dict[str, Any]:
    """All of one council's early-warning indicators with their bands and explanations."""
    return resilience.council_flags(store, year, code, method)


@router.get("/councils/{code}/spend", summary="Whole-place spend per head",
            tags=["Whole-place spend"], responses=ERRORS)
def api_spend(code: str,
              year: int | None = Query(None, ge=2000, le=2100, description=(
                  "The financial year by the year it starts in (2017 for 2017-18); default: "
                  "the latest loaded")),
              series: bool = Query(False, description="Add 'series': the whole-place total "
                                   "per resident for every year loaded (a district or "
                                   "unitary area; 'incomplete' where a tier has no figures)"),
              compare: SpendMethod | None = Query(None, description="Also compare the total "
                                                  "with a comparator group"),
              rank: bool = Query(False, description="With compare: add the area's rank by "
                                 "spend per head, highest first (a tie as a range of ranks)"),
              store: Store = Depends(get_store)) -> dict[str, Any]:
    """What each tier of local government serving the area spends per resident, by service
    line (the council's own, the county's and the combined authority's or GLA's, apportioned by
    population), the total, and optionally its position among comparator places (and, only on
    request, its rank)."""
    if rank and compare is None:
        raise InputError("rank ranks the area among a comparator group: add compare (for "
                         "example compare=national).")
    year = latest_year(store) if year is None else year
    return {"spend": place_spend(store, code, year),
            "comparison": compare_spend(store, code, year, compare, rank) if compare else None,
            "series": place_spend_series(store, code) if series else None}
