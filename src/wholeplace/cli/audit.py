"""`wholeplace audit`: check the audit trail's hash chain and list entries."""

from __future__ import annotations

import typer

from wholeplace.access import audit
from wholeplace.cli.appdb import app_session, operator
from wholeplace.cli.common import JSON_HELP, handles_errors, print_json

app = typer.Typer(help="The append-only audit trail.\n\nExample: wholeplace audit verify",
                  no_args_is_help=True)


@app.command("verify")
@handles_errors
def verify(ctx: typer.Context,
           known: str | None = typer.Option(
               None, "--head", help="A head (SEQ:HASH) printed by an earlier run and kept "
               "outside the database: also detects the newest entries deleted or the whole "
               "trail rewritten."),
           as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Recompute the hash chain; report every edited or deleted entry and exit 1 if any.
    Prints the head (newest SEQ:HASH): keep it elsewhere and pass it with --head next time.

    Example: wholeplace audit verify --head 41:9c1e...
    """
    operator("audit.verify")
    known_head = audit.parse_head(known) if known else None
    with app_session(ctx) as s:
        breaks = audit.verify(s, known_head)
        total = len(audit.entries(s))
        now = audit.head(s)
    head_text = f"{now[0]}:{now[1]}" if now else None
    if as_json:
        print_json({"entries": total, "intact": not breaks, "head": head_text,
                    "breaks": [{"entry_id": b.entry_id, "seq": b.seq, "problem": b.problem}
                               for b in breaks]})
    elif breaks:
        for item in breaks:
            typer.echo(f"BROKEN {item}", err=True)
    else:
        typer.echo(f"The audit trail is intact: {total} entries, each chained to the one "
                   "before" + (", from the recorded head on." if known_head else "."))
        if head_text:
            typer.echo(f"Head: {head_text} (keep it outside the database and pass it with "
                       "--head next time, to detect the newest entries being deleted).")
    if breaks:
        raise typer.Exit(1)


@app.command("list")
@handles_errors
def list_entries(ctx: typer.Context,
                 org: str | None = typer.Option(None, "--org", help="Only entries made "
                                                "acting for this organisation."),
                 limit: int = typer.Option(50, "--limit", help="How many, newest first."),
                 as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List audit entries, newest first.

    Example: wholeplace audit list --org E07000008 --limit 20
    """
    operator("audit.list")
    with app_session(ctx) as s:
        rows = [audit.as_row(e) for e in audit.entries(s, org, limit)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['at']} {row['actor']} [{row['acting_for'] or '-'}] {row['action']} "
                   f"{row['target'] or ''} {row['ip'] or ''}".rstrip())
