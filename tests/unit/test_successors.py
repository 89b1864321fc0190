"""Predecessor sums: the rules on a small hand-made register (codes and values illustrative)."""

from __future__ import annotations

from wholeplace.hub.successors import Predecessor, all_predecessors, predecessor_sum, sum_kind

# A unitary U formed from county C and its districts D1, D2 (merged); district M formed from
# districts A and B (merged) in county K, later merged with K into unitary V; a unitary W formed
# from district X (merged) and county S (split between W and another unitary).
TREE = {
    "U": (Predecessor("C", "County C", "upper", "merged_into", None),
          Predecessor("D1", "District 1", "lower", "merged_into", None, "C"),
          Predecessor("D2", "District 2", "lower", "merged_into", None, "C")),
    "M": (Predecessor("A", "District A", "lower", "merged_into", None, "K"),
          Predecessor("B", "District B", "lower", "merged_into", None, "K")),
    "V": (Predecessor("K", "County K", "upper", "merged_into", None),
          Predecessor("M", "District M", "lower", "merged_into", None, "K")),
    "W": (Predecessor("S", "County S", "upper", "split_into", None),
          Predecessor("X", "District X", "lower", "merged_into", None, "S")),
}
TIERS = {"U": "single", "M": "lower", "V": "single", "W": "single"}


def test_money_is_summed_across_tiers_and_counts_within_one():
    values = {("C", "2017-18"): 500.0, ("D1", "2017-18"): 20.0, ("D2", "2017-18"): 30.0}
    money = predecessor_sum("U", "2017-18", TREE, values, "money", tiers=TIERS)
    assert money is not None and money.value == 550.0
    assert money.note == "sum of predecessors: County C, District 1 and District 2"
    people = {("C", "mid-2019"): 300.0, ("D1", "mid-2019"): 100.0, ("D2", "mid-2019"): 200.0}
    count = predecessor_sum("U", "mid-2019", TREE, people, "count", tiers=TIERS)
    assert count is not None and count.value == 300.0  # the districts only, never county + them
    assert count.members == ("D1", "D2")


def test_a_count_falls_back_to_the_county_tier_when_the_districts_have_none():
    values = {("C", "2022"): 40.0}
    summed = predecessor_sum("U", "2022", TREE, values, "count", tiers=TIERS)
    assert summed is not None and summed.value == 40.0 and summed.members == ("C",)


def test_chains_are_followed_and_a_district_merger_needs_no_county():
    values = {("K", "2012-13"): 900.0, ("A", "2012-13"): 7.0, ("B", "2012-13"): 5.0}
    assert all_predecessors("V", TREE) == ["M", "B", "A", "K"]
    district = predecessor_sum("M", "2012-13", TREE, values, "money", tiers=TIERS)
    assert district is not None and district.value == 12.0
    unitary = predecessor_sum("V", "2012-13", TREE, values, "money", tiers=TIERS)
    assert unitary is not None and unitary.value == 912.0


def test_a_missing_predecessor_value_leaves_the_period_without_a_sum():
    values = {("C", "2017-18"): 500.0, ("D1", "2017-18"): None}
    summed = predecessor_sum("U", "2017-18", TREE, values, "money", tiers=TIERS)
    assert summed is not None and summed.value is None
    assert "no value for District 1 and District 2" in summed.note


def test_never_for_a_split_and_never_for_a_rate():
    values = {("S", "2017-18"): 800.0, ("X", "2017-18"): 9.0}
    summed = predecessor_sum("W", "2017-18", TREE, values, "money", tiers=TIERS)
    assert summed is not None and summed.value is None and "was split" in summed.note
    counts = predecessor_sum("W", "2017-18", TREE, values, "count", tiers=TIERS)
    assert counts is not None and counts.value == 9.0  # the district covers W's area in full
    assert sum_kind("percent", False) is None
    assert sum_kind("rate_per_1000", False) is None
    assert sum_kind("gbp_per_head", True) is None
    assert sum_kind("gbp_thousands", True, per_head_of=None) == "money"
    assert sum_kind("gbp_thousands", True, per_head_of="x") is None
    assert sum_kind("count", False) == "count"


def test_a_county_that_also_served_a_district_of_another_successor_is_not_summed():
    tree = {
        "P": (Predecessor("T1", "Town 1", "single", "merged_into", None),
              Predecessor("Q", "District Q", "lower", "merged_into", None, "R")),
        "R2": (Predecessor("R", "County R", "upper", "merged_into", None),
               Predecessor("Z", "District Z", "lower", "merged_into", None, "R")),
    }
    tiers = {"P": "single", "R2": "single"}
    values = {(c, "2017-18"): 1.0 for c in ("T1", "Q", "R", "Z")}
    p = predecessor_sum("P", "2017-18", tree, values, "money", tiers=tiers)
    assert p is not None and p.value is None and "county services were provided by" in p.note
    r2 = predecessor_sum("R2", "2017-18", tree, values, "money", tiers=tiers)
    assert r2 is not None and r2.value is None and "also served District Q" in r2.note
