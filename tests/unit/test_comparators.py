"""Pure tests of the comparator maths, reasons and settings (no database)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wholeplace.errors import InputError
from wholeplace.insight.peers import comparators as cmp
from wholeplace.insight.peers.settings import (
    DEFAULT_WEIGHTS, VARIABLES, ComparatorSettings, resolve_settings)
from wholeplace.insight.peers.context import ContextTable, CouncilContext
from wholeplace.insight.peers.groups import all_ours_groups


def test_standardise_is_population_z_score_and_keeps_missing():
    scales = cmp.fit_scales([[2.0, 4.0, None, 6.0], [5.0, 5.0, 5.0, None]])
    assert scales[0].mean == 4.0
    assert scales[0].sd == pytest.approx(math.sqrt(8 / 3))
    assert scales[0].n == 3
    z = cmp.standardise([[2.0, 5.0], [None, 5.0], [6.0, None]], scales)
    assert z[0][0] == pytest.approx(-2 / math.sqrt(8 / 3))
    assert z[1][0] is None and z[2][1] is None
    assert z[0][1] == 0.0  # a column with no spread carries no difference


def test_no_values_gives_no_scale():
    assert cmp.fit_scales([[None, None]]) == [None]


def test_pair_distance_weighted_euclidean():
    d, shared = cmp.pair_distance([0.0, 0.0], [3.0, 4.0], [0.5, 0.5])
    assert shared == 1.0
    assert d == pytest.approx(math.sqrt(0.5 * 9 + 0.5 * 16))


def test_missing_variable_is_left_out_and_weights_renormalised():
    weights = [0.5, 0.25, 0.25]
    d, shared = cmp.pair_distance([0.0, 1.0, None], [1.0, 1.0, 5.0], weights)
    assert shared == pytest.approx(0.75)
    # The same as comparing on the two shared variables with weights 2/3 and 1/3 ...
    expected, _ = cmp.pair_distance([0.0, 1.0], [1.0, 1.0], [2 / 3, 1 / 3])
    assert d == pytest.approx(expected) == pytest.approx(math.sqrt(2 / 3))
    # ... and NOT what reading the missing value as zero would give.
    as_zero, _ = cmp.pair_distance([0.0, 1.0, 0.0], [1.0, 1.0, 5.0], weights)
    assert d != pytest.approx(as_zero)


def test_pair_sharing_too_little_weight_is_not_compared():
    d, shared = cmp.pair_distance([1.0, None], [1.0, 2.0], [0.4, 0.6])
    assert d is None and shared == pytest.approx(0.4)


def test_nearest_orders_excludes_self_breaks_ties_by_code_and_caps_k():
    z = [[0.0], [1.0], [-1.0], [3.0], [None]]
    codes = ["E0", "E2", "E1", "E3", "E4"]
    got = cmp.nearest(0, z, [1.0], k=10, codes=codes)
    assert [codes[j] for j, _ in got] == ["E1", "E2", "E3"]  # tie at 1.0 broken by code
    assert [d for _, d in got] == [1.0, 1.0, 3.0]
    assert cmp.nearest(0, z, [1.0], k=1, codes=codes) == [(2, 1.0)]
    assert cmp.nearest(0, z, [1.0], k=5, codes=codes, pool=[0, 3]) == [(3, 3.0)]


def test_explain_names_closest_and_most_different_with_values():
    names = ("population", "density", "imd_score")
    e = cmp.explain(names, (0.4, 0.3, 0.3), [152_000.0, 3000.0, 21.3], [146_000.0, 90.0, 22.0],
                    [0.10, 2.0, 0.50], [0.08, -1.0, 0.55])
    # Density is 3 standard deviations apart: never called similar.
    assert [c.variable for c in e.similar] == ["population", "imd_score"]
    assert e.different[0].variable == "density"
    assert e.text.startswith("Similar population (152k vs 146k) and IMD deprivation score "
                             "(21.3 vs 22.0); ")
    assert "differs most in population density (3,000 per km² vs 90 per km²)" in e.text


def test_explain_says_what_was_left_out():
    e = cmp.explain(("population", "income_score"), (0.5, 0.5), [1e5, None], [1e5, 0.1],
                    [0.0, None], [0.0, 0.3])
    assert e.left_out == ["income_score"]
    assert "Left out because missing for one of the two: income deprivation" in e.text
    assert "renormalised" in e.text


def test_council_values_derive_density_and_shares_and_keep_missing():
    v = cmp.council_values({"pop": 1000.0, "pop_0_17": 200.0, "pop_65_plus": None,
                            "imd_score": 12.0}, 4.0)
    assert v["density"] == 250.0 and v["share_0_17"] == 20.0
    assert v["share_65_plus"] is None and v["income_score"] is None
    assert cmp.council_values({"pop": 1000.0}, None)["density"] is None
    assert cmp.transformed("population", 100.0) == pytest.approx(math.log(100))
    assert cmp.transformed("imd_score", 12.0) == 12.0


def test_default_settings_resolve_to_weights_summing_to_one():
    s = resolve_settings()
    assert s.k == 15 and s.universe == "current" and s.kind_rule == "cipfa"
    assert sum(s.weights) == pytest.approx(1.0)
    assert "imd_extent" not in s.variables  # weight 0 by default
    assert set(DEFAULT_WEIGHTS) == set(VARIABLES)


def test_custom_weights_are_renormalised_and_limited_to_named_variables():
    s = resolve_settings({"variables": {"density": 3, "population": 1}, "k": 5})
    assert s.variables == ("population", "density") and s.weights == (0.25, 0.75)
    assert resolve_settings(ComparatorSettings(k=3)).k == 3


@pytest.mark.parametrize("bad, words", [
    ({"k": 0}, "greater than or equal to 1"),
    ({"k": 500}, "less than or equal to 100"),
    ({"kind_rule": "size"}, "kind_rule"),
    ({"year": 2019}, "year"),
    ({"colour": "red"}, "colour"),
    ({"variables": {"rainfall": 1}}, "unknown variable(s) rainfall"),
    ({"variables": {"density": -1}}, "finite numbers of 0 or more: density"),
    ({"variables": {"density": float("inf")}}, "finite numbers"),
    ({"variables": {"density": 0}}, "at least one variable"),
])
def test_bad_settings_are_input_errors(bad, words):
    with pytest.raises(InputError, match="comparator settings are not valid") as exc:
        resolve_settings(bad)
    assert words in str(exc.value)


def test_every_settings_problem_is_reported_at_once():
    with pytest.raises(InputError) as exc:
        resolve_settings({"k": 0, "variables": {"rainfall": 1, "density": -2}})
    message = str(exc.value)
    assert "k:" in message and "rainfall" in message and "density" in message


def _council(code, la_type, pop, area, imd, **extra):
    values = {"pop": pop, "pop_0_17": pop * 0.2 if pop else None,
              "pop_65_plus": pop * 0.2 if pop else None, "imd_score": imd, **extra}
    tier = {"shire district": "lower", "county council": "upper"}.get(la_type, "single")
    return CouncilContext(code, f"Council {code}", la_type, tier, "Somewhere", None, area,
                          values, "published", "official")


def test_k_larger_than_the_kind_returns_every_other_council_of_the_kind():
    ctx = ContextTable("current", 2021, [
        _council("E07000001", "shire district", 100_000.0, 100.0, 10.0),
        _council("E07000002", "shire district", 110_000.0, 120.0, 12.0),
        _council("E07000003", "shire district", 300_000.0, 50.0, 30.0),
        _council("E10000001", "county council", 800_000.0, 3000.0, 15.0),
        _council("E10000002", "county council", 700_000.0, 2500.0, 14.0),
    ])
    groups = all_ours_groups(ctx, {"k": 50})
    assert groups["E07000001"].codes() == ["E07000002", "E07000003"]
    assert groups["E10000001"].codes() == ["E10000002"]
    assert groups["E07000001"].members[0].rank == 1


def test_a_council_missing_a_variable_is_compared_without_it():
    ctx = ContextTable("current", 2021, [
        _council("E07000001", "shire district", 100_000.0, 100.0, 10.0),
        _council("E07000002", "shire district", 100_000.0, 100.0, None),
        _council("E07000003", "shire district", 400_000.0, 20.0, 10.0),
    ])
    group = all_ours_groups(ctx, {"variables": {"population": 1, "density": 1,
                                                "imd_score": 1}})["E07000001"]
    first = group.members[0]
    assert first.code == "E07000002" and first.distance == 0.0
    assert "IMD deprivation score" in first.reasons and "renormalised" in first.reasons


def test_outliers_are_nobodys_comparator_but_get_a_group_with_a_note():
    ctx = ContextTable("current", 2021, [
        _council("E06000053", "Isles of Scilly", 2_300.0, 16.0, 12.0),
        _council("E06000001", "unitary", 90_000.0, 90.0, 35.0),
        _council("E06000002", "unitary", 140_000.0, 50.0, 40.0),
        _council("E06000003", "unitary", 135_000.0, 240.0, 28.0),
    ])
    groups = all_ours_groups(ctx)
    assert all("E06000053" not in g.codes() for c, g in groups.items() if c != "E06000053")
    assert len(groups["E06000053"].codes()) == 3
    assert any("outlier" in n for n in groups["E06000053"].notes)


def test_context_and_settings_must_match():
    with pytest.raises(InputError, match="same universe and year"):
        all_ours_groups(ContextTable("lad2021", 2021, []), {"universe": "current"})


finite = st.floats(min_value=-5, max_value=5, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(finite, finite, finite), min_size=3, max_size=3),
       st.lists(st.floats(min_value=0.01, max_value=1), min_size=3, max_size=3))
def test_distance_is_a_metric_on_complete_data(points, raw_weights):
    weights = [w / sum(raw_weights) for w in raw_weights]
    a, b, c = (list(p) for p in points)
    dab = cmp.pair_distance(a, b, weights)[0]
    assert dab == pytest.approx(cmp.pair_distance(b, a, weights)[0])
    assert cmp.pair_distance(a, a, weights)[0] == 0.0
    assert dab <= cmp.pair_distance(a, c, weights)[0] + cmp.pair_distance(c, b, weights)[0] \
        + 1e-9
