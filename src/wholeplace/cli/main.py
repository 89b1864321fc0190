"""The `wholeplace` command: a thin edge over the hub and places packages.

Each command group lives in its own module; this one defines the typer ``app``, the global
options and the command list (which ``docs/cli.md`` documents, checked by tests/unit/test_docs.py).
"""

from __future__ import annotations

from pathlib import Path

import typer

from wholeplace.cli import (
    admin,
    audit,
    budget,
    catalogue,
    consult,
    db,
    insight,
    insight_flags,
    insight_spend,
    load,
    places,
    plans,
    profile,
    residents,
    serve,
)
from wholeplace.cli.common import Globals

app = typer.Typer(
    name="wholeplace",
    help="A data hub of English local government data: load published sources, look up "
         "places and who serves them, and run the web app.\n\nExample: wholeplace place Cambridge",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def main(
    ctx: typer.Context,
    db: Path | None = typer.Option(None, "--db", metavar="PATH", help="The DuckDB hub file "
                                   "(default: WHOLEPLACE_DB, else data/wholeplace.duckdb)."),
    sources: Path | None = typer.Option(None, "--sources", metavar="DIR", help="The folder of "
                                        "published source files (default: WHOLEPLACE_SOURCES, "
                                        "else ../shared/data)."),
) -> None:
    """Global options, applied to every command."""
    ctx.obj = Globals(db=db, sources=sources)


#: Every command, by name (docs/cli.md documents each one).
COMMANDS = {
    "load": load.load,
    "fetch": load.fetch,
    "publish": load.publish,
    "place": places.place,
    "councils": places.councils,
    "datasets": catalogue.datasets,
    "indicators": catalogue.indicators,
    "serve": serve.serve,
    "flags": insight_flags.flags,
    "backtest": insight_flags.backtest,
    "spend": insight_spend.spend,
    "neighbours": insight.neighbours,
    "compare": insight.compare,
    "profile": profile.profile,
    "db": db.app,
    "admin": admin.app,
    "audit": audit.app,
    "unit-costs": budget.unit_costs,
    "prevention": budget.prevention,
    "plan": budget.plan,
    "plans": plans.app,
}

for _name, _func in COMMANDS.items():
    if isinstance(_func, typer.Typer):
        app.add_typer(_func, name=_name)
    else:
        app.command(_name)(_func)

#: Command groups (each documented in docs/cli.md like a command).
GROUPS = {"consult": consult.app, "residents": residents.app}

for _name, _group in GROUPS.items():
    app.add_typer(_group, name=_name)


if __name__ == "__main__":  # pragma: no cover
    app()
