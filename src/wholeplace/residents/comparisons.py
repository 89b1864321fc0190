"""Comparison columns kept between runs, when a purpose's data protection officer allows it.

Off by default: every run reads the registered extracts again, and no raw identifier outlives a
run. With ``retain-comparisons PURPOSE --on`` (a decision of the DPO of the organisation holding
the sources, recorded in the workspace and the access audit trail), the standardised comparison
columns of the indexed records (names, date of birth, sex, postcode, UPRN, NHS number, service
dates) are kept in one file beside the workspace, encrypted at rest, so an incremental run reads
only the extracts that changed and scores the new records against the kept columns.

The file is ``<workspace stem>.<purpose>.comparisons``: a header, a random 96-bit nonce and
the columns as uncompressed Parquet encrypted with AES-256-GCM (the ``cryptography`` package,
OpenSSL). The key is derived from the purpose's key file with HKDF-SHA256
(:meth:`Pseudonymiser.derive`) and never stored, logged or printed; the header and purpose are
authenticated with it, so a wrong key or an altered file is refused. Every write is a whole new
file swapped in for the old one, so an erased record leaves no freed block holding it.

DuckDB's own database encryption was the first choice, but DuckDB 2.0 writes encrypted files
only with its httpfs extension (OpenSSL) loaded, which no reachable registry holds for 2.0;
without it DuckDB refuses to write, and its
``force_mbedtls_unsafe`` fallback is documented by DuckDB as not secure (nonces may repeat).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wholeplace.errors import ConfigError, InputError
from wholeplace.residents.privacy import Pseudonymiser, check_purpose
from wholeplace.residents.sources import (
    Refresh,
    Registered,
    erased_keys,
    for_run,
    registered,
    source_frame,
)
from wholeplace.residents.workspace import Workspace

SETTING = "retain_comparisons"
#: The columns kept: what the model compares, and what the index is written from.
COLUMNS = ["record_key", "source_dataset", "forename", "forename_canonical", "surname", "dob",
           "sex", "postcode", "uprn", "nhs_number", "postcode_outward", "service_start",
           "service_end"]
_DATES = ("dob", "service_start", "service_end")
SCHEMA = pa.schema([(c, pa.date32() if c in _DATES else pa.string()) for c in COLUMNS])
_HEADER = b"WHOLEPLACE-RESIDENTS-COMPARISONS-1\n"
_NONCE = 12
_USE = "comparison-columns"


@dataclass(frozen=True)
class Decision:
    on: bool
    decided_by: str
    organisation: str
    decided_at: datetime
    reason: str


@dataclass
class Kept:
    """The kept rows (an Arrow table of ``COLUMNS``) and, for each kept source, the
    fingerprint of the extract and mapping they came from."""

    table: pa.Table
    fingerprints: dict[str, str] = field(default_factory=dict)


def arrow(frame: pd.DataFrame) -> pa.Table:
    """Records as a run holds them (pandas, missing values None) as kept rows."""
    return pa.Table.from_pandas(frame[COLUMNS], schema=SCHEMA, preserve_index=False)


def pandas(table: pa.Table) -> pd.DataFrame:
    """Kept rows as a run's records (dates as ``date``, missing values None)."""
    frame = table.to_pandas(date_as_object=True)
    return frame.astype(object).where(frame.notna(), None)


def path_for(workspace: Path, purpose: str) -> Path:
    return workspace.with_name(f"{workspace.stem}.{check_purpose(purpose)}.comparisons")


def decision(ws: Workspace, purpose: str) -> Decision | None:
    """The purpose's latest decision, or None when none was ever taken (off)."""
    row = ws.rows("SELECT value, decided_by, organisation, decided_at, reason FROM "
                  "purpose_settings WHERE purpose = ? AND setting = ? ORDER BY decided_at DESC "
                  "LIMIT 1", [purpose, SETTING])
    return Decision(*row[0]) if row else None


def enabled(ws: Workspace, purpose: str) -> Decision | None:
    found = decision(ws, purpose)
    return found if found is not None and found.on else None


def decide(ws: Workspace, purpose: str, on: bool, decided_by: str, organisation: str,
           reason: str) -> Path:
    """Record the DPO's decision; turning it off deletes the file at once. Whoever calls this
    has checked, through the access policy, that ``decided_by`` is the DPO of ``organisation``
    and that it holds every source of the purpose."""
    check_purpose(purpose)
    if not reason.strip():
        raise InputError("Give the reason for the decision (for example 'DPIA 2026-07 "
                         "approved'): it is kept with it.")
    owners = {src.authorisation.owner for src in registered(ws, purpose)}
    if on and owners - {organisation}:
        raise InputError(f"Sources of purpose {purpose!r} are held by "
                         f"{', '.join(sorted(owners - {organisation}))} as well as "
                         f"{organisation}: only the DPO of an organisation holding every source "
                         "may keep their comparison columns. Nothing was changed.")
    ws.execute("INSERT INTO purpose_settings VALUES (?, ?, ?, ?, ?, ?, ?)",
               [purpose, SETTING, on, decided_by, organisation, datetime.now(), reason])
    path = path_for(ws.path, purpose)
    if not on:
        delete(path)
    return path


def delete(path: Path) -> bool:
    gone = False
    for p in (path, path.with_name(path.name + ".new")):
        if p.exists():
            p.unlink()
            gone = True
    return gone


def _cipher(pseudonym: Pseudonymiser) -> AESGCM:
    return AESGCM(pseudonym.derive(_USE))


def _aad(purpose: str) -> bytes:
    return _HEADER + purpose.encode()


def save(path: Path, pseudonym: Pseudonymiser, kept: Kept) -> None:
    """Write ``kept`` as a new encrypted file (owner-only) and swap it in for the old one."""
    table = kept.table.select(COLUMNS).cast(SCHEMA).replace_schema_metadata(
        {f"fingerprint:{s}": d for s, d in sorted(kept.fingerprints.items())})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="none")  # values verbatim: tests read them
    nonce = os.urandom(_NONCE)
    sealed = _cipher(pseudonym).encrypt(nonce, buffer.getvalue(), _aad(pseudonym.purpose))
    new = path.with_name(path.name + ".new")
    new.unlink(missing_ok=True)
    fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(_HEADER + nonce + sealed)
        f.flush()
        os.fsync(f.fileno())
    os.replace(new, path)


def plaintext(path: Path, pseudonym: Pseudonymiser) -> bytes | None:
    """The whole decrypted content of the file (Parquet), or None when there is none."""
    if not path.is_file():
        return None
    data = path.read_bytes()
    if not data.startswith(_HEADER):
        raise ConfigError(f"{path} is not a kept-comparisons file of this version. Turn the "
                          "option off and on again ('wholeplace residents retain-comparisons') "
                          "and run a full link to rebuild it.")
    body = data[len(_HEADER):]
    try:
        return _cipher(pseudonym).decrypt(body[:_NONCE], body[_NONCE:],
                                          _aad(pseudonym.purpose))
    except InvalidTag:
        raise ConfigError(
            f"The kept comparison columns at {path} cannot be decrypted with the key of "
            f"purpose {pseudonym.purpose!r}: the key file is not the one they were written "
            "with, or the file was altered. Restore the purpose's key file from its backup, or "
            "have the DPO turn the option off and on again and run a full link to rebuild "
            "them.") from None


def load(path: Path, pseudonym: Pseudonymiser) -> Kept | None:
    content = plaintext(path, pseudonym)
    if content is None:
        return None
    table = pq.read_table(io.BytesIO(content))
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    return Kept(table.replace_schema_metadata(None),
                {k.removeprefix("fingerprint:"): v for k, v in meta.items()
                 if k.startswith("fingerprint:")})


def fingerprint(src: Registered) -> str:
    """What a source's kept rows depend on: its extract's bytes and its mapping."""
    digest = hashlib.sha256(src.mapping.model_dump_json().encode())
    with src.path.open("rb") as f:
        digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()


def fingerprints(ws: Workspace, purpose: str) -> dict[str, str] | None:
    """Before a full run reads the extracts: the fingerprint of each source whose comparison
    columns will be kept, or None when the purpose does not keep them."""
    found = enabled(ws, purpose)
    if found is None:
        return None
    return {src.source: fingerprint(src) for src in registered(ws, purpose)
            if src.authorisation.owner == found.organisation and src.path.is_file()}


def after_full_run(ws: Workspace, pseudonym: Pseudonymiser, records: pd.DataFrame,
                   prints: dict[str, str] | None) -> None:
    """A full run rebuilds the file from the records it read (or deletes it when off)."""
    path = path_for(ws.path, pseudonym.purpose)
    if prints is None:
        delete(path)
        return
    rows = records[records["source_dataset"].isin(prints.keys())]
    save(path, pseudonym, Kept(arrow(rows), prints))


def _dropped(part: pa.Table, src: Registered, erased: pa.Array,
             today: date) -> tuple[pa.Array, pa.Array]:
    """Which kept rows of a source are erased, and which are past its retention period."""
    gone = pc.is_in(part["record_key"], value_set=erased)
    if src.mapping.retention_days is None:
        return gone, pa.repeat(False, len(part))
    cutoff = pa.scalar(today - timedelta(days=src.mapping.retention_days), pa.date32())
    past = pc.fill_null(pc.less(part["service_end"], cutoff), False)
    return gone, pc.and_(past, pc.invert(gone))


@dataclass
class RunRecords:
    """A run's records as kept rows, the new kept state, and whether rows the file holds were
    dropped or replaced (so it must be written again even without new records)."""

    table: pa.Table
    dropped: dict[str, int]
    state: Kept
    changed: bool


def load_records(ws: Workspace, pseudonym: Pseudonymiser, today: date, refresh: Refresh,
                 found: Decision) -> RunRecords:
    """The records of a run (those :func:`sources.load_frame` gives, ``COLUMNS`` only): kept
    rows for each source whose extract and mapping are unchanged, without erased records and
    records past retention; every other source read from its extract. Every source's agreement
    is checked first, read or not."""
    sources = for_run(ws, pseudonym.purpose, refresh)
    for src in sources:
        src.authorisation.require(src.source, today)
    kept = load(path_for(ws.path, pseudonym.purpose), pseudonym) or Kept(SCHEMA.empty_table())
    erased_set = erased_keys(ws)
    erased = pa.array(sorted(erased_set), pa.string())
    dropped = {"erased": 0, "retention": 0}
    parts: list[pa.Table] = []
    prints: dict[str, str] = {}
    changed = bool(set(kept.fingerprints) - {s.source for s in sources})
    for src in sources:
        owned = src.authorisation.owner == found.organisation
        mark = fingerprint(src) if owned else ""
        if owned and kept.fingerprints.get(src.source) == mark:
            part = kept.table.filter(pc.equal(kept.table["source_dataset"], src.source))
            gone, past = _dropped(part, src, erased, today)
            dropped["erased"] += pc.sum(gone).as_py() or 0
            dropped["retention"] += pc.sum(past).as_py() or 0
            drop = pc.or_(gone, past)
            changed |= bool(pc.any(drop).as_py())
            parts.append(part.filter(pc.invert(drop)))
        else:
            changed |= src.source in kept.fingerprints or owned
            parts.append(arrow(source_frame(src, pseudonym, erased_set, today, dropped)))
        if owned:
            prints[src.source] = mark
    table = pa.concat_tables(parts) if parts else SCHEMA.empty_table()
    state = table.filter(pc.is_in(table["source_dataset"], value_set=pa.array(
        sorted(prints), pa.string())))
    return RunRecords(table, dropped, Kept(state, prints), changed)


def forget(ws: Workspace, pseudonym: Pseudonymiser, keys: Sequence[str]) -> int:
    """Remove records from the kept columns at once (erasure): the file is written anew
    without them. Returns how many rows were removed."""
    path = path_for(ws.path, pseudonym.purpose)
    kept = load(path, pseudonym)
    if kept is None:
        return 0
    gone = pc.is_in(kept.table["record_key"], value_set=pa.array(list(keys), pa.string()))
    removed = pc.sum(gone).as_py() or 0
    if removed:
        save(path, pseudonym, Kept(kept.table.filter(pc.invert(gone)), kept.fingerprints))
    return int(removed)
