"""A council's place profile: the page, its JSON twin, and the PDF and XLSX downloads."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from wholeplace.hub.store import Store
from wholeplace.report.pdf import profile_pdf
from wholeplace.report.xlsx import profile_xlsx
from wholeplace.web import profiles
from wholeplace.web.deps import get_store
from wholeplace.web.render import as_json, render

router = APIRouter(include_in_schema=False)
Group = Literal["ours", "cipfa", "region", "county"]
GROUP = Query("ours", description="comparator group: ours, cipfa, region or county")


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/council/{code}/profile.json")
def profile_json(request: Request, code: str, group: Group = GROUP,
                 store: Store = Depends(get_store)) -> Response:
    return as_json(profiles.profile(request, store, code, group))


@router.get("/council/{code}/profile.pdf")
def profile_pdf_download(request: Request, code: str, group: Group = GROUP,
                         store: Store = Depends(get_store)) -> Response:
    data = profiles.profile(request, store, code, group)
    return _download(profile_pdf(data), "application/pdf",
                     f"{data['council']['gss_code']}-profile-{group}.pdf")


@router.get("/council/{code}/profile.xlsx")
def profile_xlsx_download(request: Request, code: str, group: Group = GROUP,
                          store: Store = Depends(get_store)) -> Response:
    data = profiles.profile(request, store, code, group)
    return _download(profile_xlsx(data),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"{data['council']['gss_code']}-profile-{group}.xlsx")


@router.get("/council/{code}/profile")
def profile_page(request: Request, code: str, group: Group = GROUP,
                 store: Store = Depends(get_store)) -> Response:
    data = profiles.profile(request, store, code, group)
    return render(request, "profile.html", profiles.page_context(data, code, group))
