"""Budgeting commands: `wholeplace unit-costs` (the GMCA Unit Cost Database in the hub),
`wholeplace prevention` (a prevention value model) and `wholeplace plan` (a multi-year plan)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from wholeplace.budget import unit_costs as uc
from wholeplace.cli.common import JSON_HELP, handles_errors, open_read, print_json, text


def _value(row: dict[str, Any], kind: str) -> str:
    value = row[f"{kind}_value"]
    if value is None:
        return "-"
    uprated = row[f"{kind}_value_uprated"]
    return (f"£{value:,.2f} ({row[f'{kind}_price_year'] or 'no price year'} prices); "
            f"£{uprated:,.2f} in {row['uprated_to']}" if uprated is not None else
            f"£{value:,.2f} ({row[f'{kind}_price_year'] or 'no price year'} prices)")


@handles_errors
def unit_costs(
    ctx: typer.Context,
    search: str | None = typer.Argument(None, metavar="[SEARCH]", help="Text to find in the "
                                        "cost code, outcome or description (e.g. falls)."),
    agency: str | None = typer.Option(None, "--agency", help="Only lines whose agency "
                                      "(either level) contains this text (e.g. NHS)."),
    code: str | None = typer.Option(None, "--code", help="Show the one line with this cost "
                                    "code in full (e.g. HE7.11)."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="At most this many lines."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Search the GMCA Unit Cost Database (v1.4, New Economy / GMCA, CC BY 4.0).

    Each line: cost code, description, unit, the agency bearing the cost, fiscal, economic and
    social values in their own price year and uprated to 2015-16 as published, confidence
    rating (RAG: red, amber, green).

    Example: wholeplace unit-costs falls --agency NHS
    """
    with open_read(ctx) as store:
        rows = [uc.get(store, code)] if code else uc.search(store, search, agency, limit)
    if as_json:
        return print_json(rows)
    for r in rows:
        typer.echo(f"{r['cost_code']:<10} {' '.join(str(r['description']).split())}")
        typer.echo(f"{'':<10} unit: {text(r['unit'])}; agency: {text(r['agency'])}"
                   f"{' / ' + r['agency_detail'] if r['agency_detail'] else ''}; "
                   f"RAG {text(r['rag'])}")
        for kind in uc.VALUE_KINDS:
            if r[f"{kind}_value"] is not None or code:
                typer.echo(f"{'':<10} {kind}: {_value(r, kind)}")
        if code:
            typer.echo(f"{'':<10} source: {text(r['source'])}")
            typer.echo(f"{'':<10} comment: {text(r['comment'])}")
        if r["flags"]:
            typer.echo(f"{'':<10} flagged: {r['flags']}")
    typer.echo(f"{len(rows)} line(s). Source: Unit Cost Database v1.4, New Economy / GMCA "
               "(CC BY 4.0).")


def _money(x: float | None, width: int = 12) -> str:
    return f"{'-' if x is None else f'{x:,.0f}':>{width}}"


def _lookup(ctx: typer.Context, needs_hub: bool) -> tuple[Any, Any]:
    """A unit cost lookup on the hub (opened read-only) when the model names cost codes."""
    if not needs_hub:
        return None, None
    store = open_read(ctx)
    return store, (lambda code, kind: uc.unit_cost(store, code, kind))


def _prepare(ctx: typer.Context, file: Path) -> Any:
    from wholeplace.budget.files import load
    from wholeplace.budget.prevention import prepare
    from wholeplace.budget.prevention_model import Intervention

    m = load(Intervention, file)
    codes = any(r.cost_code for o in m.outcomes for r in (o.unit_cost, *o.public_value))
    store, lookup = _lookup(ctx, codes)
    try:
        return prepare(m, lookup)
    finally:
        if store is not None:
            store.close()


@handles_errors
def prevention(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="An intervention definition (YAML), "
                                "e.g. examples/prevention/falls.yaml."),
    draws: int = typer.Option(10000, "--draws", min=1, max=2_000_000, help="Monte Carlo draws."),
    seed: int = typer.Option(1, "--seed", help="Seed of the random draws (same seed, same "
                             "result)."),
    xlsx: Path | None = typer.Option(None, "--xlsx", metavar="OUT", help="Also write the "
                                     "model as an XLSX workbook to OUT."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """A prevention value model: cost, avoided outcomes and who pays and who saves.

    Fiscal, cashable and public-value views kept apart, with NPV at the Green Book discount
    rates, return on investment, payback year, Monte Carlo P10/P50/P90 and the probability the
    NPV is positive, and one-at-a-time sensitivities. Unit costs named by cost code are read
    from the hub's Unit Cost Database.

    Example: wholeplace prevention examples/prevention/falls.yaml --draws 20000 --seed 7
    """
    from wholeplace.budget.prevention_report import report

    out = report(_prepare(ctx, file), draws, seed)
    if xlsx is not None:
        from wholeplace.budget.xlsx import write_prevention

        write_prevention(out, xlsx)
    if as_json:
        return print_json(out)
    _show_prevention(out)
    if xlsx is not None:
        typer.echo(f"\nWorkbook written to {xlsx}.")


def _show_prevention(r: dict[str, Any]) -> None:
    typer.echo(r["title"])
    if r["illustration"]:
        typer.echo("ILLUSTRATION: " + " ".join(str(r["note"] or "").split()))
    typer.echo(f"£ at {r['price_base']} prices; discounting: {r['discount']['schedule']}.\n")
    years = r["years"]
    typer.echo(f"{'':<34}" + "".join(f"{y:>12}" for y in years))
    for label, block in (("cost", r["cost"]), ("saving", r["saving"]),
                         ("cashable saving", r["cashable_saving"])):
        for pid, series in block.items():
            if any(series.values()):
                typer.echo(f"{(pid + ' ' + label)[:33]:<34}" +
                           "".join(_money(series[y]) for y in years))
    typer.echo("")
    for view, v in r["views"].items():
        roi = "-" if v["roi"] != v["roi"] else f"{v['roi']:.2f}"
        typer.echo(f"{view.replace('_', ' '):<14} NPV £{v['npv']:,.0f}  ROI {roi}  payback "
                   f"{v['payback_year'] or 'not within the model'}")
    typer.echo("\nWho pays and who saves (present values, £):")
    typer.echo(f"{'partner':<40}{'cost':>12}{'saving':>12}{'cashable':>12}{'net':>12}")
    for row in r["who_pays_who_saves"]:
        typer.echo(f"{row['name'][:39]:<40}{_money(row['cost_pv'])}{_money(row['saving_pv'])}"
                   f"{_money(row['cashable_saving_pv'])}{_money(row['net_pv'])}")
    mc = r["monte_carlo"]
    typer.echo(f"\nMonte Carlo ({mc['draws']:,} draws, seed {mc['seed']}):")
    for view in ("fiscal", "cashable", "public_value"):
        v = mc[view]
        typer.echo(f"  {view.replace('_', ' '):<13} NPV P10 £{v['npv_p10']:,.0f}, P50 "
                   f"£{v['npv_p50']:,.0f}, P90 £{v['npv_p90']:,.0f}; P(NPV > 0) = "
                   f"{v['probability_npv_positive']:.2f}")
    typer.echo("\nSensitivity of the fiscal NPV (each parameter at its low and high):")
    for s in r["sensitivities"][:8]:
        typer.echo(f"  {s['parameter']:<40}{_money(s['npv_at_low'])}{_money(s['npv_at_high'])}")
    if r["illustrative_parameters"]:
        typer.echo("\nassumption (illustrative), citing no source: " +
                   ", ".join(r["illustrative_parameters"]))


@handles_errors
def plan(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="A plan definition (YAML), e.g. "
                                "examples/plans/illustrative_place.yaml."),
    prevention_file: Path | None = typer.Option(None, "--prevention", metavar="FILE",
                                                help="Apply this intervention to the plan as "
                                                     "one more scenario."),
    xlsx: Path | None = typer.Option(None, "--xlsx", metavar="OUT", help="Also write the plan "
                                     "as an XLSX workbook to OUT."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """A multi-year plan across partners: spend, income, the funding gap and reserves.

    For each scenario and partner, by year (£ thousand), with the year reserves would run out
    and each scenario's difference from the first, per year and in total.

    Example: wholeplace plan examples/plans/illustrative_place.yaml --xlsx plan.xlsx
    """
    from wholeplace.budget.files import load
    from wholeplace.budget.plan import compute
    from wholeplace.budget.plan_model import Plan
    from wholeplace.budget.prevention_plan import apply_to_plan

    p = load(Plan, file)
    notes = []
    if prevention_file is not None:
        applied = apply_to_plan(p, _prepare(ctx, prevention_file))
        p = applied.plan
        notes.append(f"Scenario {applied.scenario}: the intervention's costs and cashable "
                     f"savings are at {applied.price_base} prices, not uprated to the plan's "
                     "cash terms.")
        if applied.outside_plan:
            notes.append("Years of the intervention outside the plan, not applied: "
                         + ", ".join(applied.outside_plan))
    result = compute(p)
    if xlsx is not None:
        from wholeplace.budget.xlsx import write_plan

        write_plan(result, xlsx)
    if as_json:
        return print_json({**result.to_dict(), "notes": notes})
    _show_plan(result.to_dict(), notes)
    if xlsx is not None:
        typer.echo(f"\nWorkbook written to {xlsx}.")


def _show_plan(r: dict[str, Any], notes: list[str]) -> None:
    typer.echo(r["title"])
    if r["illustration"]:
        typer.echo("ILLUSTRATION: the figures are not any organisation's budget.")
    years = r["years"]
    for sid, s in r["scenarios"].items():
        typer.echo(f"\n{s['title']} ({sid}), £ thousand")
        typer.echo(f"{'':<34}" + "".join(f"{y:>10}" for y in years))
        for p in s["partners"]:
            typer.echo(f"{p['name'][:33]:<34}")
            for key, label in (("spend", "spend"), ("income", "income"),
                               ("funding_gap", "funding gap"),
                               ("reserves_unallocated_end", "unallocated reserves"),
                               ("reserves_earmarked_end", "earmarked reserves")):
                typer.echo(f"  {label:<32}" + "".join(_money(p[key][y], 10) for y in years))
            typer.echo(f"  reserves run out: {p['reserves_run_out'] or 'not within the plan'}")
        diff = s["funding_gap_difference"]["total"]
        if sid != s["difference_from"]:
            typer.echo(f"  funding gap against {s['difference_from']}: " +
                       ", ".join(f"{y} {diff['by_year'][y]:+,.0f}" for y in years) +
                       f"; total {diff['total']:+,.0f}")
    for n in notes:
        typer.echo(n)
    if r["illustrative_assumptions"]:
        typer.echo("\nassumption (illustrative), citing no source: " +
                   ", ".join(r["illustrative_assumptions"][:12]) +
                   (" ..." if len(r["illustrative_assumptions"]) > 12 else ""))
