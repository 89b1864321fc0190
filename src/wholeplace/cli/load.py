"""Commands that change the hub or the sources: `wholeplace load` and `wholeplace fetch`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from wholeplace.cli.common import (
    JSON_HELP,
    globals_of,
    handles_errors,
    open_write,
    print_json,
)
from wholeplace.config import sources_dir
from wholeplace.errors import InputError, SourceError, WholeplaceError
from wholeplace.hub import registry as reg
from wholeplace.hub.load import LoadResult, load_registered


def _describe(result: LoadResult) -> str:
    if result.status == "unchanged":
        line = (f"{result.source_id}: unchanged ({result.file_name} is already loaded as "
                f"dataset {result.dataset_id})")
    else:
        line = (f"{result.source_id}: {result.status} ({result.file_name}, dataset "
                f"{result.dataset_id}, {result.rows} rows)")
    return "\n".join([line] + [f"    {m}" for m in result.messages])


def _released_on(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--released-on must be a date as YYYY-MM-DD, not {value!r}.") from None


@handles_errors
def load(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="A file to load (a published source or a "
                                       "council's upload). Without it, every registered source "
                                       "is loaded from the sources directory."),
    source: str | None = typer.Option(None, "--source", help="With FILE: the source id to "
                                      "record it under. Without FILE: load only this "
                                      "registered source."),
    metadata: Path | None = typer.Option(None, "--metadata", help="A file describing the "
                                         "indicators in an uploaded FILE: YAML (.yaml) or CSV "
                                         "(.csv, one row per indicator)."),
    title: str | None = typer.Option(None, "--title", help="Title of an uploaded FILE."),
    publisher: str | None = typer.Option(None, "--publisher", help="Publisher of an uploaded "
                                         "FILE."),
    release: str | None = typer.Option(None, "--release", help="Release label of FILE, e.g. "
                                       "'2024 return'."),
    released_on: str | None = typer.Option(None, "--released-on", metavar="DATE",
                                           help="Date FILE was published (YYYY-MM-DD)."),
    loader: str | None = typer.Option(None, "--loader", help="The loader that reads FILE "
                                      "(default: by its hash, else 'upload')."),
    year: int | None = typer.Option(None, "--year", min=1990, max=2100,
                                    help="With --loader rs_spreadsheet: the financial year the "
                                    "RS workbook holds, by the year it starts in (2017 for "
                                    "2017-18)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Load published sources (or one file) into the hub: validated, all-or-nothing.

    Loading the same file twice changes nothing.

    Example: wholeplace load   |   wholeplace load my_indicators.csv --metadata meta.yaml
    """
    if file is None:
        extras = {"--metadata": metadata, "--title": title, "--publisher": publisher,
                  "--release": release, "--released-on": released_on, "--loader": loader,
                  "--year": year}
        given = [k for k, v in extras.items() if v is not None]
        if given:
            raise InputError(f"{', '.join(given)} only apply when loading a FILE; registered "
                             "sources carry their own details in the registry.")
        results = _load_registered(ctx, source, quiet=as_json)
    else:
        results = [_load_one(ctx, file, source=source, metadata=metadata, title=title,
                             publisher=publisher, release=release,
                             released_on=_released_on(released_on), loader=loader,
                             options={"year": year} if year is not None else None)]
    if as_json:
        return print_json([r.to_dict() for r in results])
    for r in results:
        typer.echo(_describe(r))
    return None


def _load_registered(ctx: typer.Context, only: str | None, quiet: bool) -> list[LoadResult]:
    if only:
        reg.get_spec(only)  # a clear error for an unknown id, before anything else
    sources = sources_dir(globals_of(ctx).settings())
    wanted = [only] if only else None
    total = 1 if only else len(reg.registry())
    console = Console(stderr=True)
    with open_write(ctx) as store, Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        MofNCompleteColumn(), console=console, disable=quiet, transient=False,
    ) as bar:
        task = bar.add_task("Loading", total=total)
        seen: list[str] = []

        def step(spec: reg.SourceSpec) -> None:
            if seen:
                bar.advance(task)
            seen.append(spec.id)
            bar.update(task, description=f"Loading {spec.id}")

        try:
            results = load_registered(store, sources, only=wanted, progress=step)
        except WholeplaceError as exc:
            # Each file is its own transaction: say what did load before the failure.
            done = getattr(exc, "results", [])
            if done:
                bar.stop()
                console.print("Loaded before the failure (kept):")
                for r in done:
                    console.print(f"  {_describe(r)}", markup=False, highlight=False)
            raise
        bar.update(task, completed=total, description="Loaded")
    return results


def _load_one(ctx: typer.Context, file: Path, **options) -> LoadResult:
    from wholeplace.hub.uploads import load_file

    with open_write(ctx) as store:
        return load_file(store, file, source_id=options.pop("source"), **options)


@handles_errors
def fetch(
    ctx: typer.Context,
    source_id: str | None = typer.Argument(None, metavar="[ID]", help="A registered source id. "
                                           "Without it, every registered source."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Download registered sources from their publisher's URL into the sources directory.

    Each download is checked against the registry's size and SHA-256. Sources with no official
    download URL (today: every source in the registry) are listed with the page to get them
    from.

    Example: wholeplace fetch
    """
    settings = globals_of(ctx).settings()
    specs = [reg.get_spec(source_id)] if source_id else list(reg.registry().values())
    # Only a download needs the sources directory; listing where to get files does not.
    sources = sources_dir(settings) if any(s.url for s in specs) else _existing(settings.sources)
    rows = [_fetch_one(spec, sources) for spec in specs]
    if source_id is not None and rows[0]["status"] == "no url":
        where = specs[0].landing_page or specs[0].publisher
        raise SourceError(f"{specs[0].title!r} has no known official download URL: get it "
                          f"from {where} and put it at {rows[0]['path']}.")
    if as_json:
        return print_json(rows)
    for r in rows:
        typer.echo(f"{r['id']}: {r['status']}. {r['message']}")
    if not any(s.url for s in specs):
        typer.echo("None of these sources has an official download URL in the registry yet: "
                   "get each missing file from the page shown and put it in the sources "
                   "directory (WHOLEPLACE_SOURCES or --sources).")
    return None


def _existing(path: Path | None) -> Path | None:
    return path if path is not None and path.is_dir() else None


def _fetch_one(spec: reg.SourceSpec, sources: Path | None) -> dict:
    target = sources / spec.path if sources is not None else None
    row = {"id": spec.id, "path": str(target) if target else f"<sources directory>/{spec.path}"}
    if target is not None and target.is_file():
        try:
            reg.verify(spec, target)
            return {**row, "status": "present", "message": "Already there and verified."}
        except SourceError:  # a changed file is replaced by the download below
            pass
    if spec.url is None:
        where = spec.landing_page or spec.publisher
        return {**row, "status": "no url",
                "message": f"No official download URL: get it from {where}."}
    if sources is None:
        return {**row, "status": "no sources directory",
                "message": "Set WHOLEPLACE_SOURCES (or --sources) to the folder to download into."}
    reg.fetch(spec, sources)
    return {**row, "status": "fetched", "message": f"Downloaded from {spec.url} and verified."}
