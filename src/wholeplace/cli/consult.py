"""`wholeplace consult`: check a budget consultation file, or prefill one from the hub."""

from __future__ import annotations

from pathlib import Path

import typer

from wholeplace.cli.common import JSON_HELP, handles_errors, open_read, print_json
from wholeplace.consult import definition_data, dumps_json, dumps_yaml, load_definition
from wholeplace.consult.engine import gap_pence
from wholeplace.consult.prefill import hub_indicators, prefill, todo_header
from wholeplace.errors import InputError

app = typer.Typer(
    name="consult",
    help="Resident budget consultations: check a consultation file, or prefill one from the "
         "hub.\n\nExample: wholeplace consult check examples/consult/peterborough-demo.yaml",
    no_args_is_help=True,
)
SLUG_ARGUMENT = typer.Argument(..., metavar="SLUG", help="The consultation's address.")


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


@app.command("import")
@handles_errors
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="A consultation (.yaml or .json)."),
    org: str = typer.Option(..., "--org", metavar="CODE", help="The organisation that runs "
                            "it (its code, e.g. the council's GSS code)."),
    slug: str | None = typer.Option(None, "--slug", help="Its address, /consult/SLUG "
                                    "(default: council name and year)."),
    publish: bool = typer.Option(False, "--publish", help="Publish it at once (otherwise it "
                                 "stays a draft)."),
) -> None:
    """Store a consultation file in the application database as a draft (or published).

    Example: wholeplace consult import examples/consult/peterborough-demo.yaml --org E06000031
    """
    from wholeplace.access import organisations
    from wholeplace.cli.appdb import app_session
    from wholeplace.consult import store

    c = load_definition(file)
    with app_session(ctx) as s:
        if organisations.find(s, org) is None:
            raise InputError(f"There is no organisation {org!r}; add it with 'wholeplace admin "
                             "org sync' or 'wholeplace admin org add' first.")
        row = store.create(s, c, org, slug=slug)
        if publish:
            store.publish(s, row)
        typer.echo(f"Stored {row.slug!r} ({row.status}, version {row.version}) for {org}: "
                   f"/consult/{row.slug}")


@app.command("export")
@handles_errors
def export_command(
    ctx: typer.Context,
    slug: str = SLUG_ARGUMENT,
    as_json: bool = typer.Option(False, "--json", help="Write JSON instead of YAML."),
) -> None:
    """Write a stored consultation's definition (to copy it to next year, or keep it in git).

    Example: wholeplace consult export peterborough-2025-26 > peterborough.yaml
    """
    from wholeplace.cli.appdb import app_session
    from wholeplace.consult import store

    with app_session(ctx) as s:
        c = store.definition_of(store.get(s, slug))
    typer.echo(dumps_json(c) if as_json else dumps_yaml(c), nl=False)


def _step(ctx: typer.Context, slug: str, step: str, done: str) -> None:
    """Publish or close a stored consultation (store.publish / store.close, whose rules say
    when each is allowed) and say so."""
    from wholeplace.cli.appdb import app_session
    from wholeplace.consult import store

    change = {"publish": store.publish, "close": store.close}[step]
    with app_session(ctx) as s:
        change(s, store.get(s, slug))
    typer.echo(f"{done} /consult/{slug}")


@app.command("publish")
@handles_errors
def publish_command(ctx: typer.Context, slug: str = SLUG_ARGUMENT) -> None:
    """Publish a stored draft consultation: residents can answer it at /consult/SLUG.

    Example: wholeplace consult publish peterborough-2025-26
    """
    _step(ctx, slug, "publish", "Published")


@app.command("close")
@handles_errors
def close_command(ctx: typer.Context, slug: str = SLUG_ARGUMENT) -> None:
    """Close a published consultation: it takes no more responses.

    Example: wholeplace consult close peterborough-2025-26
    """
    _step(ctx, slug, "close", "Closed")


@app.command("demo")
@handles_errors
def demo_command(ctx: typer.Context) -> None:
    """Seed (idempotent) the published DEMONSTRATION consultation for Peterborough from its real
    budget lines and council tax in the hub, at /consult/peterborough-demo.

    Example: wholeplace consult demo
    """
    from datetime import date

    from wholeplace.access import organisations
    from wholeplace.access.councils import register_councils
    from wholeplace.cli.appdb import app_session
    from wholeplace.consult import demo

    with open_read(ctx) as store:
        councils = register_councils(store)
        with app_session(ctx) as s:
            if organisations.find(s, demo.CODE) is None:
                organisations.sync_councils(s, councils)
            row, created = demo.seed(s, store, date.today())
            state = "created and published" if created else "already there"
            typer.echo(f"DEMONSTRATION consultation {state}: /consult/{row.slug} "
                       f"({row.title}).")
