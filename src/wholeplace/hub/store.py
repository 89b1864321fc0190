"""The DuckDB store: one file, opened by a function, with one place that executes SQL.

All writes go through :meth:`Store.transaction`, so a load is all-or-nothing.

A store reads as one :class:`~wholeplace.hub.visibility.Viewer` (the public unless said
otherwise): :meth:`Store.scoped` gives a cursor that reads as another viewer, and every read
query goes through the views that follow the viewer (see :mod:`wholeplace.hub.visibility`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from wholeplace.errors import ConfigError, NotFoundError
from wholeplace.hub import schema
from wholeplace.hub.visibility import Viewer, apply_viewer

T = TypeVar("T")


class Store:
    """A connection to the hub, with helpers that bind values (never format them into SQL).

    ``viewer`` is who the store reads as; ``visible_private`` the private datasets it admits
    (empty for the public and for anyone with no private data to see)."""

    def __init__(self, con, path: Path | None, read_only: bool, viewer: Viewer | None = None):
        self.con = con
        self.path = path
        self.read_only = read_only
        self.viewer = viewer or Viewer.public()
        self.visible_private: tuple[int, ...] = ()
        #: A read-only file older than schema 3: each cursor gets temporary reader views.
        self.legacy = False
        #: Small reference tables read once and kept for this store's life, or None (read on
        #: every call). Only a store that reads one snapshot gets one: the web app's store of
        #: one request, inside its transaction (:func:`wholeplace.web.deps.get_store`).
        self.memo: dict[str, Any] | None = None

    def remember(self, key: str, read: Callable[[], T]) -> T:
        """``read()``, kept under ``key`` in :attr:`memo` for this store's life when it has
        one (then read once); read on every call when it has none."""
        if self.memo is None:
            return read()
        if key not in self.memo:
            self.memo[key] = read()
        return self.memo[key]

    def scoped(self, viewer: Viewer) -> Store:
        """A new cursor on the same database that reads as ``viewer`` (close it when done)."""
        store = Store(self.con.cursor(), self.path, self.read_only, viewer)
        store.legacy = self.legacy
        try:
            if store.legacy:
                _legacy_views(store)
            else:
                store.visible_private = apply_viewer(store, viewer)
        except BaseException:
            store.close()
            raise
        return store

    @property
    def scope_key(self) -> tuple[int, ...]:
        """What this store can see beyond the public: readers with equal keys see equal data
        (so the public and every viewer without private data share cache entries)."""
        return self.visible_private

    # -- execution -----------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict | None = None):
        return self.con.execute(sql, params) if params is not None else self.con.execute(sql)

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[dict]:
        cur = self.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def row(self, sql: str, params: Sequence[Any] | dict | None = None) -> dict | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        got = self.execute(sql, params).fetchone()
        return None if got is None else got[0]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """BEGIN ... COMMIT, or ROLLBACK on any exception (which is re-raised)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    def register(self, name: str, arrow_table) -> None:
        self.con.register(name, arrow_table)

    def unregister(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self.con.unregister(name)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- inspection ----------------------------------------------------------------------------
    def table_names(self) -> list[str]:
        return [r[0] for r in self.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()]

    def snapshot(self) -> dict[str, tuple]:
        """A fingerprint of every table: its row count and an order-independent digest of its
        rows (the sum and the XOR of each whole row's hash), computed inside DuckDB. Two equal
        snapshots mean an unchanged store; the tests compare them around every refused input.
        (Fetching and sorting every row in Python took about 10 s a call on the loaded hub.)"""
        out = {}
        for name in self.table_names():  # names from the catalogue, not from input
            out[name] = tuple(self.execute(
                f'SELECT count(*), sum(hash(t)::HUGEINT), bit_xor(hash(t)) FROM "{name}" t'
            ).fetchone())
        return out

    def data_version(self) -> tuple:
        """Changes whenever a load, a publication or the reader's scope changes the data this
        store sees: the key for caches of derived results."""
        hub = tuple(self.execute(
            "SELECT count(*), max(dataset_id), max(loaded_at), count(superseded_by), "
            "count(*) FILTER (WHERE visibility = 'public'), max(published_at) "
            "FROM visible_datasets").fetchone())
        return (*hub, self.scope_key)

    def is_empty(self) -> bool:
        return not self.scalar("SELECT count(*) FROM datasets")


def open_store(path: Path | str | None = None, *, read_only: bool = False) -> Store:
    """Open the store at ``path`` (``None`` = in memory), creating tables when writable."""
    import duckdb

    p = Path(path) if path is not None else None
    if p is not None and read_only and not p.exists():
        raise NotFoundError(
            f"There is no data hub at {p}. Run 'wholeplace load' first (or set WHOLEPLACE_DB "
            "/ --db to the file that holds the loaded data)."
        )
    if p is not None and not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(p) if p is not None else ":memory:", read_only=read_only)
    except duckdb.IOException as exc:
        raise ConfigError(
            f"Could not open the data hub at {p}: {exc}. If another wholeplace process (a load "
            "or the web server) is using it, stop that process and try again."
        ) from exc
    store = Store(con, p, read_only)
    if read_only:
        _require_hub(store)
        if not store.scalar("SELECT count(*) FROM duckdb_views() "
                            "WHERE view_name = 'visible_datasets' AND NOT temporary"):
            store.legacy = True
            _legacy_views(store)
    if not read_only:
        for ddl in schema.create_statements():
            con.execute(ddl)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                    [schema.SCHEMA_VERSION])
    return store


def _require_hub(store: Store) -> None:
    """Refuse a DuckDB file that is not a wholeplace hub (no schema version in ``meta``)."""
    import duckdb

    try:
        version = store.scalar("SELECT value FROM meta WHERE key = 'schema_version'")
    except duckdb.CatalogException:  # no meta table
        version = None
    if version is None:
        store.close()
        raise ConfigError(
            f"{store.path or 'The database'} is not a wholeplace hub (no schema version). Run "
            "'wholeplace load' to create one, or point --db / WHOLEPLACE_DB at the hub file."
        )


def _legacy_views(store: Store) -> None:
    for ddl in schema.legacy_view_statements():
        store.execute(ddl)
