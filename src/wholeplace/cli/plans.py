"""`wholeplace plans`: a plan's baseline from the hub, the demonstration plan, stored plans."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from wholeplace.cli.appdb import app_session, operator
from wholeplace.cli.common import JSON_HELP, globals_of, handles_errors, open_read, print_json
from wholeplace.errors import InputError

app = typer.Typer(help="Multi-year plans: a baseline from the hub, the demonstration plan, "
                       "stored plans.\n\nExample: wholeplace plans baseline E07000008",
                  no_args_is_help=True)


@app.command("baseline")
@handles_errors
def baseline_cmd(
    ctx: typer.Context,
    place: str = typer.Argument(..., metavar="CODE", help="A district or single-tier "
                                "council (GSS code), e.g. E07000008."),
    years: int = typer.Option(5, "--years", min=1, max=10, help="Plan years (5 to 10)."),
    out: Path | None = typer.Option(None, "--out", metavar="FILE", help="Write the plan "
                                    "definition (YAML) here instead of printing it."),
) -> None:
    """A plan definition (YAML) for every council serving a place, from the hub's real data.

    Per council: each service line's latest RA budget (else RS outturn), saying which year and
    source; council tax from CTR; reserves at the last 31 March; population by age band driving
    demand. Missing figures stay missing (null) and are listed.

    Example: wholeplace plans baseline E07000008 --years 5 --out cambridge.yaml
    """
    from wholeplace.budget.baseline import baseline

    with open_read(ctx) as store:
        b = baseline(store, place, years)
    header = "".join(f"# {n}\n" for n in b.notes)
    header += "".join(f"# MISSING (enter it before the plan runs): {m}\n" for m in b.missing)
    text = header + yaml.safe_dump(b.definition, sort_keys=False, allow_unicode=True,
                                   width=100)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {out}: {len(b.definition['partners'])} councils, "
                   f"{len(b.missing)} missing figure(s). Run it: wholeplace plan {out}")
    for m in b.missing:
        typer.echo(f"missing: {m}", err=True)


@app.command("demo")
@handles_errors
def demo_cmd(ctx: typer.Context) -> None:
    """Seed the DEMONSTRATION five-year plan (Cambridge, Cambridgeshire and the combined
    authority, from their real figures, with the falls-prevention example), owned by the
    demonstration hub, with demonstration finance officers. Idempotent; development only.

    Example: wholeplace plans demo   (with WHOLEPLACE_ENV=development, after 'admin demo')
    """
    from wholeplace.access import audit
    from wholeplace.access.demo import DEMO_PASSWORD
    from wholeplace.budget import demo, unit_costs
    from wholeplace.config import is_development

    if not is_development(globals_of(ctx).settings()):
        raise InputError("The demonstration plan is for development only: set "
                         "WHOLEPLACE_ENV=development (or demo).")
    actor = operator("org.sync")
    with open_read(ctx) as store, app_session(ctx) as s:
        plan, created, names = demo.seed(
            s, store, lambda c, k: unit_costs.unit_cost(store, c, k))  # type: ignore[arg-type]
        if created:
            audit.record(s, actor, "demo.plan", f"plan:{plan.slug}")
        slug = plan.slug
    typer.echo(f"{'Created' if created else 'Already there'}: the DEMONSTRATION plan at "
               f"/plans/{slug}. Sign in with password '{DEMO_PASSWORD}' as: "
               + ", ".join(names))


@app.command("list")
@handles_errors
def list_cmd(ctx: typer.Context,
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List stored plans (owner, partners, latest version).

    Example: wholeplace plans list
    """
    from sqlalchemy import select

    from wholeplace.budget import plan_store
    from wholeplace.budget.plan_tables import StoredPlan

    operator("org.list")
    with app_session(ctx) as s:
        rows = [plan_store.as_row(p, plan_store.latest(s, p))
                for p in s.scalars(select(StoredPlan))]
    if as_json:
        return print_json(rows)
    for r in rows:
        typer.echo(f"{r['slug']}: {r['title']} (owner {r['owner']}; version "
                   f"{r['version']['number']} by {r['version']['saved_by']})")
