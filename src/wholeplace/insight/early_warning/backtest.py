"""Do the early-warning flags carry information? The backtest.

For every calendar year Y (2012 to 2024 by default): assess every council with only the data
published by 31 December of Y (:func:`wholeplace.insight.early_warning.resilience.assess`), call
a council *flagged* when it has at least ``min_higher`` "higher risk" flags, and compare how
usable reserves as a percentage of net revenue expenditure moved over the next two financial
years, flagged against not flagged. The outcome is read from the latest releases in the hub
(a revision cannot pass for a move): usable reserves at 31 March ending the assessed year
``F`` against 31 March ending ``F + 2``, each divided by its own year's net revenue
expenditure, in percentage points. A year whose outcome year has no Revenue Outturn release in
the hub says so.

The difference of the means (flagged minus not flagged) has a 95% interval from Welch's t test
(``scipy.stats.ttest_ind(equal_var=False)``): it does not assume the two groups have the same
variance. :func:`compare_groups` is pure; :func:`backtest` reads the hub.
"""

from __future__ import annotations

import math
import statistics
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from scipy import stats

from wholeplace.errors import InputError
from wholeplace.hub.store import Store
from wholeplace.insight.early_warning import flags as rules
from wholeplace.insight.early_warning import resilience
from wholeplace.insight.early_warning.flags import DEFAULT_SETTINGS, RiskSettings

#: The years the backtest runs by default: the first year an RS release was out (2012, with
#: 2010-11) to the latest (2024, with 2023-24).
YEARS = tuple(range(2012, 2025))
#: How many "higher risk" flags make a council flagged. One is common by construction (each
#: relative-only indicator puts about a tenth of a kind in "higher risk"), so the flag list
#: already advises looking at councils with several: two is the smallest "several". Chosen from
#: that rule before any backtest was run, never tuned to the results.
MIN_HIGHER = 2
#: How many financial years after the assessed one the outcome looks.
HORIZON = 2
METHOD_TEXT = ("difference of means, flagged minus not flagged, with a 95% interval from "
               "Welch's t test (scipy.stats.ttest_ind, equal_var=False)")


def usable_pct_nre(values: Mapping[str, Mapping[int, float | None]]) -> dict[int, float]:
    """Usable reserves at the end of each financial year as % of that year's net revenue
    expenditure (NRE above zero only), by financial year start."""
    levels = resilience.usable_levels({k: dict(v) for k, v in values.items()})
    out: dict[int, float] = {}
    for fy, nre in values.get(resilience.NRE, {}).items():
        level = levels.get(fy + 1)
        if level is not None and nre is not None and nre > 0:
            out[fy] = 100.0 * level / nre
    return out


def _mean(xs: Sequence[float]) -> float | None:
    return statistics.fmean(xs) if xs else None


def compare_groups(flagged: Sequence[float], others: Sequence[float],
                   confidence: float = 0.95) -> dict[str, Any]:
    """Means of two groups' outcomes and their difference (flagged - others) with Welch's
    interval. The interval is None with fewer than 2 values in either group or no spread."""
    out: dict[str, Any] = {"flagged_mean": _mean(flagged), "not_flagged_mean": _mean(others),
                 "flagged_median": statistics.median(flagged) if flagged else None,
                 "not_flagged_median": statistics.median(others) if others else None,
                 "difference": None, "ci_low": None, "ci_high": None, "p_value": None}
    if out["flagged_mean"] is None or out["not_flagged_mean"] is None:
        return out
    out["difference"] = out["flagged_mean"] - out["not_flagged_mean"]
    if len(flagged) < 2 or len(others) < 2 or (statistics.pvariance(flagged) == 0
                                               and statistics.pvariance(others) == 0):
        return out
    test = stats.ttest_ind(flagged, others, equal_var=False)
    ci = test.confidence_interval(confidence)
    out |= {"ci_low": float(ci.low), "ci_high": float(ci.high), "p_value": float(test.pvalue),
            "df": float(test.df)}
    return out


def _round(x: float | None, places: int = 2) -> float | None:
    return None if x is None or math.isnan(x) else round(x, places)


def backtest_year(store: Store, year: int, outcome: Mapping[str, Mapping[int, float]],
                  latest_fy: int, min_higher: int = MIN_HIGHER, method: str = "kind",
                  settings: RiskSettings = DEFAULT_SETTINGS) -> dict[str, Any]:
    """One row of the backtest: flags from data published by 31 December ``year``; outcome
    from ``outcome`` (code -> usable % of NRE by financial year, latest releases)."""
    result = resilience.shared_assessment(store, year, method, settings)
    fy = int(result["period"][:4])
    assessed = [c for c in result["councils"] if c["status"] == "assessed"]
    flagged = [c["code"] for c in assessed if c["higher_risk"] >= min_higher]
    others = [c["code"] for c in assessed if c["higher_risk"] < min_higher]
    row = {"year": year, "as_of": result["as_of"].isoformat(), "assessed_period":
           result["period"], "outcome_period": rules.fy_label(fy + HORIZON),
           "flagged": len(flagged), "not_flagged": len(others)}
    if fy + HORIZON > latest_fy:
        return row | {"status": "outcome not yet published", "reason": (
            f"The outcome needs Revenue Outturn for {rules.fy_label(fy + HORIZON)}; the latest "
            f"in the hub is {rules.fy_label(latest_fy)}.")}

    def moves(codes: Iterable[str]) -> list[float]:
        out = []
        for code in codes:
            series = outcome.get(code, {})
            if fy in series and fy + HORIZON in series:
                out.append(series[fy + HORIZON] - series[fy])
        return out

    a, b = moves(flagged), moves(others)
    compared = compare_groups(a, b)
    return row | {"status": "compared", "flagged_with_outcome": len(a),
                  "not_flagged_with_outcome": len(b)} | {
        k: _round(v) for k, v in compared.items()}


def backtest(store: Store, years: Sequence[int] = YEARS, min_higher: int = MIN_HIGHER,
             method: str = "kind", settings: RiskSettings = DEFAULT_SETTINGS) -> dict[str, Any]:
    """The backtest table: one row per year (see the module docstring)."""
    if min_higher < 1:
        raise InputError(f"--min-higher must be at least 1, not {min_higher}.")
    latest = resilience.read_rs(store, date(9999, 12, 31))
    if not latest.years:
        raise InputError("The hub has no Revenue Outturn data: load the RS sources first "
                         "('wholeplace load').")
    outcome = {code: usable_pct_nre(v) for code, v in latest.values.items()}
    rows = [backtest_year(store, y, outcome, max(latest.years), min_higher, method, settings)
            for y in years]
    return {"method": METHOD_TEXT, "comparators": method, "min_higher": min_higher,
            "horizon_years": HORIZON,
            "flagged_means": f"at least {min_higher} 'higher risk' flags",
            "outcome": (f"change in usable reserves (unallocated + other earmarked) as % of net "
                        f"revenue expenditure, percentage points, from the end of the assessed "
                        f"year to the end of the year {HORIZON} years later; latest releases"),
            "latest_outturn": rules.fy_label(max(latest.years)), "rows": rows}


_LOCK = threading.Lock()
_RESULTS: dict[tuple, dict[str, Any]] = {}
#: How many backtest results are remembered (one per hub file, data version and scope).
CACHE_SIZE = 4


def shared_backtest(store: Store) -> dict[str, Any]:
    """:func:`backtest` with the defaults, remembered per hub file, data version (a load changes
    it) and the reader's scope (:attr:`Store.scope_key`): the hub is read-only while serving, so
    the web page computes it once. Shared between callers: read it, never change it. An
    in-memory hub (no path) is not remembered."""
    if store.path is None:
        return backtest(store)
    key = (str(store.path), store.data_version(), store.scope_key)
    with _LOCK:
        found = _RESULTS.get(key)
    if found is None:
        found = backtest(store)
        with _LOCK:
            while len(_RESULTS) >= CACHE_SIZE:
                _RESULTS.pop(next(iter(_RESULTS)))
            _RESULTS[key] = found
    return found


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """What the table says, counted (pure): the years compared, and among them those whose 95%
    interval of the difference lies wholly below zero (the flagged councils' reserves fell
    more: what a warning foretells), wholly above it, or includes it; and the years whose
    difference of medians is below zero."""
    compared = [r for r in result["rows"] if r.get("status") == "compared"
                and r.get("ci_low") is not None and r.get("ci_high") is not None]
    below = [r["year"] for r in compared if r["ci_high"] < 0]
    above = [r["year"] for r in compared if r["ci_low"] > 0]
    medians = [r["year"] for r in compared
               if r.get("flagged_median") is not None and r.get("not_flagged_median") is not None
               and r["flagged_median"] < r["not_flagged_median"]]
    return {"compared": len(compared), "interval_below_zero": below,
            "interval_above_zero": above,
            "interval_includes_zero": [r["year"] for r in compared
                                       if r["year"] not in below and r["year"] not in above],
            "median_lower_for_flagged": medians,
            "not_compared": [r["year"] for r in result["rows"] if r not in compared]}
