"""A small but real OpenID Connect issuer for tests: an HTTP server on a free local port in a
thread, serving discovery, JWKS, authorize, token and end-session (logout) endpoints, signing ID tokens with an RSA
key made here (joserfc). Its answers can be bent (a claim changed, another signing key) so a
test can check that the app refuses each bad answer."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.access_support import csrf_of

CLIENT_ID = "wholeplace-test-client"
CLIENT_SECRET = "a-client-secret-made-for-this-test-only"


class Issuer:
    """The issuer's state: the key, codes handed out, and how to bend the next ID token."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.codes: dict[str, dict[str, str]] = {}
        self.claims: dict[str, Any] = {}  # overrides of the next ID tokens' claims
        self.sign_with: RSAKey | None = None  # another key, same kid: a bad signature
        self.token_requests: list[dict[str, str]] = []
        self.end_session = True  # advertise an end_session_endpoint (RP-initiated logout)
        self.issued: list[str] = []  # every ID token handed out
        self.logouts: list[dict[str, str]] = []  # each end-session request's query
        self.subject = "subject-0001"
        self.email = "dpo@cambridge.example"
        self.url = ""

    def discovery(self) -> dict[str, Any]:
        document = {"issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                    "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"]}
        if self.end_session:
            document["end_session_endpoint"] = f"{self.url}/logout"
        return document

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.url, "sub": self.subject, "aud": CLIENT_ID,
                                  "exp": now + 300, "iat": now, "nonce": nonce,
                                  "email": self.email, "email_verified": True}
        claims.update(self.claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        key = self.sign_with or self.key
        token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
        self.issued.append(token)
        return token

    def hint_is_ours(self, token: str) -> bool:
        """Whether an ``id_token_hint`` is an ID token this issuer signed for the client."""
        try:
            claims = jwt.decode(token, self.key).claims
        except Exception:  # joserfc's errors for a bad or foreign token: not ours
            return False
        return claims.get("iss") == self.url and claims.get("aud") == CLIENT_ID


def _handler(issuer: Issuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, issuer.discovery())
            elif parts.path == "/jwks":
                self._json(200, {"keys": [issuer.key.as_dict(private=False)]})
            elif parts.path == "/authorize":
                self._authorize(query)
            elif parts.path == "/logout" and issuer.end_session:
                self._logout(query)
            else:
                self._json(404, {"error": "not_found"})

        def _authorize(self, query: dict[str, str]) -> None:
            ok = (query.get("response_type") == "code" and query.get("client_id") == CLIENT_ID
                  and query.get("code_challenge_method") == "S256"
                  and "openid" in query.get("scope", "").split()
                  and query.get("code_challenge") and query.get("nonce"))
            if not ok:
                self._json(400, {"error": "invalid_request", "query": query})
                return
            code = secrets.token_urlsafe(16)
            issuer.codes[code] = query
            target = query["redirect_uri"] + "?" + urlencode({"code": code,
                                                              "state": query["state"]})
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()

        def _logout(self, query: dict[str, str]) -> None:
            """RP-initiated logout: a hint this issuer signed, for this client; back to the
            post-logout address."""
            issuer.logouts.append(query)
            if not issuer.hint_is_ours(query.get("id_token_hint", "")) \
                    or query.get("client_id") != CLIENT_ID \
                    or not query.get("post_logout_redirect_uri"):
                self._json(400, {"error": "invalid_request"})
                return
            self.send_response(302)
            self.send_header("Location", query["post_logout_redirect_uri"])
            self.end_headers()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            issuer.token_requests.append(form)
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                cid, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            else:
                cid, secret = form.get("client_id", ""), form.get("client_secret", "")
            asked = issuer.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if (cid, secret) != (CLIENT_ID, CLIENT_SECRET) or asked is None \
                    or challenge != asked["code_challenge"] \
                    or form.get("redirect_uri") != asked["redirect_uri"] \
                    or form.get("grant_type") != "authorization_code":
                self._json(400, {"error": "invalid_grant"})
                return
            self._json(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                             "expires_in": 300, "id_token": issuer.id_token(asked["nonce"])})

    return Handler


@contextmanager
def running_issuer() -> Iterator[Issuer]:
    issuer = Issuer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(issuer))
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def oidc_settings(issuer: Issuer, organisations: str) -> dict[str, object]:
    return {"oidc_issuer": issuer.url, "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET, "oidc_organisations": organisations}


def start(client: TestClient) -> str:
    """Press the button on the sign-in page; the issuer's authorize address it sends to."""
    response = client.post("/sign-in/oidc", data={"csrf_token": csrf_of(client), "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


def at_issuer(authorize_url: str) -> str:
    """The person signs in at the issuer (a real HTTP request); the app's callback path."""
    answer = httpx.get(authorize_url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    parts = urlsplit(answer.headers["location"])
    return f"{parts.path}?{parts.query}"


def oidc_sign_in(client: TestClient) -> httpx.Response:
    return client.get(at_issuer(start(client)), follow_redirects=False)
