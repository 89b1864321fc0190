"""`wholeplace residents ...`: the residents index (sources, linking, look-ups, erasure)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
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


AS_HELP = "The account you act as (its roles in --org decide what is allowed)."
ORG_HELP = "The organisation you act for (a council's GSS code)."


@contextmanager
def _acting(ctx: typer.Context, email: str | None, org: str | None) -> Iterator[tuple[Any, Any]]:
    """An application-database session and the person acting (``--as``/``--org``), or the
    command-line operator when no person is named."""
    from wholeplace.access.actor import operator_actor
    from wholeplace.cli.appdb import app_session
    from wholeplace.residents.access import cli_actor

    with app_session(ctx) as session:
        operator = operator_actor()
        actor = cli_actor(session, email, org, operator.id) if email or org else operator
        yield session, actor


def _person(ctx: typer.Context, email: str | None, org: str | None
            ) -> AbstractContextManager[tuple[Any, Any]]:
    if not email or not org:
        raise InputError("Say who you are acting as and for which organisation: --as EMAIL "
                         "--org CODE (the person's roles there decide what is allowed).")
    return _acting(ctx, email, org)


@app.command()
@handles_errors
def generate(
    out: Path = typer.Option(Path("data") / "synthetic", "--out", metavar="DIR",
                             help="Folder for the SYNTHETIC extracts, mappings and truth."),
    households: int = typer.Option(500, "--households", min=1, help="Households to generate."),
    seed: int = typer.Option(1, "--seed", help="Random seed (same seed, same records)."),
) -> None:
    """Generate a SYNTHETIC population's service-system extracts, with the truth.

    Example: wholeplace residents generate --out data/synthetic --households 500
    """
    from wholeplace.residents import synthetic

    population = synthetic.generate(households, seed=seed)
    paths = synthetic.write(population, out)
    for system, path in paths.items():
        typer.echo(f"SYNTHETIC {system}: {len(population.extracts[system])} records in {path}")
    typer.echo("Register them with 'wholeplace residents register' under an agreement in force, "
               "or build the whole demonstration with 'wholeplace residents demo'.")


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
    agreement: str = typer.Option(..., "--agreement", metavar="ID", help="The number of the "
                                  "data-sharing agreement (wholeplace admin agreement list) it "
                                  "is held under; it must be active and cover the source."),
    purpose: str = typer.Option(..., "--purpose", metavar="NAME", help="The purpose it serves."),
    as_email: str | None = typer.Option(None, "--as", metavar="EMAIL", help=AS_HELP),
    org: str | None = typer.Option(None, "--org", metavar="CODE", help=ORG_HELP),
) -> None:
    """Validate an extract and register it as a source of your organisation (its DPO only).

    Example: wholeplace residents register ct.csv --mapping ct.yaml --agreement 3 --purpose prevention --as dpo@council.example --org E07000008
    """  # noqa: E501
    from wholeplace.residents.access import register_source
    from wholeplace.residents.mapping import load_mapping
    from wholeplace.residents.workspace import open_workspace

    source_mapping = load_mapping(mapping)
    with _person(ctx, as_email, org) as (session, actor), \
            open_workspace(_paths(ctx)[0]) as ws:
        n = register_source(session, ws, actor, extract, source_mapping, agreement, purpose,
                            date.today())
    typer.echo(f"Registered {n} records from {extract} under agreement {agreement} for "
               f"{org}.")


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
    as_email: str | None = typer.Option(None, "--as", metavar="EMAIL", help=AS_HELP + " "
                                        "Default: the command-line operator."),
    org: str | None = typer.Option(None, "--org", metavar="CODE", help=ORG_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Link and de-duplicate the registered sources into the residents index.

    Every source's agreement is read again from the access layer: one no longer in force
    stops the run.

    Example: wholeplace residents link --purpose prevention
    """
    from wholeplace.access import audit
    from wholeplace.access.policy import Org, allowed
    from wholeplace.errors import PermissionDeniedError
    from wholeplace.residents.access import refresher
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
    with _acting(ctx, as_email, org) as (session, actor):
        if not allowed(actor, "residents.link", Org(org) if org else None):
            raise PermissionDeniedError(f"{actor.id} may not run the residents index: a data "
                                        "protection officer or the command-line operator may.")
        with open_workspace(workspace) as ws:
            summary = run(ws, purpose, pseudonym, cfg, date.today(),
                          refresher(session, date.today()))
        audit.record(session, actor, "residents.link", f"residents:{purpose}",
                     detail={"run": summary.run_id, "kind": summary.kind,
                             "records": summary.records})
    if as_json:
        return print_json(_summary(summary))
    for name, value in _summary(summary).items():
        typer.echo(f"{name.replace('_', ' '):20} {text(value)}")


def _status(ws: Any) -> dict[str, Any]:
    sources = ws.rows("SELECT source, label, records, agreement_id, purpose, owner, "
                      "agreement_status, agreement_ends FROM sources ORDER BY source")
    runs = ws.rows("SELECT run_id, kind, backend, purpose, finished_at, records, residents "
                   "FROM runs ORDER BY run_id DESC LIMIT 5")
    return {
        "sources": [dict(zip(("source", "label", "records", "agreement", "purpose", "owner",
                              "status", "ends"), r)) for r in sources],
        "runs": [dict(zip(("run", "kind", "backend", "purpose", "finished", "records",
                           "residents"), r)) for r in runs],
        "residents": ws.scalar("SELECT count(DISTINCT resident_id) FROM residents"),
        "review_queue": ws.scalar("SELECT count(*) FROM review_queue WHERE pair_key NOT IN "
                                  "(SELECT pair_key FROM decisions)"),
        "decisions": ws.scalar("SELECT count(*) FROM decisions"),
        "events": dict(ws.rows("SELECT kind, count(*) FROM events GROUP BY kind ORDER BY 1")),
        "erasures": ws.scalar("SELECT count(*) FROM erasures"),
        "comparisons_kept_for": [p for (p,) in ws.rows(
            "SELECT purpose FROM purpose_settings WHERE setting = 'retain_comparisons' "
            "QUALIFY row_number() OVER (PARTITION BY purpose ORDER BY seq DESC) = 1 "
            "AND value ORDER BY purpose")],
    }


def _restricted(ctx: typer.Context, ws: Any, data: dict[str, Any], review: bool,
                households: bool, by_area: bool, who: tuple[str | None, str | None],
                purpose: str | None) -> None:
    """The review list (linkage reviewers) and the household view (analysts), for the
    sources the person may see."""
    from wholeplace.residents.access import permitted
    from wholeplace.residents.review import queue
    from wholeplace.residents.views import household_services

    if purpose is None:
        raise InputError("--review, --households and --by-area need --purpose NAME.")
    with _person(ctx, *who) as (session, actor):
        if review:
            allowed_to = permitted(session, ws, actor, "residents.review", purpose, date.today())
            data["review"] = [asdict(p) for p in queue(ws, allowed_to.sources)]
        if households or by_area:
            allowed_to = permitted(session, ws, actor, "residents.aggregate", purpose,
                                   date.today())
            data["households"] = household_services(ws, by_area, allowed_to.sources)


@app.command()
@handles_errors
def status(
    ctx: typer.Context,
    review: bool = typer.Option(False, "--review", help="List the pairs awaiting review "
                                "(a linkage reviewer; needs --as, --org, --purpose)."),
    households: bool = typer.Option(False, "--households", help="Households receiving 1, 2, "
                                    "3+ services and the common combinations (counts under 5 "
                                    "suppressed; an analyst; needs --as, --org, --purpose)."),
    by_area: bool = typer.Option(False, "--by-area", help="The household view by postcode "
                                 "district."),
    purpose: str | None = typer.Option(None, "--purpose", metavar="NAME",
                                       help="The purpose of the review list or household view."),
    as_email: str | None = typer.Option(None, "--as", metavar="EMAIL", help=AS_HELP),
    org: str | None = typer.Option(None, "--org", metavar="CODE", help=ORG_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Sources, recent runs and counts; the review queue and the household view by role.

    Example: wholeplace residents status --households --purpose prevention --as analyst@council.example --org E07000008
    """  # noqa: E501
    from wholeplace.residents.workspace import open_workspace

    with open_workspace(_paths(ctx)[0]) as ws:
        data = _status(ws)
        if review or households or by_area:
            _restricted(ctx, ws, data, review, households, by_area, (as_email, org), purpose)
    if as_json:
        return print_json(data)
    _print_status(data)


def _print_status(data: dict[str, Any]) -> None:
    for s in data["sources"]:
        typer.echo(f"source {s['source']:20} {s['records']:>8} records  {s['owner']} agreement "
                   f"{s['agreement']} ({s['status']}, ends {text(s['ends'])}) for {s['purpose']}")
    for r in data["runs"]:
        typer.echo(f"run {r['run']:>3} {r['kind']:12} {r['backend']:7} {text(r['finished'])} "
                   f"{text(r['records'])} records -> {text(r['residents'])} residents")
    typer.echo(f"residents {text(data['residents'])}; review queue {data['review_queue']}; "
               f"decisions {data['decisions']}; erasures {data['erasures']}; "
               f"events {data['events'] or 'none'}")
    if data["comparisons_kept_for"]:
        typer.echo("comparison columns kept (encrypted) for "
                   f"{', '.join(data['comparisons_kept_for'])}")
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
                                "look-up (required; it selects the key and is audited)."),
    source: str = typer.Option(..., "--source", metavar="NAME", help="The source system."),
    record_id: str = typer.Option(..., "--record-id", metavar="ID", help="The record's id in "
                                  "that source."),
    as_email: str | None = typer.Option(None, "--as", metavar="EMAIL", help=AS_HELP + " "
                                        "A caseworker."),
    org: str | None = typer.Option(None, "--org", metavar="CODE", help=ORG_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The resident a source record belongs to and their services from every source your
    organisation holds or shares (a caseworker; audited).

    Example: wholeplace residents lookup --purpose prevention --source housing_benefit --record-id SYN-HB-00000001 --as caseworker@council.example --org E07000008
    """  # noqa: E501
    from wholeplace.residents.access import audit_lookup, permitted
    from wholeplace.residents.privacy import check_purpose, load_key
    from wholeplace.residents.views import lookup as lookup_resident
    from wholeplace.residents.workspace import open_workspace

    workspace, keys = _paths(ctx)
    pseudonym = load_key(keys, check_purpose(purpose))
    with _person(ctx, as_email, org) as (session, actor), open_workspace(workspace) as ws:
        allowed_to = permitted(session, ws, actor, "residents.lookup", purpose, date.today())
        resident = lookup_resident(ws, pseudonym, source, record_id, allowed_to.sources)
        audit_lookup(session, actor, f"resident:{resident.resident_id}", allowed_to,
                     {"via": "cli", "source": source})
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
    as_email: str | None = typer.Option(None, "--as", metavar="EMAIL", help=AS_HELP + " "
                                        "The data protection officer of the source's owner."),
    org: str | None = typer.Option(None, "--org", metavar="CODE", help=ORG_HELP),
) -> None:
    """Erase a source record: removed from the index now, left out of every later run.

    Example: wholeplace residents erase --purpose prevention --source housing_benefit --record-id SYN-HB-00000001 --reason "request 2026-11" --as dpo@council.example --org E07000008
    """  # noqa: E501
    from wholeplace.access import audit
    from wholeplace.residents.access import permitted
    from wholeplace.residents.privacy import load_key
    from wholeplace.residents.sources import forget_kept, record_erasure
    from wholeplace.residents.workspace import open_workspace

    workspace, keys = _paths(ctx)
    with _person(ctx, as_email, org) as (session, actor), open_workspace(workspace) as ws:
        allowed_to = permitted(session, ws, actor, "residents.erase", purpose, date.today())
        if source not in allowed_to.sources:
            raise InputError(f"{org} does not hold a source {source!r} for purpose {purpose!r}; "
                             "only the organisation holding a source erases its records.")
        pseudonym = load_key(keys, purpose)
        key_of = record_erasure(ws, purpose, pseudonym, source, record_id, reason)
        audit.record(session, actor, "residents.erase", f"record:{key_of[:16]}",
                     detail={"purpose": purpose, "source": source, "reason": reason})
    with open_workspace(workspace) as ws:  # after the audit entry is committed
        forget_kept(ws, pseudonym, key_of)
    typer.echo(f"Erased {source} record {record_id}; the next run re-derives the index "
               "without it.")


@app.command("retain-comparisons")
@handles_errors
def retain_comparisons(
    ctx: typer.Context,
    purpose: str = typer.Argument(..., metavar="PURPOSE", help="The purpose it applies to."),
    on: bool = typer.Option(..., "--on/--off", help="--on: keep the indexed records' "
                            "comparison columns between runs, encrypted with a key derived "
                            "from the purpose's key, so incremental runs read only new "
                            "records; --off: stop, deleting the file at once."),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Why (kept with the "
                               "decision, e.g. the DPIA's reference)."),
    as_email: str | None = typer.Option(None, "--as", metavar="EMAIL", help=AS_HELP + " "
                                        "The data protection officer of the organisation "
                                        "holding the sources."),
    org: str | None = typer.Option(None, "--org", metavar="CODE", help=ORG_HELP),
) -> None:
    """Decide whether a purpose keeps its comparison columns between runs (its DPO; audited).

    Off by default: every run reads the extracts again. --on needs the purpose's key file and
    that your organisation holds every source of the purpose.

    Example: wholeplace residents retain-comparisons prevention --on --reason "DPIA 2026-11 approved" --as dpo@council.example --org E07000008
    """  # noqa: E501
    from wholeplace.access import audit
    from wholeplace.residents.access import permitted, permitted_to_turn_off
    from wholeplace.residents.comparisons import decide
    from wholeplace.residents.privacy import load_key
    from wholeplace.residents.workspace import open_workspace

    workspace, keys = _paths(ctx)
    with _person(ctx, as_email, org) as (session, actor), open_workspace(workspace) as ws:
        if on:
            permitted(session, ws, actor, "residents.retain_comparisons", purpose, date.today())
            load_key(keys, purpose)  # no key file, no encrypted file: refused before deciding
        else:
            permitted_to_turn_off(session, ws, actor, purpose, date.today())
        path = decide(ws, purpose, on, actor.id, str(org), reason)
        audit.record(session, actor, "residents.retain_comparisons", f"residents:{purpose}",
                     detail={"purpose": purpose, "on": on, "reason": reason})
    if on:
        typer.echo(f"Purpose {purpose}: comparison columns will be kept, encrypted, in {path} "
                   "from the next run (a full run builds them).")
    else:
        typer.echo(f"Purpose {purpose}: comparison columns are not kept; {path} is deleted. "
                   "Every run reads the extracts again.")


@app.command()
@handles_errors
def review(
    ctx: typer.Context,
    pair: str = typer.Argument(..., metavar="PAIR", help="The pair key from 'status --review'."),
    decision: str = typer.Option(..., "--decision", metavar="DECISION",
                                 help="'accept' (same person) or 'reject' (different people)."),
    purpose: str = typer.Option(..., "--purpose", metavar="NAME", help="The index's purpose."),
    as_email: str | None = typer.Option(None, "--as", metavar="EMAIL", help=AS_HELP + " "
                                        "A linkage reviewer."),
    org: str | None = typer.Option(None, "--org", metavar="CODE", help=ORG_HELP),
    reason: str = typer.Option("", "--reason", metavar="TEXT", help="Why, for the record."),
) -> None:
    """Decide a pair in the clerical review queue; every later run respects the decision.

    Example: wholeplace residents review 3f2a... --decision reject --purpose prevention --as reviewer@council.example --org E07000008
    """  # noqa: E501
    from wholeplace.residents.access import audit_lookup, permitted
    from wholeplace.residents.review import decide
    from wholeplace.residents.workspace import open_workspace

    with _person(ctx, as_email, org) as (session, actor), \
            open_workspace(_paths(ctx)[0]) as ws:
        allowed_to = permitted(session, ws, actor, "residents.review", purpose, date.today())
        decide(ws, pair, decision, actor.id, allowed_to.sources, reason)
        audit_lookup(session, actor, f"pair:{pair}", allowed_to,
                     {"via": "cli", "decision": decision}, action="residents.review")
    typer.echo(f"Recorded: {decision} {pair}. The next run applies it.")


@app.command()
@handles_errors
def demo(
    ctx: typer.Context,
    households: int = typer.Option(400, "--households", min=10, help="SYNTHETIC households "
                                   "to generate (400 make about 2,400 records)."),
    seed: int = typer.Option(1, "--seed", help="Random seed (same seed, same records)."),
    out: Path = typer.Option(Path("data") / "residents-demo", "--out", metavar="DIR",
                             help="Folder for the SYNTHETIC extracts."),
) -> None:
    """Build the DEMONSTRATION residents index from SYNTHETIC records: demonstration accounts
    (a caseworker and a linkage reviewer beside access's), an agreement approved by both
    councils' demonstration DPOs, registered sources and a linked index. Idempotent. Only with
    WHOLEPLACE_ENV=development or demo, after 'wholeplace load'.

    Example: wholeplace residents demo   (with WHOLEPLACE_ENV=development)
    """
    from wholeplace.access import audit, organisations
    from wholeplace.access.councils import register_councils
    from wholeplace.access.demo import DEMO_PASSWORD
    from wholeplace.cli.appdb import app_session, operator
    from wholeplace.cli.common import globals_of, open_read
    from wholeplace.config import is_development
    from wholeplace.residents import demo as residents_demo
    from wholeplace.residents.workspace import open_workspace

    settings = globals_of(ctx).settings()
    if not is_development(settings):
        raise InputError("The residents demonstration is for development only: set "
                         "WHOLEPLACE_ENV=development (or demo).")
    logging.getLogger("splink").setLevel(logging.ERROR)
    actor = operator("org.sync")
    today = date.today()
    with open_read(ctx) as store:
        councils = register_councils(store)
    with app_session(ctx) as s:
        organisations.sync_councils(s, councils)
        agreement = residents_demo.seed_access(s, min(date(2026, 4, 1), today),
                                               max(date(2030, 3, 31), today))
        agreement_id = str(agreement.id)
        audit.record(s, actor, "demo.create", "residents-demo",
                     detail={"agreement": agreement_id})
    workspace, keys = _paths(ctx)
    with app_session(ctx) as s, open_workspace(workspace) as ws:
        if residents_demo.demonstration_built(ws, agreement_id):
            typer.echo(f"The DEMONSTRATION residents index in {workspace} is already built.")
        else:
            summary = residents_demo.build_index(s, ws, out, keys, agreement_id, households,
                                                 seed, today)
            typer.echo(f"Built the DEMONSTRATION residents index from {summary.records} "
                       f"SYNTHETIC records: {summary.residents} residents, "
                       f"{summary.review_pairs} pairs to review ({summary.seconds:.0f} s).")
        household = ws.scalar("SELECT household_key FROM residents WHERE household_key IS NOT "
                              "NULL GROUP BY 1 ORDER BY count(DISTINCT source) DESC, 1 LIMIT 1")
    purpose = residents_demo.PURPOSE
    base = f"http://{settings.host}:{settings.port}"
    typer.echo(f"Agreement {agreement_id} ({residents_demo.AGREEMENT_TITLE}). Sign in at "
               f"{base}/sign-in with password '{DEMO_PASSWORD}' (DEMONSTRATION ONLY) as:")
    for account in residents_demo.ACCOUNTS:
        typer.echo(f"  {account.email:<36} {account.role} in {account.org}")
    typer.echo("  analyst.cambridge@demo.invalid       analyst in E07000008 (aggregate view)")
    typer.echo(f"Then open {base}/residents/{purpose}/households/{household} (a household "
               f"timeline), {base}/residents/{purpose}/review (the review queue) or "
               f"{base}/residents/{purpose}/households (the aggregate view).")
