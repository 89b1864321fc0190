"""Settings, resolved from arguments, environment variables and defaults by a function.

Nothing is read at import time: call :func:`get_settings` where a setting is needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from wholeplace.errors import ConfigError

#: Where the store lives when neither ``--db`` nor ``WHOLEPLACE_DB`` says otherwise.
DEFAULT_DB = Path("data") / "wholeplace.duckdb"


def _default_sources() -> Path | None:
    """``../shared/data`` relative to the working directory, when it exists."""
    candidate = Path("..") / "shared" / "data"
    return candidate.resolve() if candidate.is_dir() else None


class Settings(BaseSettings):
    """Runtime settings. Environment variables use the ``WHOLEPLACE_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="WHOLEPLACE_", extra="ignore")

    db: Path = Field(default=DEFAULT_DB, description="Path of the DuckDB data hub file.")
    sources: Path | None = Field(
        default_factory=_default_sources,
        description="Directory holding the published source files (default ../shared/data).",
    )
    host: str = Field(default="127.0.0.1", description="Address the web app listens on.")
    port: int = Field(default=8000, description="Port the web app listens on.")
    hub_writable: bool = Field(
        default=False,
        description="Open the hub read-write in the web process (one DuckDB connection, a "
                    "cursor per request), so uploads can load while pages are read. Then no "
                    "other process may open the hub file.")
    upload_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024,
        description="The largest web upload accepted (the whole form: data file and metadata "
                    "file), in bytes; a larger one is refused with 413.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the application database (organisations, people, "
                    "sessions, agreements, audit), e.g. postgresql+psycopg://user@host/wholeplace. "
                    "Default: a SQLite file wholeplace-app.sqlite beside the hub file.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Secret for keyed hashes of session ids and reset tokens at rest. Required "
                    "outside development (WHOLEPLACE_ENV=development generates one per process).",
    )
    env: str = Field(default="production",
                     description="production, development or demo. Only development and demo "
                                 "allow a generated secret and the demonstration password.")
    session_minutes: int = Field(default=480, ge=5, le=7 * 24 * 60,
                                 description="How long a sign-in lasts, in minutes.")
    session_idle_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60,
                                      description="A sign-in unused for this many minutes "
                                                  "ends (the idle timeout).")
    cookie_secure: bool = Field(default=True,
                                description="Send the session cookie over HTTPS only. Set "
                                            "WHOLEPLACE_COOKIE_SECURE=0 for local http.")
    oidc_issuer: str | None = Field(
        default=None,
        description="OpenID Connect issuer URL of the organisation's identity provider (e.g. "
                    "https://login.microsoftonline.com/<tenant id>/v2.0). Unset: no OpenID "
                    "Connect sign-in.")
    oidc_client_id: str | None = Field(default=None,
                                       description="The client (application) id registered "
                                                   "with the identity provider.")
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="The client secret (never logged). Prefer "
                                  "WHOLEPLACE_OIDC_CLIENT_SECRET_FILE.")
    oidc_client_secret_file: Path | None = Field(
        default=None, description="A file holding the client secret (e.g. a container secret).")
    oidc_organisations: str = Field(
        default="", description="Comma-separated codes of the organisations OpenID Connect may "
                                "sign people in for (e.g. E07000008).")
    oidc_redirect_uri: str | None = Field(
        default=None, description="The callback address registered with the identity provider "
                                  "(default: this site's /sign-in/oidc/callback).")
    oidc_trust_email: bool = Field(
        default=False, description="Accept the ID token's email without email_verified: only "
                                   "for a provider that issues emails from its own directory "
                                   "and omits the claim (Microsoft Entra ID).")
    residents: Path = Field(default=Path("data") / "residents.duckdb",
                            description="The residents index workspace (DuckDB file).")
    resident_keys: Path = Field(default=Path("data") / "residents-keys",
                                description="The folder of the residents index's "
                                            "pseudonymisation keys, one file per purpose.")


def get_settings(db: Path | str | None = None, sources: Path | str | None = None) -> Settings:
    """Build settings: explicit arguments win over environment variables and defaults."""
    overrides: dict = {}
    if db is not None:
        overrides["db"] = Path(db)
    if sources is not None:
        overrides["sources"] = Path(sources)
    return Settings(**overrides)


def sources_dir(settings: Settings) -> Path:
    """The sources directory, or a clear error when none is configured or it does not exist.

    Checked here, where a command needs the files, not in :func:`get_settings`: commands that
    only read the hub work whatever ``WHOLEPLACE_SOURCES`` says.
    """
    if settings.sources is None:
        raise ConfigError(
            "No sources directory is configured and ../shared/data does not exist here. "
            "Set WHOLEPLACE_SOURCES (or pass --sources) to the folder of published data "
            "files. 'wholeplace fetch' lists the page each file can be downloaded from."
        )
    if not settings.sources.is_dir():
        raise ConfigError(
            f"The sources directory {settings.sources} does not exist. Set WHOLEPLACE_SOURCES "
            "(or pass --sources) to the folder holding the published data files."
        )
    return settings.sources


#: Environments where a generated secret and the demonstration password are allowed.
DEVELOPMENT_ENVS = frozenset({"development", "demo"})

#: Values that are never accepted as a secret key.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "dev",
                                 "development", "xxx", "none", "default"})

#: The file a generated development secret is kept in, beside the hub file, so the CLI (which
#: issues reset links) and the web app agree on it. Never used outside development.
DEV_SECRET_FILE = ".wholeplace-dev-secret"


def _development_secret(settings: Settings) -> str:
    import secrets

    path = settings.db.parent / DEV_SECRET_FILE
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except OSError:
        existing = ""
    if len(existing) >= 32:
        return existing
    value = secrets.token_urlsafe(48)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value)
    except OSError:
        pass  # a read-only data directory: the secret lasts as long as this process
    return value


def is_development(settings: Settings) -> bool:
    return settings.env.lower() in DEVELOPMENT_ENVS


def database_url(settings: Settings) -> str:
    """The application database's URL: WHOLEPLACE_DATABASE_URL, else SQLite beside the hub."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{(settings.db.parent / 'wholeplace-app.sqlite').resolve()}"


def secret_key(settings: Settings) -> str:
    """The configured secret; a generated one only in development (kept in
    ``<data directory>/.wholeplace-dev-secret``); otherwise a clear error."""
    value = (settings.secret_key or "").strip()
    if value and value.lower() not in PLACEHOLDER_SECRETS and len(value) >= 32:
        return value
    if is_development(settings):
        return _development_secret(settings)
    problem = "is not set" if not value else "is a placeholder or shorter than 32 characters"
    raise ConfigError(
        f"WHOLEPLACE_SECRET_KEY {problem}. Set it to a long random value, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`, or set "
        "WHOLEPLACE_ENV=development on a development machine."
    )


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}
