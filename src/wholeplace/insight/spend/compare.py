"""Whole-place spend compared: an area's whole-place spend per head against its comparators'.

For each service line and both totals, the same whole-place per-head value
(:mod:`wholeplace.insight.spend.wholeplace`) of every comparator area with a complete figure:
the median, the quartiles (:func:`wholeplace.insight.statistics.stats.quantile`, Hyndman and Fan
type 7, R's
default), the lowest and highest, and where the area sits in words. Comparators whose figure is
unknown are listed and left out of the statistics, never counted as 0.

Contextual insight, not a league table: a rank only when asked for (``rank=True``), and then
as a range when the value is tied ("joint 1st to 188th highest of 188"), or none when every
area has the same value.

Comparator groups: ``national`` (every council area of the same type in England with figures for
the year) is built in; ``ours``, ``cipfa``, ``region``, ``county`` and ``custom`` come from
:func:`wholeplace.insight.peers.groups.comparator_group`.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from wholeplace.errors import InputError
from wholeplace.hub.store import Store
from wholeplace.insight.peers.groups import comparator_group
from wholeplace.insight.spend.wholeplace import (
    COMPARABLE_TOTAL,
    TOTAL,
    SpendInputs,
    compose,
    read_inputs,
    resolve_subject,
)
from wholeplace.insight.statistics.stats import quantile


def quartiles(values: Sequence[float]) -> dict:
    """n, min, lower quartile, median, upper quartile and max of ``values`` (None if empty; the
    quartiles also None for a single value)."""
    vals = sorted(values)
    if not vals:
        return {"n": 0, "min": None, "q1": None, "median": None, "q3": None, "max": None}
    q1, q3 = (None, None) if len(vals) == 1 else (quantile(vals, 0.25), quantile(vals, 0.75))
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


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def rank(value: float | None, others: Sequence[float]) -> dict:
    """The area's place by spend per head, highest first, among ``others`` and itself.

    ``best`` is one more than the number of others above it and ``worst`` adds those equal to
    it, so a tie is a shared range ("joint 1st to 3rd highest of 188"), never the top rank
    alone. No rank (``best`` None, with the ``reason``) without a value, without others, or
    when every value is the same.
    """
    of = len(others) + (value is not None)
    if value is None or not others or all(v == value for v in others):
        why = ("no value for this area" if value is None else "no comparator has a value"
               if not others else f"all {of} areas have the same value")
        return {"best": None, "worst": None, "of": of, "label": None, "reason": why}
    best = 1 + sum(1 for v in others if v > value)
    worst = best + sum(1 for v in others if v == value)
    if best < worst:
        label = f"joint {_ordinal(best)} to {_ordinal(worst)} highest of {of}"
    else:
        label = {1: "the highest", of: "the lowest"}.get(best, f"{_ordinal(best)} highest") + \
            f" of {of}"
    return {"best": best, "worst": worst, "of": of, "label": label, "reason": None}


def compare_line(line_id: str, label: str, subject: float | None,
                 members: dict[str, float | None], ranked: bool = False) -> dict:
    """The comparison of one line (pure): statistics over the members with a known value, and
    the area's rank only when ``ranked``."""
    known = [v for v in members.values() if v is not None]
    stats = quartiles(known)
    row = {"id": line_id, "label": label, "value": subject, **stats,
           "position": position(subject, stats),
           "unknown": sorted(code for code, v in members.items() if v is None)}
    if ranked:
        row["rank"] = rank(subject, known)
    return row


def _line_values(result: dict) -> dict[str, tuple[str, float | None]]:
    return {row["id"]: (row["label"], row["total_per_head"])
            for row in result["lines"] + result["totals"]}


def compare_results(subject: dict, members: dict[str, dict], ranked: bool = False
                    ) -> list[dict]:
    """Compare composed results (pure): one row per line of the subject, totals last."""
    theirs = {code: _line_values(r) for code, r in members.items()}
    out = []
    for line_id, (label, value) in _line_values(subject).items():
        out.append(compare_line(line_id, label, value,
                                {c: v.get(line_id, ("", None))[1] for c, v in theirs.items()},
                                ranked))
    return out


# -- groups ------------------------------------------------------------------------------------
def built_in_members(inputs: SpendInputs, code: str) -> list[str]:
    """Same type of council area in England with figures for the year."""
    area = inputs.places[code]
    return sorted(
        p["gss_code"] for p in inputs.places.values()
        if p["la_type"] == area["la_type"] and p["gss_code"] != code
        and (p["gss_code"], TOTAL.id) in inputs.values)


def comparator_codes(store: Store, inputs: SpendInputs, code: str, method: str
                     ) -> tuple[list[str], str, list[str]]:
    """(member codes, label, notes) of the comparator group by ``method``."""
    if method == "national":
        label = (f"{inputs.places[code]['la_type']} areas in England with "
                 f"{inputs.period.label} figures")
        return built_in_members(inputs, code), label, []
    group = comparator_group(store, code, method=method)
    return [c for c in group.codes() if c != code], group.label or method, list(group.notes)


def _composable(inputs: SpendInputs, codes: list[str]) -> tuple[list[str], list[str]]:
    ok: list[str] = []
    skipped: list[str] = []
    for c in codes:
        place = inputs.places.get(c)
        (ok if place is not None and place["tier"] in ("lower", "single") else skipped).append(c)
    return ok, skipped


def compare_spend(store: Store, code: str, year: int | str, method: str = "national",
                  rank: bool = False) -> dict:
    """The area's whole-place spend per head against its comparator group's, line by line; with
    ``rank``, each line also gets the area's rank among the comparators and itself."""
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
                 "those listed as unknown are left out, never counted as 0.")
    if rank:
        notes.append("Ranks are by spend per head, highest first, among the comparators with a "
                     "figure and the area itself; a tie is shown as the range of ranks it "
                     "shares, and there is no rank where every area has the same value. A "
                     "higher rank is not better or worse: it is only more spending per head.")
    notes.append(f"Compare '{COMPARABLE_TOTAL.label}' across areas: police and fire are "
                 "included only where a body in the register reports them (such as London).")
    return {"area": subject["area"], "period": subject["period"], "method": method,
            "label": label, "population": subject["population"], "rank": rank,
            "members": [{"code": c, "name": inputs.places[c]["name"],
                         "total_per_head": _line_values(members[c])[COMPARABLE_TOTAL.id][1]}
                        for c in ok],
            "lines": compare_results(subject, members, rank), "notes": notes}
