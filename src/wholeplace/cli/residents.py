"""`wholeplace residents ...`: the residents index (sources, linking, look-ups, erasure)."""

from __future__ import annotations

import logging
import os
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import typer

from wholeplace.cli.common import JSON_HELP, handles_errors, print_json, text
from wholeplace.errors import InputError

app = typer.Typer(
    name="residents",
    help="The residents index: one person across a council's service systems, linked with "
         "Splink under data-sharing agreements, pseudonymised at rest.\n\n"
         "Example: wholeplace residents generate --out data/synthetic --register",
    no_args_is_help=True,
)

DEFAULT_WORKSPACE = Path("data") / "residents.duckdb"
DEFAULT_KEYS = Path("data") / "residents-keys"


def _paths(ctx: typer.Context) -> tuple[Path, Path]:
    obj: dict[str, Path] = ctx.find_object(dict) or {}
    return obj["workspace"], obj["keys"]


@app.callback()
def residents(
    ctx: typer.Context,
    workspace: Path | None = typer.Option(None, "--workspace", metavar="PATH", help="The "
                                          "residents workspace DuckDB file (default: "
                                          "WHOLEPLACE_RESIDENTS, else data/residents.duckdb)."),
    keys: Path | None = typer.Option(None, "--keys", metavar="DIR", help="The folder of "
                                     "pseudonymisation keys, one file per purpose, outside the "
                                     "database (default: WHOLEPLACE_RESIDENT_KEYS, else "
                                     "data/residents-keys)."),
) -> None:
    """Options shared by every residents command."""
    ctx.obj = {
        "workspace": workspace or Path(os.environ.get("WHOLEPLACE_RESIDENTS", DEFAULT_WORKSPACE)),
        "keys": keys or Path(os.environ.get("WHOLEPLACE_RESIDENT_KEYS", DEFAULT_KEYS)),
    }


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date: write it as YYYY-MM-DD.") from None


@app.command()
@handles_errors
def generate(
    ctx: typer.Context,
    out: Path = typer.Option(Path("data") / "synthetic", "--out", metavar="DIR",
                             help="Folder for the SYNTHETIC extracts, mappings and truth."),
    households: int = typer.Option(500, "--households", min=1, help="Households to generate."),
    seed: int = typer.Option(1, "--seed", help="Random seed (same seed, same records)."),
    register: bool = typer.Option(False, "--register", help="Also register every extract in "
                                  "the workspace under the SYNTHETIC demo agreement, creating "
                                  "the demo purpose's key if it is missing."),
) -> None:
    """Generate a SYNTHETIC population's service-system extracts, with the truth.

    Example: wholeplace residents generate --out data/synthetic --households 500 --register
    """
    from wholeplace.residents import synthetic
    from wholeplace.residents.demo import DEMO_AUTHORISATION, PURPOSE, synthetic_mapping
    from wholeplace.residents.privacy import create_key, key_path
    from wholeplace.residents.sources import register as register_source
    from wholeplace.residents.workspace import open_workspace

    population = synthetic.generate(households, seed=seed)
    paths = synthetic.write(population, out)
    for system, path in paths.items():
        typer.echo(f"SYNTHETIC {system}: {len(population.extracts[system])} records in {path}")
    if register:
        workspace, keys = _paths(ctx)
        if not key_path(keys, PURPOSE).exists():
            typer.echo(f"Created key {create_key(keys, PURPOSE)}")
        with open_workspace(workspace) as ws:
            for system, path in paths.items():
                register_source(ws, path, synthetic_mapping(system), DEMO_AUTHORISATION,
                                date.today())
        typer.echo(f"Registered {len(paths)} SYNTHETIC sources in {workspace} for purpose "
                   f"{PURPOSE!r}. Next: wholeplace residents link --purpose {PURPOSE}")


@app.command()
@handles_errors
def key(
    ctx: typer.Context,
    purpose: str = typer.Argument(..., metavar="PURPOSE", help="The purpose the key serves."),
) -> None:
    """Create the pseudonymisation key of a purpose (readable by its owner only).

    Example: wholeplace residents key prevention
    """
    from wholeplace.residents.privacy import create_key

    typer.echo(f"Created {create_key(_paths(ctx)[1], purpose)}; back it up: without it the "
               "index's pseudonyms cannot be matched again.")


@app.command()
@handles_errors
def register(
    ctx: typer.Context,
    extract: Path = typer.Argument(..., metavar="FILE", help="The extract (CSV or Parquet)."),
    mapping: Path = typer.Option(..., "--mapping", metavar="FILE", help="The YAML mapping of "
                                 "the extract's columns to the standard fields."),
    agreement: str = typer.Option(..., "--agreement", metavar="ID", help="The data-sharing "
                                  "agreement the source is held under."),
    purpose: str = typer.Option(..., "--purpose", metavar="NAME", help="The purpose it serves."),
    status: str = typer.Option("active", "--agreement-status", metavar="STATUS",
                               help="The agreement's status; only 'active' may be loaded."),
    ends: str | None = typer.Option(None, "--agreement-ends", metavar="DATE",
                                    help="The date the agreement ends (YYYY-MM-DD)."),
) -> None:
    """Validate an extract against its mapping and register it as a source.

    Example: wholeplace residents register ct.csv --mapping ct.yaml --agreement DSA-12 --purpose prevention --agreement-ends 2027-03-31
    """  # noqa: E501
    from wholeplace.residents.mapping import Authorisation, load_mapping
    from wholeplace.residents.sources import register as register_source
    from wholeplace.residents.workspace import open_workspace

    auth = Authorisation(agreement, purpose, status, _date(ends, "--agreement-ends"))
    with open_workspace(_paths(ctx)[0]) as ws:
        n = register_source(ws, extract, load_mapping(mapping), auth, date.today())
    typer.echo(f"Registered {n} records from {extract} under agreement {agreement!r}.")


def _summary(summary: Any) -> dict[str, Any]:
    out = asdict(summary)
    out.pop("clusters")
    return dict(out)


@app.command()
@handles_errors
def link(
    ctx: typer.Context,
    purpose: str = typer.Option(..., "--purpose", metavar="NAME", help="Link the sources "
                                "registered for this purpose, with its key."),
    backend: str = typer.Option("duckdb", "--backend", metavar="NAME", help="Splink backend: "
                                "'duckdb' (default) or 'spark' (local mode; needs pyspark "
                                "and Java 17+)."),
    match_threshold: float = typer.Option(0.95, "--match-threshold", metavar="P",
                                          help="Match probability at which pairs link."),
    review_threshold: float = typer.Option(0.5, "--review-threshold", metavar="P",
                                           help="Pairs from here up to the match threshold "
                                           "go to clerical review."),
    incremental: bool = typer.Option(False, "--incremental", help="Only score records new "
                                     "since the last run against the index, with the saved "
                                     "model."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Link and de-duplicate the registered sources into the residents index.

    Example: wholeplace residents link --purpose prevention
    """
    from wholeplace.residents.incremental import run_incremental
    from wholeplace.residents.link import LinkConfig, run_link
    from wholeplace.residents.privacy import load_key
    from wholeplace.residents.workspace import open_workspace

    logging.getLogger("splink").setLevel(logging.ERROR)  # its training notes are not errors
    workspace, keys = _paths(ctx)
    pseudonym = load_key(keys, purpose)
    cfg = LinkConfig(match_threshold=match_threshold, review_threshold=review_threshold,
                     backend=backend)
    run = run_incremental if incremental else run_link
    with open_workspace(workspace) as ws:
        summary = run(ws, purpose, pseudonym, cfg, date.today())
    if as_json:
        return print_json(_summary(summary))
    for name, value in _summary(summary).items():
        typer.echo(f"{name.replace('_', ' '):20} {text(value)}")


def _status(ws: Any, review: bool, households: bool, by_area: bool) -> dict[str, Any]:
    from wholeplace.residents.review import queue
    from wholeplace.residents.views import household_services

    sources = ws.rows("SELECT source, label, records, agreement_id, purpose, agreement_status, "
                      "agreement_ends FROM sources ORDER BY source")
    runs = ws.rows("SELECT run_id, kind, backend, purpose, finished_at, records, residents "
                   "FROM runs ORDER BY run_id DESC LIMIT 5")
    out: dict[str, Any] = {
        "sources": [dict(zip(("source", "label", "records", "agreement", "purpose", "status",
                              "ends"), r)) for r in sources],
        "runs": [dict(zip(("run", "kind", "backend", "purpose", "finished", "records",
                           "residents"), r)) for r in runs],
        "residents": ws.scalar("SELECT count(DISTINCT resident_id) FROM residents"),
        "review_queue": ws.scalar("SELECT count(*) FROM review_queue WHERE pair_key NOT IN "
                                  "(SELECT pair_key FROM decisions)"),
        "decisions": ws.scalar("SELECT count(*) FROM decisions"),
        "events": dict(ws.rows("SELECT kind, count(*) FROM events GROUP BY kind ORDER BY 1")),
        "erasures": ws.scalar("SELECT count(*) FROM erasures"),
    }
    if review:
        out["review"] = [asdict(p) for p in queue(ws)]
    if households or by_area:
        out["households"] = household_services(ws, by_area=by_area)
    return out


@app.command()
@handles_errors
def status(
    ctx: typer.Context,
    review: bool = typer.Option(False, "--review", help="List the pairs awaiting review."),
    households: bool = typer.Option(False, "--households", help="Households receiving 1, 2, "
                                    "3+ services and the common combinations (counts under 5 "
                                    "suppressed)."),
    by_area: bool = typer.Option(False, "--by-area", help="The household view by postcode "
                                 "district."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Sources, recent runs, residents, the review queue and the household view.

    Example: wholeplace residents status --households
    """
    from wholeplace.residents.workspace import open_workspace

    with open_workspace(_paths(ctx)[0]) as ws:
        data = _status(ws, review, households, by_area)
    if as_json:
        return print_json(data)
    for s in data["sources"]:
        typer.echo(f"source {s['source']:20} {s['records']:>8} records  agreement "
                   f"{s['agreement']} ({s['status']}, ends {text(s['ends'])}) for {s['purpose']}")
    for r in data["runs"]:
        typer.echo(f"run {r['run']:>3} {r['kind']:12} {r['backend']:7} {text(r['finished'])} "
                   f"{text(r['records'])} records -> {text(r['residents'])} residents")
    typer.echo(f"residents {text(data['residents'])}; review queue {data['review_queue']}; "
               f"decisions {data['decisions']}; erasures {data['erasures']}; "
               f"events {data['events'] or 'none'}")
    for p in data.get("review", []):
        typer.echo(f"review {p['pair_key']} {p['source_l']} ~ {p['source_r']} "
                   f"weight {p['match_weight']:.1f} p={p['match_probability']:.2f}")
    for area, entry in data.get("households", {}).items():
        counts = ", ".join(f"{k} services: {'<5' if v['households'] is None else v['households']}"
                           for k, v in entry["by_count"].items())
        typer.echo(f"households ({area}): {counts}")
        for c in entry["combinations"][:10]:
            shown = "<5" if c["status"] == "suppressed" else str(c["households"])
            typer.echo(f"  {shown:>8}  {c['services']}")


@app.command()
@handles_errors
def lookup(
    ctx: typer.Context,
    purpose: str = typer.Option(..., "--purpose", metavar="NAME", help="The purpose of the "
                                "look-up (required; it selects the key)."),
    source: str = typer.Option(..., "--source", metavar="NAME", help="The source system."),
    record_id: str = typer.Option(..., "--record-id", metavar="ID", help="The record's id in "
                                  "that source."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The resident a source record belongs to and their services from every source.

    Example: wholeplace residents lookup --purpose prevention --source housing_benefit --record-id SYN-HB-00000001
    """  # noqa: E501
    from wholeplace.residents.privacy import load_key
    from wholeplace.residents.views import lookup as lookup_resident
    from wholeplace.residents.workspace import open_workspace

    workspace, keys = _paths(ctx)
    pseudonym = load_key(keys, purpose)
    with open_workspace(workspace) as ws:
        resident = lookup_resident(ws, pseudonym, source, record_id)
    if as_json:
        return print_json(asdict(resident))
    typer.echo(f"resident {resident.resident_id} ({len(resident.households)} household(s))")
    for s in resident.services:
        typer.echo(f"  {s.source:20} {text(s.service_start)} to {text(s.service_end)}")


@app.command()
@handles_errors
def erase(
    ctx: typer.Context,
    purpose: str = typer.Option(..., "--purpose", metavar="NAME", help="The purpose whose "
                                "index holds the record."),
    source: str = typer.Option(..., "--source", metavar="NAME", help="The source system."),
    record_id: str = typer.Option(..., "--record-id", metavar="ID", help="The record's id."),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Why (kept with the "
                               "erasure, e.g. the request's reference)."),
) -> None:
    """Erase a source record: removed from the index now, left out of every later run.

    Example: wholeplace residents erase --purpose prevention --source housing_benefit --record-id SYN-HB-00000001 --reason "request 2026-11"
    """  # noqa: E501
    from wholeplace.residents.privacy import load_key
    from wholeplace.residents.sources import erase as erase_record
    from wholeplace.residents.workspace import open_workspace

    workspace, keys = _paths(ctx)
    with open_workspace(workspace) as ws:
        erase_record(ws, purpose, load_key(keys, purpose), source, record_id, reason)
    typer.echo(f"Erased {source} record {record_id}; the next run re-derives the index "
               "without it.")


@app.command()
@handles_errors
def review(
    ctx: typer.Context,
    pair: str = typer.Argument(..., metavar="PAIR", help="The pair key from 'status --review'."),
    decision: str = typer.Option(..., "--decision", metavar="DECISION",
                                 help="'accept' (same person) or 'reject' (different people)."),
    reviewer: str = typer.Option(..., "--reviewer", metavar="NAME", help="Who decided."),
    reason: str = typer.Option("", "--reason", metavar="TEXT", help="Why, for the record."),
) -> None:
    """Decide a pair in the clerical review queue; every later run respects the decision.

    Example: wholeplace residents review 3f2a... --decision reject --reviewer reviewer-1
    """
    from wholeplace.residents.review import decide
    from wholeplace.residents.workspace import open_workspace

    with open_workspace(_paths(ctx)[0]) as ws:
        decide(ws, pair, decision, reviewer, reason)
    typer.echo(f"Recorded: {decision} {pair}. The next run applies it.")
