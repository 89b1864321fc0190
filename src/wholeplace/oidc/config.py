"""OpenID Connect settings, checked once when the app starts: all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from wholeplace.config import Settings
from wholeplace.errors import ConfigError

#: Hosts where an http:// issuer is accepted (a test or development provider on this machine).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class OidcConfig:
    """A configured identity provider. The secret is left out of ``repr`` so it never reaches
    a log or a traceback."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    organisations: tuple[str, ...]
    redirect_uri: str | None = None
    trust_email: bool = False


def _secret(settings: Settings) -> str:
    if settings.oidc_client_secret is not None:
        return settings.oidc_client_secret.get_secret_value().strip()
    path: Path | None = settings.oidc_client_secret_file
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"WHOLEPLACE_OIDC_CLIENT_SECRET_FILE {path} cannot be read "
                          f"({exc.strerror}). Check the path and its permissions.") from exc


def _problems(settings: Settings, secret: str, organisations: tuple[str, ...]) -> list[str]:
    problems = []
    issuer = settings.oidc_issuer or ""
    parts = urlsplit(issuer)
    if parts.scheme != "https" and not (parts.scheme == "http"
                                        and parts.hostname in LOCAL_HOSTS):
        problems.append(f"WHOLEPLACE_OIDC_ISSUER {issuer!r} must be an https:// URL")
    if not (settings.oidc_client_id or "").strip():
        problems.append("WHOLEPLACE_OIDC_CLIENT_ID is not set")
    if not secret:
        problems.append("no client secret: set WHOLEPLACE_OIDC_CLIENT_SECRET_FILE (or "
                        "WHOLEPLACE_OIDC_CLIENT_SECRET)")
    if not organisations:
        problems.append("WHOLEPLACE_OIDC_ORGANISATIONS names no organisation (the codes of "
                        "the organisations it may sign people in for, comma-separated)")
    return problems


def oidc_config(settings: Settings) -> OidcConfig | None:
    """The provider, None when ``WHOLEPLACE_OIDC_ISSUER`` is unset, or a ConfigError naming
    every missing or wrong setting."""
    if not (settings.oidc_issuer or "").strip():
        return None
    secret = _secret(settings)
    organisations = tuple(sorted({c.strip() for c in settings.oidc_organisations.split(",")
                                  if c.strip()}))
    problems = _problems(settings, secret, organisations)
    if problems:
        raise ConfigError("OpenID Connect sign-in is half configured: " + "; ".join(problems)
                          + ". Set these, or unset WHOLEPLACE_OIDC_ISSUER.")
    return OidcConfig(issuer=(settings.oidc_issuer or "").strip(),
                      client_id=(settings.oidc_client_id or "").strip(),
                      client_secret=secret, organisations=organisations,
                      redirect_uri=settings.oidc_redirect_uri,
                      trust_email=settings.oidc_trust_email)
