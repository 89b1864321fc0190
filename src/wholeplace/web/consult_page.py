"""What the simulator page shows: reading a preview definition, turning the form into a response,
and formatting the engine's outcome for people (in English or Welsh). No I/O beyond reading the
allow-listed definition file."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from wholeplace.consult import Consultation, Outcome, Response, Violation, load_definition
from wholeplace.consult.models import ServiceLine
from wholeplace.counciltax import BANDS, ReferendumLimit
from wholeplace.errors import InputError, NotFoundError

#: Where preview definitions are read from (WHOLEPLACE_CONSULTATIONS, else examples/consult).
DEFAULT_DIR = Path(__file__).resolve().parents[3] / "examples" / "consult"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
MINUS = "\u2212"

Gettext = Callable[[str], str]


def definitions_dir() -> Path:
    return Path(os.environ.get("WHOLEPLACE_CONSULTATIONS") or DEFAULT_DIR)


def load_named(name: str) -> Consultation:
    """The definition ``NAME.yaml`` (or ``.json``) from the definitions folder, by name only."""
    if not NAME.match(name or ""):
        raise InputError(f"{name!r} is not a consultation name: use lower-case letters, digits "
                         "and hyphens, e.g. peterborough-demo.")
    folder = definitions_dir()
    for suffix in (".yaml", ".yml", ".json"):
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return load_definition(path)
    raise NotFoundError(f"There is no consultation called {name!r} in {folder}.")


def money(amount_pence: int, pennies: bool = False) -> str:
    """£1,234 (or £1,234.56 when asked or when there are pence), with a true minus sign."""
    sign = MINUS if amount_pence < 0 else ""
    whole, pence = divmod(abs(amount_pence), 100)
    if pennies or pence:
        return f"{sign}£{whole:,}.{pence:02d}"
    return f"{sign}£{whole:,}"


def signed_money(amount_pence: int, pennies: bool = False) -> str:
    return ("+" if amount_pence > 0 else "") + money(amount_pence, pennies)


def _number(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("£", "").replace("%", "").replace(MINUS, "-").strip()
    value = Decimal(cleaned or "0")
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise InvalidOperation
    return value


def line_field(line: ServiceLine) -> str:
    return f"line__{line.id}"


def parse_form(c: Consultation, form: Mapping[str, str], _: Gettext
               ) -> tuple[Response, dict[str, str]]:
    """The response a form describes, and a message for each field that is not a number."""
    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    fields = [line_field(line) for line in c.lines] + [
        "council_tax_change", "adult_social_care_change", "fees_change", "reserves_use"]
    for name in fields:
        try:
            values[name] = _number(str(form.get(name, "")))
        except (InvalidOperation, ValueError):
            errors[name] = _("Enter a number, like 1000 or -2.5, with at most two decimal places")
            values[name] = Decimal(0)
    band = str(form.get("band", ""))
    response = Response.model_validate(dict(
        line_changes={line.id: values[line_field(line)] for line in c.lines},
        council_tax_change=values["council_tax_change"],
        adult_social_care_change=values["adult_social_care_change"],
        fees_change=values["fees_change"], reserves_use=values["reserves_use"],
        band=band if band in BANDS else None))
    return response, errors


def _field_of(v: Violation, c: Consultation) -> str:
    if v.field.startswith("line_changes."):
        return "line__" + v.field.removeprefix("line_changes.")
    return v.field


def violation_message(v: Violation, c: Consultation, _: Gettext) -> str:
    titles = {line.id: line.title for line in c.lines}
    line_id = v.field.removeprefix("line_changes.")
    what = titles.get(line_id) or {
        "council_tax_change": _("Council tax"),
        "adult_social_care_change": _("Adult social care precept"),
        "fees_change": _("Fees and charges"), "reserves_use": _("Use of reserves")
    }.get(v.field, "")
    if v.code == "below_floor":
        line = next(x for x in c.lines if x.id == line_id)
        assert line.protection is not None
        return _("{what} cannot fall below {floor}: {reason}").format(
            what=what, floor=money(int(line.protection.minimum * 100)),
            reason=line.protection.reason)
    messages = {
        "out_of_range": _("{what}: choose a change within the range shown"),
        "off_step": _("{what}: choose a change in the steps shown"),
        "above_cap": _("Council tax cannot rise this much in this consultation: it would need "
                       "a referendum"),
        "below_minimum": _("Use of reserves would leave less than the minimum balance"),
        "unbalanced": _("Your budget does not balance yet: find the rest of the gap"),
        "unknown_line": _("{what}: this is not a service in this consultation"),
        "not_offered": _("{what}: this consultation does not ask about it"),
    }
    return messages.get(v.code, v.message).format(what=what)


def referendum_text(limit: ReferendumLimit, _: Gettext) -> str:
    """The referendum principle in the page's language, with its source."""
    p = limit.principle
    percent = f"{(p.percent_bp or 0) / 100:g}%"
    pounds = money(p.pounds_pence or 0, pennies=bool((p.pounds_pence or 0) % 100))
    if p.rule == "both":
        text = _("A rise needs a referendum only if it is both {percent} or more and more than "
                 "{pounds} on Band D")
    elif p.rule == "pounds":
        text = _("A rise of more than {pounds} on Band D needs a referendum")
    elif p.adult_social_care_bp:
        text = _("A rise of {percent} or more (of which {asc} is the adult social care "
                 "precept) needs a referendum")
    else:
        text = _("A rise of {percent} or more needs a referendum")
    return text.format(percent=percent, pounds=pounds,
                       asc=f"{p.adult_social_care_bp / 100:g}%") + f" ({limit.source})."


def _line_view(line: ServiceLine, lo: Any, value: str, error: str | None) -> dict[str, Any]:
    def p(amount: Decimal) -> int:
        return int(amount * 100)

    return {
        "id": line.id, "field": line_field(line), "title": line.title,
        "description": line.description, "source": line.budget_source,
        "budget": money(p(line.current_budget)), "min": format(line.min_change, "f"),
        "max": format(line.max_change, "f"), "step": format(line.step, "f"),
        "min_text": signed_money(p(line.min_change)), "max_text": signed_money(p(line.max_change)),
        "step_text": money(p(line.step)), "value": value, "error": error,
        "after": money(lo.after_pence), "recurring": line.recurring,
        "protection": line.protection,
        "floor": money(p(line.protection.minimum)) if line.protection else None,
        "consequences": [{"at": signed_money(p(k.at)), "text": k.text}
                         for k in sorted(line.consequences, key=lambda k: (k.at > 0, abs(k.at)))],
        "reached": list(lo.consequences)}


def view(c: Consultation, form: Mapping[str, str], outcome: Outcome,
         violations: list[Violation], field_errors: dict[str, str], _: Gettext,
         checked: bool) -> dict[str, Any]:
    """Everything the template needs, formatted."""
    errors = dict(field_errors)
    if checked:
        for v in violations:
            errors.setdefault(_field_of(v, c), violation_message(v, c, _))
    band = str(form.get("band") or "D")
    tax = outcome.tax
    return {
        "c": c, "outcome": outcome, "checked": checked, "errors": errors,
        "error_list": [(k, m) for k, m in errors.items()],
        "balanced": outcome.balanced and checked and not errors,
        "lines": [_line_view(line, lo, str(form.get(line_field(line), "0")),
                             errors.get(line_field(line)))
                  for line, lo in zip(c.lines, outcome.lines, strict=True)],
        "values": {k: str(form.get(k, "0")) for k in ("council_tax_change",
                   "adult_social_care_change", "fees_change", "reserves_use")},
        "band": band if band in BANDS else "D", "bands": BANDS,
        "tax": tax, "money": money, "signed_money": signed_money,
        "referendum_text": (referendum_text(c.council_tax.referendum.limit, _)
                            if c.council_tax and c.council_tax.referendum.limit else ""),
        "remaining": outcome.remaining_pence,
    }
