"""`wholeplace admin`: organisations, people, roles, reset links and agreements. Every change
is audited, with the operator (``cli:<login name>``) as the actor."""

from __future__ import annotations

import typer

from wholeplace.access import agreements, audit, memberships, organisations, resets, users
from wholeplace.access.councils import register_councils
from wholeplace.cli.admin_agreements import agreement_app
from wholeplace.cli.appdb import app_session, operator
from wholeplace.cli.common import JSON_HELP, globals_of, handles_errors, open_read, print_json
from wholeplace.config import secret_key
from wholeplace.errors import InputError

app = typer.Typer(help="Organisations, people, roles and data-sharing agreements.\n\n"
                       "Example: wholeplace admin org sync", no_args_is_help=True)
org_app = typer.Typer(help="Organisations.\n\nExample: wholeplace admin org list",
                      no_args_is_help=True)
user_app = typer.Typer(help="People.\n\nExample: wholeplace admin user list",
                       no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(agreement_app, name="agreement")


@org_app.command("add")
@handles_errors
def org_add(ctx: typer.Context, code: str = typer.Argument(..., help="Short code."),
            name: str = typer.Option(..., "--name", help="The organisation's name."),
            org_type: str = typer.Option(..., "--type", help="icb, police, fire, voluntary or "
                                         "hub (councils come from 'org sync')."),
            area: list[str] = typer.Option([], "--area", help="A GSS code it serves "
                                           "(repeat); for a hub, each council it serves.")
            ) -> None:
    """Add a partner organisation with the areas it serves.

    Example: wholeplace admin org add cp-icb --name "Care board" --type icb --area E07000008
    """
    actor = operator("org.add")
    with app_session(ctx) as s:
        known = {o.code for o in organisations.all_organisations(s, "council")}
        org = organisations.add(s, code, name, org_type, agreements.codes(area), known)
        audit.record(s, actor, "org.add", org.code, detail=organisations.as_row(org))
    typer.echo(f"Added {org_type} {code} ({name}).")


@org_app.command("list")
@handles_errors
def org_list(ctx: typer.Context,
             org_type: str | None = typer.Option(None, "--type", help="Only this type."),
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List organisations.

    Example: wholeplace admin org list --type hub
    """
    operator("org.list")
    with app_session(ctx) as s:
        rows = [organisations.as_row(o) for o in organisations.all_organisations(s, org_type)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        areas = [str(a) for a in row["areas"]]  # type: ignore[attr-defined]
        served = f" serves {', '.join(areas)}" if row["type"] != "council" and areas else ""
        typer.echo(f"{row['code']:<12} {row['type']:<10} {row['name']}{served}")


@org_app.command("sync")
@handles_errors
def org_sync(ctx: typer.Context) -> None:
    """Create an organisation for every current council in the hub's place register.

    Example: wholeplace admin org sync
    """
    actor = operator("org.sync")
    with open_read(ctx) as store:
        councils = register_councils(store)
    if not councils:
        raise InputError("The hub has no place register; run 'wholeplace load' first.")
    with app_session(ctx) as s:
        added, renamed = organisations.sync_councils(s, councils)
        audit.record(s, actor, "org.sync", None, detail={"added": added, "renamed": renamed})
    typer.echo(f"{len(councils)} councils in the register: {added} added, {renamed} renamed.")


def _reset_url(ctx: typer.Context, token: str, base_url: str | None) -> str:
    settings = globals_of(ctx).settings()
    base = base_url or f"http://{settings.host}:{settings.port}"
    return f"{base.rstrip('/')}/reset-password/{token}"


BASE_URL_HELP = "The web app's address for the link (default http://HOST:PORT from settings)."


@user_app.command("add")
@handles_errors
def user_add(ctx: typer.Context, email: str = typer.Argument(..., help="Email address."),
             name: str = typer.Option(..., "--name", help="Display name."),
             base_url: str | None = typer.Option(None, "--base-url", help=BASE_URL_HELP)
             ) -> None:
    """Add an account and print a one-time link for the person to set their password.

    Example: wholeplace admin user add ann@council.gov.uk --name "Ann Example"
    """
    actor = operator("user.add")
    with app_session(ctx) as s:
        user = users.add(s, email, name)
        token = resets.issue(s, secret_key(globals_of(ctx).settings()), user)
        audit.record(s, actor, "user.add", user.email)
    typer.echo(f"Added {user.email}. Send them this one-time link to set a password (valid "
               f"24 hours):\n{_reset_url(ctx, token, base_url)}")


@user_app.command("list")
@handles_errors
def user_list(ctx: typer.Context,
              as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List accounts with their roles.

    Example: wholeplace admin user list --json
    """
    operator("user.list")
    with app_session(ctx) as s:
        rows = [users.as_row(u) for u in users.all_users(s)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        flag = " (disabled)" if row["disabled"] else ""
        roles = ", ".join(row["roles"]) or "no roles"  # type: ignore[arg-type]
        typer.echo(f"{row['email']}{flag}: {row['display_name']}; {roles}")


@user_app.command("disable")
@handles_errors
def user_disable(ctx: typer.Context, email: str = typer.Argument(..., help="Email address.")
                 ) -> None:
    """Disable an account and end its sessions.

    Example: wholeplace admin user disable ann@council.gov.uk
    """
    actor = operator("user.disable")
    with app_session(ctx) as s:
        users.disable(s, users.get(s, email))
        audit.record(s, actor, "user.disable", users.normalise(email))
    typer.echo(f"Disabled {email}; its sessions have ended.")


@handles_errors
def grant(ctx: typer.Context, email: str = typer.Argument(..., help="Email address."),
          org: str = typer.Argument(..., help="Organisation code."),
          role: str = typer.Argument(..., help="viewer, analyst, finance_officer, "
                                     "consultation_officer, data_protection_officer, admin "
                                     "or hub_admin.")) -> None:
    """Give a person a role in an organisation.

    Example: wholeplace admin grant ann@council.gov.uk E07000008 analyst
    """
    actor = operator("role.grant")
    with app_session(ctx) as s:
        changed = memberships.grant(s, users.get(s, email), organisations.get(s, org), role)
        if changed:
            audit.record(s, actor, "role.grant", users.normalise(email), acting_for=org,
                         detail={"role": role})
    typer.echo(f"{email} {'now holds' if changed else 'already held'} {role} in {org}.")


@handles_errors
def revoke(ctx: typer.Context, email: str = typer.Argument(..., help="Email address."),
           org: str = typer.Argument(..., help="Organisation code."),
           role: str = typer.Argument(..., help="The role to take away.")) -> None:
    """Take a role away from a person.

    Example: wholeplace admin revoke ann@council.gov.uk E07000008 analyst
    """
    actor = operator("role.revoke")
    with app_session(ctx) as s:
        memberships.revoke(s, users.get(s, email), organisations.get(s, org), role)
        audit.record(s, actor, "role.revoke", users.normalise(email), acting_for=org,
                     detail={"role": role})
    typer.echo(f"{email} no longer holds {role} in {org}.")


@handles_errors
def reset_link(ctx: typer.Context, email: str = typer.Argument(..., help="Email address."),
               base_url: str | None = typer.Option(None, "--base-url", help=BASE_URL_HELP)
               ) -> None:
    """Print a one-time password-reset link (valid 24 hours; no mail server needed).

    Example: wholeplace admin reset-link ann@council.gov.uk
    """
    actor = operator("user.reset_link")
    with app_session(ctx) as s:
        token = resets.issue(s, secret_key(globals_of(ctx).settings()), users.get(s, email))
        audit.record(s, actor, "user.reset_link", users.normalise(email))
    typer.echo(_reset_url(ctx, token, base_url))


app.command("grant")(grant)
app.command("revoke")(revoke)
app.command("reset-link")(reset_link)


@handles_errors
def demo(ctx: typer.Context) -> None:
    """Create demonstration organisations (a hub and two of its councils) and accounts, marked
    as demonstration, and print how to sign in. Only with WHOLEPLACE_ENV=development or demo.

    Example: wholeplace admin demo   (with WHOLEPLACE_ENV=development)
    """
    from wholeplace.access import demo as demonstration
    from wholeplace.config import is_development

    settings = globals_of(ctx).settings()
    if not is_development(settings):
        raise InputError("Demonstration accounts are for development only: set "
                         "WHOLEPLACE_ENV=development (or demo). Their shared password is "
                         "refused in any other environment.")
    actor = operator("org.sync")
    with open_read(ctx) as store:
        councils = register_councils(store)
    with app_session(ctx) as s:
        organisations.sync_councils(s, councils)
        accounts = demonstration.create(s)
        audit.record(s, actor, "demo.create", demonstration.HUB_CODE,
                     detail={"accounts": [a.email for a in accounts]})
    address = f"http://{settings.host}:{settings.port}/sign-in"
    typer.echo(f"Demonstration accounts (DEMONSTRATION ONLY; the password works only with "
               f"WHOLEPLACE_ENV=development or demo). Sign in at {address} with password "
               f"'{demonstration.DEMO_PASSWORD}' as:")
    for account in accounts:
        typer.echo(f"  {account.email:<34} {account.role} in {account.org}")


app.command("demo")(demo)
