"""One compared indicator as a profile row, and the words for its comparator group (shared by
the outcomes section and the children's services section)."""

from __future__ import annotations

from typing import Any

#: How each comparator group is named on the profile.
GROUP_LABELS = {"ours": "Most similar councils (wholeplace)", "cipfa": "CIPFA nearest neighbours",
                "region": "Same kind of council in the region",
                "county": "Other districts in the county", "custom": "A custom group"}
PER_HEAD_SUFFIX = ".per_head"


def whom(group: dict[str, Any], council: dict[str, Any]) -> str:
    """The comparator group in a sentence ("its 15 most similar councils")."""
    n = len(group["members"])
    kind = council.get("kind_label") or "councils"
    return {
        "ours": f"its {n} most similar councils",
        "cipfa": f"its {n} CIPFA nearest neighbours",
        "region": f"the {n} other {kind} in {council.get('region') or 'its region'}",
        "county": f"the {n} other districts in its county",
        "custom": f"the {n} councils of the custom group",
    }[group["method"]]


def base_id(indicator_id: str) -> str:
    """The money indicator a per-head id is derived from (the id itself otherwise)."""
    return indicator_id.removesuffix(PER_HEAD_SUFFIX)


def indicator_row(row: dict[str, Any], phrase: str) -> dict[str, Any]:
    """One compared indicator as the profile shows it (``phrase``: whom it is compared with)."""
    g, e = row["group"], row["england"]
    band = g["band"]
    out = {k: row.get(k) for k in ("indicator_id", "title", "unit", "unit_label", "polarity",
                                   "kind", "theme", "period", "value", "status", "note",
                                   "dataset_id", "source_id", "interval", "depends_on_group",
                                   "funnel", "newer")}
    out["sensitivity"] = [s | {"group_label": GROUP_LABELS.get(s["method"], s["label"])}
                          for s in row.get("sensitivity") or []]
    out["group"] = {k: g.get(k) for k in ("label", "n_members", "n", "mean", "median", "q1", "q3",
                                          "min", "max", "missing", "values")} | {
        "band": band["band"], "verdict": band["verdict"], "side": band.get("side"),
        "significant_test": band.get("significant_test"), "basis": band.get("basis"),
        "benchmark": band.get("benchmark"), "reason": band.get("reason"), "whom": phrase}
    out["england"] = {k: e.get(k) for k in ("value", "basis", "n", "median", "q1", "q3", "min",
                                            "max", "scope")} | {
        "band": e["band"]["band"], "verdict": e["band"]["verdict"]}
    return out
