"""Commands about what the hub holds: `wholeplace datasets` and `wholeplace indicators`."""

from __future__ import annotations

from pathlib import Path

import typer

from wholeplace.cli.common import (
    JSON_HELP,
    globals_of,
    handles_errors,
    open_read,
    print_json,
    text,
)
from wholeplace.config import sources_dir
from wholeplace.errors import SourceError
from wholeplace.hub import registry as reg


def source_status(spec: reg.SourceSpec, sources: Path) -> str:
    """present, missing or hash mismatch: the file in the sources directory against the registry."""
    path = sources / spec.path
    if not path.is_file():
        return "missing"
    try:
        reg.verify(spec, path)
    except SourceError:
        return "hash mismatch"
    return "present"


def registry_rows(sources: Path) -> list[dict]:
    return [{"id": s.id, "title": s.title, "path": s.path, "status": source_status(s, sources),
             "publisher": s.publisher, "licence": s.licence, "release": s.release,
             "released_on": s.released_on, "url": str(s.url) if s.url else None,
             "landing_page": str(s.landing_page) if s.landing_page else None,
             "loader": s.loader, "size": s.size, "sha256": s.sha256}
            for s in reg.registry().values()]


@handles_errors
def datasets(
    ctx: typer.Context,
    registry: bool = typer.Option(False, "--registry", help="List the registered published "
                                  "sources and whether each file in the sources directory is "
                                  "present, missing or has a hash mismatch, instead of the "
                                  "loaded datasets."),
    org: str | None = typer.Option(None, "--org", metavar="CODE", help="Also list the private "
                                   "uploads of this organisation (by default only public "
                                   "datasets are listed)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the loaded datasets with their provenance (publisher, licence, release, file hash).

    Example: wholeplace datasets --registry   |   wholeplace datasets --org E07000008
    """
    if registry:
        sources = sources_dir(globals_of(ctx).settings())
        rows = registry_rows(sources)
        if as_json:
            return print_json(rows)
        typer.echo(f"Sources directory: {sources}")
        for r in rows:
            typer.echo(f"  {r['id']:<24} {r['status']:<14} {r['path']}")
        return None
    from wholeplace.hub.queries import datasets as loaded
    from wholeplace.hub.visibility import Viewer

    viewer = Viewer.for_org(org) if org else Viewer.public()
    with open_read(ctx) as hub, hub.scoped(viewer) as store:
        rows = loaded(store)
    if as_json:
        return print_json(rows)
    if not rows:
        typer.echo("No datasets are loaded yet. Run 'wholeplace load'.")
    for r in rows:
        state = "" if r["superseded_by"] is None else f" (superseded by {r['superseded_by']})"
        if r["visibility"] == "private":
            state += f" (private to {r['owner_org']})"
        typer.echo(f"{r['dataset_id']:>3}  {r['source_id']}: {r['title']}{state}")
        typer.echo(f"     {text(r['publisher'])}; {text(r['licence'])}; release "
                   f"{text(r['release'])}, released {text(r['released_on'])}")
        typer.echo(f"     {r['file_name']} sha256 {r['file_sha256'][:12]}..., "
                   f"{r['row_count']} rows, loaded {text(r['loaded_at'])}")
    return None


@handles_errors
def indicators(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the indicators in the hub, with their unit and how many areas have values.

    Example: wholeplace indicators --json
    """
    from wholeplace.hub.queries import indicators as known

    with open_read(ctx) as store:
        rows = known(store)
    if as_json:
        return print_json(rows)
    if not rows:
        typer.echo("No indicators are loaded yet. Run 'wholeplace load'.")
    for r in rows:
        typer.echo(f"{r['indicator_id']:<48} {r['unit']:<14} {r['areas']:>4} areas  "
                   f"latest {text(r['latest_period'])}  {r['title']}")
    return None
