"""Indicator metadata files given with an upload: YAML (a list of indicators) or CSV.

Each entry is read through :class:`wholeplace.hub.catalogue.Indicator`, so an upload's indicators
obey the same rules as the built-in catalogue. Every problem is reported with the metadata file,
the line and the field. Pure: a path in, indicators and problems out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from wholeplace.errors import Problem
from wholeplace.hub.catalogue import Indicator, builtin_catalogue

FIELDS = tuple(Indicator.model_fields)
#: Fields a person may fill in (``per_head_of`` is set only by wholeplace for derived measures).
UPLOAD_FIELDS = tuple(f for f in FIELDS if f != "per_head_of")
REQUIRED_FIELDS = ("id", "title", "unit")


def read_metadata(path: Path) -> tuple[list[Indicator], list[Problem]]:
    """The indicators described in ``path``, and every problem found in it."""
    name = path.name
    if not path.is_file():
        return [], [Problem(name, None, None,
                            f"The metadata file {path} does not exist. Check the path, or leave "
                            "it out if every indicator is already in the catalogue.")]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return [], [Problem(name, line, None,
                            f"The metadata file is not UTF-8 (byte 0x{exc.object[exc.start]:02x} "
                            "cannot be read). Re-save it as UTF-8 and try again.")]
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        entries, problems = _yaml_entries(name, text)
    elif suffix == ".csv":
        entries, problems = _csv_entries(name, text)
    else:
        return [], [Problem(name, None, None,
                            f"A metadata file must be YAML (.yaml) or CSV (.csv), not {suffix!r}.")]
    found: list[Indicator] = []
    seen: dict[str, int] = {}
    for line, field_lines, item in entries:
        ind, more = _indicator(name, line, field_lines, item)
        problems += more
        if ind is None:
            continue
        if ind.id in seen:
            problems.append(Problem(name, line, "id",
                                    f"Indicator {ind.id!r} is described twice (first on line "
                                    f"{seen[ind.id]}). Keep one description."))
            continue
        seen[ind.id] = line
        found.append(ind)
    return found, problems


def _yaml_entries(name: str, text: str):
    """(line, {field: line}, mapping) for each list item of a YAML metadata file."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return [], [Problem(name, line, None,
                            f"The metadata file is not valid YAML ({getattr(exc, 'problem', exc)})"
                            ". It must be a list of indicators, each starting with '- id: ...'.")]
    if data is None:
        return [], [Problem(name, 1, None, "The metadata file is empty. Describe each indicator "
                                           "with at least id, title and unit.")]
    if not isinstance(data, list):
        return [], [Problem(name, 1, None,
                            "The metadata file must be a YAML list of indicators, each starting "
                            "with '- id: ...'.")]
    entries, problems = [], []
    for node, item in zip(root.value if root is not None else [], data):
        line = node.start_mark.line + 1
        if not isinstance(item, dict):
            problems.append(Problem(name, line, None,
                                    "Each entry must be a mapping of fields (id, title, unit, "
                                    "...), not a single value."))
            continue
        field_lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
        entries.append((line, field_lines, item))
    return entries, problems


def _csv_entries(name: str, text: str):
    """(line, {field: line}, mapping) for each row of a CSV metadata file; blanks are left out."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if not header:
        return [], [Problem(name, 1, None, "The metadata file is empty. Give a header row (id, "
                                           "title, unit, ...) and one row per indicator.")]
    problems = [Problem(name, 1, f, f"The required column {f!r} is missing from the metadata "
                                    f"file. Its columns can be: {', '.join(UPLOAD_FIELDS)}.")
                for f in REQUIRED_FIELDS if f not in header]
    if problems:
        return [], problems
    entries = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        line = reader.line_num
        item = {h: c.strip() for h, c in zip(header, cells) if h and c.strip()}
        entries.append((line, {h: line for h in item}, item))
    return entries, problems


def _indicator(name: str, line: int, field_lines: dict[str, int],
               item: dict) -> tuple[Indicator | None, list[Problem]]:
    item = {str(k): v for k, v in item.items()}
    problems = []
    if "per_head_of" in item:
        problems.append(Problem(name, field_lines.get("per_head_of", line), "per_head_of",
                                "per_head_of is set by wholeplace for derived per-head measures; "
                                "remove it (money indicators get a per-head twin automatically)."))
    try:
        ind = Indicator(**item)
    except PydanticValidationError as exc:
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else None
            problems.append(Problem(name, field_lines.get(field or "", line), field,
                                    _explain(field, err)))
        return None, problems
    if ind.value_min is not None and ind.value_max is not None and \
            ind.value_min > ind.value_max:
        problems.append(Problem(
            name, field_lines.get("value_min", line), "value_min",
            f"value_min {ind.value_min:g} is above value_max {ind.value_max:g}, so no value "
            "could be loaded. Swap them, or leave out the one that is wrong."))
    builtin = builtin_catalogue().get(ind.id)
    if builtin is not None:
        problems.append(Problem(
            name, field_lines.get("id", line), "id",
            f"Indicator {ind.id!r} is already in the catalogue ({builtin.title!r}, unit "
            f"{builtin.unit!r}); an upload cannot redefine it. Remove it from the metadata "
            "file: data rows may use it as it is."))
    return (None if problems else ind), problems


def _explain(field: str | None, err: Mapping[str, Any]) -> str:
    kind = err.get("type")
    if kind == "missing":
        return f"The field {field!r} is required. Every indicator needs id, title and unit."
    if kind == "extra_forbidden":
        return (f"Unknown field {field!r}. The fields are: {', '.join(UPLOAD_FIELDS)}.")
    if field == "id" and kind == "string_pattern_mismatch":
        return ("The id must be lower case letters, digits, '.', '_' or '-' (for example "
                "'waste.recycling_rate'), 2 to 81 characters.")
    msg = err.get("msg", "is not valid")
    if field in ("polarity", "kind"):
        return f"{field}: {msg}."
    return f"{field}: {msg}. Correct it and load the file again."
