"""The clerical review queue: pairs scored between the review and match thresholds, and the
reviewers' accept/reject decisions that every later run respects.

Who may see and decide which pair is for the access layer: a linkage reviewer sees and decides
only pairs whose two records come from sources held by, or shared with, their organisation
(``sources``, from :func:`wholeplace.residents.access.permitted`)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wholeplace.errors import InputError, NotFoundError, PermissionDeniedError
from wholeplace.residents.workspace import Workspace

DECISIONS = ("accept", "reject")


@dataclass(frozen=True)
class ReviewPair:
    pair_key: str
    key_l: str
    key_r: str
    source_l: str
    source_r: str
    match_weight: float
    match_probability: float
    field_levels: dict[str, Any]


_COLUMNS = ("pair_key, key_l, key_r, source_l, source_r, match_weight, match_probability, "
            "field_levels")


def _pair(r: tuple[Any, ...]) -> ReviewPair:
    return ReviewPair(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]))


def _undecided(sources: Collection[str]) -> tuple[str, list[str]]:
    """The WHERE clause of undecided pairs between ``sources``, and its parameters."""
    listed = sorted(sources) or [""]
    marks = ", ".join("?" * len(listed))
    where = ("WHERE pair_key NOT IN (SELECT pair_key FROM decisions) "
             f"AND source_l IN ({marks}) AND source_r IN ({marks})")
    return where, [*listed, *listed]


def queue(ws: Workspace, sources: Collection[str], limit: int = 50) -> list[ReviewPair]:
    """Undecided pairs between ``sources``, the most uncertain (closest to even odds) first."""
    where, params = _undecided(sources)
    rows = ws.rows(f"SELECT {_COLUMNS} FROM review_queue {where} "
                   "ORDER BY abs(match_weight), pair_key LIMIT ?", [*params, limit])
    return [_pair(r) for r in rows]


def waiting(ws: Workspace, sources: Collection[str]) -> int:
    """How many undecided pairs between ``sources`` there are (the queue lists the first)."""
    where, params = _undecided(sources)
    return int(ws.rows(f"SELECT count(*) FROM review_queue {where}", params)[0][0])


def pair(ws: Workspace, pair_key: str, sources: Collection[str]) -> ReviewPair:
    """One queued pair, refused when either record's source is not one the reviewer may see."""
    rows = ws.rows(f"SELECT {_COLUMNS} FROM review_queue WHERE pair_key = ?", [pair_key])
    if not rows:
        raise NotFoundError(f"No pair {pair_key!r} is in the review queue. List the queue with "
                            "'wholeplace residents status --review'.")
    found = _pair(rows[0])
    if found.source_l not in sources or found.source_r not in sources:
        raise PermissionDeniedError(
            f"Pair {pair_key} joins records of {found.source_l} and {found.source_r}; your "
            "organisation does not hold or share both, so you may not review it.")
    return found


def decision_of(ws: Workspace, pair_key: str) -> tuple[str, str] | None:
    """The decision already taken on a pair and who took it, if any."""
    rows = ws.rows("SELECT decision, decided_by FROM decisions WHERE pair_key = ?", [pair_key])
    return (rows[0][0], rows[0][1]) if rows else None


def decide(ws: Workspace, pair_key: str, decision: str, decided_by: str,
           sources: Collection[str], reason: str = "") -> ReviewPair:
    """Store a decision on a queued pair (or replace an earlier one)."""
    if decision not in DECISIONS:
        raise InputError(f"A decision is 'accept' or 'reject', not {decision!r}.")
    if not decided_by.strip():
        raise InputError("Name the reviewer making the decision.")
    found = pair(ws, pair_key, sources)
    ws.execute("INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?)",
               [pair_key, found.key_l, found.key_r, decision, decided_by, datetime.now(),
                reason])
    return found
