"""Registering service-system extracts and reading them back for a run: the authorisation is
checked at both points, erased records and records past their retention period are left out."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from wholeplace.errors import ConfigError, InputError, NotFoundError
from wholeplace.residents.mapping import (
    Authorisation,
    SourceMapping,
    read_extract_frame,
)
from wholeplace.residents.privacy import Pseudonymiser, check_purpose
from wholeplace.residents.workspace import Workspace

#: The current authorisation of a registered source, from the access layer; None: use what
#: was recorded when it was registered.
Refresh = Callable[[Authorisation], Authorisation] | None


def register(ws: Workspace, path: Path, mapping: SourceMapping, authorisation: Authorisation,
             today: date) -> int:
    """Validate the whole extract, then record it as a source. Returns its record count.

    Nothing is registered when the extract or the authorisation is refused."""
    check_purpose(authorisation.purpose)
    records = read_extract_frame(path, mapping, authorisation, today)
    with ws.transaction():
        ws.execute("DELETE FROM sources WHERE source = ?", [mapping.source])
        ws.execute(
            "INSERT INTO sources (source, label, path, mapping, agreement_id, purpose, "
            "agreement_status, agreement_ends, records, registered_at, owner, authorisation) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [mapping.source, mapping.label, str(path.resolve()), mapping.model_dump_json(),
             authorisation.agreement_id, authorisation.purpose, authorisation.status,
             authorisation.ends_on, len(records), datetime.now(), authorisation.owner,
             json.dumps(authorisation.as_json())])
    return len(records)


@dataclass(frozen=True)
class Registered:
    mapping: SourceMapping
    path: Path
    authorisation: Authorisation

    @property
    def source(self) -> str:
        return self.mapping.source


def registered(ws: Workspace, purpose: str, refresh: Refresh = None) -> list[Registered]:
    """The sources registered for ``purpose``, each with its authorisation (the current one
    from the access layer when ``refresh`` is given)."""
    rows = ws.rows("SELECT mapping, path, authorisation FROM sources WHERE purpose = ? "
                   "ORDER BY source", [purpose])
    out = []
    for mapping, path, auth in rows:
        authorisation = Authorisation.from_json(json.loads(auth)) if auth else \
            Authorisation("", purpose, "unknown")
        if refresh is not None:
            authorisation = refresh(authorisation)
        out.append(Registered(SourceMapping.model_validate(json.loads(mapping)), Path(path),
                              authorisation))
    return out


def load_for_run(ws: Workspace, purpose: str, pseudonym: Pseudonymiser, today: date,
                 refresh: Refresh = None) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every record a run under ``purpose`` may use, with its ``record_key``, and how many were
    left out per reason. A source whose agreement is no longer in force stops the run."""
    frame, dropped = load_frame(ws, purpose, pseudonym, today, refresh)
    return frame.to_dict("records"), dropped


def load_frame(ws: Workspace, purpose: str, pseudonym: Pseudonymiser, today: date,
               refresh: Refresh = None) -> tuple[pd.DataFrame, dict[str, int]]:
    """:func:`load_for_run`'s records as one DataFrame (``STANDARD_FIELDS`` and ``record_key``),
    read and standardised a column at a time."""
    sources = for_run(ws, purpose, refresh)
    erased = erased_keys(ws)
    dropped = {"erased": 0, "retention": 0}
    frames = [source_frame(src, pseudonym, erased, today, dropped) for src in sources]
    out = pd.concat(frames, ignore_index=True)
    return out.astype(object).where(out.notna(), None), dropped


def for_run(ws: Workspace, purpose: str, refresh: Refresh = None) -> list[Registered]:
    """The sources a run under ``purpose`` reads; refuses a purpose with none."""
    sources = registered(ws, purpose, refresh)
    if not sources:
        raise NotFoundError(f"No source is registered for purpose {purpose!r}. Register one "
                            "with 'wholeplace residents register'.")
    return sources


def erased_keys(ws: Workspace) -> set[str]:
    return {r[0] for r in ws.rows("SELECT record_key FROM erasures")}


def source_frame(src: Registered, pseudonym: Pseudonymiser, erased: set[str], today: date,
                 dropped: dict[str, int]) -> pd.DataFrame:
    """One source's records for a run (its agreement checked), without erased records and
    records past its retention period, counted in ``dropped``."""
    frame = read_extract_frame(src.path, src.mapping, src.authorisation, today,
                               with_address=False)
    frame["record_key"] = pseudonym.many(frame["unique_id"])
    gone = frame["record_key"].isin(erased)
    kept = retained_mask(frame["service_end"], src.mapping, today)
    dropped["erased"] += int(gone.sum())
    dropped["retention"] += int((~gone & ~kept).sum())
    return frame[~gone & kept]


def retained_mask(ends: pd.Series, mapping: SourceMapping, today: date) -> pd.Series:
    if mapping.retention_days is None:
        return pd.Series(True, index=ends.index)
    cutoff = today - timedelta(days=mapping.retention_days)
    return ends.map(lambda end: end is None or end >= cutoff).astype(bool)


def erase(ws: Workspace, purpose: str, pseudonym: Pseudonymiser, source: str, record_id: str,
          reason: str) -> str:
    """Record the erasure of one source record and remove it from the index, and from the
    kept comparison columns if the purpose keeps them, at once; the next run re-derives the
    index without it. Returns the record's pseudonymous key."""
    key = record_erasure(ws, purpose, pseudonym, source, record_id, reason)
    forget_kept(ws, pseudonym, key)
    return key


def forget_kept(ws: Workspace, pseudonym: Pseudonymiser, key: str) -> None:
    """An erased record out of the kept comparison columns (a new file without it)."""
    from wholeplace.residents import comparisons  # it reads sources through this module

    try:
        comparisons.forget(ws, pseudonym, [key])
    except (ConfigError, OSError) as exc:
        raise ConfigError(f"The erasure is recorded and the record is out of the index, but "
                          f"the kept comparison columns could not be rewritten without it: "
                          f"{exc} Every run leaves it out of them; once the cause is fixed, "
                          "erase the record again (or turn the option off) to rewrite them "
                          "now.") from None


def record_erasure(ws: Workspace, purpose: str, pseudonym: Pseudonymiser, source: str,
                   record_id: str, reason: str) -> str:
    """:func:`erase`'s first step: the erasure recorded, the record out of the index and the
    review queue (one transaction). Returns the record's pseudonymous key."""
    if not ws.scalar("SELECT count(*) FROM sources WHERE source = ? AND purpose = ?",
                     [source, purpose]):
        raise NotFoundError(f"No source {source!r} is registered for purpose {purpose!r}.")
    if not reason.strip():
        raise InputError("Give the reason for the erasure (for example 'right to erasure "
                         "request 2026-11').")
    key = pseudonym(f"{source}:{record_id}")
    with ws.transaction():
        ws.execute("INSERT OR REPLACE INTO erasures VALUES (?, ?, ?, ?)",
                   [key, source, datetime.now(), reason])
        ws.execute("DELETE FROM residents WHERE record_key = ?", [key])
        ws.execute("DELETE FROM review_queue WHERE key_l = ? OR key_r = ?", [key, key])
    return key
