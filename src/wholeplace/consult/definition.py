"""Reading and writing consultations as YAML or JSON (round-trip exact)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pydantic
import yaml

from wholeplace.consult.models import Consultation, Response
from wholeplace.consult.validate import check_definition
from wholeplace.errors import InputError, Problem, ValidationError


def _pydantic_problems(file: str, exc: pydantic.ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        out.append(Problem(file, None, loc, err["msg"]))
    return out


def parse_definition(data: Any, file: str = "<consultation>",
                     known_indicators: Iterable[str] | None = None,
                     prevention: Callable[[str], object] | None = None) -> Consultation:
    """A checked Consultation from parsed YAML/JSON data (``prevention``: a check that each
    linked prevention model is known and can be shown, raising ``later.ModelProblem``)."""
    if not isinstance(data, dict):
        raise InputError(f"{file}: a consultation is a mapping of fields, not "
                         f"{type(data).__name__}.")
    try:
        c = Consultation.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = _pydantic_problems(file, exc)
        raise ValidationError(problems, f"{len(problems)} problem(s) in the consultation "
                              f"{file}; fix each and check it again.") from None
    return check_definition(c, file, known_indicators, prevention)


def loads_definition(text: str, file: str = "<consultation>",
                     known_indicators: Iterable[str] | None = None,
                     prevention: Callable[[str], object] | None = None) -> Consultation:
    """Parse YAML (JSON is YAML) text into a checked Consultation."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{file} is not valid YAML or JSON: {exc}") from exc
    return parse_definition(data, file, known_indicators, prevention)


def load_definition(path: Path, known_indicators: Iterable[str] | None = None,
                    prevention: Callable[[str], object] | None = None) -> Consultation:
    """Read a consultation file (.yaml, .yml or .json)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the consultation file {path}: {exc}") from exc
    return loads_definition(text, str(path), known_indicators, prevention)


def definition_data(c: Consultation) -> dict[str, Any]:
    """The consultation as plain JSON-ready data (money and percentages as decimal strings)."""
    data: dict[str, Any] = c.model_dump(mode="json", exclude_none=True)
    return data


def dumps_json(c: Consultation) -> str:
    return json.dumps(definition_data(c), indent=2, ensure_ascii=False) + "\n"


def dumps_yaml(c: Consultation) -> str:
    return yaml.safe_dump(definition_data(c), sort_keys=False, allow_unicode=True, width=100)


def parse_response(data: Any) -> Response:
    """A resident's response from parsed JSON or form data; type problems raised together."""
    try:
        return Response.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = _pydantic_problems("response", exc)
        raise ValidationError(problems, f"{len(problems)} problem(s) in the response.") from None
