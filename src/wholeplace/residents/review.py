"""The clerical review queue: pairs scored between the review and match thresholds, and the
reviewers' accept/reject decisions that every later run respects.

Who may decide which pair is for the access layer (next): today the reviewer is named."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wholeplace.errors import InputError, NotFoundError
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


def queue(ws: Workspace, limit: int = 50) -> list[ReviewPair]:
    """Undecided pairs, the most uncertain (closest to even odds) first."""
    rows = ws.rows("SELECT pair_key, key_l, key_r, source_l, source_r, match_weight, "
                   "match_probability, field_levels FROM review_queue "
                   "WHERE pair_key NOT IN (SELECT pair_key FROM decisions) "
                   "ORDER BY abs(match_weight), pair_key LIMIT ?", [limit])
    return [ReviewPair(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7])) for r in rows]


def decide(ws: Workspace, pair_key: str, decision: str, decided_by: str,
           reason: str = "") -> None:
    """Store a decision on a queued pair (or replace an earlier one)."""
    if decision not in DECISIONS:
        raise InputError(f"A decision is 'accept' or 'reject', not {decision!r}.")
    if not decided_by.strip():
        raise InputError("Name the reviewer making the decision.")
    row = ws.rows("SELECT key_l, key_r FROM review_queue WHERE pair_key = ? UNION ALL "
                  "SELECT key_l, key_r FROM decisions WHERE pair_key = ?", [pair_key, pair_key])
    if not row:
        raise NotFoundError(f"No pair {pair_key!r} is in the review queue. List the queue with "
                            "'wholeplace residents status --review'.")
    key_l, key_r = row[0]
    ws.execute("INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?)",
               [pair_key, key_l, key_r, decision, decided_by, datetime.now(), reason])
