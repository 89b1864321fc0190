"""Sign in, sign out (here or everywhere), choose the organisation to act for, and reset a
password through a one-time link. Pages work without JavaScript; every form carries the
session's CSRF token (checked for every state-changing request by guard.csrf_protect)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from wholeplace.access import audit, organisations, resets, sessions, signin
from wholeplace.access.models import WebSession
from wholeplace.config import is_development
from wholeplace.errors import InputError
from wholeplace.web.access import COOKIE, require
from wholeplace.web.access.forms import form_token, set_new_session_cookie
from wholeplace.web.access.state import actor_of_request, session_of_request
from wholeplace.web.render import as_json, render
from wholeplace.web.routes import oidc_signin

router = APIRouter(include_in_schema=False)


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _lifetime(request: Request) -> timedelta:
    return timedelta(minutes=request.app.state.settings.session_minutes)


def _set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(COOKIE, token, max_age=int(_lifetime(request).total_seconds()),
                        httponly=True, samesite="lax", path="/",
                        secure=request.app.state.settings.cookie_secure)


def _db(request: Request) -> Session:
    factory: sessionmaker[Session] = request.app.state.appdb
    return factory()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _with_form_session(request: Request, template: str, context: dict[str, object],
                       status_code: int = 200) -> Response:
    """Render a form; an anonymous visitor without a session gets one to carry the token."""
    form_token(request)
    response = render(request, template, context, status_code)
    set_new_session_cookie(request, response)
    return response


@router.get("/sign-in")
def sign_in_page(request: Request, next: str | None = None, reset: bool = False) -> Response:
    return _with_form_session(request, "sign_in.html", {
        "title": "Sign in", "next": _safe_next(next), "errors": [], "email": "",
        "notice": "Your password has been changed. Sign in with it." if reset else None})


@router.post("/sign-in")
def sign_in(request: Request, email: str = Form("", max_length=320),
            password: str = Form("", max_length=1024),
            next: str = Form("/", max_length=2000)) -> Response:
    errors = []
    if not email.strip():
        errors.append(("email", "Enter your email address"))
    if not password:
        errors.append(("password", "Enter your password"))
    user = None
    with _db(request) as s, s.begin():
        if not errors:
            try:
                user = signin.authenticate(
                    s, email, password, _ip(request),
                    allow_demonstration=is_development(request.app.state.settings))
            except signin.SignInError as exc:
                errors.append(("email", str(exc)))
        if user is not None:
            old = session_of_request(request)
            if old is not None:  # rotate: the pre-sign-in id never becomes a signed-in one
                stale = s.get(WebSession, old.id_hash)
                if stale is not None:
                    sessions.end(s, stale)
            actor = signin.actor_of(user, None)
            org = organisations.find(s, actor.acting_for) if actor.acting_for else None
            token, _ = sessions.create(s, request.app.state.secret, _lifetime(request),
                                       user.id, org.id if org else None)
    if errors or user is None:
        return render(request, "sign_in.html", {"title": "Sign in", "errors": errors,
                                                "email": email, "next": _safe_next(next),
                                                "notice": None}, status_code=400)
    target = "/choose-organisation" if actor.acting_for is None and actor.roles \
        else _safe_next(next)
    response = RedirectResponse(target, status_code=303)
    _set_cookie(request, response, token)
    return response


def _end(request: Request, everywhere: bool) -> Response:
    web = session_of_request(request)
    actor = actor_of_request(request)
    target = "/signed-out"
    with _db(request) as s, s.begin():
        provider_logout = oidc_signin.provider_logout(request, s, web.id_hash) \
            if web is not None and web.user_id is not None else None
        if web is not None and everywhere and web.user_id is not None:
            sessions.end_all(s, web.user_id)
        elif web is not None:
            stale = s.get(WebSession, web.id_hash)
            if stale is not None:
                sessions.end(s, stale)
        if actor is not None:
            audit.record(s, actor, "sign_out.everywhere" if everywhere else "sign_out",
                         actor.id, ip=_ip(request),
                         detail={"provider_logout": True} if provider_logout else None)
        if provider_logout:
            target = provider_logout
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/sign-out")
def sign_out(request: Request, _: object = Depends(require("session.sign_out"))) -> Response:
    return _end(request, everywhere=False)


@router.post("/sign-out-everywhere")
def sign_out_everywhere(request: Request,
                        _: object = Depends(require("session.sign_out"))) -> Response:
    return _end(request, everywhere=True)


@router.get("/signed-out")
def signed_out(request: Request) -> Response:
    return render(request, "signed_out.html", {"title": "You have signed out"})


def _account(request: Request) -> dict[str, object]:
    actor = actor_of_request(request)
    if actor is None:
        return {"signed_in": False}
    return {"signed_in": True, "email": actor.id, "display_name": actor.display_name,
            "acting_for": actor.acting_for,
            "organisations": {code: sorted(roles) for code, roles in actor.roles.items()}}


@router.get("/account.json")
def account_json(request: Request) -> Response:
    return as_json(_account(request))


@router.get("/choose-organisation")
def choose_page(request: Request,
                _: object = Depends(require("session.choose_org"))) -> Response:
    return render(request, "choose_org.html", _choose_context(request, []))


def _choose_context(request: Request, errors: list[tuple[str, str]]) -> dict[str, object]:
    actor = actor_of_request(request)
    assert actor is not None
    with _db(request) as s:
        names = {code: (organisations.find(s, code) or organisations.get(s, code)).name
                 for code in actor.roles}
    return {"title": "Choose the organisation you are acting for", "errors": errors,
            "choices": sorted(((c, names[c], sorted(r)) for c, r in actor.roles.items()),
                              key=lambda x: x[1]), "json_url": "/account.json"}


@router.post("/choose-organisation")
def choose(request: Request, organisation: str = Form("", max_length=40),
           _: object = Depends(require("session.choose_org"))) -> Response:
    actor = actor_of_request(request)
    web = session_of_request(request)
    assert actor is not None and web is not None
    if organisation not in actor.roles:
        return render(request, "choose_org.html", _choose_context(
            request, [("organisation", "Choose one of your organisations")]), status_code=400)
    with _db(request) as s, s.begin():
        stored = s.get(WebSession, web.id_hash)
        if stored is not None:
            stored.acting_org_id = organisations.get(s, organisation).id
        audit.record(s, actor.acting(organisation), "session.choose_org", organisation,
                     ip=_ip(request))
    return RedirectResponse("/", status_code=303)


@router.get("/reset-password/{token}")
def reset_page(request: Request, token: str) -> Response:
    with _db(request) as s:
        try:
            resets.check(s, request.app.state.secret, token)
        except InputError as exc:
            return render(request, "reset_refused.html", {"title": "This link cannot be used",
                                                          "message": str(exc)}, 400)
    return _with_form_session(request, "reset_password.html",
                              {"title": "Set your password", "errors": [], "token": token})


@router.post("/reset-password/{token}")
def reset(request: Request, token: str, password: str = Form("", max_length=1024),
          confirm: str = Form("", max_length=1024)) -> Response:
    errors = []
    if password != confirm:
        errors.append(("confirm", "The two passwords are not the same"))
    with _db(request) as s, s.begin():
        try:
            resets.check(s, request.app.state.secret, token)
        except InputError as exc:
            return render(request, "reset_refused.html", {"title": "This link cannot be used",
                                                          "message": str(exc)}, 400)
        if not errors:
            try:
                user = resets.consume(s, request.app.state.secret, token, password)
                audit.record(s, user.email, "password.reset", user.email, ip=_ip(request))
            except InputError as exc:
                errors.append(("password", str(exc)))
    if errors:
        return render(request, "reset_password.html", {"title": "Set your password",
                                                       "errors": errors, "token": token}, 400)
    return RedirectResponse("/sign-in?reset=1", status_code=303)
