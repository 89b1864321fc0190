"""Reader for the nearest-neighbour groups (``cipfa_nearest_neighbours.json``).

The file maps each authority's GSS code to a list of codes that includes the authority itself,
sorted by code rather than by distance. The reader drops the authority from its own list,
removes repeated codes, keeps councils only (combined authorities and the GLA are skipped) and
leaves ``position`` empty because the published order is not a ranking. Codes are kept exactly
as published (they are pre-2023).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo, Table

SET_ID = "cipfa"
COLUMNS = ("set_id", "area_code", "neighbour_code", "position")

_GSS = re.compile(r"^E\d{8}$")
#: Code prefixes of bodies that are not councils (combined authorities, the GLA).
NON_COUNCIL_PREFIXES = ("E47", "E61")


def read(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    log = ProblemLog(source.file_name)
    data = _load_json(path, log)
    rows: list[tuple] = []
    skipped: list[str] = []
    with_dupes: list[str] = []
    alone: list[str] = []
    councils = 0
    for key, codes in data.items():
        if not _valid(key, codes, log):
            continue
        if key.startswith(NON_COUNCIL_PREFIXES):
            skipped.append(key)
            continue
        councils += 1
        neighbours = unique_neighbours(key, codes)
        if len(set(codes)) != len(codes):
            with_dupes.append(key)
        if not neighbours:
            alone.append(key)
        rows.extend((SET_ID, key, code, None) for code in neighbours)
    table = Table(COLUMNS, rows, scope={"set_id": SET_ID})
    batch = LoadBatch(source=source, tables={"neighbour_sets": table},
                      problems=log, check_areas=False)
    batch.messages += _messages(councils, rows, skipped, with_dupes, alone)
    return batch


def unique_neighbours(key: str, codes: list[str]) -> list[str]:
    """The list without the authority itself and without repeats, in published order."""
    seen = {key}
    out = []
    for code in codes:
        if code not in seen:
            seen.add(code)
            out.append(code)
    return out


def _load_json(path: Path, log: ProblemLog) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        log.add(f"The file is not valid JSON: {exc.msg}.", exc.lineno, f"char {exc.colno}")
        return {}
    if not isinstance(data, dict):
        log.add("Expected a JSON object mapping each GSS code to a list of GSS codes.", 1)
        return {}
    return data


def _valid(key: str, codes: object, log: ProblemLog) -> bool:
    if not _GSS.match(key):
        log.add(f"The key {key!r} is not an English GSS code (E followed by 8 digits).",
                None, key)
        return False
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        log.add(f"The value for {key} must be a list of GSS codes.", None, key)
        return False
    bad = [c for c in codes if not _GSS.match(c)]
    if bad:
        log.add(f"The list for {key} holds codes that are not English GSS codes: "
                f"{', '.join(map(repr, bad[:5]))}.", None, key)
        return False
    return True


def _messages(councils: int, rows: list[tuple], skipped: list[str], with_dupes: list[str],
              alone: list[str]) -> list[str]:
    out = [(f"{councils} council neighbour lists read: {len(rows)} pairs, each authority "
           "removed from its own list; position left empty because the lists are sorted by "
           "code, not by distance.")]
    if skipped:
        out.append(f"{len(skipped)} keys for combined authorities or the GLA were skipped "
                   f"(not councils): {', '.join(sorted(skipped))}.")
    if with_dupes:
        out.append(f"{len(with_dupes)} lists had repeated codes, which were removed: "
                   f"{', '.join(sorted(with_dupes))}.")
    if alone:
        out.append(f"{len(alone)} lists contain only the authority itself, so those "
                   f"authorities have no neighbours: {', '.join(sorted(alone))}.")
    return out
