"""Alembic, driven from code: no alembic.ini is needed at run time.

Migrations live beside the code that owns the tables: ``appdb/migrations/versions`` holds the
``access`` branch (the base every other branch depends on); a later package adds its own
``wholeplace/<package>/migrations/`` folder of revision files with its own ``branch_labels``
and ``depends_on`` the access base, and ``upgrade`` (``heads``) applies every branch.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from wholeplace.errors import ConfigError

HERE = Path(__file__).parent
PACKAGE = HERE.parent


class NotMigratedError(ConfigError):
    """The application database is missing tables or behind the code's migrations."""

    status_code = 503


def version_locations() -> list[Path]:
    """The access base's versions folder, then every package's own ``migrations/`` folder."""
    found = [HERE / "migrations" / "versions"]
    for folder in sorted(PACKAGE.glob("*/migrations")):
        if folder.parent.name != "appdb" and any(folder.glob("*.py")):
            found.append(folder)
    return found


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE / "migrations"))
    config.set_main_option("version_locations",
                           " ".join(str(p) for p in version_locations()))
    config.set_main_option("path_separator", "space")
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, target: str = "heads") -> None:
    """Apply every migration not yet applied (all branches)."""
    command.upgrade(alembic_config(engine), target)


def head_revisions(engine: Engine) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    """The revisions the database is at, counting each head applied as a dependency of
    another branch (Alembic records only the dependent: a ``consult`` branch that depends on
    ``0001_access`` leaves just ``0001_consult`` in alembic_version)."""
    with engine.connect() as connection:
        recorded = set(MigrationContext.configure(connection).get_current_heads())
    if not recorded:
        return recorded
    script = ScriptDirectory.from_config(alembic_config(engine))
    applied = {r.revision for r in script.iterate_revisions(tuple(recorded), "base")}
    return recorded | (set(script.get_heads()) & applied)


def applied_revisions(engine: Engine, current: set[str]) -> set[str]:
    """Every revision applied: the current ones and all they rest on, ancestors and
    dependencies (a branch that ``depends_on`` the access base replaces it in the version
    table once applied)."""
    if not current:
        return set()
    script = ScriptDirectory.from_config(alembic_config(engine))
    found: set[str] = set()
    for revision in current:  # one at a time: Alembic refuses overlapping requests
        found |= {r.revision for r in script.revision_map.iterate_revisions(
            (revision,), "base", inclusive=True) if r is not None}
    return found


def require_migrated(engine: Engine) -> None:
    """Raise :class:`NotMigratedError` unless the database is at every head."""
    try:
        current = current_revisions(engine)
    except Exception as exc:
        raise NotMigratedError(
            f"The application database ({engine.url.render_as_string(hide_password=True)}) "
            f"cannot be opened: {exc}. Check WHOLEPLACE_DATABASE_URL.") from exc
    heads = head_revisions(engine)
    if not current or not heads <= applied_revisions(engine, current):
        state = ", ".join(sorted(current)) or "no migrations applied"
        raise NotMigratedError(
            f"The application database ({engine.url.render_as_string(hide_password=True)}) is "
            f"not migrated ({state}; the code needs {', '.join(sorted(heads))}). "
            "Run 'wholeplace db upgrade' first.")
