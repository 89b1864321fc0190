"""Discounting and appraisal: Green Book discount schedules, discount factors, NPV, ROI, payback.

A discount schedule is a versioned, cited parameter (files in ``parameters/``): bands of years,
each with a real annual rate. Year 0 is the present (factor 1); the factor of year ``t`` is
compounded piecewise, each year at the rate of the band it falls in, so across the 30-year kink

    D(30) = 1 / 1.035**30,    D(31) = D(30) / 1.03,    D(t) = D(t-1) / (1 + r(t)).

Everything is vectorised over leading axes (Monte Carlo draws, partners): flows have shape
``(..., years)``.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wholeplace.errors import InputError

Array = npt.NDArray[np.float64]

#: Shipped schedules, by the name a model chooses them with.
SCHEDULES = {"standard": "discount_green_book_2022.yaml",
             "health": "discount_green_book_2022_health.yaml"}


class Band(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: int = Field(alias="from", ge=0)
    end: int | None = Field(alias="to", default=None)
    rate: float = Field(gt=-0.5, lt=1.0)


class DiscountSchedule(BaseModel):
    """A discount schedule with its provenance. Bands must run from year 0 without a gap or an
    overlap; the last may be open-ended (``to: null``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    source: str
    edition: str
    url: str | None = None
    bands: tuple[Band, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _contiguous(self) -> DiscountSchedule:
        problems = schedule_problems(self.bands)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def last_year(self) -> int | None:
        """The last year the schedule covers (None: open-ended)."""
        return self.bands[-1].end


def schedule_problems(bands: tuple[Band, ...]) -> list[str]:
    """Every gap, overlap or inverted band, naming the years."""
    out = []
    expected = 0
    for i, band in enumerate(bands):
        if band.end is not None and band.end < band.start:
            out.append(f"band {i + 1} ends (year {band.end}) before it starts "
                       f"(year {band.start})")
        if band.start > expected:
            out.append(f"years {expected} to {band.start - 1} have no rate (a gap before "
                       f"band {i + 1})")
        elif band.start < expected:
            out.append(f"years {band.start} to {expected - 1} are in more than one band "
                       f"(band {i + 1} overlaps the one before)")
        if band.end is None and i < len(bands) - 1:
            out.append(f"band {i + 1} is open-ended but is not the last")
            break
        expected = (band.end if band.end is not None else band.start) + 1
    return out


def parse_schedule(data: dict[str, Any], where: str = "discount schedule") -> DiscountSchedule:
    """A schedule from a mapping (a YAML file's content); bad input names the field."""
    try:
        return DiscountSchedule.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{where}: " + "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'bands'}: {e['msg']}" for e in exc.errors())
        ) from None


def shipped_schedule(name: str = "standard") -> DiscountSchedule:
    """A schedule shipped with wholeplace: ``standard`` or ``health`` (Green Book 2022)."""
    if name not in SCHEDULES:
        raise InputError(f"discount schedule: {name!r} is not one of "
                         f"{', '.join(SCHEDULES)}; or give a schedule of your own.")
    text = resources.files("wholeplace.budget").joinpath(
        "parameters", SCHEDULES[name]).read_text(encoding="utf-8")
    return parse_schedule(yaml.safe_load(text), SCHEDULES[name])


def chosen_schedule(choice: str | DiscountSchedule) -> DiscountSchedule:
    """A model's schedule: a shipped one by name, or the model's own (already checked)."""
    return choice if isinstance(choice, DiscountSchedule) else shipped_schedule(choice)


def rates(schedule: DiscountSchedule, years: int) -> Array:
    """The rate that applies in each year 0 .. years-1."""
    if years < 1:
        raise InputError(f"years: an appraisal needs at least one year, not {years}.")
    last = schedule.last_year
    if last is not None and years - 1 > last:
        raise InputError(f"years: the schedule {schedule.id} covers years 0 to {last}, but "
                         f"the appraisal runs to year {years - 1}. Shorten it or give a "
                         "schedule that covers it.")
    out = np.empty(years)
    for band in schedule.bands:
        stop = years if band.end is None else min(band.end + 1, years)
        out[band.start:stop] = band.rate
    return out


def discount_factors(schedule: DiscountSchedule, years: int) -> Array:
    """D(0) = 1, D(t) = D(t-1) / (1 + r(t)): compounded piecewise across the kinks."""
    r = rates(schedule, years)
    growth = np.concatenate(([1.0], 1.0 + r[1:]))
    return np.asarray(1.0 / np.cumprod(growth), dtype=np.float64)


def present_values(flows: npt.ArrayLike, factors: Array) -> Array:
    """Each year's flow times its factor; flows shaped ``(..., years)``."""
    f = np.asarray(flows, dtype=np.float64)
    if f.shape[-1] != factors.shape[0]:
        raise InputError(f"flows: {f.shape[-1]} years of flows but {factors.shape[0]} "
                         "discount factors.")
    return np.asarray(f * factors, dtype=np.float64)


def npv(flows: npt.ArrayLike, factors: Array) -> Array:
    """Net present value over the last axis (a scalar array for one flow series)."""
    return np.asarray(present_values(flows, factors).sum(axis=-1), dtype=np.float64)


def roi(benefits_pv: npt.ArrayLike, costs_pv: npt.ArrayLike) -> Array:
    """Return on investment, (benefits - costs) / costs; NaN where costs are 0."""
    b = np.asarray(benefits_pv, dtype=np.float64)
    c = np.asarray(costs_pv, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(c > 0, (b - c) / np.where(c > 0, c, 1.0), np.nan),
                          dtype=np.float64)


def benefit_cost_ratio(benefits_pv: npt.ArrayLike, costs_pv: npt.ArrayLike) -> Array:
    """Benefits per pound of cost (the GMCA model's 'return per £1'); NaN where costs are 0."""
    b = np.asarray(benefits_pv, dtype=np.float64)
    c = np.asarray(costs_pv, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(c > 0, b / np.where(c > 0, c, 1.0), np.nan),
                          dtype=np.float64)


def payback_year(net_flows: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """The first year (0-based) from which the cumulative net flow is >= 0 and stays so;
    -1 where it never pays back within the horizon. Vectorised over leading axes."""
    cum = np.cumsum(np.asarray(net_flows, dtype=np.float64), axis=-1)
    ok = cum >= 0
    # stays non-negative to the end: reverse cumulative AND
    stays = np.flip(np.logical_and.accumulate(np.flip(ok, axis=-1), axis=-1), axis=-1)
    first = np.argmax(stays, axis=-1)
    return np.asarray(np.where(stays.any(axis=-1), first, -1), dtype=np.int64)
