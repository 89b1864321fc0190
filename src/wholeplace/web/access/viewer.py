"""From who is signed in to what they may read in the hub: the :class:`Viewer` of a request.

A signed-in person acting for an organisation sees that organisation's own private uploads, and
the private datasets of the other parties to every data-sharing agreement in force today that
covers them (by source id, or by an indicator the dataset holds). Anyone else reads the public
hub. The agreements are read on every request, so an agreement that ends or is revoked stops
access at once (the hub's caches key on what the reader sees, so they follow too); only the
hub's side of the answer is kept briefly (:class:`SharedCache`).
"""

from __future__ import annotations

import threading
import time
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from wholeplace.access import agreements
from wholeplace.access.actor import Actor
from wholeplace.hub.store import Store
from wholeplace.hub.visibility import PRIVATE, Viewer

#: Private datasets of the given owners that carry a source id or an indicator.
_SHARED_SQL = """
SELECT DISTINCT d.dataset_id
FROM datasets d
WHERE d.visibility = ? AND d.superseded_by IS NULL AND list_contains(?, d.owner_org)
  AND (list_contains(?, d.source_id) OR EXISTS (
       SELECT 1 FROM observations o
       WHERE o.dataset_id = d.dataset_id AND list_contains(?, o.indicator_id)))"""


def shared_dataset_ids(store: Store, org_code: str,
                       shares: list[tuple[frozenset[str], tuple[str, str]]]) -> frozenset[int]:
    """The hub datasets that ``shares`` (from :func:`agreements.shared_with`) open to
    ``org_code``: private datasets owned by another party of the same agreement."""
    found: set[int] = set()
    by_parties: dict[frozenset[str], tuple[list[str], list[str]]] = {}
    for parties, (kind, ref) in shares:
        sources, indicators = by_parties.setdefault(parties, ([], []))
        (sources if kind == "dataset" else indicators).append(ref)
    for parties, (sources, indicators) in by_parties.items():
        owners = sorted(parties - {org_code})
        if owners:
            found.update(r["dataset_id"] for r in store.rows(
                _SHARED_SQL, [PRIVATE, owners, sources, indicators]))
    return frozenset(found)


class SharedCache:
    """The hub's answer to :func:`shared_dataset_ids`, kept for ``ttl`` seconds per
    (hub file, organisation, the agreements' parties and items in force, hub generation).

    What the agreements share is read from the application database on every request and is
    part of the key, so an agreement that is revoked, ends or changes takes effect at once.
    Only the hub's side (which private datasets carry those sources or indicators) is kept:
    :meth:`hub_changed` (called after every upload and publication in this process) starts a
    new generation, and the TTL bounds any other change (one made in the hub by another
    process). A stale entry can only miss a dataset loaded meanwhile, never open one: dataset
    ids are never reused."""

    def __init__(self, ttl: float = 5.0, size: int = 512) -> None:
        self.ttl = ttl
        self.size = size
        self.generation = 0
        self._lock = threading.Lock()
        self._entries: dict[tuple[object, ...], tuple[float, frozenset[int]]] = {}

    def hub_changed(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def get(self, store: Store, org_code: str,
            shares: list[tuple[frozenset[str], tuple[str, str]]]) -> frozenset[int]:
        if store.path is None:  # a hub in memory: nothing names it, so nothing is kept
            return shared_dataset_ids(store, org_code, shares)
        key = (str(store.path), org_code,
               tuple(sorted((tuple(sorted(p)), item) for p, item in shares)), self.generation)
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        ids = shared_dataset_ids(store, org_code, shares)
        with self._lock:
            if key[3] == self.generation:
                if len(self._entries) >= self.size:
                    self._entries.clear()
                self._entries[key] = (now, ids)
        return ids


#: The web app's cache (one per process: uploads and publications in it call hub_changed).
SHARED = SharedCache()


def viewer_in(session: Session, actor: Actor | None, store: Store | None,
              today: date | None = None, cache: SharedCache | None = SHARED) -> Viewer:
    """The viewer of a request made by ``actor`` (None: anonymous), reading the agreements in
    ``session``; with no hub yet (``store`` None), their organisation alone."""
    if actor is None or actor.acting_for is None:
        return Viewer.public()
    org = actor.acting_for
    if store is None:
        return Viewer(org_codes=frozenset({org}))
    shares = agreements.shared_with(session, org, today or date.today())
    if not shares:
        ids: frozenset[int] = frozenset()
    elif cache is None:
        ids = shared_dataset_ids(store, org, shares)
    else:
        ids = cache.get(store, org, shares)
    return Viewer(org_codes=frozenset({org}), shared_dataset_ids=ids)


def viewer_for(actor: Actor | None, factory: sessionmaker[Session], store: Store,
               today: date | None = None) -> Viewer:
    """The viewer of a request made by ``actor`` (None: anonymous), asked afresh."""
    if actor is None or actor.acting_for is None:
        return Viewer.public()
    with factory() as session:
        return viewer_in(session, actor, store, today, cache=None)
