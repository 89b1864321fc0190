"""How a council's value is set against its comparator group and against England. Pure: plain
numbers in, plain dicts out; :mod:`wholeplace.insight.comparison.compare` reads the hub and calls
these.

Two kinds of verdict, never mixed up:

* **With a confidence interval** (the data gives a numerator and a denominator): the value is
  "significantly better / similar / significantly worse" than the benchmark by the indicator's
  polarity ("significantly higher / similar / significantly lower" for neutral indicators), by
  :func:`wholeplace.insight.statistics.stats.compare_to_benchmark` (the interval excludes the
  benchmark or
  not). The group benchmark is the group's pooled value (sum of numerators / sum of
  denominators) when every member with a value has both, else the mean of the members' values.
* **Without an interval**: only a *position* in the distribution of the others' values, which is
  not a significance test and never called significant: "above the upper quartile", "within the
  middle half" (the lower and upper quartiles included) or "below the lower quartile".
  Quartiles are Hyndman and Fan type 7 (R's default; ``statistics.quantiles`` "inclusive").

Either way, fewer than :data:`MIN_COMPARATORS` other councils with a value give "not enough
data", and a missing value gives "not available" with the reason. Each verdict also has a short
machine ``verdict`` code (see :data:`VERDICTS`) so that verdicts under different comparator
groups can be compared (:func:`depends_on_group`).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

from wholeplace.errors import InputError
from wholeplace.insight.statistics import stats

#: Fewest other councils with a value that a comparison is made against (group or England).
#: Below it the band is "not enough data": quartiles of four or fewer values say little.
MIN_COMPARATORS = 5

NOT_AVAILABLE = stats.NOT_AVAILABLE
NOT_ENOUGH_DATA = "not enough data"

#: Machine codes of the verdicts. Significance verdicts come only from an interval; position
#: verdicts only from the distribution of the other councils' values.
SIGNIFICANCE_VERDICTS = {
    stats.BETTER: "better", stats.WORSE: "worse", stats.HIGHER: "higher",
    stats.LOWER: "lower", stats.SIMILAR: "similar",
}
ABOVE, MIDDLE, BELOW = "above_upper_quartile", "middle_half", "below_lower_quartile"
VERDICTS = (*SIGNIFICANCE_VERDICTS.values(), ABOVE, MIDDLE, BELOW, "not_enough_data",
            "not_available")
#: Verdicts that say nothing about the council (left out when asking whether the group matters).
NO_VERDICT = ("not_enough_data", "not_available")


def present(values: Iterable[float | None]) -> list[float]:
    """The values that are not missing (None is left out, never read as zero)."""
    return [float(v) for v in values if v is not None]


def summary(values: Iterable[float | None]) -> dict:
    """n, mean, median, quartiles, min and max of the non-missing values (None when n < 2,
    or n = 0 for the mean, median, min and max)."""
    xs = sorted(present(values))
    out: dict[str, float | None] = {"n": len(xs), "mean": None, "median": None, "q1": None,
                                    "q3": None, "min": None, "max": None}
    if xs:
        out.update(mean=statistics.fmean(xs), median=statistics.median(xs), min=xs[0],
                   max=xs[-1])
    if len(xs) >= 2:
        q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive")
        out.update(q1=q1, q3=q3)
    return out


def pooled(pairs: Iterable[tuple[float | None, float | None]], scale: float) -> float | None:
    """Sum of numerators / sum of denominators x ``scale`` over pairs having both (None when no
    denominator is left)."""
    use = [(x, n) for x, n in pairs if x is not None and n is not None]
    total = sum(n for _, n in use)
    return None if not use or total <= 0 else sum(x for x, _ in use) / total * scale


def _result(band: str, verdict: str, basis: str | None, benchmark: float | None = None,
            reason: str | None = None) -> dict:
    return {"band": band, "verdict": verdict, "significant_test": verdict in
            SIGNIFICANCE_VERDICTS.values(), "basis": basis, "benchmark": benchmark,
            "reason": reason}


def significance_band(estimate: stats.Estimate, benchmark: float | None, polarity: str,
                      basis: str) -> dict:
    """The interval of ``estimate`` against ``benchmark``, as a band with its verdict code."""
    band = stats.compare_to_benchmark(estimate, benchmark, polarity)
    if band == NOT_AVAILABLE:
        return _result(NOT_AVAILABLE, "not_available", basis, benchmark,
                       "no benchmark value" if benchmark is None else "no interval")
    return _result(band, SIGNIFICANCE_VERDICTS[band], basis, benchmark)


def position_band(value: float, others: Sequence[float | None], whom: str) -> dict:
    """Where ``value`` sits among ``others`` (quartiles), never called significant."""
    s = summary(others)
    if s["n"] < MIN_COMPARATORS:
        return _result(NOT_ENOUGH_DATA, "not_enough_data", None,
                       reason=f"{s['n']} of {whom} have a value; at least {MIN_COMPARATORS} "
                              "are needed")
    basis = f"position among {whom} (quartiles; not a significance test)"
    if value > s["q3"]:
        return _result(f"above the upper quartile of {whom}", ABOVE, basis)
    if value < s["q1"]:
        return _result(f"below the lower quartile of {whom}", BELOW, basis)
    return _result(f"within the middle half of {whom}", MIDDLE, basis)


def band(value: float | None, estimate: stats.Estimate | None, others: Sequence[float | None],
         polarity: str, whom: str, benchmark: float | None = None,
         benchmark_basis: str | None = None, missing_reason: str | None = None) -> dict:
    """The verdict for one value against one set of other councils.

    With an interval (``estimate.available``) and at least :data:`MIN_COMPARATORS` others with
    a value, a significance band against ``benchmark`` (default: the mean of ``others``);
    without an interval, the position among ``others``.
    """
    if polarity not in stats.POLARITIES:
        raise InputError(f"polarity must be one of {', '.join(stats.POLARITIES)}; got "
                         f"{polarity!r}.")
    if value is None:
        return _result(NOT_AVAILABLE, "not_available", None,
                       reason=missing_reason or "no value for this council")
    n = len(present(others))
    if n < MIN_COMPARATORS:
        return _result(NOT_ENOUGH_DATA, "not_enough_data", None,
                       reason=f"{n} of {whom} have a value; at least {MIN_COMPARATORS} are "
                              "needed")
    if estimate is not None and estimate.available:
        if benchmark is None:
            benchmark, benchmark_basis = statistics.fmean(present(others)), f"mean of {whom}"
        return significance_band(estimate, benchmark, polarity,
                                 f"{estimate.confidence:.0%} interval against the "
                                 f"{benchmark_basis}")
    return position_band(value, others, whom)


def depends_on_group(verdicts: Iterable[str]) -> bool:
    """True when the council's verdict differs between comparator groups.

    "not enough data" and "not available" are left out: a group too small to judge does not
    change the verdict, it gives none.
    """
    return len({v for v in verdicts if v not in NO_VERDICT}) > 1


def side(verdict: str, polarity: str) -> str | None:
    """For a position verdict, whether it is on the "better" or "worse" side by polarity
    (None for the middle half, a neutral indicator or a significance verdict)."""
    if polarity == "neutral" or verdict not in (ABOVE, BELOW):
        return None
    return "better" if (verdict == ABOVE) == (polarity == "higher_is_better") else "worse"


def england_value(rows: Sequence[dict], share: bool, scale: float | None) -> dict:
    """The England benchmark from the rows of every council of the same kind (each with
    ``value``, ``numerator``, ``denominator``).

    For a share indicator where every council with a value has a numerator and a denominator,
    the pooled value (sum of numerators / sum of denominators); otherwise the median of the
    councils' values. ``basis`` says which.
    """
    valued = [r for r in rows if r["value"] is not None]
    if not valued:
        return {"value": None, "basis": None, "n": 0, "reason": "no council of this kind has "
                "a value for this period"}
    complete = all(r["numerator"] is not None and r["denominator"] is not None for r in valued)
    if share and scale and complete:
        value = pooled(((r["numerator"], r["denominator"]) for r in valued), scale)
        if value is not None:
            return {"value": value, "basis": "pooled: sum of numerators / sum of denominators",
                    "n": len(valued), "reason": None}
    return {"value": statistics.median(r["value"] for r in valued),
            "basis": "median of the councils' values", "n": len(valued), "reason": None}
