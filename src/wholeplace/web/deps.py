"""The store dependency: one read-only DuckDB connection per app, one cursor per request.

The file is opened on the first request rather than at startup, so a server started before
``wholeplace load`` has run shows a page saying what to do instead of failing to start. The web
app never writes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from fastapi import Request

from wholeplace.errors import ConfigError, NotFoundError
from wholeplace.hub.store import Store, open_store


class StoreUnavailable(ConfigError):
    """The data hub file is missing or cannot be opened: the service cannot answer yet."""

    status_code = 503


class StoreProvider:
    """Opens the hub read-only once and hands each request its own cursor (thread-safe)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._store: Store | None = None
        self._lock = threading.Lock()

    def _shared(self) -> Store:
        with self._lock:
            if self._store is None:
                try:
                    self._store = open_store(self.path, read_only=True)
                except NotFoundError as exc:
                    raise StoreUnavailable(
                        f"There is no data hub at {self.path} yet. Run 'wholeplace load' to load "
                        "the published data, or set WHOLEPLACE_DB to the file that holds it, "
                        "then restart the web app."
                    ) from exc
                except ConfigError as exc:
                    raise StoreUnavailable(str(exc)) from exc
            return self._store

    def cursor(self) -> Store:
        return Store(self._shared().con.cursor(), self.path, read_only=True)

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def get_store(request: Request) -> Iterator[Store]:
    """FastAPI dependency: a read-only store for the length of one request."""
    store = request.app.state.stores.cursor()
    try:
        yield store
    finally:
        store.close()
