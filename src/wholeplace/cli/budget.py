"""Budgeting commands: `wholeplace unit-costs` (the GMCA Unit Cost Database in the hub)."""

from __future__ import annotations

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
