"""What every command shares: settings from the global options, opening the store, JSON output
and turning errors into a message on stderr and an exit code (never a traceback)."""

from __future__ import annotations

import functools
import json
import os
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import typer

from wholeplace.config import Settings, env_flag, get_settings
from wholeplace.errors import WholeplaceError
from wholeplace.hub.store import Store, open_store

#: Help text of the --json option, shared by every command that prints results.
JSON_HELP = "Print machine-readable JSON (stable keys, dates as ISO strings) instead of text."


@dataclass
class Globals:
    """The global options, resolved into settings only when a command needs them."""

    db: Path | None = None
    sources: Path | None = None

    def settings(self) -> Settings:
        return get_settings(db=self.db, sources=self.sources)


def globals_of(ctx: typer.Context) -> Globals:
    root = ctx.find_root()
    if not isinstance(root.obj, Globals):
        root.obj = Globals()
    return root.obj


def open_read(ctx: typer.Context) -> Store:
    """The store named by --db / WHOLEPLACE_DB / the default, opened read-only."""
    return open_store(globals_of(ctx).settings().db, read_only=True)


def open_write(ctx: typer.Context) -> Store:
    return open_store(globals_of(ctx).settings().db)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot turn {type(value).__name__} into JSON")


def to_json(data: Any) -> str:
    return json.dumps(data, default=_jsonable, indent=2, ensure_ascii=False)


def print_json(data: Any) -> None:
    typer.echo(to_json(data))


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` to stderr and return the Exit to raise."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


#: Set to 1 to see the traceback of an unexpected error instead of the one-line report.
DEBUG_ENV = "WHOLEPLACE_DEBUG"


def handles_errors(func):
    """Decorate a command so a WholeplaceError prints its message and exits 1.

    Anything else is a bug: it is reported in one line (type and message) with a request to
    report it, and exits 1, never with a traceback unless ``WHOLEPLACE_DEBUG=1``. Typer's own
    exits and usage errors pass through unchanged.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except WholeplaceError as exc:
            raise fail(str(exc)) from None
        except (typer.Exit, click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # the reader went away (`| head`): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(1) from None
        except Exception as exc:
            if env_flag(DEBUG_ENV):
                raise
            typer.echo(f"Internal error: {type(exc).__name__}: {exc}. Please report it with "
                       "the command you ran.", err=True)
            raise typer.Exit(1) from None

    return wrapper


def text(value: Any) -> str:
    """A value for a text table: missing stays visibly missing (never 0)."""
    if value is None:
        return "-"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)
