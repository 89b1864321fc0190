"""From who is signed in to what they may read in the hub: the :class:`Viewer` of a request.

A signed-in person acting for an organisation sees that organisation's own private uploads, and
the private datasets of the other parties to every data-sharing agreement in force today that
covers them (by source id, or by an indicator the dataset holds). Anyone else reads the public
hub. Worked out on every request, so an agreement that ends or is revoked stops access at once
(the hub's caches key on what the reader sees, so they follow too).
"""

from __future__ import annotations

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


def viewer_for(actor: Actor | None, factory: sessionmaker[Session], store: Store,
               today: date | None = None) -> Viewer:
    """The viewer of a request made by ``actor`` (None: anonymous)."""
    if actor is None or actor.acting_for is None:
        return Viewer.public()
    org = actor.acting_for
    with factory() as session:
        shares = agreements.shared_with(session, org, today or date.today())
    ids = shared_dataset_ids(store, org, shares) if shares else frozenset()
    return Viewer(org_codes=frozenset({org}), shared_dataset_ids=ids)
