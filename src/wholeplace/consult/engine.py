"""The one rules engine: a consultation and a resident's response in, the balance and every rule
broken out. Pure and exact: all arithmetic on integers (pence, basis points, hundredths of a Band
D equivalent), with the one rounding rule of ``wholeplace.counciltax.money``.

web/static/consult.js is the same arithmetic for the page; tests/integration/test_consult_js.py
runs both on many responses and requires identical results.

Balance: remaining = gap + the sum of line changes - extra council tax - extra fees - reserves
used. A response balances when nothing remains (remaining <= 0; a surplus is allowed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wholeplace.consult.models import Consultation, CouncilTaxLever, Response, ServiceLine
from wholeplace.counciltax import BANDS, band_bill, is_excessive, new_band_d, tax_yield
from wholeplace.counciltax.money import hundredths, pence, round_half_away
from wholeplace.errors import Problem, ValidationError


@dataclass(frozen=True)
class Violation:
    """One rule a response breaks: the field, a stable code and an English message."""

    field: str
    code: str
    message: str


@dataclass(frozen=True)
class LineOutcome:
    id: str
    change_pence: int
    before_pence: int
    after_pence: int
    recurring: bool
    consequences: tuple[str, ...]


@dataclass(frozen=True)
class TaxOutcome:
    band_d_before_pence: int
    band_d_after_pence: int
    core_yield_pence: int
    adult_social_care_yield_pence: int
    yield_pence: int
    one_percent_pence: int
    bands: dict[str, dict[str, int]]
    excessive: bool
    mode: str
    referendum_cost_pence: int | None


@dataclass(frozen=True)
class Outcome:
    gap_pence: int
    lines: tuple[LineOutcome, ...]
    spend_change_pence: int
    tax: TaxOutcome | None
    fees_pence: int
    reserves_pence: int
    one_off_pence: int
    remaining_pence: int
    warnings: tuple[str, ...] = field(default=())

    @property
    def balanced(self) -> bool:
        return self.remaining_pence <= 0

    def to_dict(self) -> dict[str, Any]:
        """The outcome as JSON-ready data, field for field what consult.js computes."""
        return {
            "gap_pence": self.gap_pence, "spend_change_pence": self.spend_change_pence,
            "fees_pence": self.fees_pence, "reserves_pence": self.reserves_pence,
            "one_off_pence": self.one_off_pence, "remaining_pence": self.remaining_pence,
            "balanced": self.balanced, "warnings": list(self.warnings),
            "lines": [{"id": x.id, "change_pence": x.change_pence,
                       "before_pence": x.before_pence, "after_pence": x.after_pence,
                       "recurring": x.recurring, "consequences": list(x.consequences)}
                      for x in self.lines],
            "tax": None if self.tax is None else {
                "band_d_before_pence": self.tax.band_d_before_pence,
                "band_d_after_pence": self.tax.band_d_after_pence,
                "core_yield_pence": self.tax.core_yield_pence,
                "adult_social_care_yield_pence": self.tax.adult_social_care_yield_pence,
                "yield_pence": self.tax.yield_pence,
                "one_percent_pence": self.tax.one_percent_pence,
                "bands": self.tax.bands, "excessive": self.tax.excessive,
                "mode": self.tax.mode, "referendum_cost_pence": self.tax.referendum_cost_pence},
        }


def gap_pence(c: Consultation) -> int:
    """The gap to close: given, or the current budgets less the funding available."""
    if c.target.kind == "gap":
        return pence(c.target.amount)
    return sum(pence(line.current_budget) for line in c.lines) - pence(c.target.amount)


def _reached(line: ServiceLine, change: int) -> tuple[str, ...]:
    hits = [(abs(pence(k.at)), k.text) for k in line.consequences
            if (pence(k.at) < 0 and change <= pence(k.at))
            or (pence(k.at) > 0 and change >= pence(k.at))]
    return tuple(text for _, text in sorted(hits))


def _line(line: ServiceLine, response: Response) -> LineOutcome:
    change = pence(response.line_changes.get(line.id, 0))
    before = pence(line.current_budget)
    return LineOutcome(line.id, change, before, before + change, line.recurring,
                       _reached(line, change))


def _tax(ct: CouncilTaxLever, response: Response) -> TaxOutcome:
    before = pence(ct.band_d)
    base = hundredths(ct.tax_base)
    core_bp = hundredths(response.council_tax_change)
    asc_bp = hundredths(response.adult_social_care_change)
    after = new_band_d(before, core_bp + asc_bp)
    asc_delta = round_half_away(before * asc_bp, 10_000)
    total = tax_yield(base, after - before)
    asc = tax_yield(base, asc_delta)
    others = sum(pence(p.band_d) for p in ct.other_preceptors)
    bands: dict[str, dict[str, int]] = {}
    for b in BANDS:
        own_before, own_after = band_bill(before, b), band_bill(after, b)
        per_year = own_after - own_before
        bands[b] = {"before_pence": own_before, "after_pence": own_after,
                    "per_year_pence": per_year, "per_week_pence": round_half_away(per_year, 52),
                    "total_before_pence": band_bill(before + others, b),
                    "total_after_pence": band_bill(after + others, b)}
    ref = ct.referendum
    excessive = ref.limit is not None and is_excessive(ref.limit.principle, before, after)
    return TaxOutcome(before, after, total - asc, asc, total,
                      round_half_away(base * before, 10_000), bands, excessive, ref.mode,
                      None if ref.cost is None else pence(ref.cost))


def evaluate(c: Consultation, response: Response) -> Outcome:
    """The arithmetic of a response, whether or not it keeps the rules."""
    lines = tuple(_line(line, response) for line in c.lines)
    spend = sum(x.change_pence for x in lines)
    tax = _tax(c.council_tax, response) if c.council_tax is not None else None
    fees = pence(response.fees_change)
    reserves = pence(response.reserves_use)
    # One-off money in the balance: reserves, one-off savings (as positive), one-off fees.
    one_off = reserves - sum(x.change_pence for x in lines if not x.recurring)
    if c.fees is not None and not c.fees.recurring:
        one_off += fees
    gap = gap_pence(c)
    remaining = gap + spend - (tax.yield_pence if tax else 0) - fees - reserves
    warnings: list[str] = []
    if reserves > 0:
        warnings.append("reserves_one_off")
    if tax is not None and tax.excessive:
        warnings.append("referendum_needed")
    return Outcome(gap, lines, spend, tax, fees, reserves, one_off, remaining, tuple(warnings))


def _range(where: str, value: int, low: int, high: int, step: int, show: str
           ) -> list[Violation]:
    if not low <= value <= high:
        return [Violation(where, "out_of_range", f"{show} is outside the allowed range.")]
    if value % step:
        return [Violation(where, "off_step", f"{show} is not a whole number of steps.")]
    return []


def _line_violations(c: Consultation, response: Response, out: Outcome) -> list[Violation]:
    found: list[Violation] = []
    known = {line.id for line in c.lines}
    for unknown in sorted(set(response.line_changes) - known):
        found.append(Violation(f"line_changes.{unknown}", "unknown_line",
                               f"{unknown!r} is not a service line in this consultation."))
    for line, lo in zip(c.lines, out.lines, strict=True):
        where = f"line_changes.{line.id}"
        found += _range(where, lo.change_pence, pence(line.min_change), pence(line.max_change),
                        pence(line.step), f"The change to {line.title}")
        if line.protection is not None and lo.after_pence < pence(line.protection.minimum):
            found.append(Violation(where, "below_floor", f"{line.title} cannot fall below "
                                   f"£{line.protection.minimum}: {line.protection.reason}"))
    return found


def _tax_violations(c: Consultation, response: Response, out: Outcome) -> list[Violation]:
    ct = c.council_tax
    core = hundredths(response.council_tax_change)
    asc = hundredths(response.adult_social_care_change)
    if ct is None:
        if core or asc:
            return [Violation("council_tax_change", "not_offered",
                              "This consultation does not ask about council tax.")]
        return []
    found = _range("council_tax_change", core, hundredths(ct.core.min_change),
                   hundredths(ct.core.max_change), hundredths(ct.core.step),
                   "The council tax change")
    if ct.adult_social_care is None:
        if asc:
            found.append(Violation("adult_social_care_change", "not_offered",
                                   "This consultation does not ask about the adult social "
                                   "care precept."))
    else:
        r = ct.adult_social_care
        found += _range("adult_social_care_change", asc, hundredths(r.min_change),
                        hundredths(r.max_change), hundredths(r.step),
                        "The adult social care precept change")
    if out.tax is not None and out.tax.excessive and ct.referendum.mode == "hard_cap":
        found.append(Violation("council_tax_change", "above_cap", "This rise would need a "
                               "referendum, and this consultation caps council tax below it."))
    return found


def _money_violations(c: Consultation, out: Outcome) -> list[Violation]:
    found: list[Violation] = []
    if c.fees is None:
        if out.fees_pence:
            found.append(Violation("fees_change", "not_offered",
                                   "This consultation does not ask about fees and charges."))
    else:
        found += _range("fees_change", out.fees_pence, pence(c.fees.min_change),
                        pence(c.fees.max_change), pence(c.fees.step), "The change in fees")
    r = c.reserves
    if r is None:
        if out.reserves_pence:
            found.append(Violation("reserves_use", "not_offered",
                                   "This consultation does not ask about reserves."))
    elif out.reserves_pence < 0:
        found.append(Violation("reserves_use", "out_of_range",
                               "Reserves used cannot be negative."))
    elif pence(r.available) - out.reserves_pence < pence(r.minimum_balance):
        found.append(Violation("reserves_use", "below_minimum", "This would leave reserves "
                               f"below the minimum balance of £{r.minimum_balance}."))
    elif out.reserves_pence % pence(r.step):
        found.append(Violation("reserves_use", "off_step",
                               "The use of reserves is not a whole number of steps."))
    return found


def check_response(c: Consultation, response: Response) -> tuple[Outcome, list[Violation]]:
    """The outcome and every rule the response breaks (empty when it may be accepted)."""
    out = evaluate(c, response)
    found = (_line_violations(c, response, out) + _tax_violations(c, response, out)
             + _money_violations(c, out))
    if not out.balanced:
        found.append(Violation("balance", "unbalanced", "The budget does not balance: "
                               f"£{out.remaining_pence / 100:,.2f} is still to find."))
    return out, found


def accept_response(c: Consultation, response: Response) -> Outcome:
    """The outcome of a response that keeps every rule, or a ValidationError listing each."""
    out, found = check_response(c, response)
    if found:
        raise ValidationError([Problem("response", None, v.field, v.message) for v in found],
                              f"{len(found)} problem(s) with this response; nothing was "
                              "recorded.")
    return out
