"""The later cost of a resident's cuts, for the simulator's pages: the linked prevention models'
profiles (read through the hub's unit costs only when a profile is not cached yet) and the
figures formatted as words, a table and a small server-rendered chart, in the page's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import duckdb
from fastapi import Request

from wholeplace.budget import unit_costs
from wholeplace.budget.prevention import Lookup
from wholeplace.consult import later
from wholeplace.consult.models import Consultation
from wholeplace.errors import NotFoundError
from wholeplace.report import scene as s
from wholeplace.web.deps import StoreUnavailable, get_viewer

Gettext = Callable[[str], str]
MINUS = "\u2212"


@contextmanager
def hub_lookup(request: Request) -> Iterator[Callable[[], Lookup | None]]:
    """An opener of the hub's unit-cost lookup; the store is opened on first use and closed
    on leaving."""
    opened: list[Any] = []

    def opener() -> Lookup | None:
        if not opened:
            try:
                opened.append(request.app.state.stores.cursor(get_viewer(request)))
            except StoreUnavailable:  # no hub: a model needing its unit costs says so
                return None
        store = opened[0]

        def look(code: str, kind: str) -> unit_costs.UnitCost:
            try:
                return unit_costs.unit_cost(store, code, kind)  # type: ignore[arg-type]
            except duckdb.Error as exc:  # a hub without the unit_costs table at all
                raise NotFoundError(
                    "The hub holds no unit costs. Load them with `wholeplace load --source "
                    "gmca_unit_costs`.") from exc

        return look

    try:
        yield opener
    finally:
        for store in opened:
            store.close()


def profiles_for(request: Request, c: Consultation
                 ) -> tuple[dict[str, later.Profile], dict[str, str]]:
    """The linked models' profiles and, for any that cannot be shown, why."""
    if not later.linked(c):
        return {}, {}
    with hub_lookup(request) as opener:
        return later.profiles(c, opener)


@contextmanager
def model_check(request: Request) -> Iterator[Callable[[str], object]]:
    """The check a definition's import runs on each linked model (raises ModelProblem)."""
    with hub_lookup(request) as opener:
        yield lambda model_id: later.resolve(model_id, opener())


def pounds(amount: float) -> str:
    """Whole pounds, halves away from zero, with a true minus sign."""
    whole = int(abs(amount) + 0.5)
    return f"{MINUS if amount < 0 and whole else ''}£{whole:,}"


def chart(years: list[str], values: list[float], price_base: str, chart_id: str, title: str,
          width: float = 480, height: float = 200) -> str:
    """One bar per year: the modelled extra cost that year (all partners)."""
    described = "; ".join(f"{y}: {pounds(v)}" for y, v in zip(years, values, strict=True))
    sc = s.Scene(chart_id, width, height, title,
                 f"Bar chart of the modelled extra cost in each year, at "
                 f"{price_base} prices: {described}.")
    left, right, top, bottom = 12, width - 12, 22, height - 30
    peak = max(values, default=0) or 1
    slot = (right - left) / max(1, len(values))
    for i, (year, v) in enumerate(zip(years, values, strict=True)):
        h = v / peak * (bottom - top)
        x = left + i * slot + slot * 0.15
        if h > 0:
            sc.add(s.Rect(x, bottom - h, slot * 0.7, h, s.BLUE))
        sc.add(s.Text(x + slot * 0.35, bottom - h - 5, pounds(v), 11, "middle"),
               s.Text(x + slot * 0.35, bottom + 16, year, 11, "middle", fill=s.GREY))
    sc.add(s.Line(left, bottom, right, bottom, s.GREY))
    return s.to_svg(sc)


def model_view(lc: later.LaterCost | dict[str, Any], chart_id: str, _: Gettext
               ) -> dict[str, Any]:
    """Words, rows and chart for one model's later cost (a LaterCost, or the dashboard's
    average as plain data)."""
    d = lc.to_dict() if isinstance(lc, later.LaterCost) else lc
    years = list(d["years"])
    span = _("%(first)s to %(last)s") % {"first": years[0], "last": years[-1]} if years else ""
    n = len(years)
    partners = [{"name": p["name"], "total": pounds(p["total"]),
                 "words": _("%(who)s: %(amount)s over %(n)s years") % {
                     "who": p["name"], "amount": pounds(p["total"]), "n": n}}
                for p in d["partners"] if pounds(p["total"]) != "£0"]
    view = {
        "model": d["model"], "title": d["title"], "price_base": d["price_base"],
        "illustration": d["illustration"], "note": d["note"], "total": pounds(d["total"]),
        "years": years, "span": span, "n": n,
        "headline": _("Modelled extra cost in later years: %(amount)s over %(n)s years "
                      "(%(span)s), at %(base)s prices") % {
                          "amount": pounds(d["total"]), "n": n, "span": span,
                          "base": d["price_base"]},
        "who": "; ".join(p["words"] for p in partners), "partners": partners,
        "rows": [{"year": y, "amount": pounds(v)} for y, v in d["by_year"].items()],
        "by_partner": [{"name": p["name"], "cells": [pounds(p["by_year"][y]) for y in years],
                        "total": pounds(p["total"])} for p in d["partners"]],
        "share": f"{d['share_of_programme'] * 100:.1f}%" if "share_of_programme" in d else None,
    }
    view["chart"] = chart(years, [d["by_year"][y] for y in years], d["price_base"], chart_id,
                          _("Modelled extra cost in each later year"))
    return view


def page_view(c: Consultation, changes: Mapping[str, Decimal | float],
              found: Mapping[str, later.Profile], problems: Mapping[str, str], _: Gettext
              ) -> dict[str, Any]:
    """What the simulator shows: the summary (every linked line's cuts together), the figure
    beside each linked line, and the models that cannot be shown now."""
    summary = [model_view(lc, f"later-all-{lc.profile.model}", _)
               for lc in later.later_costs(c, changes, found)]
    lines = {}
    for line in later.linked(c):
        assert line.prevention is not None
        mine = later.later_costs(c, changes, found, only=[line.id])
        lines[line.id] = {"model": line.prevention.model,
                          "problem": problems.get(line.prevention.model),
                          "title": found[line.prevention.model].title
                          if line.prevention.model in found else line.prevention.model,
                          "views": [model_view(lc, f"later-{line.id}", _) for lc in mine]}
    return {"linked": bool(lines), "summary": summary, "lines": lines,
            "unavailable": sorted(problems.values())}
