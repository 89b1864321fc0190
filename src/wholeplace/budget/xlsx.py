"""Plans and prevention models as XLSX workbooks a finance officer recognises (openpyxl).

A plan: an ``Assumptions`` sheet (every rate and its source; illustrative ones marked), one
sheet per scenario and partner (lines by year, totals and the funding gap as formulas over the
lines, reserves at each year end), and a ``Comparison`` sheet (each scenario's funding gap and
its difference from the first, as formulas). A prevention model: ``Assumptions``, ``Flows``
(cost and saving per partner by year, discount factors, present values as SUMPRODUCT
formulas), ``Who pays who saves``, ``Monte Carlo`` and ``Sensitivities``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wholeplace.budget.plan import PlanResult
from wholeplace.budget.plan_model import Assumption, Plan

BOLD = Font(bold=True)
MONEY = "#,##0;-#,##0"


def _title(ws: Worksheet, text: str, note: str | None = None) -> None:
    ws["A1"] = text
    ws["A1"].font = Font(bold=True, size=14)
    if note:
        ws["A2"] = note


def _assumption(a: Assumption) -> str:
    return ", ".join(f"{x:.2%}" for x in a.value) if isinstance(a.value, list) \
        else f"{a.value:.2%}"


def _plan_assumptions(ws: Worksheet, plan: Plan, illustrative: list[str]) -> None:
    _title(ws, plan.title, "ILLUSTRATION: " + (plan.note or "") if plan.illustration else
           plan.note)
    rows: list[tuple[str, str, str]] = [
        ("Plan years", f"{plan.labels[0]} to {plan.labels[-1]}", ""),
        ("Base year (baseline figures)", plan.base_label, ""),
        ("Money", "£ thousand", ""),
        ("Pay inflation", _assumption(plan.assumptions.pay_inflation),
         plan.assumptions.pay_inflation.source),
        ("Non-pay inflation", _assumption(plan.assumptions.non_pay_inflation),
         plan.assumptions.non_pay_inflation.source)]
    rate = plan.assumptions.interest_rate
    if rate is not None:
        rows.append(("Interest rate on borrowing", f"{rate.value:.2%} (as of {rate.as_of})",
                     rate.source))
    for p in plan.partners:
        ct = p.council_tax
        if ct is not None:
            rows.append((f"{p.name}: Band D rise", _assumption(ct.growth), ct.growth.source))
            rows.append((f"{p.name}: tax base growth", _assumption(ct.tax_base_growth),
                         ct.tax_base_growth.source))
            if ct.cap is not None:
                capped = "capped" if ct.cap.capped else "not capped"
                rows.append((f"{p.name}: referendum limit", f"{ct.cap.limit:.2%} ({capped})",
                             ct.cap.source))
        for i in p.income_lines:
            rows.append((f"{p.name}: {i.name} growth", _assumption(i.growth), i.growth.source))
    ws.append([])
    ws.append(["Assumption", "Value", "Source"])
    for c in ws[ws.max_row]:
        c.font = BOLD
    for r in rows:
        ws.append(list(r))
    if illustrative:
        ws.append([])
        ws.append(["Figures citing no source (assumption (illustrative)):"])
        for x in illustrative:
            ws.append([x])
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 90


def _block(ws: Worksheet, heading: str, rows: dict[str, Any], years: int) -> int:
    """Lines then a SUM row; returns the row number of the total."""
    ws.append([heading])
    ws[ws.max_row][0].font = BOLD
    first = ws.max_row + 1
    for name, values in rows.items():
        ws.append([name, *map(float, values)])
    last = ws.max_row
    ws.append([f"Total {heading.lower()}", *[
        f"=SUM({get_column_letter(c)}{first}:{get_column_letter(c)}{last})"
        for c in range(2, years + 2)]])
    for c in ws[ws.max_row]:
        c.font = BOLD
    return int(ws.max_row)


def write_plan(result: PlanResult, path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Assumptions"
    _plan_assumptions(ws, result.plan, result.illustrative)
    names = {p.id: p for p in result.plan.partners}
    gap_cells: dict[tuple[str, str], str] = {}
    years = len(result.labels)
    for n, (sid, s) in enumerate(result.scenarios.items(), start=1):
        for pid, r in s.partners.items():
            # short, unique sheet names (Excel allows 31 characters); A1 names the scenario
            sheet = wb.create_sheet(f"S{n} {pid}"[:31])
            _title(sheet, f"{names[pid].name}: {s.title}", "£ thousand")
            sheet.append([])
            sheet.append(["", *result.labels])
            spend_total = _block(sheet, "Spend", {
                next((x.name for x in names[pid].revenue_lines if x.id == k), k.replace(
                    "_", " ").capitalize()): v for k, v in r.spend_lines.items()}, years)
            income_total = _block(sheet, "Income", {
                next((x.name for x in names[pid].income_lines if x.id == k), k.replace(
                    "_", " ").capitalize()): v for k, v in r.income_lines.items()}, years)
            sheet.append(["Funding gap (spend less income)", *[
                f"={get_column_letter(c)}{spend_total}-{get_column_letter(c)}{income_total}"
                for c in range(2, years + 2)]])
            gap_row = sheet.max_row
            sheet[gap_row][0].font = BOLD
            for label, values in (("Earmarked reserves at year end", r.earmarked_end),
                                  ("Unallocated reserves at year end", r.unallocated_end),
                                  ("Gap not met from reserves", r.unfunded)):
                sheet.append([label, *map(float, values)])
            sheet.append(["Reserves run out in", r.run_out or "not within the plan"])
            for row in sheet.iter_rows(min_row=5, min_col=2):
                for c in row:
                    c.number_format = MONEY
            sheet.column_dimensions["A"].width = 40
            gap_cells[(sid, pid)] = f"'{sheet.title}'!{{col}}{gap_row}"
    _comparison(wb, result, gap_cells)
    wb.save(path)


def _comparison(wb: Workbook, result: PlanResult, gap: dict[tuple[str, str], str]) -> None:
    ws = wb.create_sheet("Comparison")
    _title(ws, "Funding gap by scenario, and the difference from the first", "£ thousand")
    years = len(result.labels)
    first = next(iter(result.scenarios))
    ws.append([])
    ws.append(["Scenario", "Partner", *result.labels, "Total"])
    rows: dict[tuple[str, str], int] = {}
    for sid in result.scenarios:
        for p in result.plan.partners:
            ref = gap[(sid, p.id)]
            ws.append([sid, p.name, *[f"={ref.format(col=get_column_letter(c))}"
                                      for c in range(2, years + 2)]])
            rows[(sid, p.id)] = ws.max_row
            ws.cell(ws.max_row, years + 3,
                    f"=SUM(C{ws.max_row}:{get_column_letter(years + 2)}{ws.max_row})")
    ws.append([])
    ws.append([f"Difference from {first}"])
    ws[ws.max_row][0].font = BOLD
    for sid in list(result.scenarios)[1:]:
        for p in result.plan.partners:
            a, b = rows[(sid, p.id)], rows[(first, p.id)]
            ws.append([sid, p.name, *[f"={get_column_letter(c)}{a}-{get_column_letter(c)}{b}"
                                      for c in range(3, years + 4)]])
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 44


def write_prevention(report: dict[str, Any], path: Path) -> None:
    """A prevention model's report (:func:`.prevention_report.report`) as a workbook: flows
    by partner and year with the discount factors, present values as SUMPRODUCT formulas."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Assumptions"
    _title(ws, report["title"], ("ILLUSTRATION: " if report["illustration"] else "")
           + " ".join(str(report["note"] or "").split()))
    ws.append([])
    ws.append(["Price base", report["price_base"]])
    ws.append(["Discount schedule", report["discount"]["schedule"], report["discount"]["source"]])
    ws.append([])
    ws.append(["Unit cost", "£ per unit (fiscal)", "£ per unit (economic and social)",
               "Provenance"])
    for c in ws[ws.max_row]:
        c.font = BOLD
    for oid, u in report["unit_costs"].items():
        ws.append([oid, u["fiscal_per_unit"], u["public_value_per_unit"],
                   "; ".join(u["provenance"])])
    ws.append([])
    ws.append(["Parameters citing no source: assumption (illustrative)"])
    for p in report["illustrative_parameters"]:
        ws.append([p])
    ws.column_dimensions["A"].width = 44
    _flows(wb, report)
    table = wb.create_sheet("Who pays who saves")
    _title(table, "Who pays and who saves (present values, £)")
    table.append([])
    table.append(["Partner", "Cost", "Fiscal saving", "Cashable saving", "Net", "Net cashable"])
    for r in report["who_pays_who_saves"]:
        table.append([r["name"], r["cost_pv"], r["saving_pv"], r["cashable_saving_pv"],
                      r["net_pv"], r["net_cashable_pv"]])
    mc = wb.create_sheet("Monte Carlo")
    m = report["monte_carlo"]
    _title(mc, f"Monte Carlo: {m['draws']:,} draws, seed {m['seed']}")
    mc.append([])
    mc.append(["View", "NPV P10", "NPV P50", "NPV P90", "Mean", "P(NPV > 0)"])
    for view in ("fiscal", "cashable", "public_value"):
        v = m[view]
        mc.append([view, v["npv_p10"], v["npv_p50"], v["npv_p90"], v["npv_mean"],
                   v["probability_npv_positive"]])
    tornado = wb.create_sheet("Sensitivities")
    _title(tornado, "Fiscal NPV with each parameter at its low and its high (others central)")
    tornado.append([])
    tornado.append(["Parameter", "Low", "High", "NPV at low", "NPV at high", "Swing"])
    for s in report["sensitivities"]:
        tornado.append([s["parameter"], s["low"], s["high"], s["npv_at_low"], s["npv_at_high"],
                        s["swing"]])
    wb.save(path)


def _flows(wb: Workbook, report: dict[str, Any]) -> None:
    ws = wb.create_sheet("Flows")
    years = report["years"]
    n = len(years)
    _title(ws, "Cost and saving by partner and year", f"£ at {report['price_base']} prices")
    ws.append([])
    ws.append(["", *years, "Present value"])
    ws.append(["Discount factor", *report["discount"]["factors"]])
    factors = ws.max_row
    last = get_column_letter(n + 1)
    for label, block in (("cost", report["cost"]), ("fiscal saving", report["saving"]),
                         ("cashable saving", report["cashable_saving"])):
        for pid, series in block.items():
            ws.append([f"{pid}: {label}", *[series[y] for y in years]])
            r = ws.max_row
            ws.cell(r, n + 2, f"=SUMPRODUCT(B{r}:{last}{r},B{factors}:{last}{factors})")
    for row in ws.iter_rows(min_row=6, min_col=2):
        for c in row:
            c.number_format = MONEY
    ws.column_dimensions["A"].width = 34
