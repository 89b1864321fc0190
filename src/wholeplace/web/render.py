"""The Jinja2 environment, display filters and the two ways a page's data leaves the app."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from wholeplace.hub import periods as P
from wholeplace.hub.units import UNITS
from wholeplace.insight.profile.sentences import format_number
from wholeplace.web.navigation import header_links

TEMPLATES = Path(__file__).parent / "templates"
NOT_AVAILABLE = "Not available"

#: Data licences named in every page's footer.
LICENCES = (
    ("Open Government Licence v3.0",
     "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
    ("Creative Commons Attribution 4.0",
     "https://creativecommons.org/licenses/by/4.0/"),
)


def _plain(value: float) -> str:
    """A number with separators and no more decimals than it needs (at most three)."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def format_value(value: float | None, unit: str | None) -> str:
    """A value as a person reads it, in its unit ("−£43 per head", "18.6%"); missing stays
    missing, never 0. The same words as the sentences, charts and PDF: this is
    :func:`wholeplace.insight.profile.sentences.format_number`, with "Not available" for a table
    cell."""
    return format_number(value, unit, missing=NOT_AVAILABLE)


def unit_label(unit: str | None) -> str:
    return UNITS[unit].label if unit in UNITS else (unit or "")


def format_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return NOT_AVAILABLE
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        return f"{value.day} {value:%B %Y, %H:%M}"
    return f"{value.day} {value:%B %Y}"


def or_missing(value: Any) -> Any:
    return NOT_AVAILABLE if value is None or value == "" else value


def _starts(series: list[dict]) -> list[float] | None:
    """Each period's start as a fraction of a year since the first (None: a period that cannot
    be read, so the points are spaced evenly)."""
    try:
        starts = [P.parse_period(p["period"]).start for p in series]
    except (ValueError, KeyError):
        return None
    return [(d - starts[0]).days / 365.25 for d in starts]


def _runs(series: list[dict], times: list[float]) -> list[list[int]]:
    """Indexes (among the known values) of points joined by a line. A missing value in the
    series, or a step longer than one and a half times the shortest (a year with no row),
    starts a new run, so a gap is never drawn as one normal step."""
    steps = [b - a for a, b in itertools.pairwise(times)]
    usual = min((s for s in steps if s > 0), default=1.0)
    runs: list[list[int]] = [[]]
    k, broken = 0, False
    for p in series:
        if p["value"] is None:
            broken = True
            continue
        if runs[-1] and (broken or times[k] - times[k - 1] > 1.5 * usual):
            runs.append([])
        runs[-1].append(k)
        k, broken = k + 1, False
    return runs


#: Yearly period types: the labels of the years between two periods can be named.
_YEARLY = {"financial_year": P.financial_year, "mid_year": P.mid_year,
           "calendar_year": P.calendar_year}


def _missing_years(series: list[dict]) -> list[str]:
    """The labels of the years a yearly series has no value for, between its first and last
    value (a year with no row, or a row with no value)."""
    try:
        parsed = [(P.parse_period(p["period"]), p["value"]) for p in series]
    except (ValueError, KeyError):
        return []
    known = [per for per, v in parsed if v is not None]
    if not known or any(per.type not in _YEARLY for per in known):
        return []
    have = {per.start.year for per in known}
    make = _YEARLY[known[0].type]
    return [make(y).label for y in range(known[0].start.year, known[-1].start.year)
            if y not in have]


def sparkline(series: list[dict], unit: str | None, width: int = 120,
              height: int = 32) -> dict[str, Any] | None:
    """Geometry and a text alternative for a small line chart of 3 or more published values.

    Points are placed by when their period starts, so two missing years take the room of two
    years, and the line is broken at a gap (``segments``: one polyline each); the text
    alternative says so.
    """
    known = [p for p in series if p["value"] is not None]
    if len(known) < 3 or (unit in UNITS and UNITS[unit].ordinal):
        return None  # a line through grades would read them as quantities
    values = [p["value"] for p in known]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    pad = 4
    times = _starts(known) or [float(i) for i in range(len(known))]
    reach = (times[-1] - times[0]) or 1.0
    coords = [(round(pad + (t - times[0]) / reach * (width - 2 * pad), 1),
               round(height - pad - (v - low) / span * (height - 2 * pad), 1))
              for t, v in zip(times, values)]
    runs = _runs(series, times)
    described = "; ".join(f"{p['period']}: {format_value(p['value'], unit)}" for p in series)
    missing = _missing_years(series)
    gaps = (f" No value for {' and '.join(missing) if len(missing) < 3 else ', '.join(missing)}"
            ": the line is broken there." if missing else
            " The line is broken where years have no value." if len(runs) > 1 else "")
    return {"width": width, "height": height,
            "segments": [" ".join(f"{coords[i][0]},{coords[i][1]}" for i in run)
                         for run in runs],
            "points": " ".join(f"{x},{y}" for x, y in coords), "last": coords[-1],
            "alt": f"Trend over {len(series)} periods. {described}.{gaps}"}


def _current_actor(request: Request) -> Any:
    """The signed-in person (None when anonymous), for the header."""
    return getattr(request.state, "actor", None)


def _csrf_token(request: Request) -> str:
    session = getattr(request.state, "web_session", None)
    return session.csrf if session is not None else ""


#: What ``getattr`` finds on a plain dict (its methods): Jinja prefers these to its keys.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    """Jinja's environment, reading ``row.title`` from a plain dict without first raising and
    catching an AttributeError (Jinja tries the attribute, then the key). The answer is the
    same: a dict's own attributes (``items``, ``get``...) still win over its keys. A council page
    reads some 10,000 keys this way; the exceptions cost several milliseconds."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = _Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(value=format_value, unit_label=unit_label, date=format_date,
                       or_missing=or_missing, number=_plain)
    env.globals.update(sparkline=sparkline, service_name="wholeplace", licences=LICENCES,
                       not_available=NOT_AVAILABLE, current_actor=_current_actor,
                       csrf_token=_csrf_token, nav_links=header_links)
    return env


def render(request: Request, template: str, context: dict[str, Any],
           status_code: int = 200) -> HTMLResponse:
    page = environment().get_template(template).render(
        request=request, path=request.url.path, **context)
    return HTMLResponse(page, status_code=status_code)


def as_json(data: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(jsonable_encoder(data), status_code=status_code)
