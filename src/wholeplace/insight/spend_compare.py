"""Whole-place spend compared: an area's whole-place spend per head against its comparators'.

For each service line and both totals, the same whole-place per-head value
(:mod:`wholeplace.insight.wholeplace_spend`) of every comparator area with a complete figure:
the median, the quartiles (Python's ``statistics.quantiles``, method ``inclusive``: R's default
type 7), the lowest and highest, and where the area sits (its rank, 1 = highest spend, among the
comparators and itself). Comparators whose figure is unknown are listed and left out of the
statistics, never counted as 0.

Comparator groups come from :func:`wholeplace.insight.groups.comparator_group` (methods
``ours``, ``cipfa``, ``region``, ``county``, ``custom``) when that module is installed; two
methods are built in: ``national`` (every council area of the same type in England with figures
for the year) and, only when ``groups`` is not available, ``region`` (the same within the
area's region).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from wholeplace.errors import InputError
from wholeplace.hub.store import Store
from wholeplace.insight.wholeplace_spend import (
    COMPARABLE_TOTAL,
    TOTAL,
    SpendInputs,
    compose,
    read_inputs,
    resolve_subject,
)

BUILT_IN = ("national", "region")


def quartiles(values: Sequence[float]) -> dict:
    """n, min, lower quartile, median, upper quartile and max of ``values`` (None if empty)."""
    vals = sorted(values)
    if not vals:
        return {"n": 0, "min": None, "q1": None, "median": None, "q3": None, "max": None}
    if len(vals) == 1:
        q1 = q3 = None
    else:
        q1, _, q3 = statistics.quantiles(vals, n=4, method="inclusive")
    return {"n": len(vals), "min": vals[0], "q1": q1, "median": statistics.median(vals),
            "q3": q3, "max": vals[-1]}


def position(value: float | None, stats: dict) -> str | None:
    """Where ``value`` sits against the comparators' quartiles, in words."""
    if value is None or stats["median"] is None:
        return None
    if stats["q1"] is not None and value < stats["q1"]:
        return "below the lower quartile"
    if stats["q3"] is not None and value > stats["q3"]:
        return "above the upper quartile"
    if value == stats["median"]:
        return "at the median"
    return "between the median and the upper quartile" if value > stats["median"] \
        else "between the lower quartile and the median"


def rank(value: float | None, others: Sequence[float]) -> int | None:
    """1 = the highest spend among the comparators and the area itself (ties share a rank)."""
    return None if value is None else 1 + sum(1 for v in others if v > value)


def compare_line(line_id: str, label: str, subject: float | None,
                 members: dict[str, float | None]) -> dict:
    """The comparison of one line (pure): statistics over the members with a known value."""
    known = [v for v in members.values() if v is not None]
    stats = quartiles(known)
    return {"id": line_id, "label": label, "value": subject, **stats,
            "rank": rank(subject, known), "of": len(known) + (subject is not None),
            "position": position(subject, stats),
            "unknown": sorted(code for code, v in members.items() if v is None)}


def _line_values(result: dict) -> dict[str, tuple[str, float | None]]:
    return {row["id"]: (row["label"], row["total_per_head"])
            for row in result["lines"] + result["totals"]}


def compare_results(subject: dict, members: dict[str, dict]) -> list[dict]:
    """Compare composed results (pure): one row per line of the subject, totals last."""
    theirs = {code: _line_values(r) for code, r in members.items()}
    out = []
    for line_id, (label, value) in _line_values(subject).items():
        out.append(compare_line(line_id, label, value,
                                {c: v.get(line_id, ("", None))[1] for c, v in theirs.items()}))
    return out


# -- groups ------------------------------------------------------------------------------------
def built_in_members(inputs: SpendInputs, code: str, method: str) -> list[str]:
    """Same type of council area with figures for the year, in England or in the region."""
    area = inputs.places[code]
    return sorted(
        p["gss_code"] for p in inputs.places.values()
        if p["la_type"] == area["la_type"] and p["gss_code"] != code
        and (p["gss_code"], TOTAL.id) in inputs.values
        and (method == "national" or p["region"] == area["region"]))


def _groups_function():
    try:
        from wholeplace.insight.groups import comparator_group
    except ImportError:
        return None
    return comparator_group


def comparator_codes(store: Store, inputs: SpendInputs, code: str, method: str
                     ) -> tuple[list[str], str, list[str]]:
    """(member codes, label, notes) of the comparator group by ``method``."""
    group_of = _groups_function()
    if method == "national" or (method == "region" and group_of is None):
        where = "England" if method == "national" else inputs.places[code]["region"]
        label = f"{inputs.places[code]['la_type']} areas in {where} with {inputs.period.label} " \
                "figures"
        return built_in_members(inputs, code, method), label, []
    if group_of is None:
        raise InputError(f"The comparator method {method!r} needs wholeplace.insight.groups, "
                         f"which is not installed; use one of {', '.join(BUILT_IN)}.")
    group = group_of(store, code, method=method)
    data = group if isinstance(group, dict) else group.to_dict()
    codes = [m["code"] if isinstance(m, dict) else m for m in data["members"]]
    return [c for c in codes if c != code], data.get("label") or method, list(
        data.get("notes") or [])


def _composable(inputs: SpendInputs, codes: list[str]) -> tuple[list[str], list[str]]:
    ok, skipped = [], []
    for c in codes:
        place = inputs.places.get(c)
        (ok if place is not None and place["tier"] in ("lower", "single") else skipped).append(c)
    return ok, skipped


def compare_spend(store: Store, code: str, year: int | str, method: str = "national") -> dict:
    """The area's whole-place spend per head against its comparator group's, line by line."""
    place = resolve_subject(store, code)
    if place["tier"] == "upper":
        raise InputError(f"{place['official_name']} is a county: compare one of its districts "
                         "(run 'wholeplace spend CODE' on the county to list them).")
    inputs = read_inputs(store, year)
    subject = compose(inputs, place["gss_code"])
    codes, label, notes = comparator_codes(store, inputs, place["gss_code"], method)
    ok, skipped = _composable(inputs, codes)
    members = {c: compose(inputs, c) for c in ok}
    if skipped:
        notes.append(f"Left out {len(skipped)} comparators that are not council areas with a "
                     f"whole-place figure (counties, combined authorities or unknown codes): "
                     f"{', '.join(skipped)}.")
    notes.append("Statistics are over the comparators with a complete figure for the line; "
                 "those listed as unknown are left out, never counted as 0. Rank 1 is the "
                 "highest spend per head among the comparators and the area itself.")
    notes.append(f"Compare '{COMPARABLE_TOTAL.label}' across areas: police and fire are "
                 "included only where a body in the register reports them (such as London).")
    return {"area": subject["area"], "period": subject["period"], "method": method,
            "label": label, "population": subject["population"],
            "members": [{"code": c, "name": inputs.places[c]["name"],
                         "total_per_head": _line_values(members[c])[COMPARABLE_TOTAL.id][1]}
                        for c in ok],
            "lines": compare_results(subject, members), "notes": notes}
