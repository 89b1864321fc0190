"""Who sees which data in the hub: the :class:`Viewer` and the relations scoped to one.

Published sources are public. A council's (or partner's) upload belongs to an organisation
(``datasets.owner_org``) and is private to it (``datasets.visibility``) until it is published,
or shared with another organisation by an active agreement (the access layer works out which
private datasets are shared with a reader and puts their ids in ``shared_dataset_ids``).

Every read goes through three relations, never the base tables:

* ``visible_datasets``: the datasets the reader may see;
* ``visible_observations``: their observations;
* ``current_observations``: the newest release of each cell among what the reader may see;
* ``visible_indicators``: indicators, less those that only hidden datasets hold.

The hub file defines them for the public (:mod:`wholeplace.hub.schema`), so a query that knows
nothing of viewers can only ever read public data. :func:`apply_viewer` shadows
``visible_datasets`` (and the views built on it) on one DuckDB cursor with temporary views that
also admit the reader's own and shared private datasets; a temporary object is visible only to
the cursor that made it, so two requests on two cursors never see each other's scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wholeplace.errors import InputError

if TYPE_CHECKING:
    from wholeplace.hub.store import Store

PUBLIC = "public"
PRIVATE = "private"

#: An organisation code: a GSS code (E07000008) or a partner organisation's code.
_ORG_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
#: A GSS code of a council: stored in upper case.
_GSS = re.compile(r"^[EeWwSsNn]\d{8}$")


def normalise_org_code(code: str) -> str:
    """``code`` stripped (and upper-cased when it is a GSS code); InputError when malformed."""
    text = (code or "").strip()
    if not _ORG_CODE.match(text):
        raise InputError(f"{code!r} is not an organisation code: use the council's GSS code "
                         "(for example E07000008) or the partner organisation's code (letters, "
                         "digits, '-', '_', '.', ':'; up to 64 characters).")
    return text.upper() if _GSS.match(text) else text


@dataclass(frozen=True)
class Viewer:
    """Who is reading the hub: the organisations they act for (usually one) and the private
    datasets shared with them by an active agreement. :meth:`public` is an anonymous reader."""

    org_codes: frozenset[str] = field(default_factory=frozenset)
    shared_dataset_ids: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "org_codes",
                           frozenset(normalise_org_code(c) for c in self.org_codes))
        object.__setattr__(self, "shared_dataset_ids",
                           frozenset(int(i) for i in self.shared_dataset_ids))

    @classmethod
    def public(cls) -> Viewer:
        return cls()

    @classmethod
    def for_org(cls, code: str, shared_dataset_ids: frozenset[int] = frozenset()) -> Viewer:
        return cls(frozenset({code}), frozenset(shared_dataset_ids))

    @property
    def is_public(self) -> bool:
        return not self.org_codes and not self.shared_dataset_ids

    @property
    def cache_key(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """Stable and hashable: equal viewers give equal keys (the public: ``((), ())``)."""
        return tuple(sorted(self.org_codes)), tuple(sorted(self.shared_dataset_ids))


#: The private datasets a viewer may see (bound: organisation codes, shared dataset ids).
_VISIBLE_PRIVATE_SQL = """
SELECT dataset_id FROM datasets
WHERE visibility = 'private'
  AND (list_contains(?::VARCHAR[], owner_org) OR list_contains(?::INTEGER[], dataset_id))
ORDER BY dataset_id
"""


def visible_private_ids(store: Store, viewer: Viewer) -> tuple[int, ...]:
    """The ids of the private datasets ``viewer`` may see, in order (none for the public)."""
    if viewer.is_public:
        return ()
    return tuple(r[0] for r in store.execute(
        _VISIBLE_PRIVATE_SQL, [sorted(viewer.org_codes), sorted(viewer.shared_dataset_ids)]
    ).fetchall())


def apply_viewer(store: Store, viewer: Viewer) -> tuple[int, ...]:
    """Scope the store's cursor to ``viewer``; return the private dataset ids it admits.

    For the public, or a viewer with no private dataset to see, nothing is created: the hub's
    own views are already the public scope (as fast as an unscoped read).
    """
    from wholeplace.hub import schema

    ids = visible_private_ids(store, viewer)
    if not ids:
        return ()
    store.execute("CREATE OR REPLACE TEMP TABLE viewer_datasets (dataset_id INTEGER)")
    store.execute("INSERT INTO viewer_datasets SELECT unnest(?::INTEGER[])", [list(ids)])
    for ddl in schema.scoped_view_statements():
        store.execute(ddl)
    return ids
