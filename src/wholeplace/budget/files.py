"""Reading plan and intervention definitions from YAML (the I/O edge of :mod:`wholeplace.budget`).

A file that is not valid YAML, or whose content does not fit the model, is refused with every
problem named by its field (``partners.0.revenue_lines.1.base``), nothing computed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from wholeplace.errors import InputError, Problem, ValidationError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ValidationError([Problem(path.name, line, None, f"not valid YAML: {exc}")]) \
            from None
    if not isinstance(data, dict):
        raise ValidationError([Problem(path.name, 1, None, "expected a mapping of fields at "
                                                           "the top of the file.")])
    return data


def parse(model: type[M], data: dict[str, Any], file: str) -> M:
    """``data`` as a ``model``; every schema problem named by its field."""
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        found = [(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()]
        # a container whose item failed is reported too ("should have at least 1 item"):
        # keep the item's problem only
        problems = [Problem(file, None, loc or None, msg) for loc, msg in found
                    if not any(o.startswith(loc + ".") for o, _ in found if loc)]
        raise ValidationError(problems, f"{len(problems)} problem(s) in {file}; nothing was "
                              "computed. Fix the fields named and try again.") from None


def load(model: type[M], path: Path) -> M:
    return parse(model, read_yaml(path), path.name)
