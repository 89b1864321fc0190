"""The identity provider over HTTP (the I/O edge): its discovery document and signing keys,
fetched once and kept (the keys fetched again when a token names one not yet seen), and the
token request of the authorization code flow, made with Authlib's client."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc.jwk import KeySet

from wholeplace.oidc.config import OidcConfig

#: Seconds to wait for the identity provider.
TIMEOUT = 10.0


class ProviderError(Exception):
    """The identity provider could not be reached or answered something unusable. The message
    is safe to show: it never holds a secret or a token."""


@dataclass(frozen=True)
class Endpoints:
    """What the discovery document says, as far as this client needs it."""

    authorization: str
    token: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    #: RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), when advertised.
    end_session: str | None = None


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(f"the identity provider did not answer {url} usably "
                            f"({type(exc).__name__})") from exc
    if not isinstance(data, dict):
        raise ProviderError(f"the identity provider's {url} is not a JSON object")
    return data


def endpoints_of(issuer: str, document: dict[str, Any]) -> Endpoints:
    """Read a discovery document, which must name the same issuer (OpenID Connect Discovery
    4.3) and the endpoints the code flow needs."""
    if document.get("issuer") != issuer:
        raise ProviderError(f"the discovery document names issuer {document.get('issuer')!r}, "
                            f"not the configured {issuer!r}")
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")
               if not isinstance(document.get(k), str)]
    if missing:
        raise ProviderError(f"the discovery document has no {', '.join(missing)}")
    algorithms = tuple(a for a in document.get("id_token_signing_alg_values_supported",
                                               ["RS256"]) if a in SIGNING_ALGORITHMS)
    end_session = document.get("end_session_endpoint")
    if not isinstance(end_session, str) or urlsplit(end_session).scheme not in ("https", "http"):
        end_session = None
    return Endpoints(document["authorization_endpoint"], document["token_endpoint"],
                     document["jwks_uri"], algorithms or ("RS256",), end_session)


#: Asymmetric signature algorithms accepted for ID tokens ("none" and HMAC never).
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                      "ES512", "EdDSA")


class Provider:
    """One identity provider, shared by every request (thread-safe)."""

    def __init__(self, config: OidcConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._endpoints: Endpoints | None = None
        self._keys: KeySet | None = None

    def endpoints(self) -> Endpoints:
        with self._lock:
            if self._endpoints is None:
                url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
                self._endpoints = endpoints_of(self.config.issuer, _get_json(url))
            return self._endpoints

    def keys(self, refresh: bool = False) -> KeySet:
        """The provider's public signing keys (fetched again when ``refresh``)."""
        jwks_uri = self.endpoints().jwks_uri
        with self._lock:
            if self._keys is None or refresh:
                try:
                    self._keys = KeySet.import_key_set(_get_json(jwks_uri))  # type: ignore[arg-type]
                except (ValueError, KeyError, TypeError) as exc:
                    raise ProviderError("the identity provider's signing keys cannot be "
                                        "read") from exc
            return self._keys

    def client(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(client_id=self.config.client_id,
                            client_secret=self.config.client_secret,
                            scope="openid email profile", redirect_uri=redirect_uri,
                            code_challenge_method="S256", timeout=TIMEOUT)

    def authorization_url(self, redirect_uri: str, state: str, nonce: str,
                          code_verifier: str) -> str:
        with self.client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                self.endpoints().authorization, state=state, nonce=nonce,
                code_verifier=code_verifier)
        return str(url)

    def exchange(self, redirect_uri: str, code: str, code_verifier: str) -> str:
        """Trade the code (with the PKCE verifier) for tokens; the ID token."""
        try:
            with self.client(redirect_uri) as client:
                token = client.fetch_token(self.endpoints().token, code=code,
                                           code_verifier=code_verifier,
                                           grant_type="authorization_code")
        except ProviderError:
            raise
        except Exception as exc:  # Authlib raises OAuthError, httpx its own: both mean "no"
            raise ProviderError("the identity provider refused the sign-in code "
                                f"({type(exc).__name__}: {getattr(exc, 'error', '')})") from exc
        id_token = token.get("id_token") if isinstance(token, dict) else None
        if not isinstance(id_token, str):
            raise ProviderError("the identity provider sent no ID token")
        return id_token

    def logout_url(self, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """Where to send a person signing out so the provider ends its session too (its
        ``end_session_endpoint`` with ``id_token_hint``, ``post_logout_redirect_uri`` and
        ``client_id``); None when the provider advertises none or cannot be reached (the
        person is then signed out here only)."""
        try:
            endpoint = self.endpoints().end_session
        except ProviderError:
            return None
        if endpoint is None:
            return None
        query = urlencode({"id_token_hint": id_token, "client_id": self.config.client_id,
                           "post_logout_redirect_uri": post_logout_redirect_uri})
        return f"{endpoint}{'&' if urlsplit(endpoint).query else '?'}{query}"
