"""Council tax referendum principles as a cited, versioned parameter (referendum_limits.yaml).

``referendum_limit(year, authority_class)`` returns the principle for that year and class with
its source; a year or class not in the file is refused with a clear error, never guessed.
``is_excessive`` applies a principle to a Band D before and after, in whole pence, exactly.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from wholeplace.counciltax.money import hundredths, pence
from wholeplace.errors import InputError, NotFoundError

PARAMETER_FILE = "referendum_limits.yaml"


class AuthorityClass(StrEnum):
    """The classes of authority the principles are set for."""

    SOCIAL_CARE_AUTHORITY = "social_care_authority"
    SHIRE_DISTRICT = "shire_district"
    POLICE_AND_CRIME_COMMISSIONER = "police_and_crime_commissioner"
    FIRE_AND_RESCUE_AUTHORITY = "fire_and_rescue_authority"
    GREATER_LONDON_AUTHORITY = "greater_london_authority"


class Principle(BaseModel):
    """When an increase is excessive, in exact integers.

    ``percent_bp``: excessive at this many basis points (1% = 100) or more; ``pounds_pence``:
    excessive above this many pence on Band D; ``rule``: which test applies ("both" means the
    increase must fail both tests, the shire districts' "X% or £5, whichever is higher").
    ``adult_social_care_bp``: the part of ``percent_bp`` available only as the ASC precept.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: Literal["percent", "pounds", "both"]
    percent_bp: int | None = None
    pounds_pence: int | None = None
    adult_social_care_bp: int = 0


class ReferendumLimit(BaseModel):
    """One year's principle for one class of authority, with where it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: str
    authority_class: AuthorityClass
    principle: Principle
    source: str
    hc_number: str | None = None
    status: str
    verified_from: str
    checked_on: str

    def describe(self) -> str:
        p = self.principle
        parts: list[str] = []
        if p.percent_bp is not None:
            text = f"{p.percent_bp / 100:g}% or more"
            if p.adult_social_care_bp:
                text += (f" (of which {p.adult_social_care_bp / 100:g}% is the adult social "
                         "care precept)")
            parts.append(text)
        if p.pounds_pence is not None:
            parts.append(f"more than £{p.pounds_pence / 100:g} on Band D")
        joiner = " and " if p.rule == "both" else " or "
        return f"An increase of {joiner.join(parts)} needs a referendum ({self.source})."


def _principle(fields: dict[str, Any], where: str) -> Principle:
    known = {"core_percent", "adult_social_care_percent", "percent", "pounds"}
    unknown = set(fields) - known
    if unknown:
        raise InputError(f"{where}: unknown field(s) {sorted(unknown)}; expected {sorted(known)}.")
    if "core_percent" in fields:
        core = hundredths(fields["core_percent"])
        asc = hundredths(fields.get("adult_social_care_percent", "0"))
        return Principle(rule="percent", percent_bp=core + asc, adult_social_care_bp=asc)
    percent = hundredths(fields["percent"]) if "percent" in fields else None
    amount = pence(fields["pounds"]) if "pounds" in fields else None
    if percent is not None and amount is not None:
        return Principle(rule="both", percent_bp=percent, pounds_pence=amount)
    if percent is not None:
        return Principle(rule="percent", percent_bp=percent)
    if amount is not None:
        return Principle(rule="pounds", pounds_pence=amount)
    raise InputError(f"{where}: give core_percent, percent or pounds.")


@cache
def _table() -> dict[str, dict[str, Any]]:
    text = resources.files("wholeplace.counciltax").joinpath(PARAMETER_FILE).read_text("utf-8")
    data = yaml.safe_load(text)
    years: dict[str, dict[str, Any]] = data["years"]
    return years


def referendum_years() -> list[str]:
    """The financial years the parameter file has principles for."""
    return sorted(_table())


def referendum_limit(year: str, authority_class: AuthorityClass | str) -> ReferendumLimit:
    """The referendum principle for ``year`` (e.g. "2024-25") and a class of authority."""
    try:
        cls = AuthorityClass(authority_class)
    except ValueError as exc:
        raise InputError(f"{authority_class!r} is not a class of authority; use one of "
                         f"{[c.value for c in AuthorityClass]}.") from exc
    table = _table()
    if year not in table:
        raise NotFoundError(
            f"No council tax referendum principles for {year} in {PARAMETER_FILE} (it has "
            f"{', '.join(referendum_years())}). Add the year from its Referendums Relating to "
            "Council Tax Increases (Principles) (England) Report, citing it.")
    entry = table[year]
    if cls.value not in entry["classes"]:
        raise NotFoundError(
            f"The {year} principles for {cls.value} are not in {PARAMETER_FILE} (not verified "
            "when it was written). Add them from that year's report, citing it.")
    return ReferendumLimit(
        year=year, authority_class=cls,
        principle=_principle(entry["classes"][cls.value], f"{PARAMETER_FILE} {year} {cls.value}"),
        source=entry["source"], hc_number=entry.get("hc_number"), status=entry["status"],
        verified_from=entry["verified_from"], checked_on=str(entry["checked_on"]))


def is_excessive(principle: Principle, before_pence: int, after_pence: int) -> bool:
    """Whether moving Band D from ``before_pence`` to ``after_pence`` meets the principle."""
    increase = after_pence - before_pence
    over_percent = (principle.percent_bp is not None
                    and increase * 10_000 >= principle.percent_bp * before_pence)
    over_pounds = principle.pounds_pence is not None and increase > principle.pounds_pence
    if principle.rule == "both":
        return over_percent and over_pounds
    return over_percent if principle.rule == "percent" else over_pounds
