"""Settings, resolved from arguments, environment variables and defaults by a function.

Nothing is read at import time: call :func:`get_settings` where a setting is needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
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


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}
