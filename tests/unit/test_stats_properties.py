"""Properties every interval, funnel, band and rank must have, for any input (hypothesis)."""

from __future__ import annotations

import random
import statistics

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from wholeplace.errors import InputError
from wholeplace.insight.statistics.stats import (
    Estimate,
    byars_interval,
    compare_to_benchmark,
    estimate_overdispersion,
    exact_poisson_interval,
    funnel_limits,
    funnel_significance,
    mean_interval,
    proportion_interval,
    quantile,
    rank_with_uncertainty,
    rate_interval,
    wilson_interval,
)

confidences = st.sampled_from([0.9, 0.95, 0.99, 0.998])
counts = st.integers(min_value=0, max_value=10**6)
proportions = st.floats(min_value=0.01, max_value=0.99)


@st.composite
def numerator_denominator(draw):
    n = draw(st.integers(min_value=1, max_value=10**7))
    return draw(st.integers(min_value=0, max_value=n)), n


@given(numerator_denominator(), confidences)
def test_wilson_contains_its_estimate_and_is_ordered(xn, confidence):
    x, n = xn
    lower, upper = wilson_interval(x, n, confidence)
    assert 0 <= lower <= x / n <= upper <= 1


@given(numerator_denominator())
def test_wider_confidence_contains_narrower(xn):
    lower95, upper95 = wilson_interval(*xn, 0.95)
    lower998, upper998 = wilson_interval(*xn, 0.998)
    assert lower998 <= lower95 and upper95 <= upper998


@given(proportions, st.integers(min_value=1, max_value=10**5), confidences)
def test_wilson_narrows_as_n_grows_for_a_fixed_proportion(p, n, confidence):
    small = wilson_interval(p * n, n, confidence)
    large = wilson_interval(p * 4 * n, 4 * n, confidence)
    assert large[1] - large[0] < small[1] - small[0]


@given(counts, confidences)
def test_byars_limits_are_non_negative_and_contain_the_count(x, confidence):
    lower, upper = byars_interval(x, confidence)
    assert upper >= x
    assert lower is None or 0 <= lower <= x


@given(st.integers(min_value=0, max_value=500), confidences)
def test_exact_poisson_contains_the_count(x, confidence):
    lower, upper = exact_poisson_interval(x, confidence)
    assert 0 <= lower <= x <= upper


@given(counts, st.integers(min_value=1, max_value=10**8), confidences)
def test_rate_interval_contains_the_rate(x, n, confidence):
    estimate = rate_interval(x, n, 100_000, confidence)
    assert estimate.lower <= estimate.value <= estimate.upper
    assert estimate.lower >= 0


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=2, max_size=40), confidences)
def test_mean_interval_contains_the_mean(values, confidence):
    estimate = mean_interval(values, confidence=confidence)
    assert estimate.lower <= estimate.value <= estimate.upper


def test_small_denominators_widen_intervals_and_do_not_give_confident_bands():
    # 60% of 5 is not significantly different from a 50% benchmark; 60% of 5,000 is.
    small = proportion_interval(3, 5)
    large = proportion_interval(3000, 5000)
    assert small.upper - small.lower > 10 * (large.upper - large.lower)
    assert compare_to_benchmark(small, 0.5, "higher_is_better") == "similar"
    assert compare_to_benchmark(large, 0.5, "higher_is_better") == "significantly better"


@pytest.mark.parametrize("bad", [
    lambda: wilson_interval(-1, 10), lambda: wilson_interval(11, 10),
    lambda: wilson_interval(1, 0), lambda: wilson_interval(1, 10, 95),
    lambda: wilson_interval(1, 10, 0), lambda: wilson_interval(1, 10, 1.0),
    lambda: byars_interval(-1), lambda: rate_interval(5, 0),
    lambda: rate_interval(-5, 10), lambda: mean_interval([1, 2], mean=1),
    lambda: compare_to_benchmark((1, 2), 1.5, "up"),
])
def test_impossible_inputs_raise_input_error(bad):
    with pytest.raises(InputError):
        bad()


# --- funnels -----------------------------------------------------------------------------------

@given(proportions, st.integers(min_value=1, max_value=10**6))
def test_funnel_limits_narrow_with_denominator(p, n):
    near, far = funnel_limits(p, [n, 2 * n])
    for level in (0.95, 0.998):
        assert far.limit(level).lower >= near.limit(level).lower
        assert far.limit(level).upper <= near.limit(level).upper
        assert near.limit(0.998).lower <= near.limit(0.95).lower <= near.baseline
        assert near.baseline <= near.limit(0.95).upper <= near.limit(0.998).upper


@given(proportions, st.integers(min_value=1, max_value=10**6),
       st.floats(min_value=1.0, max_value=50.0), st.floats(min_value=0.0, max_value=0.05))
def test_overdispersion_only_widens_limits(p, n, phi, tau2):
    plain = funnel_limits(p, [n], multiplier=1)[0].limit(0.95)
    for widened in (funnel_limits(p, [n], multiplier=1, phi=phi)[0].limit(0.95),
                    funnel_limits(p, [n], multiplier=1, tau2=tau2)[0].limit(0.95)):
        assert widened.lower <= plain.lower and widened.upper >= plain.upper


def _areas(spread: float, seed: int, count: int = 60):
    """Areas of 1,000 to 50,000 people around 30%, with an extra between-area spread."""
    rng = random.Random(seed)
    numerators, denominators = [], []
    for _ in range(count):
        n = rng.randint(1000, 50000)
        true_p = min(max(0.3 + rng.gauss(0, spread), 0.01), 0.99)
        numerators.append(round(n * true_p))
        denominators.append(n)
    return numerators, denominators


def test_no_adjustment_without_overdispersion():
    # Every area exactly on the baseline: z-scores all 0, so phi = 0 and tau2 = 0.
    denominators = [100 * (k + 1) for k in range(20)]
    result = estimate_overdispersion([0.25 * n for n in denominators], denominators)
    assert result.phi == 0 and result.tau2 == 0 and not result.overdispersed
    plain = funnel_limits(0.25, [500])[0]
    assert funnel_limits(0.25, [500], phi=result.phi)[0] == plain
    assert funnel_limits(0.25, [500], tau2=result.tau2)[0] == plain


@pytest.mark.parametrize("seed", range(5))
def test_overdispersion_is_detected_and_widens_the_funnel(seed):
    numerators, denominators = _areas(spread=0.05, seed=seed)
    result = estimate_overdispersion(numerators, denominators)
    assert result.phi > 10 and result.overdispersed and result.tau2 > 0
    baseline = sum(numerators) / sum(denominators)
    plain = funnel_limits(baseline, [20000])[0].limit(0.998)
    inflated = funnel_limits(baseline, [20000], phi=result.phi)[0].limit(0.998)
    additive = funnel_limits(baseline, [20000], tau2=result.tau2)[0].limit(0.998)
    assert inflated.upper - inflated.lower > plain.upper - plain.lower
    assert additive.upper - additive.lower > plain.upper - plain.lower
    outliers = [funnel_significance(x, n, baseline) != "Not significant"
                for x, n in zip(numerators, denominators)]
    adjusted = [funnel_significance(x, n, baseline, phi=result.phi) != "Not significant"
                for x, n in zip(numerators, denominators)]
    assert sum(adjusted) < sum(outliers)


@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(1, 1000)), min_size=10, max_size=50))
def test_tau2_is_never_negative(areas):
    areas = [(min(x, n), n) for x, n in areas]
    result = estimate_overdispersion([x for x, _ in areas], [n for _, n in areas])
    assume(result.reason is None)
    assert result.tau2 >= 0 and result.phi >= 0


def test_too_few_areas_for_overdispersion():
    result = estimate_overdispersion([1, 2, 3], [10, 10, 10])
    assert result.reason == "too few areas" and result.phi is None
    assert funnel_limits(0.2, [10], phi=result.phi) == funnel_limits(0.2, [10])


# --- bands and ranks ---------------------------------------------------------------------------

FLIP = {"significantly better": "significantly worse", "significantly worse":
        "significantly better", "similar": "similar", "not available": "not available"}


@given(st.floats(-100, 100), st.floats(0, 50), st.floats(0, 50), st.floats(-100, 100))
def test_band_is_symmetric_under_polarity_flip(value, below, above, benchmark):
    interval = (value - below, value + above)
    good_high = compare_to_benchmark(interval, benchmark, "higher_is_better")
    good_low = compare_to_benchmark(interval, benchmark, "lower_is_better")
    assert FLIP[good_high] == good_low
    neutral = compare_to_benchmark(interval, benchmark, "neutral")
    assert {"significantly higher": "significantly better", "significantly lower":
            "significantly worse", "similar": "similar"}[neutral] == good_high


def test_missing_stays_missing_in_bands():
    assert compare_to_benchmark(None, 1.0) == "not available"
    assert compare_to_benchmark((None, 2.0), 1.0) == "not available"
    assert compare_to_benchmark((0.5, 2.0), None) == "not available"


# --- quantiles -----------------------------------------------------------------------------------

# R 4.x: quantile(1:10, c(0, .1, .25, .5, .75, .9, 1)) (type 7, the default) gives
# 1.00 1.90 3.25 5.50 7.75 9.10 10.00; quantile(c(1, 3, 7, 15), .25) = 1 + 0.75 * 2 = 2.5.
@pytest.mark.parametrize("values,q,expected", [
    (range(1, 11), 0.0, 1.0), (range(1, 11), 0.1, 1.9), (range(1, 11), 0.25, 3.25),
    (range(1, 11), 0.5, 5.5), (range(1, 11), 0.75, 7.75), (range(1, 11), 0.9, 9.1),
    (range(1, 11), 1.0, 10.0), ([15, 1, 7, 3], 0.25, 2.5), ([4.2], 0.3, 4.2),
])
def test_quantile_matches_r_type_7(values, q, expected):
    assert quantile(list(values), q) == pytest.approx(expected, abs=1e-12)


def test_quantile_leaves_missing_values_out_never_zero():
    assert quantile([None, 10.0, None, 20.0], 0.5) == 15.0
    assert quantile([None, None], 0.5) is None and quantile([], 0.1) is None
    for bad in (-0.1, 1.5, True):
        with pytest.raises(InputError, match="q must be a probability"):
            quantile([1.0, 2.0], bad)


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=40))
def test_quantile_agrees_with_the_standard_librarys_inclusive_quartiles(values):
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert quantile(values, 0.25) == pytest.approx(q1, rel=1e-9, abs=1e-6)
    assert quantile(values, 0.5) == pytest.approx(q2, rel=1e-9, abs=1e-6)
    assert quantile(values, 0.75) == pytest.approx(q3, rel=1e-9, abs=1e-6)
    assert min(values) <= quantile(values, 0.25) <= quantile(values, 0.75) <= max(values)


def test_ranks_carry_their_plausible_range():
    areas = {
        "A": Estimate(90, 88, 92, "test", 0.95),
        "B": Estimate(80, 70, 95, "test", 0.95),   # wide: could be first or last but one
        "C": Estimate(75, 74, 76, "test", 0.95),
        "D": Estimate(60, 58, 62, "test", 0.95),
        "E": Estimate(None, None, None, "test", 0.95, reason="no denominator"),
    }
    ranked = {r.key: r for r in rank_with_uncertainty(areas)}
    assert [(ranked[k].rank, ranked[k].best_rank, ranked[k].worst_rank) for k in "ABCD"] == [
        (1, 1, 2), (2, 1, 3), (3, 2, 3), (4, 4, 4)]
    assert ranked["B"].label == "ranked 2nd of 4 (could be anywhere from 1st to 3rd)"
    assert ranked["E"].rank is None and ranked["E"].label == "not available"
    flipped = {r.key: r for r in rank_with_uncertainty(areas, "lower_is_better")}
    assert [(flipped[k].rank, flipped[k].best_rank, flipped[k].worst_rank) for k in "ABCD"] == [
        (4, 3, 4), (3, 2, 4), (2, 2, 3), (1, 1, 1)]


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 10), st.floats(0, 10)),
                min_size=1, max_size=30))
def test_rank_lies_within_its_range(rows):
    areas = {str(i): Estimate(v, v - a, v + b, "test", 0.95) for i, (v, a, b) in enumerate(rows)}
    for ranked in rank_with_uncertainty(areas):
        assert 1 <= ranked.best_rank <= ranked.rank <= ranked.worst_rank <= len(rows)
