"""The comparison JSON API: a council's comparator group, its indicators compared with the group
and England, and its time series with trend tests. Thin handlers over wholeplace.insight; errors
go through the app's one handler (``{"error", "message"}`` with the status)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from wholeplace.hub.store import Store
from wholeplace.insight.compare import compare_area
from wholeplace.insight.groups import comparator_group
from wholeplace.insight.trend_view import area_trends
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
                period: str | None = Query(None, description="Compare this period, e.g. "
                                                             "2017-18 (default: each latest)"),
                rank: bool = Query(False, description="Add ranks with their plausible range"),
                members: str | None = Query(None, description=MEMBERS_HELP),
                store: Store = Depends(get_store)) -> dict[str, Any]:
    """Each indicator's value with its confidence interval where the data allows, the group's
    and England's values for the same period, the band against each (a significance test only
    with an interval, else a position among the others), how the verdict changes with the
    choice of group, and funnel-plot data for shares. Missing values are null with a reason."""
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
