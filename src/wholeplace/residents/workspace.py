"""The residents workspace: one DuckDB file holding registered sources, runs, the index of
pseudonymised record keys to resident ids, service dates, the clerical review queue and its
decisions, id events, erasures and each purpose's settings as its data protection officer decided
them (every decision kept). No raw identifier is stored here: record keys, household keys and pair
keys are HMAC-SHA256 pseudonyms (residents.privacy); comparison columns kept between runs, when a
purpose's DPO allows it, are in a separate encrypted file (residents.comparisons)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

DDL = """
CREATE TABLE IF NOT EXISTS sources (
    source VARCHAR PRIMARY KEY, label VARCHAR, path VARCHAR NOT NULL, mapping JSON NOT NULL,
    agreement_id VARCHAR NOT NULL, purpose VARCHAR NOT NULL, agreement_status VARCHAR NOT NULL,
    agreement_ends DATE, records INTEGER NOT NULL, registered_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, purpose VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    backend VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
    records INTEGER, residents INTEGER, match_threshold DOUBLE, review_threshold DOUBLE,
    model JSON);
CREATE TABLE IF NOT EXISTS residents (
    record_key VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, resident_id VARCHAR NOT NULL,
    run_id INTEGER NOT NULL, household_key VARCHAR, area VARCHAR,
    service_start DATE, service_end DATE);
CREATE TABLE IF NOT EXISTS review_queue (
    pair_key VARCHAR PRIMARY KEY, key_l VARCHAR NOT NULL, key_r VARCHAR NOT NULL,
    source_l VARCHAR, source_r VARCHAR, match_weight DOUBLE, match_probability DOUBLE,
    field_levels JSON, run_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    pair_key VARCHAR PRIMARY KEY, key_l VARCHAR NOT NULL, key_r VARCHAR NOT NULL,
    decision VARCHAR NOT NULL CHECK (decision IN ('accept', 'reject')),
    decided_by VARCHAR NOT NULL, decided_at TIMESTAMP NOT NULL, reason VARCHAR);
CREATE TABLE IF NOT EXISTS events (
    run_id INTEGER NOT NULL, kind VARCHAR NOT NULL, resident_id VARCHAR NOT NULL,
    other_ids VARCHAR, reason VARCHAR NOT NULL, happened_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS erasures (
    record_key VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, erased_at TIMESTAMP NOT NULL,
    reason VARCHAR);
CREATE TABLE IF NOT EXISTS purpose_settings (
    purpose VARCHAR NOT NULL, setting VARCHAR NOT NULL, value BOOLEAN NOT NULL,
    decided_by VARCHAR NOT NULL, organisation VARCHAR NOT NULL, decided_at TIMESTAMP NOT NULL,
    reason VARCHAR NOT NULL);
CREATE SEQUENCE IF NOT EXISTS resident_seq START 1;
CREATE SEQUENCE IF NOT EXISTS purpose_setting_seq START 1;
ALTER TABLE purpose_settings ADD COLUMN IF NOT EXISTS seq BIGINT
    DEFAULT nextval('purpose_setting_seq');
ALTER TABLE sources ADD COLUMN IF NOT EXISTS owner VARCHAR;
ALTER TABLE sources ADD COLUMN IF NOT EXISTS authorisation JSON;
"""


class Workspace:
    """A thin wrapper: every statement binds its values."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path):
        self.con = con
        self.path = path

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.con.execute(sql, list(params)).fetchone()
        return row[0] if row else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def new_resident_id(self) -> str:
        return self.new_resident_ids(1)[0]

    def new_resident_ids(self, n: int) -> list[str]:
        """``n`` fresh resident ids in one statement (one call per id cost a write each)."""
        if n <= 0:
            return []
        rows = self.rows("SELECT nextval('resident_seq') FROM range(?) ORDER BY 1", [n])
        return [f"R{int(v):09d}" for (v,) in rows]

    def close(self) -> None:
        self.con.close()


@contextmanager
def open_workspace(path: Path) -> Iterator[Workspace]:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(DDL)
    ws = Workspace(con, path)
    try:
        yield ws
    finally:
        ws.close()
