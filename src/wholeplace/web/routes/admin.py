"""Web administration: organisations (a hub administrator adds partners with the areas they
serve), and each organisation's people: add, disable, grant and revoke roles, issue a one-time
reset link (shown once). Every page has a JSON twin; every change is a CSRF-protected form,
audited, and allowed only by the policy (``admin.*`` actions in access/policy.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from wholeplace.access import administration as A
from wholeplace.access import agreements, audit, memberships, organisations, resets, users
from wholeplace.access.actor import Actor
from wholeplace.access.models import ROLES, Organisation, User
from wholeplace.access.policy import Resource, allowed
from wholeplace.errors import InputError, NotFoundError
from wholeplace.web.access import require
from wholeplace.web.render import as_json, render

router = APIRouter(prefix="/admin", include_in_schema=False)

NOT_HERE = "There is no person with that email address in this organisation"
REFUSED = ("Your role does not allow this change: the person also belongs to an organisation "
           "you do not administer, or only a hub administrator may give that role")

OWN_ADMIN = "You cannot take away your own administrator role: ask another administrator"

#: Notices after a change (by key, so nothing from the request is echoed back).
NOTICES = {"added": "The person has been added.", "granted": "The role has been given.",
           "revoked": "The role has been taken away.",
           "disabled": "The account has been disabled and its sessions ended.",
           "org_added": "The organisation has been added."}


def _db(request: Request) -> Session:
    factory: sessionmaker[Session] = request.app.state.appdb
    return factory()


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def managed_org(request: Request) -> Resource:
    """The organisation in the path, as the target of administration."""
    with _db(request) as s:
        return A.org_target(s, str(request.path_params.get("code", "")))


def _wants_json(request: Request) -> bool:
    return request.headers.get("accept", "").split(",")[0].strip() == "application/json"


# ---- organisations ---------------------------------------------------------------------


def _orgs_context(request: Request, actor: Actor | None, errors: list[tuple[str, str]],
                  form: dict[str, str] | None = None) -> dict[str, Any]:
    with _db(request) as s:
        rows = [organisations.as_row(o) for o in organisations.all_organisations(s)]
    return {"title": "Organisations", "organisations": rows, "errors": errors,
            "form": form or {"code": "", "name": "", "org_type": "", "areas": ""},
            "types": A.PARTNER_TYPES, "can_add": allowed(actor, "admin.org.add"),
            "notice": NOTICES.get(request.query_params.get("done", "")),
            "json_url": "/admin/organisations.json"}


@router.get("/organisations")
def organisations_page(request: Request,
                       actor: Actor = Depends(require("admin.org.list"))) -> Response:
    return render(request, "admin_organisations.html", _orgs_context(request, actor, []))


@router.get("/organisations.json")
def organisations_json(request: Request,
                       actor: Actor = Depends(require("admin.org.list"))) -> Response:
    return as_json({"organisations": _orgs_context(request, actor, [])["organisations"]})


def _org_problems(code: str, name: str, org_type: str) -> list[tuple[str, str]]:
    errors = []
    if not code.strip():
        errors.append(("code", "Enter a short code, like cp-icb"))
    if not name.strip():
        errors.append(("name", "Enter the organisation's name"))
    if org_type not in A.PARTNER_TYPES:
        errors.append(("org_type", "Choose the type of organisation"))
    return errors


@router.post("/organisations")
def add_organisation(request: Request, code: str = Form("", max_length=40),
                     name: str = Form("", max_length=200),
                     org_type: str = Form("", max_length=20),
                     areas: str = Form("", max_length=4000),
                     actor: Actor = Depends(require("admin.org.add"))) -> Response:
    form = {"code": code, "name": name, "org_type": org_type, "areas": areas}
    errors = _org_problems(code, name, org_type)
    if not errors:
        try:
            with _db(request) as s, s.begin():
                known = {o.code for o in organisations.all_organisations(s, "council")}
                org = organisations.add(s, code.strip(), name, org_type,
                                        agreements.codes(areas.replace(",", " ").split()),
                                        known)
                row = organisations.as_row(org)
                audit.record(s, actor, "org.add", org.code, ip=_ip(request), detail=row)
        except InputError as exc:
            errors.append(("code", str(exc)))
    if errors:
        if _wants_json(request):
            return as_json({"error": "invalid", "problems": [m for _, m in errors]}, 400)
        return render(request, "admin_organisations.html",
                      _orgs_context(request, actor, errors, form), status_code=400)
    if _wants_json(request):
        return as_json({"added": row}, 201)
    return RedirectResponse("/admin/organisations?done=org_added", status_code=303)


# ---- one organisation's people ---------------------------------------------------------


def _org(s: Session, code: str) -> Organisation:
    org = organisations.find(s, code)
    if org is None:
        raise NotFoundError(f"There is no organisation with code {code!r}.")
    return org


def _people_context(request: Request, code: str, errors: list[tuple[str, str]],
                    **extra: Any) -> dict[str, Any]:
    with _db(request) as s:
        org = _org(s, code)
        people = [A.person_row(u, org) for u in A.people_of(s, org)]
        name, org_type = org.name, org.org_type
    roles = [r for r in ROLES if r != "hub_admin" or org_type == "hub"]
    return {"title": f"People in {name}", "org": {"code": code, "name": name,
                                                   "type": org_type},
            "people": people, "roles": roles, "errors": errors,
            "notice": NOTICES.get(request.query_params.get("done", "")),
            "reset_url": None, "reset_for": None, "form": {}, "json_url":
            f"/admin/organisations/{code}/people.json", **extra}


@router.get("/organisations/{code}/people")
def people_page(request: Request, code: str,
                _: Actor = Depends(require("admin.people.view", managed_org))) -> Response:
    return render(request, "admin_people.html", _people_context(request, code, []))


@router.get("/organisations/{code}/people.json")
def people_json(request: Request, code: str,
                _: Actor = Depends(require("admin.people.view", managed_org))) -> Response:
    context = _people_context(request, code, [])
    return as_json({"organisation": context["org"], "people": context["people"],
                    "roles": context["roles"]})


def _refuse(request: Request, code: str, errors: list[tuple[str, str]],
            form: dict[str, str]) -> Response:
    if _wants_json(request):
        return as_json({"error": "invalid", "problems": [m for _, m in errors]}, 400)
    return render(request, "admin_people.html",
                  _people_context(request, code, errors, form=form), status_code=400)


def _done(request: Request, code: str, key: str, data: dict[str, Any]) -> Response:
    if _wants_json(request):
        return as_json(data)
    return RedirectResponse(f"/admin/organisations/{code}/people?done={key}", status_code=303)


def _member(s: Session, org: Organisation, email: str) -> User | None:
    user = users.find(s, email) if email.strip() else None
    return user if user is not None and org.code in memberships.roles_of(user) else None


def _reset_url(request: Request, token: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/reset-password/{token}"


@router.post("/organisations/{code}/people")
def add_person(request: Request, code: str, email: str = Form("", max_length=320),
               display_name: str = Form("", max_length=200),
               role: str = Form("", max_length=40),
               actor: Actor = Depends(require("admin.user.add", managed_org))) -> Response:
    form = {"email": email, "display_name": display_name, "role": role}
    errors = []
    if role not in ROLES:
        errors.append(("role", "Choose the person's role"))
    link = None
    with _db(request) as s, s.begin():
        org = _org(s, code)
        if not errors and not allowed(actor, "admin.user.add", A.org_target(s, code, role)):
            errors.append(("role", REFUSED))
        if not errors:
            try:
                with s.begin_nested():
                    user = users.add(s, email, display_name)
                    memberships.grant(s, user, org, role)
                    link = resets.issue(s, request.app.state.secret, user)
                    audit.record(s, actor, "user.add", user.email, ip=_ip(request),
                                 detail={"organisation": code, "role": role})
            except InputError as exc:
                errors.append(("email", str(exc)))
    if errors or link is None:
        return _refuse(request, code, errors, form)
    url = _reset_url(request, link)
    if _wants_json(request):
        return as_json({"added": users.normalise(email), "role": role, "reset_url": url}, 201)
    return render(request, "admin_people.html", _people_context(
        request, code, [], notice="The person has been added. Send them this one-time link "
                                  "to set their password (valid 24 hours; it is not shown "
                                  "again).", reset_url=url, reset_for=users.normalise(email)))


def _role_change(request: Request, code: str, email: str, role: str, actor: Actor,
                 grant: bool) -> Response:
    action = "admin.role.grant" if grant else "admin.role.revoke"
    form = {"email": email, "role": role}
    errors: list[tuple[str, str]] = []
    with _db(request) as s, s.begin():
        org = _org(s, code)
        user = users.find(s, email) if grant and email.strip() else _member(s, org, email)
        if role not in ROLES:
            errors.append(("role", "Choose a role"))
        elif user is None:
            errors.append(("email", "There is no account with that email address" if grant
                           else NOT_HERE))
        elif not allowed(actor, action, A.org_target(s, code, role)):
            errors.append(("role", REFUSED))
        elif not grant and user.email == actor.id and role in {"admin", "hub_admin"}:
            errors.append(("role", OWN_ADMIN))
        if not errors and user is not None:
            try:
                with s.begin_nested():
                    if grant:
                        memberships.grant(s, user, org, role)
                    else:
                        memberships.revoke(s, user, org, role)
                    audit.record(s, actor, "role.grant" if grant else "role.revoke",
                                 user.email, ip=_ip(request),
                                 detail={"organisation": code, "role": role})
            except InputError as exc:
                errors.append(("role", str(exc)))
    if errors:
        return _refuse(request, code, errors, form)
    return _done(request, code, "granted" if grant else "revoked",
                 {"email": users.normalise(email), "organisation": code, "role": role,
                  "granted" if grant else "revoked": True})


@router.post("/organisations/{code}/grant")
def grant_role(request: Request, code: str, email: str = Form("", max_length=320),
               role: str = Form("", max_length=40),
               actor: Actor = Depends(require("admin.role.grant", managed_org))) -> Response:
    return _role_change(request, code, email, role, actor, grant=True)


@router.post("/organisations/{code}/revoke")
def revoke_role(request: Request, code: str, email: str = Form("", max_length=320),
                role: str = Form("", max_length=40),
                actor: Actor = Depends(require("admin.role.revoke", managed_org))) -> Response:
    return _role_change(request, code, email, role, actor, grant=False)


def _person_change(request: Request, code: str, email: str, actor: Actor,
                   action: str) -> tuple[list[tuple[str, str]], str | None]:
    """Disable a member, or issue them a reset link; the link's token when issued."""
    errors: list[tuple[str, str]] = []
    token = None
    with _db(request) as s, s.begin():
        org = _org(s, code)
        user = _member(s, org, email)
        if user is None:
            errors.append(("email", NOT_HERE))
        elif not allowed(actor, action, A.person_target(s, user, code)):
            errors.append(("email", REFUSED))
        elif action == "admin.user.disable" and user.email == actor.id:
            errors.append(("email", "You cannot disable your own account"))
        if errors or user is None:
            return errors, None
        if action == "admin.user.disable":
            users.disable(s, user)
        else:
            token = resets.issue(s, request.app.state.secret, user)
        audit.record(s, actor, action.removeprefix("admin."), user.email, ip=_ip(request),
                     detail={"organisation": code})
    return errors, token


@router.post("/organisations/{code}/disable")
def disable_person(request: Request, code: str, email: str = Form("", max_length=320),
                   actor: Actor = Depends(require("admin.user.disable", managed_org))
                   ) -> Response:
    errors, _ = _person_change(request, code, email, actor, "admin.user.disable")
    if errors:
        return _refuse(request, code, errors, {"email": email})
    return _done(request, code, "disabled", {"email": users.normalise(email),
                                             "disabled": True})


@router.post("/organisations/{code}/reset-link")
def reset_link(request: Request, code: str, email: str = Form("", max_length=320),
               actor: Actor = Depends(require("admin.user.reset_link", managed_org))
               ) -> Response:
    errors, token = _person_change(request, code, email, actor, "admin.user.reset_link")
    if errors or token is None:
        return _refuse(request, code, errors, {"email": email})
    url = _reset_url(request, token)
    if _wants_json(request):
        return as_json({"email": users.normalise(email), "reset_url": url})
    return render(request, "admin_people.html", _people_context(
        request, code, [], notice="Send this one-time link to the person (valid 24 hours; it "
                                  "is not shown again).", reset_url=url,
        reset_for=users.normalise(email)))
