"""Ordinal indicators (grades such as Ofsted's Outstanding / Good / Requires improvement /
Inadequate) set beside a group: never averaged, never banded by quartile, never ranked or given
an interval or a funnel. The council's grade is shown as its word, and the group and England
are shown as the distribution of grades (how many councils had each one). Pure: rows in, dicts
out; :mod:`wholeplace.insight.comparison.compare` calls :func:`ordinal_comparison` for every
indicator whose unit is ordinal (:attr:`wholeplace.hub.units.Unit.ordinal`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from wholeplace.hub.units import Unit

#: The verdict code of an ordinal comparison: no verdict (see :func:`ordinal_band`).
ORDINAL_CODE = "ordinal"
ORDINAL_BAND = "no verdict (a grade)"
NO_STATISTICS = ("an ordinal grade (a judgement on a scale, not a quantity): the grades of the "
                 "other councils are counted, never averaged, banded by quartile or ranked")
SUMMARY_KEYS = ("mean", "median", "q1", "q3", "min", "max")


def distribution(values: Iterable[float | None], unit: Unit) -> list[dict]:
    """How many of ``values`` had each grade of the unit, in the unit's order, then how many
    had none ("not available": a missing value is never a grade)."""
    seen = list(values)
    counts = Counter(int(v) for v in seen if v is not None)
    out = [{"grade": g, "label": word, "n": counts.get(g, 0)} for g, word in unit.labels]
    out.append({"grade": None, "label": "not available",
                "n": sum(1 for v in seen if v is None)})
    return out


def ordinal_band(value: float | None, unit: Unit, whom: str) -> dict:
    """The band of an ordinal value: no significance, position or side, only the reason."""
    word = unit.label_of(value)
    reason = (f"{word}: {NO_STATISTICS}; see the distribution of grades among {whom}"
              if word else "not available: no grade for this council")
    return {"band": ORDINAL_BAND, "verdict": ORDINAL_CODE, "significant_test": False,
            "basis": "distribution of grades", "benchmark": None, "reason": reason,
            "side": None}


def _against(obs: dict, unit: Unit, codes: list[str], names: list[str],
             peers: dict[str, dict], whom: str) -> dict:
    # in a stable order (by name, then code), whatever order the group's members came in
    codes, names = (list(t) for t in zip(*sorted(zip(codes, names), key=lambda cn: (cn[1], cn[0])))
                    ) if codes else ([], [])
    rows = [peers.get(c) for c in codes]
    values = [r["value"] if r else None for r in rows]
    return {"n": sum(1 for v in values if v is not None),
            **{k: None for k in SUMMARY_KEYS},
            "grades": distribution(values, unit),
            "missing": [c for c, v in zip(codes, values) if v is None],
            "values": [{"code": c, "name": n, "value": v, "label": unit.label_of(v)}
                       for c, n, v in zip(codes, names, values)],
            "band": ordinal_band(obs["value"], unit, whom)}


def ordinal_comparison(obs: dict, unit: Unit, groups: dict, method: str,
                       peers: dict[str, dict], same_kind: list[dict], kind_label: str,
                       whom: dict[str, str], rank: bool) -> dict:
    """The comparison row of an ordinal indicator, with the keys of every compared row (see
    :func:`wholeplace.insight.comparison.compare.compare_area`): the grade as ``value`` and
    ``value_label``; ``group`` and ``england`` give ``grades`` (the distribution) and a band
    that is no verdict; no interval, funnel, rank or dependence on the group."""
    by_method = {}
    for m, g in groups.items():
        codes = g.codes()
        by_method[m] = {"method": m, "label": g.label, "n_members": len(codes),
                        **_against(obs, unit, codes, [x.name for x in g.members], peers,
                                   whom[m])}
    scope = f"all {kind_label} in England"
    england_peers = {r["area_code"]: r for r in same_kind}
    england = _against(obs, unit, list(england_peers), [r["name"] for r in same_kind],
                       england_peers, scope)
    england.update(value=None, basis="distribution of grades", scope=scope,
                   reason=NO_STATISTICS)
    row = {k: obs[k] for k in ("indicator_id", "title", "unit", "polarity", "kind", "theme",
                               "period", "period_type", "value", "numerator", "denominator",
                               "status", "note", "dataset_id", "source_id")}
    row.update(unit_label=unit.label, value_label=unit.label_of(obs["value"]), ordinal=True,
               interval={"lower": None, "upper": None, "method": None, "confidence": None,
                         "reason": NO_STATISTICS, "rule": obs.get("interval")},
               group=by_method[method], england=england,
               sensitivity=[{"method": m, "label": b["label"], "n": b["n"],
                             "band": ORDINAL_BAND, "verdict": ORDINAL_CODE, "side": None}
                            for m, b in by_method.items()],
               depends_on_group=False, funnel=None, not_applicable=None)
    if rank:
        row["rank"] = {"rank": None, "best_rank": None, "worst_rank": None, "of": None,
                       "label": ORDINAL_BAND, "among": whom[method], "reason": NO_STATISTICS}
    return row
