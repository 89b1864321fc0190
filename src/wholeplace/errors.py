"""Typed exceptions. Every message says what went wrong and what to do about it.

Each subclass is also the matching built-in, so callers that only know Python's own exceptions
still catch them (``InputError`` is a ``ValueError``; ``NotFoundError`` is a ``LookupError``).
Errors are translated for people only at the edges: the CLI prints the message and exits non-zero,
the web app renders it as an HTML page or a JSON body.
"""

from __future__ import annotations

from dataclasses import dataclass


class WholeplaceError(Exception):
    """Base class of every error wholeplace raises on purpose."""

    #: HTTP status the web edge uses for this error.
    status_code = 500

    def to_dict(self) -> dict:
        return {"error": type(self).__name__, "message": str(self)}


class ConfigError(WholeplaceError, RuntimeError):
    """The configuration (settings, environment variables, paths) is unusable."""


class InputError(WholeplaceError, ValueError):
    """Something a person supplied (an argument, a file, a form field) is not acceptable."""

    status_code = 400


class NotFoundError(WholeplaceError, LookupError):
    """A council, dataset or indicator that was asked for does not exist in the hub."""

    status_code = 404


class SourceError(WholeplaceError, OSError):
    """A published source file is missing, cannot be fetched or does not match the registry."""

    status_code = 422


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column,
                "message": self.message}


class ValidationError(InputError):
    """An input failed validation. Carries every problem found, not just the first.

    Nothing was written: loads are all-or-nothing.
    """

    status_code = 422

    def __init__(self, problems: list[Problem], summary: str | None = None):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or ""))
        self.summary = summary or (
            f"{len(self.problems)} problem(s) found; nothing was loaded. "
            "Fix the file and load it again."
        )
        # The summary, then every problem: a person fixing a file wants the whole list.
        lines = [self.summary] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    def to_dict(self) -> dict:
        return {
            "error": type(self).__name__,
            "message": self.summary,
            "problems": [p.to_dict() for p in self.problems],
        }


class ProblemLog:
    """Collects problems while a file is read, then raises them all at once.

    Modelled on the way a person fixes a file: they want the whole list, not one error per run.
    """

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, message: str, line: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(self.file, line, column, message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def raise_if_any(self, summary: str | None = None) -> None:
        if self.problems:
            raise ValidationError(self.problems, summary)


class PermissionDeniedError(WholeplaceError, PermissionError):
    """The policy does not allow this person, role or purpose to do this."""

    status_code = 403
