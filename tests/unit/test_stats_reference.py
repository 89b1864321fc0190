"""The insight statistics against published reference values.

Oracles: the test data of the UK Health Security Agency's PHEindicatormethods R package (v2.1.0),
read from ``<sources>/reference`` (see its README.md), and standard statistical tables.

Tolerance comes from how each reference number is printed: a value rounded to d decimals is
matched within half a unit of its last place (0.5e-6 for the funnel limits, given to 6 dp); a
value printed to full double precision (15 or more significant digits) within a relative 1e-12,
which leaves room only for the order of floating-point operations.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from wholeplace.errors import InputError
from wholeplace.insight.statistics.distributions import chi_square_quantile, t_quantile
from wholeplace.insight.statistics.stats import (
    baseline_proportion,
    byars_interval,
    exact_poisson_interval,
    funnel_axis_populations,
    funnel_limits,
    funnel_significance,
    mean_interval,
    proportion_interval,
    rate_interval,
    wilson_interval,
)


def _rows(sources_dir: Path, name: str) -> list[dict[str, str]]:
    with open(sources_dir / "reference" / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _significant(text: str) -> int:
    return len(text.replace("-", "").replace(".", "").lstrip("0"))


def _tolerance(text: str, decimals: int | None = None) -> float:
    """How close a computed value must be to a reference printed as ``text``."""
    reference = float(text)
    if decimals is None and _significant(text) >= 15:
        return 1e-12 * abs(reference)
    places = _decimals(text) if decimals is None else decimals
    return 0.5 * 10.0 ** -places + 1e-12 * abs(reference)


def _matches(value: float | None, text: str, decimals: int | None = None) -> bool:
    if text == "":
        return value is None
    return value is not None and abs(value - float(text)) <= _tolerance(text, decimals)


def _confidence(label: str) -> float:
    return {"95%": 0.95, "99.8%": 0.998}[label]


# --- Byar's and Wilson -------------------------------------------------------------------------

def test_every_byars_and_wilson_row_matches(sources_dir):
    rows = _rows(sources_dir, "phe_byars_wilson_intervals.csv")
    assert len(rows) == 13
    failures = []
    for number, row in enumerate(rows, start=2):
        confidence = _confidence(row["confidence"])
        if row["method"] == "Byars":
            assert row["n"] == ""
            lower, upper = byars_interval(float(row["x"]), confidence)
        else:
            lower, upper = wilson_interval(float(row["x"]), float(row["n"]), confidence)
        if not (_matches(lower, row["lowercl"]) and _matches(upper, row["uppercl"])):
            failures.append((number, row, lower, upper))
    assert failures == []


def test_byars_lower_limit_is_missing_where_the_formula_goes_negative(sources_dir):
    # The reference leaves the 99.8% lower limit of a count of 1 blank: Byar's formula gives a
    # negative number there, which PHE reports as NA, not as 0.
    row = _rows(sources_dir, "phe_byars_wilson_intervals.csv")[-1]
    assert (row["x"], row["lowercl"], row["confidence"]) == ("1.0", "", "99.8%")
    assert byars_interval(1, 0.998)[0] is None
    assert 1 * (1 - 1 / 9 - 3.090232306167813 / 3) ** 3 < 0


# --- Wilson proportions with multipliers, and missing rows ---------------------------------------

def test_every_proportion_row_matches(sources_dir):
    rows = _rows(sources_dir, "phe_proportion_intervals.csv")
    assert len(rows) == 19
    failures = []
    for number, row in enumerate(rows, start=2):
        numerator = float(row["Numerator"]) if row["Numerator"] else None
        denominator = float(row["Denominator"]) if row["Denominator"] else None
        multiplier = float(row["multiplier"])
        at95 = proportion_interval(numerator, denominator, multiplier, 0.95)
        at998 = proportion_interval(numerator, denominator, multiplier, 0.998)
        pairs = [(at95.value, row["value"]), (at95.lower, row["lower95_0cl"]),
                 (at95.upper, row["upper95_0cl"]), (at998.lower, row["lower99_8cl"]),
                 (at998.upper, row["upper99_8cl"])]
        if not all(_matches(value, text) for value, text in pairs):
            failures.append((number, row, pairs))
    assert failures == []


def test_missing_numerator_or_denominator_stays_missing(sources_dir):
    rows = [r for r in _rows(sources_dir, "phe_proportion_intervals.csv") if r["value"] == ""]
    assert [r["Area"] for r in rows] == ["Area09", "Area10", "Area11"]
    for row in rows:
        numerator = float(row["Numerator"]) if row["Numerator"] else None
        denominator = float(row["Denominator"]) if row["Denominator"] else None
        estimate = proportion_interval(numerator, denominator)
        assert estimate.value is None and estimate.lower is None and estimate.upper is None
        assert estimate.reason in ("no numerator", "no denominator")
        assert estimate.compared_to(0.5).band == "not available"


# --- funnels -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def funnel_inputs(sources_dir):
    rows = _rows(sources_dir, "phe_funnel_proportion_inputs.csv")
    return rows, [float(r["numerator"]) for r in rows], [float(r["denominator"]) for r in rows]


def test_baseline_is_the_overall_proportion(sources_dir, funnel_inputs):
    _, numerators, denominators = funnel_inputs
    limits = _rows(sources_dir, "phe_funnel_proportion_limits.csv")
    baseline = baseline_proportion(numerators, denominators)
    assert {r["Baseline"] for r in limits} == {"80.642448"}
    assert _matches(baseline * 100, "80.642448")


def test_every_funnel_significance_label_matches(funnel_inputs):
    rows, numerators, denominators = funnel_inputs
    assert len(rows) == 303
    baseline = baseline_proportion(numerators, denominators)
    got = [funnel_significance(x, n, baseline) for x, n in zip(numerators, denominators)]
    mismatches = [(r["Area"], r["significance"], g) for r, g in zip(rows, got)
                  if g != r["significance"]]
    assert mismatches == []
    assert set(got) == {"High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)",
                        "Not significant"}


COLUMNS = {"Lower2s0025limit": (0.95, "lower"), "Upper2s0025limit": (0.95, "upper"),
           "Lower3s0001limit": (0.998, "lower"), "Upper3s0001limit": (0.998, "upper")}


def test_every_funnel_limit_matches(sources_dir, funnel_inputs):
    _, numerators, denominators = funnel_inputs
    rows = _rows(sources_dir, "phe_funnel_proportion_limits.csv")
    assert len(rows) == 100
    # Precision per column: the clipped 0 and 100 are printed without decimals.
    decimals = {c: max(_decimals(r[c]) for r in rows) for c in [*COLUMNS, "Baseline"]}
    assert set(decimals.values()) == {6}
    baseline = baseline_proportion(numerators, denominators)
    points = funnel_limits(baseline, [float(r["Population"]) for r in rows])
    failures = []
    for row, point in zip(rows, points, strict=True):
        for column, (level, side) in COLUMNS.items():
            value = getattr(point.limit(level), side)
            if not _matches(value, row[column], decimals[column]):
                failures.append((row["Population"], column, value, row[column]))
        if not _matches(point.baseline, row["Baseline"], decimals["Baseline"]):
            failures.append((row["Population"], "Baseline", point.baseline, row["Baseline"]))
    assert failures == []


def test_funnel_axis_populations_match(sources_dir, funnel_inputs):
    _, _, denominators = funnel_inputs
    rows = _rows(sources_dir, "phe_funnel_proportion_limits.csv")
    assert funnel_axis_populations(denominators) == [int(r["Population"]) for r in rows]


def test_funnel_inputs_are_validated():
    with pytest.raises(InputError, match="denominators must be greater than zero"):
        funnel_significance(65, 0, 0.5)
    with pytest.raises(InputError, match="between 0 and its denominator"):
        funnel_significance(30, 20, 0.5)
    with pytest.raises(InputError, match="between 0 and its denominator"):
        funnel_significance(-80, 100, 0.5)
    with pytest.raises(InputError, match="Divide a percentage by 100"):
        funnel_limits(80.6, [100])
    assert funnel_significance(None, 100, 0.5) == "not available"


# --- exact Poisson, t and chi-square against tables ----------------------------------------------

# R: qt(p, df) and qchisq(p, df), as printed to 6 significant figures and more in standard tables.
T_TABLE = [(0.975, 1, "12.7062047"), (0.975, 2, "4.3026527"), (0.975, 5, "2.5705818"),
           (0.975, 10, "2.2281389"), (0.975, 30, "2.0422725"), (0.95, 4, "2.1318468"),
           (0.999, 5, "5.8934295"), (0.9995, 20, "3.849516"), (0.025, 10, "-2.2281389")]
CHI_SQUARE_TABLE = [(0.025, 2, "0.0506356"), (0.975, 2, "7.3777589"), (0.95, 10, "18.3070381"),
                    (0.001, 2, "0.0020010"), (0.999, 1, "10.8275662"), (0.05, 1, "0.0039321"),
                    (0.5, 3, "2.3659739"), (0.99, 20, "37.566235")]


@pytest.mark.parametrize(("p", "df", "expected"), T_TABLE)
def test_t_quantiles_match_tables(p, df, expected):
    assert _matches(t_quantile(p, df), expected)


@pytest.mark.parametrize(("p", "df", "expected"), CHI_SQUARE_TABLE)
def test_chi_square_quantiles_match_tables(p, df, expected):
    assert _matches(chi_square_quantile(p, df), expected)


def test_exact_poisson_limits_match_published_table():
    # Exact 95% limits for small Poisson counts (e.g. Armitage and Berry, table A1; Garwood 1936).
    table = {0: ("0", "3.689"), 1: ("0.0253", "5.572"), 2: ("0.242", "7.225"),
             5: ("1.623", "11.668"), 9: ("4.115", "17.085")}
    for count, (lower, upper) in table.items():
        got_lower, got_upper = exact_poisson_interval(count, 0.95)
        assert _matches(got_lower, lower) and _matches(got_upper, upper), count


def test_rate_uses_exact_limits_below_ten_and_byars_from_ten():
    small = rate_interval(5, 10_000, 100_000)
    assert small.method == "exact Poisson"
    assert _matches(small.lower, "16.235") and _matches(small.upper, "116.683")
    large = rate_interval(65, 100_000, 100_000)
    assert large.method == "Byar's"
    assert _matches(large.lower, "50.163187710459454") and _matches(large.value, "65")
    assert rate_interval(None, 100).reason == "no count"
    assert rate_interval(3, None).reason == "no denominator"


def test_mean_interval_matches_a_worked_example():
    # 30, 40, 50, 60 (the phe_mean documentation's data), worked by hand: mean 45,
    # sd = sqrt(500 / 3) = 12.909944, t(0.975, 3) = 3.182446 from tables; half-width 20.54259.
    estimate = mean_interval([30, 40, 50, 60])
    assert estimate.value == 45
    assert _matches(estimate.lower, "24.4574") and _matches(estimate.upper, "65.5426")
    assert mean_interval([30, None, 40, None, 50, 60]) == estimate
    assert mean_interval(mean=45, sd=math.sqrt(500 / 3), n=4) == estimate
    assert mean_interval([30]).reason == "too few values"
