"""Comparison columns kept between runs, when a purpose's data protection officer allows it.

Off by default: every run reads the registered extracts again, and no raw identifier outlives a
run. With ``retain-comparisons PURPOSE --on`` (a decision of the DPO of the organisation holding
the sources, recorded in the workspace and the access audit trail), the standardised comparison
columns of the indexed records (names, date of birth, sex, postcode, UPRN, NHS number, service
dates) are kept in a folder beside the workspace, encrypted at rest, so an incremental run reads
only the extracts that changed and scores the new records against the kept columns.

The folder is ``<workspace stem>.<purpose>.comparisons`` (mode 700), with one file per source
(mode 600): a header, a random 96-bit nonce, and the source's rows as an Arrow IPC stream
encrypted with AES-256-GCM (the ``cryptography`` package, OpenSSL). The key is derived from the
purpose's key file with HKDF-SHA256 (:meth:`Pseudonymiser.derive`) and never stored, logged or
printed; the header, purpose and source are authenticated with it, so a wrong key, an altered
file or a file moved to another source is refused. Every write is a whole new file swapped in
for the old one (a run writes only the files of sources that changed), so an erased record is
gone from every file the folder holds. The old file's blocks, freed by the file system, still
hold its ciphertext, which the same purpose key would decrypt: erasure from the disk itself,
its snapshots and backups is the storage's (an encrypted volume, backup retention).

DuckDB's own database encryption was the first choice, but DuckDB 2.0 writes encrypted files
only with its httpfs extension (OpenSSL) loaded, which no reachable registry holds for 2.0;
without it DuckDB refuses to write, and its ``force_mbedtls_unsafe`` fallback is documented by
DuckDB as not secure (nonces may repeat).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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
class Part:
    """One source's kept rows (an Arrow table of ``COLUMNS``) and the fingerprint of the
    extract and mapping they were read from."""

    table: pa.Table
    fingerprint: str


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
                  "purpose_settings WHERE purpose = ? AND setting = ? ORDER BY seq DESC LIMIT 1",
                  [purpose, SETTING])
    return Decision(*row[0]) if row else None


def enabled(ws: Workspace, purpose: str) -> Decision | None:
    found = decision(ws, purpose)
    return found if found is not None and found.on else None


def decide(ws: Workspace, purpose: str, on: bool, decided_by: str, organisation: str,
           reason: str) -> Path:
    """Record the DPO's decision; turning it off deletes the files at once. Whoever calls this
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
    # The order of decisions is the sequence's, never the clock's (which goes back an hour
    # every October); decided_at is UTC.
    ws.execute("INSERT INTO purpose_settings (purpose, setting, value, decided_by, "
               "organisation, decided_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
               [purpose, SETTING, on, decided_by, organisation,
                datetime.now(UTC).replace(tzinfo=None), reason])
    path = path_for(ws.path, purpose)
    if not on:
        delete(path)
    return path


def delete(folder: Path) -> bool:
    """Delete every kept file of the purpose; whether there were any."""
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True


#: The most one AES-GCM message may hold in the ``cryptography`` package (2**31 - 1 bytes).
_MOST = 2**31 - 1


def _cipher(pseudonym: Pseudonymiser) -> AESGCM:
    return AESGCM(pseudonym.derive(_USE))


def _aad(purpose: str, source: str) -> bytes:
    return _HEADER + f"{purpose}/{source}".encode()


def file_for(folder: Path, source: str) -> Path:
    return folder / f"{source}.arrow.enc"


def save(folder: Path, pseudonym: Pseudonymiser, source: str, part: Part) -> None:
    """Write one source's rows as a new encrypted file (owner-only) and swap it in."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    table = part.table.select(COLUMNS).cast(SCHEMA).replace_schema_metadata(
        {"fingerprint": part.fingerprint})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    content = sink.getvalue().to_pybytes()
    if len(content) > _MOST:
        raise ConfigError(
            f"Source {source!r} is too large to keep its comparison columns ({len(content):,} "
            f"bytes; one encrypted file holds at most {_MOST:,}, about 10 million records). The "
            "index is written; its kept columns are not, so runs read this source from its "
            "extract. Split the extract into several sources, or turn the option off.")
    nonce = os.urandom(_NONCE)
    sealed = _cipher(pseudonym).encrypt(nonce, content, _aad(pseudonym.purpose, source))
    path = file_for(folder, source)
    new = path.with_name(path.name + ".new")
    new.unlink(missing_ok=True)
    fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_HEADER + nonce + sealed)
            f.flush()
            os.fsync(f.fileno())
        os.replace(new, path)
    finally:
        new.unlink(missing_ok=True)  # a failed write (a full disk) leaves no partial file
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make a swapped-in file's new name durable, so a crash cannot bring back the old one."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def plaintext(path: Path, pseudonym: Pseudonymiser, source: str) -> bytes:
    """The whole decrypted content of one source's file (an Arrow IPC stream)."""
    data = path.read_bytes()
    if not data.startswith(_HEADER):  # below, views: no copy of a large file
        raise ConfigError(f"{path} is not a kept-comparisons file of this version. Turn the "
                          "option off and on again ('wholeplace residents retain-comparisons') "
                          "and run a full link to rebuild it.")
    body = memoryview(data)[len(_HEADER):]
    try:
        return _cipher(pseudonym).decrypt(body[:_NONCE], body[_NONCE:],
                                          _aad(pseudonym.purpose, source))
    except InvalidTag:
        raise ConfigError(
            f"The kept comparison columns at {path} cannot be decrypted with the key of "
            f"purpose {pseudonym.purpose!r}: the key file is not the one they were written "
            "with, or the file was altered. Restore the purpose's key file from its backup, or "
            "have the DPO turn the option off and on again and run a full link to rebuild "
            "them.") from None


def load(folder: Path, pseudonym: Pseudonymiser) -> dict[str, Part]:
    """Every kept source's rows (none when the folder does not exist)."""
    parts: dict[str, Part] = {}
    if not folder.is_dir():
        return parts
    for path in sorted(folder.glob("*.arrow.enc")):
        source = path.name.removesuffix(".arrow.enc")
        table = pa.ipc.open_stream(plaintext(path, pseudonym, source)).read_all()
        meta = table.schema.metadata or {}
        parts[source] = Part(table.replace_schema_metadata(None),
                             meta.get(b"fingerprint", b"").decode())
    return parts


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


def write(folder: Path, pseudonym: Pseudonymiser, parts: dict[str, Part],
          keep_only: set[str]) -> None:
    """Write ``parts`` and delete the files of every source not in ``keep_only``."""
    for source, part in parts.items():
        save(folder, pseudonym, source, part)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name.removesuffix(".arrow.enc") not in keep_only:
                path.unlink()


def after_full_run(ws: Workspace, pseudonym: Pseudonymiser, records: pd.DataFrame,
                   prints: dict[str, str] | None) -> None:
    """A full run rebuilds the files from the records it read (or deletes them when off)."""
    folder = path_for(ws.path, pseudonym.purpose)
    if prints is None:
        delete(folder)
        return
    by_source = dict(tuple(records.groupby("source_dataset", sort=False)))
    parts = {s: Part(arrow(by_source[s]) if s in by_source else SCHEMA.empty_table(), mark)
             for s, mark in prints.items()}
    write(folder, pseudonym, parts, set(parts))


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
    """A run's records as kept rows, and the files to write once the index is written (the
    sources read again, and kept sources that lost rows) or to delete."""

    parts: list[pa.Table]
    dropped: dict[str, int]
    to_write: dict[str, Part]
    owned: set[str]

    @property
    def table(self) -> pa.Table:
        return pa.concat_tables(self.parts) if self.parts else SCHEMA.empty_table()


def _kept_part(part: Part, src: Registered, erased: pa.Array, today: date,
               dropped: dict[str, int]) -> tuple[pa.Table, bool]:
    """A kept source's rows without erased records and records past retention; whether any
    went (the file must then be written anew)."""
    if not len(erased) and src.mapping.retention_days is None:
        return part.table, False
    gone, past = _dropped(part.table, src, erased, today)
    dropped["erased"] += pc.sum(gone).as_py() or 0
    dropped["retention"] += pc.sum(past).as_py() or 0
    drop = pc.or_(gone, past)
    if not pc.any(drop).as_py():
        return part.table, False
    return part.table.filter(pc.invert(drop)), True


def load_records(ws: Workspace, pseudonym: Pseudonymiser, today: date, refresh: Refresh,
                 found: Decision) -> RunRecords:
    """The records of a run (those :func:`sources.load_frame` gives, ``COLUMNS`` only): kept
    rows for each source whose extract and mapping are unchanged, without erased records and
    records past retention; every other source read from its extract. Every source's agreement
    is checked first, read or not."""
    sources = for_run(ws, pseudonym.purpose, refresh)
    purge_lapsed(ws.path, pseudonym.purpose, sources, today)
    for src in sources:
        src.authorisation.require(src.source, today)
    kept = load(path_for(ws.path, pseudonym.purpose), pseudonym)
    erased_set = erased_keys(ws)
    erased = pa.array(sorted(erased_set), pa.string())
    dropped = {"erased": 0, "retention": 0}
    tables: list[pa.Table] = []
    to_write: dict[str, Part] = {}
    owned = {s.source for s in sources if s.authorisation.owner == found.organisation}
    for src in sources:
        mark = fingerprint(src) if src.source in owned else ""
        part = kept.get(src.source)
        if part is not None and src.source in owned and part.fingerprint == mark:
            table, lost = _kept_part(part, src, erased, today, dropped)
            if lost:
                to_write[src.source] = Part(table, mark)
        else:
            table = arrow(source_frame(src, pseudonym, erased_set, today, dropped))
            if src.source in owned:
                to_write[src.source] = Part(table, mark)
        tables.append(table)
    return RunRecords(tables, dropped, to_write, owned)


def purge_lapsed(workspace: Path, purpose: str, sources: Sequence[Registered],
                 today: date) -> list[str]:
    """Delete the kept columns of every source whose agreement is no longer in force (revoked,
    ended, or no longer covering it): they were held under it, so they go as soon as a run
    finds it lapsed, before the run is refused. Returns the sources whose file was deleted."""
    folder = path_for(workspace, purpose)
    gone = []
    for src in sources:
        path = file_for(folder, src.source)
        if src.authorisation.refusal(today, src.source) and path.exists():
            path.unlink()
            gone.append(src.source)
    return gone


def forget(ws: Workspace, pseudonym: Pseudonymiser, keys: Sequence[str]) -> int:
    """Remove records from the kept columns at once (erasure): each file holding one is
    written anew without it. Returns how many rows were removed."""
    folder = path_for(ws.path, pseudonym.purpose)
    wanted = pa.array(list(keys), pa.string())
    removed = 0
    for source, part in load(folder, pseudonym).items():
        gone = pc.is_in(part.table["record_key"], value_set=wanted)
        n = pc.sum(gone).as_py() or 0
        if n:
            save(folder, pseudonym, source, Part(part.table.filter(pc.invert(gone)),
                                                 part.fingerprint))
            removed += n
    return int(removed)
