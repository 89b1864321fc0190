"""`wholeplace db`: migrate the application database and show its revision."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from wholeplace.appdb import current_revisions, head_revisions, make_engine, upgrade
from wholeplace.appdb.migrate import applied_revisions
from wholeplace.cli.common import JSON_HELP, globals_of, handles_errors, print_json
from wholeplace.config import database_url

app = typer.Typer(
    help="The application database (organisations, people, sessions, agreements, audit): "
         "SQLite beside the hub, or WHOLEPLACE_DATABASE_URL.\n\nExample: wholeplace db upgrade",
    no_args_is_help=True,
)


def engine_of(ctx: typer.Context) -> Engine:
    return make_engine(database_url(globals_of(ctx).settings()))


def shown_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


@app.command("upgrade")
@handles_errors
def upgrade_command(ctx: typer.Context) -> None:
    """Apply every migration not yet applied (every branch).

    Example: wholeplace db upgrade
    """
    engine = engine_of(ctx)
    before = current_revisions(engine)
    upgrade(engine)
    after = current_revisions(engine)
    state = "already up to date" if before == after else "migrated"
    reached = sorted(head_revisions(engine) & applied_revisions(engine, after))
    typer.echo(f"{shown_url(engine)}: {state} at {', '.join(reached)}.")


@app.command("current")
@handles_errors
def current_command(ctx: typer.Context,
                    as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Show the database's revisions and those the code needs; exit 1 when behind.

    Example: wholeplace db current
    """
    engine = engine_of(ctx)
    current, heads = sorted(current_revisions(engine)), sorted(head_revisions(engine))
    up_to_date = bool(current) and set(heads) <= applied_revisions(engine, set(current))
    if as_json:
        print_json({"url": shown_url(engine), "current": current, "heads": heads,
                    "up_to_date": up_to_date})
    else:
        typer.echo(f"{shown_url(engine)}: at {', '.join(current) or 'no revision'}; "
                   f"the code needs {', '.join(heads)}.")
    if not up_to_date:
        if not as_json:
            typer.echo("Run 'wholeplace db upgrade'.", err=True)
        raise typer.Exit(1)
