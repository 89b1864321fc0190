"""The officer's set-up form, pure: a consultation's definition as form fields, a submitted form
back into definition data, and each validation problem onto the form field it is about (for the
GOV.UK error summary). Nothing is stored here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from wholeplace.consult.definition import definition_data
from wholeplace.consult.models import Consultation
from wholeplace.errors import Problem

LINE_FIELDS = ("title", "description", "current_budget", "budget_source", "min_change",
               "max_change", "step")
PROTECTION_KINDS = ("none", "statutory_floor", "ring_fence")


def line_key(i: int, name: str) -> str:
    return f"lines-{i}-{name}"


def consequences_text(line: Mapping[str, Any]) -> str:
    """A line's consequences, one per line of text: ``-100000 | Two libraries close``."""
    return "\n".join(f"{k['at']} | {k['text']}" for k in line.get("consequences", []))


def form_of(c: Consultation, privacy_notice: str) -> dict[str, str]:
    """The form's starting values for a stored consultation."""
    d = definition_data(c)
    ref = (d.get("council_tax") or {}).get("referendum") or {}
    form = {"title": d["title"], "introduction": d.get("introduction", ""),
            "opens": d["opens"], "closes": d["closes"], "target_kind": d["target"]["kind"],
            "target_amount": d["target"]["amount"], "privacy_notice": privacy_notice,
            "referendum_mode": ref.get("mode", ""), "referendum_cost": ref.get("cost", ""),
            "referendum_cost_source": ref.get("cost_source", "")}
    for i, line in enumerate(d["lines"]):
        for name in LINE_FIELDS:
            form[line_key(i, name)] = str(line.get(name, ""))
        form[line_key(i, "recurring")] = "yes" if line.get("recurring", True) else ""
        p = line.get("protection") or {}
        form[line_key(i, "protection_kind")] = p.get("kind", "none")
        form[line_key(i, "protection_minimum")] = p.get("minimum", "")
        form[line_key(i, "protection_reason")] = p.get("reason", "")
        form[line_key(i, "consequences")] = consequences_text(line)
        prev = line.get("prevention") or {}
        form[line_key(i, "prevention_model")] = prev.get("model", "")
        form[line_key(i, "prevention_mapping")] = prev.get("mapping", "pound_for_pound")
        form[line_key(i, "prevention_per_pound")] = prev.get("per_pound", "1")
    return form


def _consequences(text: str, where: str) -> tuple[list[dict[str, str]], list[Problem]]:
    out, problems = [], []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        at, sep, words = raw.partition("|")
        try:
            amount = Decimal(at.strip().replace(",", "").replace("£", "").replace("\u2212", "-"))
        except InvalidOperation:
            amount = None
        if not sep or amount is None or not words.strip():
            problems.append(Problem("form", n, where, (f"line {n} of the consequences: write "
                            "the change, a bar and the text, like -100000 | Two libraries "
                            "close on Saturdays.")))
            continue
        out.append({"at": format(amount, "f"), "text": words.strip()})
    return out, problems


def _line(old: dict[str, Any], i: int, form: Mapping[str, str]
          ) -> tuple[dict[str, Any] | None, list[Problem]]:
    if form.get(line_key(i, "remove")):
        return None, []
    line = dict(old)
    if not form.get(line_key(i, "shown")):  # a form without this line's fields leaves it be
        return line, []
    for name in LINE_FIELDS:
        if line_key(i, name) in form:
            line[name] = form[line_key(i, name)].strip()
    line["recurring"] = bool(form.get(line_key(i, "recurring")))
    kind = form.get(line_key(i, "protection_kind"), "none")
    if kind in ("statutory_floor", "ring_fence"):
        line["protection"] = {"kind": kind,
                              "minimum": form.get(line_key(i, "protection_minimum"), "").strip(),
                              "reason": form.get(line_key(i, "protection_reason"), "").strip()}
    else:
        line.pop("protection", None)
    model = form.get(line_key(i, "prevention_model"), "").strip()
    if model:
        line["prevention"] = {
            "model": model,
            "mapping": form.get(line_key(i, "prevention_mapping"), "pound_for_pound").strip(),
            "per_pound": form.get(line_key(i, "prevention_per_pound"), "").strip() or "1"}
    elif line_key(i, "prevention_model") in form:  # cleared
        line.pop("prevention", None)
    line["consequences"], problems = _consequences(
        form.get(line_key(i, "consequences"), ""), line_key(i, "consequences"))
    return line, problems


def apply_form(c: Consultation, form: Mapping[str, str]
               ) -> tuple[dict[str, Any], list[Problem]]:
    """The definition data the form describes (to validate), and problems only the form has."""
    d = definition_data(c)
    for name in ("title", "introduction", "opens", "closes"):
        if name in form:
            d[name] = form[name].strip()
    d["target"] = {"kind": form.get("target_kind", d["target"]["kind"]),
                   "amount": form.get("target_amount", d["target"]["amount"]).strip()}
    problems: list[Problem] = []
    lines = []
    for i, old in enumerate(d["lines"]):
        line, found = _line(old, i, form)
        problems += found
        if line is not None:
            lines.append(line)
    d["lines"] = lines
    ct = d.get("council_tax")
    if ct is not None and form.get("referendum_mode"):
        ref = {k: v for k, v in ct["referendum"].items() if k == "limit"}
        ref["mode"] = form["referendum_mode"]
        for name in ("cost", "cost_source"):
            value = form.get(f"referendum_{name}", "").strip()
            if value:
                ref[name] = value
        ct["referendum"] = ref
    return d, problems


_LINE = re.compile(r"^lines\[(\d+)\](?: \([^)]*\))?\.(.+)$")


def field_of(column: str | None) -> str:
    """The form field a problem's column names (the error summary links to it)."""
    col = column or ""
    dotted = re.sub(r"^lines\.(\d+)\.", r"lines[\1].", col)
    m = _LINE.match(dotted)
    if m:
        i, rest = m.group(1), m.group(2)
        if rest.startswith("consequences"):
            return line_key(int(i), "consequences")
        if rest.startswith("prevention"):
            return line_key(int(i), "prevention_" + rest.rsplit(".", 1)[-1])
        if rest.startswith("protection"):
            return line_key(int(i), "protection_" + rest.rsplit(".", 1)[-1])
        return line_key(int(i), rest.split(".")[0])
    if col.startswith("council_tax.referendum."):
        return "referendum_" + col.rsplit(".", 1)[-1]
    if col.startswith("target."):
        return "target_" + col.split(".")[1]
    if col in ("title", "introduction", "opens", "closes", "privacy_notice"):
        return col
    if col.startswith("lines-"):
        return col
    return "definition"


def errors_of(problems: list[Problem]) -> list[tuple[str, str]]:
    """(field, message) for the error summary, in the order the problems were found."""
    out = []
    for p in problems:
        where = p.column or ""
        text = p.message if where.startswith("lines-") or not where else f"{where}: {p.message}"
        out.append((field_of(p.column), text))
    return out
