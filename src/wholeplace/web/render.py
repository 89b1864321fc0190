"""The Jinja2 environment, display filters and the two ways a page's data leaves the app."""

from __future__ import annotations

import math
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from wholeplace.hub.units import UNITS

TEMPLATES = Path(__file__).parent / "templates"
NOT_AVAILABLE = "Not available"

#: Data licences named in every page's footer.
LICENCES = (
    ("Open Government Licence v3.0",
     "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
    ("Creative Commons Attribution 4.0",
     "https://creativecommons.org/licenses/by/4.0/"),
)


def _number(value: float, places: int = 0) -> str:
    return f"{value:,.{places}f}"


def _plain(value: float) -> str:
    """A number with separators and no more decimals than it needs (at most three)."""
    if float(value).is_integer():
        return _number(value)
    return _number(value, 3).rstrip("0").rstrip(".")


def format_value(value: float | None, unit: str | None) -> str:
    """A value as a person reads it, in its unit. Missing stays missing, never 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_AVAILABLE
    if unit == "gbp_thousands":
        return f"£{_number(value)} thousand"
    if unit == "gbp":
        return f"£{_number(value)}"
    if unit == "gbp_per_head":
        return f"£{_number(value, 2)} per head"
    if unit == "percent":
        return f"{_number(value, 1)}%"
    if unit == "persons":
        return f"{_number(value)} people"
    label = UNITS[unit].label if unit in UNITS else (unit or "")
    if unit in {"count", "score", "ratio", "rank", "decile", "proportion", None, ""}:
        return _plain(value)
    return f"{_plain(value)} {label}"


def unit_label(unit: str | None) -> str:
    return UNITS[unit].label if unit in UNITS else (unit or "")


def format_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return NOT_AVAILABLE
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return f"{value.day} {value:%B %Y, %H:%M}"
    return f"{value.day} {value:%B %Y}"


def or_missing(value: Any) -> Any:
    return NOT_AVAILABLE if value is None or value == "" else value


def sparkline(series: list[dict], unit: str | None, width: int = 120,
              height: int = 32) -> dict[str, Any] | None:
    """Geometry and a text alternative for a small line chart of 3 or more published values."""
    known = [p for p in series if p["value"] is not None]
    if len(known) < 3:
        return None
    values = [p["value"] for p in known]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    pad = 4
    step = (width - 2 * pad) / (len(known) - 1)
    coords = [(round(pad + i * step, 1),
               round(height - pad - (v - low) / span * (height - 2 * pad), 1))
              for i, v in enumerate(values)]
    described = "; ".join(f"{p['period']}: {format_value(p['value'], unit)}" for p in series)
    return {"width": width, "height": height,
            "points": " ".join(f"{x},{y}" for x, y in coords), "last": coords[-1],
            "alt": f"Trend over {len(series)} periods. {described}"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(value=format_value, unit_label=unit_label, date=format_date,
                       or_missing=or_missing, number=_plain)
    env.globals.update(sparkline=sparkline, service_name="wholeplace", licences=LICENCES,
                       not_available=NOT_AVAILABLE)
    return env


def render(request: Request, template: str, context: dict[str, Any],
           status_code: int = 200) -> HTMLResponse:
    page = environment().get_template(template).render(
        request=request, path=request.url.path, **context)
    return HTMLResponse(page, status_code=status_code)


def as_json(data: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(jsonable_encoder(data), status_code=status_code)
