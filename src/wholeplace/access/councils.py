"""The councils of the hub's place register, as organisations (read from DuckDB)."""

from __future__ import annotations

from wholeplace.access.organisations import Council
from wholeplace.hub.store import Store

#: Tiers that are councils (combined authorities and the GLA are not organisations here yet).
COUNCIL_TIERS = ("upper", "lower", "single")


def register_councils(store: Store) -> list[Council]:
    """Every current council in the place register, by GSS code."""
    rows = store.rows("SELECT gss_code, name FROM places WHERE current AND tier IN (?, ?, ?) "
                      "ORDER BY gss_code", list(COUNCIL_TIERS))
    return [Council(str(r["gss_code"]), str(r["name"])) for r in rows]
