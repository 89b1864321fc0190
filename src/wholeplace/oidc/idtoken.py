"""Verifying an ID token (pure: the keys are given): its signature against the provider's
keys, then its issuer, audience, authorised party, expiry, issue time, subject and nonce."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

#: Seconds of clock difference allowed between this server and the provider.
LEEWAY = 60

#: Why a claim may be refused, in words a person can act on.
CLAIM_REASONS = {
    "iss": "it was issued by another identity provider",
    "aud": "it was issued for another service",
    "azp": "it was issued for another service",
    "nonce": "it does not belong to this sign-in (its nonce is wrong)",
    "iat": "its issue time is in the future",
    "nbf": "it is not valid yet",
}


class IdTokenRefused(Exception):
    """The ID token cannot be accepted; ``reason`` says why (safe to show and audit)."""

    def __init__(self, reason: str, unknown_key: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unknown_key = unknown_key


def _decode(value: str, keys: KeySet, algorithms: Sequence[str]) -> jwt.Token:
    try:
        return jwt.decode(value, keys, algorithms=list(algorithms))
    except BadSignatureError as exc:
        raise IdTokenRefused("its signature is not valid") from exc
    except InvalidKeyIdError as exc:
        raise IdTokenRefused("it is signed with a key the identity provider does not publish",
                             unknown_key=True) from exc
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise IdTokenRefused("it cannot be read, or is not signed with an accepted "
                             "algorithm") from exc


def verify(value: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str,
           algorithms: Sequence[str] = ("RS256",), leeway: int = LEEWAY) -> dict[str, Any]:
    """The token's claims, or :class:`IdTokenRefused` saying what is wrong."""
    token = _decode(value, keys, algorithms)
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        leeway=leeway, iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id}, sub={"essential": True},
        exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce})
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise IdTokenRefused("it has expired") from exc
    except MissingClaimError as exc:
        raise IdTokenRefused(f"it lacks the required claim {exc.claim!r}") from exc
    except InvalidClaimError as exc:
        raise IdTokenRefused(CLAIM_REASONS.get(exc.claim, f"its claim {exc.claim!r} is not "
                                                           "valid")) from exc
    except JoseError as exc:
        raise IdTokenRefused(f"a claim is not valid ({exc.description})") from exc
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise IdTokenRefused(CLAIM_REASONS["azp"])
    return claims
