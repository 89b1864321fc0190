"""`wholeplace admin agreement`: record, approve, revoke and list data-sharing agreements."""

from __future__ import annotations

from datetime import date

import typer

from wholeplace.access import agreements, audit, users
from wholeplace.access.policy import allowed
from wholeplace.access.signin import actor_of
from wholeplace.cli.appdb import app_session, operator
from wholeplace.cli.common import JSON_HELP, handles_errors, print_json
from wholeplace.errors import InputError

agreement_app = typer.Typer(help="Data-sharing agreements.\n\n"
                                 "Example: wholeplace admin agreement list",
                            no_args_is_help=True)


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date; use YYYY-MM-DD.") from None


@agreement_app.command("add")
@handles_errors
def agreement_add(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title", help="A short title."),
    purpose: str = typer.Option(..., "--purpose", help="Why the data is shared."),
    party: list[str] = typer.Option(..., "--party", help="A party's organisation code "
                                    "(repeat, at least two)."),
    item: list[str] = typer.Option(..., "--item", help="dataset:<source id> or "
                                   "indicator:<indicator id> covered (repeat)."),
    basis: str = typer.Option(..., "--basis", help="UK GDPR article 6 basis: consent, "
                              "contract, legal_obligation, vital_interests, public_task or "
                              "legitimate_interests."),
    article9: str | None = typer.Option(None, "--article9", help="Article 9(2) condition "
                                        "(a to j) for special category data."),
    start: str = typer.Option(..., "--start", help="Start date, YYYY-MM-DD."),
    end: str = typer.Option(..., "--end", help="End date, YYYY-MM-DD."),
    review: str | None = typer.Option(None, "--review", help="Review date, YYYY-MM-DD."),
    draft: bool = typer.Option(False, "--draft", help="Keep it a draft (not yet awaiting "
                               "approval)."),
) -> None:
    """Record an agreement; it awaits each party's data protection officer's approval.

    Example: wholeplace admin agreement add --title T --purpose P --party E07000008
    --party cp-icb --item dataset:upload-1 --basis public_task --start 2026-01-01
    --end 2026-12-31
    """
    actor = operator("agreement.add")
    terms = agreements.Terms(
        title=title, purpose=purpose, parties=agreements.codes(party),
        items=agreements.codes(item), article6_basis=basis, article9_condition=article9,
        start_date=_date(start, "--start"), end_date=_date(end, "--end"),
        review_date=_date(review, "--review") if review else None)
    with app_session(ctx) as s:
        agreement = agreements.add(s, terms, draft=draft)
        audit.record(s, actor, "agreement.add", f"agreement:{agreement.id}",
                     detail=agreements.detail(agreement, date.today()))
        number, state = agreement.id, agreement.status
    typer.echo(f"Agreement {number} recorded ({state.replace('_', ' ')}).")


@agreement_app.command("approve")
@handles_errors
def agreement_approve(
    ctx: typer.Context, agreement_id: int = typer.Argument(..., help="The agreement's number."),
    org: str = typer.Option(..., "--org", help="The party approving."),
    by: str = typer.Option(..., "--by", help="Email of that party's data protection officer."),
) -> None:
    """Record a party's approval by its data protection officer; active once all approve.

    Example: wholeplace admin agreement approve 1 --org E07000008 --by dpo@council.gov.uk
    """
    with app_session(ctx) as s:
        agreement = agreements.get(s, agreement_id)
        dpo = users.get(s, by)
        actor = actor_of(dpo, org)
        if actor.acting_for != org or not allowed(actor, "agreement.approve",
                                                  agreements.ref(agreement, date.today())):
            raise InputError(f"{dpo.email} cannot approve agreement {agreement_id} for {org}: "
                             "they must be that party's data protection officer and the "
                             "agreement must be awaiting approval.")
        active = agreements.approve(s, agreement, org, dpo)
        audit.record(s, actor, "agreement.approve", f"agreement:{agreement_id}",
                     detail={"active": active})
    typer.echo(f"{org} approved agreement {agreement_id}"
               + ("; every party has approved: it is active." if active else "."))


@agreement_app.command("submit")
@handles_errors
def agreement_submit(ctx: typer.Context,
                     agreement_id: int = typer.Argument(..., help="The draft's number.")
                     ) -> None:
    """Send a draft for each party's approval.

    Example: wholeplace admin agreement submit 1
    """
    actor = operator("agreement.submit")
    with app_session(ctx) as s:
        agreements.submit(s, agreements.get(s, agreement_id))
        audit.record(s, actor, "agreement.submit", f"agreement:{agreement_id}")
    typer.echo(f"Agreement {agreement_id} is awaiting approval.")


@agreement_app.command("revoke")
@handles_errors
def agreement_revoke(ctx: typer.Context,
                     agreement_id: int = typer.Argument(..., help="The agreement's number."),
                     reason: str = typer.Option(..., "--reason", help="Why it is revoked.")
                     ) -> None:
    """Revoke an agreement: access it gave ends at once.

    Example: wholeplace admin agreement revoke 1 --reason "Purpose fulfilled"
    """
    actor = operator("agreement.revoke")
    with app_session(ctx) as s:
        agreements.revoke(s, agreements.get(s, agreement_id))
        audit.record(s, actor, "agreement.revoke", f"agreement:{agreement_id}",
                     detail={"reason": reason})
    typer.echo(f"Agreement {agreement_id} is revoked.")


@agreement_app.command("list")
@handles_errors
def agreement_list(ctx: typer.Context,
                   as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List every agreement with its parties and status.

    Example: wholeplace admin agreement list --json
    """
    operator("agreement.list")
    today = date.today()
    with app_session(ctx) as s:
        rows = [agreements.detail(a, today) for a in agreements.all_agreements(s)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        parties = ", ".join(row["parties"])  # type: ignore[arg-type]
        typer.echo(f"{row['id']:>4} {row['status']:<18} {row['title']} ({parties}); "
                   f"{row['start_date']} to {row['end_date']}")
