"""The indicator catalogue: what each published measure means, its unit and its polarity.

Published sources declare their indicators in YAML files beside this module
(``catalogue/*.yaml``, one per source family). Uploads may describe new indicators in a metadata
file; those are validated against the same model.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from wholeplace.hub.units import UNITS

Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Kind = Literal["outcome", "output", "input", "context"]
#: Whether a confidence interval may be drawn from an observation's numerator and denominator:
#: "auto" when the unit allows one (a share or a rate of a sample or of events); "none" for a
#: complete count or an administrative total (e.g. a share of an ONS population estimate), which
#: has no sampling variation to put an interval on.
IntervalRule = Literal["auto", "none"]


class Indicator(BaseModel):
    """One measure. ``id`` is stable: observations refer to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]{1,80}$")
    title: str = Field(min_length=3)
    unit: str
    polarity: Polarity = "neutral"
    kind: Kind = "context"
    definition: str = ""
    source: str = ""
    theme: str = "other"
    value_min: float | None = None
    value_max: float | None = None
    #: For a derived per-head measure, the money indicator it is derived from.
    per_head_of: str | None = None
    #: "none": a complete count or administrative total; never given a sampling interval.
    interval: IntervalRule = "auto"
    #: Whether a money indicator gets a derived ``<id>.per_head`` twin. False for amounts that
    #: are already per household or per dwelling (e.g. a Band D council tax in £).
    per_head_twin: bool = True

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, v: str) -> str:
        if v not in UNITS:
            raise ValueError(f"unknown unit {v!r}; use one of {', '.join(sorted(UNITS))}")
        return v

    @property
    def is_money(self) -> bool:
        return UNITS[self.unit].money

    def row(self) -> tuple:
        return (self.id, self.title, self.unit, self.polarity, self.kind, self.definition,
                self.source, self.theme, self.value_min, self.value_max, self.is_money,
                self.per_head_of, self.interval, self.per_head_twin)


INDICATOR_COLUMNS = ("indicator_id", "title", "unit", "polarity", "kind", "definition",
                     "source", "theme", "value_min", "value_max", "is_money", "per_head_of",
                     "interval", "per_head_twin")


def per_head_id(indicator_id: str) -> str:
    return f"{indicator_id}.per_head"


def per_head_indicator(base: Indicator) -> Indicator:
    """The derived per-head twin of a money indicator, in pounds per resident."""
    return Indicator(
        id=per_head_id(base.id),
        title=f"{base.title} per head",
        unit="gbp_per_head",
        polarity=base.polarity,
        kind=base.kind,
        definition=(f"{base.title} divided by the resident population (ONS mid-year estimate "
                    "of the year the period starts in, or the nearest year available; each "
                    "value's note says which year was used)."),
        source=f"Derived by wholeplace from {base.source or base.id} and ONS population",
        theme=base.theme,
        per_head_of=base.id,
        interval=base.interval,
        per_head_twin=False,
    )


@cache
def builtin_catalogue() -> dict[str, Indicator]:
    """Every indicator declared by the published-source YAML files."""
    found: dict[str, Indicator] = {}
    folder = resources.files("wholeplace.hub") / "catalogue"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        for item in yaml.safe_load(entry.read_text(encoding="utf-8")) or []:
            ind = Indicator(**item)
            if ind.id in found:
                raise ValueError(f"indicator {ind.id} is declared twice (in {entry.name})")
            found[ind.id] = ind
    return found
