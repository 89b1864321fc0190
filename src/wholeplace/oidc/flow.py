"""The sign-in itself: start (state, nonce and PKCE verifier kept against the browser's
session), and finish (state checked, code exchanged, ID token verified, the account found).

Nobody is registered here: the person must already have an account, found by the subject
recorded at an earlier sign-in or by the token's verified email, that is not disabled and holds
a role in an organisation this provider may sign people in for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from authlib.common.security import generate_token
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wholeplace.access import memberships, users
from wholeplace.access.models import User
from wholeplace.access.tokens import keyed_hash
from wholeplace.appdb import utcnow
from wholeplace.oidc import idtoken
from wholeplace.oidc.config import OidcConfig
from wholeplace.oidc.models import OidcIdentity, OidcLogin, OidcSession
from wholeplace.oidc.provider import Provider, ProviderError

#: How long a person has to sign in at the provider and come back.
PENDING_LIFETIME = timedelta(minutes=10)

STATE_MISMATCH = ("This sign-in could not be finished: it did not start in this browser, was "
                  "already used or took longer than 10 minutes. You have not been signed in. "
                  "Start again from the sign-in page.")
NO_ACCOUNT = ("There is no wholeplace account for {email}. Accounts are not created by "
              "signing in: ask your organisation's administrator to add you.")
DISABLED = ("The wholeplace account for {email} is disabled. Ask your organisation's "
            "administrator.")
NO_ROLE = ("The account for {email} has no role in an organisation that signs in through this "
           "identity provider. Ask your organisation's administrator.")
NO_EMAIL = ("Your organisation's account did not give a verified email address, so it cannot "
            "be matched to a wholeplace account. Ask your administrator.")
OTHER_SUBJECT = ("The wholeplace account for {email} is linked to a different account at your "
                 "organisation's identity provider. Ask your administrator.")
BAD_TOKEN = ("Your organisation's sign-in service sent an answer this service cannot accept: "
             "{reason}. You have not been signed in. Try again; if it keeps happening, tell "
             "your administrator.")
UNREACHABLE = ("Your organisation's sign-in service could not be used just now ({reason}). "
               "You have not been signed in. Try again later, or sign in with your password.")
PROVIDER_SAID_NO = ("Your organisation's sign-in service did not sign you in ({reason}). "
                    "Try again, or sign in with your password.")


class OidcRefused(Exception):
    """A refused OpenID Connect sign-in: ``message`` for the person, ``reason`` for the audit
    trail, ``email`` when the provider vouched for one."""

    def __init__(self, message: str, reason: str, email: str | None = None,
                 status_code: int = 400) -> None:
        super().__init__(message)
        self.message, self.reason, self.email = message, reason, email
        self.status_code = status_code


@dataclass(frozen=True)
class Finished:
    user: User
    next_path: str
    organisations: tuple[str, ...]  # the person's organisations this provider signs in for
    subject: str
    id_token: str = field(default="", repr=False)  # verified; kept for RP-initiated logout


def begin(session: Session, provider: Provider, secret: str, session_hash: str,
          redirect_uri: str, next_path: str) -> str:
    """Record a sign-in under way for this browser session; the provider's address to send the
    person to."""
    state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
    now = utcnow()
    session.execute(delete(OidcLogin).where(OidcLogin.expires_at <= now))
    try:
        url = provider.authorization_url(redirect_uri, state, nonce, verifier)
    except ProviderError as exc:
        raise OidcRefused(UNREACHABLE.format(reason=exc), f"provider: {exc}",
                          status_code=503) from exc
    session.add(OidcLogin(state_hash=keyed_hash(secret, state), session_hash=session_hash,
                          nonce=nonce, code_verifier=verifier, next_path=next_path,
                          created_at=now, expires_at=now + PENDING_LIFETIME))
    session.flush()
    return url


def take_pending(session: Session, secret: str, state: str | None,
                 session_hash: str | None) -> OidcLogin:
    """The sign-in this state belongs to, spent (deleted) so it can never be used again; it
    must have started in this browser session and not have expired."""
    found = session.get(OidcLogin, keyed_hash(secret, state)) \
        if state and len(state) <= 200 else None
    if found is None:
        raise OidcRefused(STATE_MISMATCH, "state unknown or already used")
    session.delete(found)
    session.flush()
    if session_hash is None or found.session_hash != session_hash:
        raise OidcRefused(STATE_MISMATCH, "state from another browser session")
    if found.expires_at <= utcnow():
        raise OidcRefused(STATE_MISMATCH, "sign-in took too long")
    return found


def verified_claims(provider: Provider, id_token: str, nonce: str) -> dict[str, Any]:
    """The ID token's claims once verified (the keys fetched again if it names a new one)."""
    config = provider.config
    algorithms = provider.endpoints().algorithms
    try:
        try:
            return idtoken.verify(id_token, provider.keys(), issuer=config.issuer,
                                  client_id=config.client_id, nonce=nonce,
                                  algorithms=algorithms)
        except idtoken.IdTokenRefused as exc:
            if not exc.unknown_key:
                raise
            return idtoken.verify(id_token, provider.keys(refresh=True), issuer=config.issuer,
                                  client_id=config.client_id, nonce=nonce,
                                  algorithms=algorithms)
    except idtoken.IdTokenRefused as exc:
        raise OidcRefused(BAD_TOKEN.format(reason=exc.reason), f"id token: {exc.reason}") \
            from exc
    except ProviderError as exc:
        raise OidcRefused(UNREACHABLE.format(reason=exc), f"provider: {exc}",
                          status_code=503) from exc


def _email_of(config: OidcConfig, claims: dict[str, Any]) -> str | None:
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        return None
    if claims.get("email_verified") is True or config.trust_email:
        return users.normalise(email)
    return None


def account_for(session: Session, config: OidcConfig, claims: dict[str, Any],
                allow_demonstration: bool = False) -> tuple[User, tuple[str, ...]]:
    """The existing, enabled account these claims identify and its organisations this provider
    signs in for; the subject is recorded for the account at its first such sign-in."""
    subject = str(claims["sub"])
    identity = session.get(OidcIdentity, (config.issuer, subject))
    user = session.get(User, identity.user_id) if identity is not None else None
    email = _email_of(config, claims)
    if user is None:
        if email is None:
            raise OidcRefused(NO_EMAIL, "no verified email")
        user = users.find(session, email)
        if user is None:
            raise OidcRefused(NO_ACCOUNT.format(email=email), "no such account", email)
    shown = user.email
    if user.disabled:
        raise OidcRefused(DISABLED.format(email=shown), "disabled", shown)
    if user.demonstration and not allow_demonstration:
        raise OidcRefused(NO_ACCOUNT.format(email=shown),
                          "demonstration account outside development", shown)
    organisations = tuple(sorted(set(memberships.roles_of(user)) & set(config.organisations)))
    if not organisations:
        raise OidcRefused(NO_ROLE.format(email=shown), "no role in the provider's "
                                                       "organisations", shown)
    if identity is None:
        linked = session.scalar(select(OidcIdentity).where(
            OidcIdentity.user_id == user.id, OidcIdentity.issuer == config.issuer))
        if linked is not None:
            raise OidcRefused(OTHER_SUBJECT.format(email=shown), "linked to another subject",
                              shown)
        identity = OidcIdentity(issuer=config.issuer, subject=subject, user_id=user.id,
                                created_at=utcnow())
        session.add(identity)
    identity.last_sign_in = utcnow()
    session.flush()
    return user, organisations


def finish(session: Session, provider: Provider, secret: str, *, state: str | None,
           code: str | None, error: str | None, session_hash: str | None,
           redirect_uri: str, allow_demonstration: bool = False) -> Finished:
    """Complete the sign-in the provider sent the person back from, or :class:`OidcRefused`.
    The caller commits in both cases (the spent state and the audit entry must be kept)."""
    pending = take_pending(session, secret, state, session_hash)
    if error:
        raise OidcRefused(PROVIDER_SAID_NO.format(reason=error[:100]),
                          f"provider said {error[:100]}")
    if not code or len(code) > 4000:
        raise OidcRefused(PROVIDER_SAID_NO.format(reason="no code was sent back"), "no code")
    try:
        id_token = provider.exchange(redirect_uri, code, pending.code_verifier)
    except ProviderError as exc:
        raise OidcRefused(UNREACHABLE.format(reason=exc), f"provider: {exc}",
                          status_code=503) from exc
    claims = verified_claims(provider, id_token, pending.nonce)
    user, organisations = account_for(session, provider.config, claims, allow_demonstration)
    return Finished(user, pending.next_path, organisations, str(claims["sub"]), id_token)


def remember_sign_in(session: Session, provider: Provider, session_hash: str,
                     id_token: str) -> None:
    """Keep the ID token a new session signed in with, for the provider's logout."""
    session.add(OidcSession(session_hash=session_hash, issuer=provider.config.issuer,
                            id_token=id_token, created_at=utcnow()))
    session.flush()


def logout_url(session: Session, provider: Provider, session_hash: str,
               post_logout_redirect_uri: str) -> str | None:
    """Where to send a person who signed in here through ``provider`` and is signing out (the
    provider's end-session endpoint, RP-initiated logout); None for a session that did not
    sign in through it, or when the provider advertises no such endpoint. Read before the
    session is ended (its ID token goes with it)."""
    found = session.get(OidcSession, session_hash)
    if found is None or found.issuer != provider.config.issuer:
        return None
    return provider.logout_url(found.id_token, post_logout_redirect_uri)
