"""Commands about places: `wholeplace place` and `wholeplace councils`."""

from __future__ import annotations

import enum

import typer

from wholeplace.cli.common import JSON_HELP, handles_errors, open_read, print_json, text
from wholeplace.counciltax.bill import band_d_bill
from wholeplace.errors import InputError, NotFoundError
from wholeplace.places import queries
from wholeplace.places.services import who_delivers

#: The register's tiers, as choices for --tier.
Tier = enum.Enum("Tier", {v: v for v in queries.TIER_VALUES}, type=str)


@handles_errors
def place(
    ctx: typer.Context,
    name_or_code: str = typer.Argument(..., metavar="NAME-OR-CODE",
                                       help="A council's name (or part of it) or GSS code."),
    why: bool = typer.Option(False, "--why",
                             help="Also print the legal source and notes of each service rule."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Who serves a place, who delivers each council service there, and what a Band D
    household pays in council tax and to whom (latest year loaded).

    A name that matches several places lists them with their codes.

    Example: wholeplace place Cambridge
    """
    with open_read(ctx) as store:
        try:
            found = queries.match_place(store, name_or_code)
        except NotFoundError as exc:
            raise NotFoundError(_former_code(store, name_or_code) or str(exc)) from None
        if found["place"] is None:
            return _show_candidates(name_or_code, found["candidates"], as_json)
        code = found["place"]["gss_code"]
        served = queries.served_by(store, found["place"]["requested_code"])
        try:
            services, why_none = who_delivers(store, code), None
        except InputError as exc:
            services, why_none = None, str(exc)
        bill = band_d_bill(store, code)
    if as_json:
        return print_json({"query": name_or_code, "served_by": served, "services": services,
                           "services_note": why_none, "council_tax": bill})
    _show_served(served)
    if services is None:
        typer.echo(f"\n{why_none}")
    else:
        _show_services(services, why)
    _show_council_tax(bill)


def _gbp(amount: float | None) -> str:
    return "not published" if amount is None else f"£{amount:,.2f}"


def _show_council_tax(bill: dict) -> None:
    """What a Band D household pays and to whom, or where to look for a non-billing body."""
    typer.echo("")
    if bill["period"] is None:
        typer.echo(bill["note"] or "No council tax figures are loaded for this council.")
        return
    if bill["kind"] == "preceptor":
        typer.echo(f"Council tax {bill['period']}: {bill['note']}")
        if bill["own_band_d"] is not None:
            typer.echo(f"  Its own average Band D: {_gbp(bill['own_band_d'])}")
        if bill["adult_social_care"] is not None:
            typer.echo("  of which adult social care precept raised this year: "
                       f"{_gbp(bill['adult_social_care'])}")
        typer.echo("  Band D by billing area (total, and this body's share):")
        for a in bill["areas"]:
            typer.echo(f"    {a['name']:<44} {_gbp(a['total']):>12}  {_gbp(a['this_body'])}")
        return
    typer.echo(f"Council tax {bill['period']}: a Band D household in {bill['name']} pays "
               f"{_gbp(bill['total'])} a year (the area average, every preceptor included):")
    width = max(len(p["body_name"]) for p in bill["parts"])
    for p in bill["parts"]:
        typer.echo(f"  {p['body_name']:<{width}}  {_gbp(p['amount']):>10}")
        asc = bill["adult_social_care"]
        if asc and p["role"] == asc["within"]:
            typer.echo(f"  {'':<{width}}  of which adult social care precept raised this "
                       f"year: {_gbp(asc['amount'])}")
    if bill["parts_sum"] != bill["total"]:
        typer.echo(f"  (the parts add up to {_gbp(bill['parts_sum'])})")
    bands = ", ".join(f"{b['band']} {_gbp(b['amount'])}" for b in bill["bands"])
    typer.echo(f"  Other bands pay a fixed fraction of Band D (A 6/9 to H 18/9): {bands}.")
    src = bill["source"]
    typer.echo(f"  Source: {src['dataset_title']} (dataset {src['dataset_id']}, released "
               f"{src['released_on'] or 'on a date not recorded'}). The parish share is the "
               "average over the area; a parish's own precept differs.")


def _former_code(store, code: str) -> str | None:
    """What became of a code that is no place in the register but an old code in its successor
    rules (a combined authority's code from before its membership changed), or None."""
    wanted = code.strip().upper()
    rules = store.rows(
        "SELECT s.new_code, s.relation, s.note, p.official_name FROM place_successors s "
        "LEFT JOIN places p ON p.gss_code = s.new_code "
        "WHERE s.old_code = ? AND s.relation <> 'recoded' ORDER BY s.new_code", [wanted])
    if not rules:
        return None
    later = "; ".join(f"{r['official_name'] or r['new_code']} ({r['new_code']})" for r in rules)
    notes = " ".join(f"{r['note']}." for r in rules if r["note"])
    return (f"{wanted} is not a council in the register today: it is a former code. {notes} "
            f"Later code: {later}. Run 'wholeplace place {rules[0]['new_code']}' for today's "
            "authority.")


def _show_candidates(query: str, candidates: list[dict], as_json: bool) -> None:
    if as_json:
        return print_json({"query": query, "matches": candidates})
    typer.echo(f"{query!r} matches {len(candidates)} places; run 'wholeplace place CODE' "
               "with one of these codes:")
    for c in candidates:
        state = "" if c["current"] else ", former"
        typer.echo(f"  {c['gss_code']}  {c['name']} ({c['la_type']}{state})")


def _show_served(served: dict) -> None:
    p = served["place"]
    typer.echo(f"{p['official_name']} ({p['gss_code']}): {p['la_type']}"
               + ("" if p["current"] else ", former authority"))
    if served["note"] and served["kind"] != "former":
        typer.echo(f"Note: {served['note']}")
    typer.echo(served["summary"])
    if served["councils"]:
        typer.echo("\nCouncils serving a resident here:")
        for c in served["councils"]:
            typer.echo(f"  {c['role']:<26} {c['official_name']} ({c['gss_code']})")
    if served["children"]:
        typer.echo("\nCouncils in its area:")
        for c in served["children"]:
            typer.echo(f"  {c['gss_code']}  {c['name']} ({c['la_type']})")
    typer.echo(f"Region: {text(served['region'])}")


def _show_services(services: list[dict], why: bool) -> None:
    typer.echo("\nWho delivers what:")
    width = max(len(s["service"]) for s in services)
    for s in services:
        body = s["body_name"] + (f" ({s['body_code']})" if s["body_code"] else "")
        typer.echo(f"  {s['service']:<{width}}  {body}")
        if why:
            typer.echo(f"  {'':<{width}}  source: {s['source']}")
            if s["note"]:
                typer.echo(f"  {'':<{width}}  note: {s['note']}")
    if not why:
        typer.echo("\nRun with --why for the law each rule rests on (docs/services.md).")


@handles_errors
def councils(
    ctx: typer.Context,
    region: str | None = typer.Option(None, "--region", help="Only this English region, "
                                      "e.g. 'East of England' (case-insensitive)."),
    tier: Tier | None = typer.Option(None, "--tier", help="Only this tier."),
    former: bool = typer.Option(False, "--former",
                                help="List former (abolished) authorities instead of current."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List councils in the register, optionally by region and tier.

    Example: wholeplace councils --region "East of England" --tier lower
    """
    with open_read(ctx) as store:
        found = queries.councils(store, region=region, tier=tier.value if tier else None,
                                 current=not former)
    if as_json:
        return print_json(found)
    for c in found:
        typer.echo(f"{c['gss_code']}  {c['name']:<36} {c['la_type']:<26} {text(c['region'])}")
    typer.echo(f"{len(found)} councils")
