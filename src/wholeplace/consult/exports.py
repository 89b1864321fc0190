"""A consultation's responses and results as CSV and XLSX for the officer. Money in pounds with
pence; a change nobody proposed is 0 (the resident left the line as it is), a question not
answered is an EMPTY cell, never 0. Text a spreadsheet would run as a formula is prefixed with
a quote in the CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from wholeplace.consult.models import Consultation
from wholeplace.consult.results import ResponseRow
from wholeplace.counciltax.money import pounds


def columns(c: Consultation) -> list[str]:
    return (["reference", "channel", "submitted_at", "started_at", "definition_version",
             "age_band", "area", "council_tax_change_percent",
             "adult_social_care_change_percent", "above_referendum_limit"]
            + [f"line_change_gbp:{line.id}" for line in c.lines]
            + ["fees_change_gbp", "reserves_use_gbp", "comment", "comment_hidden",
               "surge_flag"])


def _percent(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def row_values(c: Consultation, r: ResponseRow) -> list[Any]:
    ch = r.choices
    return ([r.reference, r.channel, r.submitted_at.isoformat(),
             r.started_at.isoformat() if r.started_at else None, r.definition_version,
             r.age_band, r.area, _percent(ch.get("council_tax_change")),
             _percent(ch.get("adult_social_care_change")), r.above_referendum_limit]
            + [pounds(r.line_change(line.id)) for line in c.lines]
            + [Decimal(str(ch.get("fees_change") or 0)),
               Decimal(str(ch.get("reserves_use") or 0)), r.comment, r.comment_hidden,
               r.surge_flag])


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) \
        else text


def _number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def to_csv(c: Consultation, rows: Sequence[ResponseRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns(c))
    for r in rows:
        writer.writerow([_cell(v) for v in row_values(c, r)])
    return buffer.getvalue()


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(len(name) + 2, 12), 50)
    ws.freeze_panes = "A2"


def _p(x: int | None) -> Decimal | None:
    return None if x is None else pounds(x)


def to_xlsx(c: Consultation, rows: Sequence[ResponseRow], data: dict[str, Any]) -> bytes:
    """Responses, the distribution per line, the weights, the funnel and (when a line is
    linked to a prevention model) the average submission's later costs, one sheet each."""
    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    _sheet(wb, "Responses", columns(c), [row_values(c, r) for r in rows])
    _sheet(wb, "Lines", ["line", "title", "budget_gbp", "responses", "min_gbp", "q1_gbp",
                         "median_gbp", "q3_gbp", "max_gbp", "mean_gbp", "cut", "unchanged",
                         "increase"],
           [[x["id"], x["title"], _p(x["budget_pence"]), x["summary_pence"]["n"],
             *[_p(x["summary_pence"][k]) for k in ("min", "q1", "median", "q3", "max", "mean")],
             x["cut"], x["unchanged"], x["increase"]] for x in data["lines"]])
    w = data["weights"]
    _sheet(wb, "Weights", ["population_band", "label", "population", "population_share_percent",
                           "respondents", "respondent_share_percent", "weight", "age_bands",
                           "population_period"],
           [[b["band"], b["label"], b["population"], b["population_share_percent"],
             b["respondents"], b["respondent_share_percent"], b["weight"],
             ", ".join(b["age_bands"]), w["population_period"]] for b in w["bands"]])
    f = data["funnel"]
    _sheet(wb, "Funnel", ["stage", "visitors"],
           [[k, f[k]] for k in ("opened", "started", "completed")])
    later = data.get("later_costs") or {}
    if later.get("models"):
        # modelled, not counted: the mean over the responses of each one's later cost
        _sheet(wb, "Later costs", ["model", "title", "price_base", "illustration", "partner",
                                   "name", "year", "mean_extra_cost_gbp", "responses",
                                   "responses_cutting"],
               [[m["model"], m["title"], m["price_base"], m["illustration"], p["partner"],
                 p["name"], year, round(value, 2), m["responses"], m["responses_cutting"]]
                for m in later["models"] for p in m["partners"]
                for year, value in p["by_year"].items()])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
