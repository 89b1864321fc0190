"""Series of reorganised councils: before a council existed, the sum of its predecessors.

Data published for councils abolished in 2019-2023 stays on their own codes. For comparisons over
time a successor's series can be extended backwards with the **sum of its predecessors**, and each
such value says so ("sum of predecessors"), under these rules:

* only where every predecessor was **merged** into the successor, never where one was **split**
  between several successors (Cumbria, Northamptonshire): a split authority's values cannot be
  divided between its successors. For money, the county tier must match too: a district's county
  must have been merged into the same successor, and a county's districts must all have gone to
  it (Christchurch joined Bournemouth and Poole while Dorset County, which served it, became
  Dorset Council: neither BCP's nor Dorset's spending can be summed);
* only for amounts that add up: **money** (summed across tiers, because a county and its
  districts spend on different services, so the unitary that replaced both spends what they spent
  together) and **counts** (summed within ONE tier, never across tiers, because a county's count
  of residents or households is already the sum of its districts'); never for a rate, a share, a
  score or a per-head figure;
* a period's sum needs a value from every predecessor that counts for it; otherwise the period has
  no value and the note names the predecessor without one;
* chains are followed: Somerset (2023) includes Somerset West and Taunton (2019), which for years
  before 2019 is itself the sum of Taunton Deane and West Somerset.

The rules are pure (:func:`predecessor_sum`); :func:`predecessor_tree` and
:func:`predecessor_series` read the hub.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from wholeplace.hub.store import Store
from wholeplace.hub.units import UNITS

#: What kind of sum an indicator allows.
SumKind = Literal["money", "count"]
#: Units whose values are counts of things that add up.
COUNT_UNITS = frozenset({"count", "persons"})
#: The label every summed value carries.
LABEL = "sum of predecessors"


@dataclass(frozen=True)
class Predecessor:
    code: str
    name: str
    tier: str
    relation: str  # "merged_into" or "split_into"
    effective_date: date | None
    #: For a shire district, the county council that served it.
    parent_county: str | None = None


#: successor code -> its direct predecessors (codes that were merged into or split into it).
Tree = Mapping[str, tuple[Predecessor, ...]]
#: (area code, period label) -> value (None: published as missing).
Values = Mapping[tuple[str, str], float | None]


def sum_kind(unit: str, is_money: bool, per_head_of: str | None = None) -> SumKind | None:
    """How an indicator's values may be summed over predecessors, or None when they may not."""
    if per_head_of is not None:
        return None
    if is_money and UNITS.get(unit) is not None and unit != "gbp_per_head":
        return "money"
    if unit in COUNT_UNITS:
        return "count"
    return None


@dataclass(frozen=True)
class Summed:
    """A predecessor sum for one period: the value (None when it cannot be formed), the codes
    it adds up, and a note saying which predecessors or why not."""

    value: float | None
    members: tuple[str, ...]
    note: str


def _own(values: Values, code: str, period: str) -> tuple[bool, float | None]:
    key = (code, period)
    return (key in values, values.get(key))


def predecessor_sum(code: str, period: str, tree: Tree, values: Values, kind: SumKind,
                    names: Mapping[str, str] | None = None,
                    tiers: Mapping[str, str] | None = None) -> Summed | None:
    """The sum of ``code``'s predecessors for ``period`` (following chains), or None when the
    council has no predecessors. ``tiers`` gives each council's tier (a district formed from
    districts needs no county check). Pure."""
    direct = tree.get(code, ())
    if not direct:
        return None
    names = names or {}
    split = [p for p in direct if p.relation != "merged_into"]
    if split and kind == "money":
        return Summed(None, (), f"not summed: {_names(split, names)} was split between several "
                                "councils, so its spending cannot be divided between them")
    merged = [p for p in direct if p.relation == "merged_into"]
    takes_county_tier = (tiers or {}).get(code) != "lower"
    if kind == "money" and takes_county_tier and (why := _tiers_mismatch(code, merged, tree,
                                                                          names)):
        return Summed(None, (), f"not summed: {why}")
    groups = [merged] if kind == "money" else _by_tier(merged)
    reasons = []
    for group in groups:
        total, members, lacking = 0.0, [], []
        for p in group:
            value, used = _value_of(p.code, period, tree, values, kind, names, tiers)
            if value is None:
                lacking.append(p)
            else:
                total += value
                members.extend(used)
        if not lacking:
            return Summed(total, tuple(members),
                          f"{LABEL}: {_names(group, names)}")
        reasons.append(f"no value for {_names(lacking, names)}")
    return Summed(None, (), f"not summed: {'; '.join(reasons)}")


def _value_of(code: str, period: str, tree: Tree, values: Values, kind: SumKind,
              names: Mapping[str, str], tiers: Mapping[str, str] | None
              ) -> tuple[float | None, list[str]]:
    present, value = _own(values, code, period)
    if present:
        return value, [code] if value is not None else []
    deeper = predecessor_sum(code, period, tree, values, kind, names, tiers)
    if deeper is None or deeper.value is None:
        return None, []
    return deeper.value, list(deeper.members)


def _tiers_mismatch(code: str, merged: list[Predecessor], tree: Tree,
                    names: Mapping[str, str]) -> str | None:
    """Why the county tier of ``code``'s predecessors does not cover the same area as their
    district tier (so their spending cannot be added up), or None."""
    codes = {p.code for p in merged}
    for p in merged:
        if p.parent_county and p.parent_county not in codes:
            county = names.get(p.parent_county, p.parent_county)
            return (f"{names.get(p.code, p.name)}'s county services were provided by {county}, "
                    "which did not become part of this council")
    ours = set(all_predecessors(code, tree))
    for preds in tree.values():
        for d in preds:
            if d.parent_county in codes and d.code not in ours:
                return (f"{names.get(d.parent_county or '', d.parent_county)} also served "
                        f"{names.get(d.code, d.name)}, which went to another council")
    return None


def _by_tier(preds: list[Predecessor]) -> list[list[Predecessor]]:
    """Predecessors grouped by tier, lower and single tiers first (counts never mix tiers)."""
    order = {"lower": 0, "single": 0, "upper": 1}
    groups: dict[int, list[Predecessor]] = {}
    for p in preds:
        groups.setdefault(order.get(p.tier, 2), []).append(p)
    return [groups[k] for k in sorted(groups)]


def _names(preds: list[Predecessor], names: Mapping[str, str]) -> str:
    shown = [names.get(p.code, p.name) for p in preds]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


# -- reading the hub ---------------------------------------------------------------------------

_TREE_SQL = """
SELECT s.new_code, s.old_code, p.name, p.tier, s.relation, s.effective_date,
       p.parent_county_gss
FROM place_successors s JOIN places p ON p.gss_code = s.old_code
WHERE s.relation IN ('merged_into', 'split_into')
ORDER BY s.new_code, s.old_code"""


def council_tiers(store: Store) -> dict[str, str]:
    """Every council's tier, from the place register."""
    return {r["gss_code"]: r["tier"] for r in store.rows("SELECT gss_code, tier FROM places")}


def predecessor_tree(store: Store) -> dict[str, tuple[Predecessor, ...]]:
    """Every successor's direct predecessors, from the place register."""
    tree: dict[str, list[Predecessor]] = {}
    for r in store.rows(_TREE_SQL):
        tree.setdefault(r["new_code"], []).append(
            Predecessor(r["old_code"], r["name"], r["tier"], r["relation"], r["effective_date"],
                        r["parent_county_gss"]))
    return {k: tuple(v) for k, v in tree.items()}


def all_predecessors(code: str, tree: Tree) -> list[str]:
    """Every code that ``code`` descends from, through chains of reorganisations."""
    out: list[str] = []
    stack = [p.code for p in tree.get(code, ())]
    while stack:
        c = stack.pop()
        if c not in out:
            out.append(c)
            stack.extend(p.code for p in tree.get(c, ()))
    return out


_VALUES_SQL = """
SELECT o.indicator_id, o.area_code, o.period, o.period_type, o.period_start, o.value
FROM current_observations o
WHERE list_contains(?, o.area_code) AND list_contains(?, o.indicator_id)"""


def predecessor_series(store: Store, code: str, indicators: Mapping[str, SumKind],
                       own_periods: Mapping[str, set[str]] | None = None,
                       tree: Tree | None = None) -> dict[str, list[dict]]:
    """For each indicator, the periods for which ``code``'s predecessors give a sum and the
    council has no value of its own: rows like the series rows (``value``, ``status``
    "derived", ``note`` naming the predecessors, ``predecessor_sum`` True), oldest first."""
    tree = tree if tree is not None else predecessor_tree(store)
    codes = all_predecessors(code, tree)
    if not codes or not indicators:
        return {}
    names = {p.code: p.name for preds in tree.values() for p in preds}
    tiers = council_tiers(store)
    by_ind: dict[str, dict[tuple[str, str], float | None]] = {}
    periods: dict[str, dict[str, tuple[str, date]]] = {}
    for r in store.rows(_VALUES_SQL, [codes, list(indicators)]):
        by_ind.setdefault(r["indicator_id"], {})[(r["area_code"], r["period"])] = r["value"]
        periods.setdefault(r["indicator_id"], {})[r["period"]] = (r["period_type"],
                                                                   r["period_start"])
    out: dict[str, list[dict]] = {}
    for ind, kind in indicators.items():
        own = (own_periods or {}).get(ind, set())
        rows = []
        for period, (ptype, start) in sorted(periods.get(ind, {}).items(), key=lambda kv: kv[1][1]):
            if period in own:
                continue
            summed = predecessor_sum(code, period, tree, by_ind.get(ind, {}), kind, names,
                                     tiers)
            if summed is None:
                continue
            rows.append({"period": period, "period_type": ptype, "period_start": start,
                         "value": summed.value,
                         "status": "derived" if summed.value is not None else "missing",
                         "note": summed.note, "predecessor_sum": True})
        if rows:
            out[ind] = rows
    return out
