"""The rules between a consultation's fields. Every problem is collected, then raised once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from wholeplace.consult.models import (
    Consultation,
    CouncilTaxLever,
    PercentRange,
    ReservesLever,
    ServiceLine,
)
from wholeplace.counciltax import AuthorityClass, referendum_limit
from wholeplace.errors import NotFoundError, Problem, ValidationError


def _range_problems(where: str, low: Decimal, high: Decimal, step: Decimal,
                    unit: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if low > high:
        out.append((f"{where}.min_change", (f"the range is inverted: min_change {unit}{low} is "
                    f"above max_change {unit}{high}; swap them.")))
    if not low <= 0 <= high:
        out.append((f"{where}.min_change", (f"the range {unit}{low} to {unit}{high} must include "
                    "0 (no change), where every resident starts.")))
    if step <= 0:
        out.append((f"{where}.step", f"the step must be positive, not {unit}{step}."))
    else:
        for name, bound in (("min_change", low), ("max_change", high)):
            if bound % step:
                out.append((f"{where}.{name}", (f"the step {unit}{step} does not divide "
                            f"{name} {unit}{bound}; make it a multiple of the step.")))
    return out


def _line_problems(i: int, line: ServiceLine) -> list[tuple[str, str]]:
    where = f"lines[{i}] ({line.id})"
    out = _range_problems(where, line.min_change, line.max_change, line.step, "£")
    if line.current_budget + line.min_change < 0:
        out.append((f"{where}.min_change", (f"min_change £{line.min_change} would take the "
                    f"budget £{line.current_budget} below zero.")))
    if line.protection is not None:
        floor = line.protection.minimum
        if floor > line.current_budget:
            out.append((f"{where}.protection.minimum", (f"the floor £{floor} is above the "
                        f"current budget £{line.current_budget}; lower it or correct the budget.")))
    seen: set[Decimal] = set()
    for j, c in enumerate(line.consequences):
        at = f"{where}.consequences[{j}].at"
        if c.at == 0 or not line.min_change <= c.at <= line.max_change:
            out.append((at, (f"£{c.at} is not a change the range allows (non-zero, between "
                        f"£{line.min_change} and £{line.max_change}).")))
        elif line.step > 0 and c.at % line.step:
            out.append((at, f"£{c.at} is not on the step grid of £{line.step}."))
        if c.at in seen:
            out.append((at, f"two consequences at £{c.at}; merge them."))
        seen.add(c.at)
    return out


def _tax_problems(ct: CouncilTaxLever, year: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if ct.band_d <= 0:
        out.append(("council_tax.band_d", f"Band D must be positive, not £{ct.band_d}."))
    if ct.tax_base <= 0:
        out.append(("council_tax.tax_base", f"the tax base must be positive, not {ct.tax_base}."))
    ranges: list[tuple[str, PercentRange]] = [("council_tax.core", ct.core)]
    if ct.adult_social_care is not None:
        ranges.append(("council_tax.adult_social_care", ct.adult_social_care))
        if ct.authority_class is not AuthorityClass.SOCIAL_CARE_AUTHORITY:
            out.append(("council_tax.adult_social_care", ("only social care authorities levy "
                        "the adult social care precept; remove this range.")))
    for where, r in ranges:
        out += _range_problems(where, r.min_change, r.max_change, r.step, "%")
        if r.min_change <= -100:
            out.append((f"{where}.min_change", "council tax cannot fall by 100% or more."))
    ref = ct.referendum
    if ref.mode == "warn" and ref.cost is None:
        out.append(("council_tax.referendum.cost", ("in warn mode, give the cost of holding a "
                    "referendum (and cost_source) so residents can weigh it.")))
    if ref.limit is None:
        try:
            referendum_limit(year, ct.authority_class)
        except NotFoundError as exc:
            out.append(("council_tax.referendum.limit", (f"{exc} Or give the limit in this "
                        "file with its source.")))
    elif ref.limit.year != year or ref.limit.authority_class != ct.authority_class:
        out.append(("council_tax.referendum.limit", (f"the limit is for {ref.limit.year} "
                    f"{ref.limit.authority_class.value}, not {year} {ct.authority_class.value}.")))
    return out


def _reserves_problems(r: ReservesLever) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if r.minimum_balance > r.available:
        out.append(("reserves.minimum_balance", (f"the minimum balance £{r.minimum_balance} is "
                    f"above the reserves available £{r.available}.")))
    if r.step <= 0:
        out.append(("reserves.step", f"the step must be positive, not £{r.step}."))
    elif r.minimum_balance >= 0 and (r.available - r.minimum_balance) % r.step:
        out.append(("reserves.step", (f"the step £{r.step} does not divide the usable reserves "
                    f"£{r.available - r.minimum_balance}.")))
    return out


def definition_problems(c: Consultation, known_indicators: Iterable[str] | None = None,
                        prevention: Callable[[str], object] | None = None
                        ) -> list[tuple[str, str]]:
    """Every (field, message) wrong with a parsed consultation. ``prevention`` checks that a
    linked prevention model is known and can be shown (``consult.later.resolve``)."""
    from wholeplace.consult.later import link_problems

    out: list[tuple[str, str]] = []
    if c.opens >= c.closes:
        out.append(("closes", f"closes {c.closes} is not after opens {c.opens}."))
    ids = [line.id for line in c.lines]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        out.append(("lines", f"the id {dup!r} is used by more than one line."))
    known = set(known_indicators) if known_indicators is not None else None
    for i, line in enumerate(c.lines):
        out += _line_problems(i, line)
        if known is not None and line.indicator is not None and line.indicator not in known:
            out.append((f"lines[{i}] ({line.id}).indicator", (f"{line.indicator} is not in the "
                        f"hub's data for {c.council_code}; use one of its RA budget or RS "
                        "outturn lines, or remove the indicator.")))
    out += link_problems(c, prevention)
    if c.council_tax is not None:
        out += _tax_problems(c.council_tax, c.budget_year)
    if c.fees is not None:
        out += _range_problems("fees", c.fees.min_change, c.fees.max_change, c.fees.step, "£")
    if c.reserves is not None:
        out += _reserves_problems(c.reserves)
    return out


def check_definition(c: Consultation, file: str = "<consultation>",
                     known_indicators: Iterable[str] | None = None,
                     prevention: Callable[[str], object] | None = None) -> Consultation:
    """The consultation with its referendum limit resolved, or a ValidationError naming each
    field that is wrong."""
    problems = definition_problems(c, known_indicators, prevention)
    if problems:
        raise ValidationError([Problem(file, None, f, m) for f, m in problems],
                              f"{len(problems)} problem(s) in the consultation {file}; "
                              "fix each and check it again.")
    ct = c.council_tax
    if ct is not None and ct.referendum.limit is None:
        limit = referendum_limit(c.budget_year, ct.authority_class)
        ct = ct.model_copy(update={"referendum": ct.referendum.model_copy(
            update={"limit": limit})})
        c = c.model_copy(update={"council_tax": ct})
    return c
