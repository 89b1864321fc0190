"""DfE local authority numbers and names (LAIT) to the place register's GSS codes.

DfE identifies children's services authorities by a three-digit "LA number" and a name, not by
GSS code. The mapping is deterministic: the DfE name, normalised, is matched against the names
of the upper- and single-tier councils in the place register (current ones first, so "North
Yorkshire" and "Somerset", whose county councils became unitary councils with the same area in
2023, are read as today's councils); the few names DfE spells differently are in
:data:`KNOWN_NAMES`. England, the regions and anything else that matches no council is left
unmapped, and every unmapped one is reported, never guessed.
"""

from __future__ import annotations

import re

#: DfE's name -> register GSS code, where the names differ (checked against the register).
KNOWN_NAMES = {
    "bristol, city of": "E06000023",
    "kingston upon hull, city of": "E06000010",
    "bedford borough": "E06000055",
    "durham": "E06000047",
    "dorset": "E06000059",  # Dorset Council (2019), LA 838
    "dorset (pre lg)": "E10000009",  # Dorset County Council before the 2019 reorganisation
    "poole (pre lg)": "E06000029",
    "bournemouth (pre lg)": "E06000028",
    # Ofsted's spellings
    "bristol": "E06000023",
    "southend on sea": "E06000033",
}
#: DfE rows that are not councils: England, regions and sub-regions (LA numbers 970-990).
NOT_COUNCILS = {"england", "north east", "north west", "yorkshire and the humber",
                "east midlands", "west midlands", "east of england", "london",
                "london (inner)", "london (outer)", "inner london", "outer london",
                "south east", "south west"}
UPPER_TIERS = ("upper", "single")


def name_key(text: str) -> str:
    """Lower case, '&' as 'and', full stops dropped, single spaces."""
    text = str(text).lower().replace("&", "and").replace(".", "")
    return re.sub(r"\s+", " ", text).strip()


def register_index(names: dict[str, tuple[str, str, bool]]) -> dict[str, str]:
    """Normalised name -> GSS code of the register's upper- and single-tier councils; a name
    shared by a current and a former council goes to the current one. ``names`` maps a code to
    (name, tier, current)."""
    found: dict[str, tuple[bool, str]] = {}
    for code, (name, tier, current) in sorted(names.items()):
        if tier not in UPPER_TIERS:
            continue
        key = name_key(name)
        if key not in found or (current and not found[key][0]):
            found[key] = (current, code)
    return {k: code for k, (_, code) in found.items()}


def map_area(name: str, index: dict[str, str]) -> str | None:
    """The GSS code for a DfE authority name, or None (reported by the caller)."""
    key = name_key(name)
    if key in NOT_COUNCILS:
        return None
    return KNOWN_NAMES.get(key) or index.get(key)
