"""`wholeplace consult`: check a budget consultation file, or prefill one from the hub."""

from __future__ import annotations

from pathlib import Path

import typer

from wholeplace.cli.common import JSON_HELP, handles_errors, open_read, print_json
from wholeplace.consult import definition_data, dumps_json, dumps_yaml, load_definition
from wholeplace.consult.engine import gap_pence
from wholeplace.consult.prefill import hub_indicators, prefill, todo_header

app = typer.Typer(
    name="consult",
    help="Resident budget consultations: check a consultation file, or prefill one from the "
         "hub.\n\nExample: wholeplace consult check examples/consult/peterborough-demo.yaml",
    no_args_is_help=True,
)


@app.command("check")
@handles_errors
def check(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="A consultation (.yaml or .json)."),
    against_hub: bool = typer.Option(False, "--against-hub", help="Also check that every "
                                     "line's indicator is in the hub's data for the council."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Validate a consultation file: every problem is listed, with the field it is in.

    Example: wholeplace consult check examples/consult/peterborough-demo.yaml
    """
    known = None
    if against_hub:
        with open_read(ctx) as store:
            first = load_definition(file)
            known = hub_indicators(store, first.council_code)
    c = load_definition(file, known_indicators=known)
    if as_json:
        print_json(definition_data(c))
        return
    ct = c.council_tax
    typer.echo(f"{file}: OK. {c.council_name} ({c.council_code}) {c.budget_year}, "
               f"{len(c.lines)} service lines, gap £{gap_pence(c) / 100:,.2f}"
               + (f", council tax lever ({ct.referendum.mode})" if ct else "")
               + (" [demonstration]" if c.demonstration else "") + ".")
    if ct is not None and ct.referendum.limit is not None:
        typer.echo(ct.referendum.limit.describe())


@app.command("prefill")
@handles_errors
def prefill_command(
    ctx: typer.Context,
    code: str = typer.Argument(..., metavar="CODE", help="The council's GSS code."),
    year: str = typer.Option(..., "--year", metavar="YYYY-YY", help="The budget year being "
                             "consulted on, e.g. 2025-26."),
    no_council_tax: bool = typer.Option(False, "--no-council-tax", help="Leave out the "
                                        "council tax lever (when the hub has no CTR figures)."),
    as_json: bool = typer.Option(False, "--json", help="Write JSON instead of YAML."),
) -> None:
    """Write a starting consultation for a council from the hub (RA budget, else RS outturn).

    Example: wholeplace consult prefill E06000031 --year 2025-26 > peterborough.yaml
    """
    with open_read(ctx) as store:
        c = prefill(store, code, year, with_council_tax=not no_council_tax)
    typer.echo(dumps_json(c) if as_json else todo_header(c) + dumps_yaml(c), nl=False)
