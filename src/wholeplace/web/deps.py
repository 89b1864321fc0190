"""The store dependency: one DuckDB connection per app, one cursor per request, read as the
request's :class:`~wholeplace.hub.visibility.Viewer`.

The file is opened on the first request rather than at startup, so a server started before
``wholeplace load`` has run shows a page saying what to do instead of failing to start.

By default the web app opens the hub read-only and never writes. With the setting
``hub_writable`` (``WHOLEPLACE_HUB_WRITABLE=1``) it opens it read-write, still as one
connection: each request reads on its own cursor inside one transaction (a snapshot: a load
committing meanwhile is seen whole by the next request, never half), and
:func:`load_upload_for` loads an upload on another cursor of the same connection without
blocking those reads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from fastapi import Depends, Request

from wholeplace.errors import ConfigError, NotFoundError
from wholeplace.hub.load import LoadResult
from wholeplace.hub.store import Store, open_store
from wholeplace.hub.visibility import Viewer


class StoreUnavailable(ConfigError):
    """The data hub file is missing or cannot be opened: the service cannot answer yet."""

    status_code = 503


class StoreProvider:
    """Opens the hub once and hands each request its own cursor (thread-safe)."""

    def __init__(self, path: Path, writable: bool = False):
        self.path = Path(path)
        self.writable = writable
        self._store: Store | None = None
        self._lock = threading.Lock()

    def _shared(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = self._open()
            return self._store

    def _open(self) -> Store:
        if self.writable:
            try:
                return open_store(self.path)
            except ConfigError as exc:
                raise StoreUnavailable(str(exc)) from exc
        try:
            return open_store(self.path, read_only=True)
        except NotFoundError as exc:
            raise StoreUnavailable(
                f"There is no data hub at {self.path} yet. Run 'wholeplace load' to load "
                "the published data, or set WHOLEPLACE_DB to the file that holds it, "
                "then restart the web app."
            ) from exc
        except ConfigError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def cursor(self, viewer: Viewer | None = None) -> Store:
        """A cursor reading as ``viewer`` (the public by default); close it when done."""
        return self._shared().scoped(viewer or Viewer.public())

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def get_viewer(request: Request) -> Viewer:
    """Who is reading: the session's viewer (set by the sign-in middleware), else the public."""
    viewer = getattr(request.state, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else Viewer.public()


def get_store(request: Request, viewer: Viewer = Depends(get_viewer)) -> Iterator[Store]:
    """FastAPI dependency: the hub as ``viewer`` sees it, for the length of one request."""
    store = request.app.state.stores.cursor(viewer)
    answered = False
    try:
        store.execute("BEGIN TRANSACTION")
        store.memo = {}  # one snapshot: the place register is read once per request
        yield store
        answered = True
    finally:
        try:
            store.execute("ROLLBACK")
        finally:
            store.memo = None  # nothing the request read outlives it
            store.close()
    if answered and store.visible_private:
        # the response could show private values: audited (web/access/audit_views.py)
        from wholeplace.web.access.audit_views import record_private_view

        record_private_view(request, store.visible_private)


def load_upload_for(store: Store, file: Path | str, metadata: Path | str | None,
                    org_code: str, **details) -> LoadResult:
    """Load an upload private to ``org_code`` on a new cursor of ``store``'s connection.

    ``store`` is any store of a hub opened read-write (the request's own store of a web app with
    ``hub_writable``). The load is one transaction: readers on other cursors keep seeing the
    hub as it was until it commits, then all of it. ``details`` are :func:`load_file`'s other
    keyword arguments (title, publisher, release, released_on, source_id, public).
    """
    from wholeplace.hub.uploads import load_file

    if store.read_only:
        raise ConfigError("The data hub is open read-only, so uploads cannot be loaded here. "
                          "Set WHOLEPLACE_HUB_WRITABLE=1 and restart the web app, or load the "
                          "file with 'wholeplace load FILE --metadata META --org CODE'.")
    from wholeplace.web.access.viewer import SHARED

    writer = Store(store.con.cursor(), store.path, read_only=False)
    try:
        return load_file(writer, file, metadata=metadata, owner_org=org_code, **details)
    finally:
        writer.close()
        SHARED.hub_changed()  # what agreements share may now include this upload
