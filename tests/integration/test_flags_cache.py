"""The early-warning assessment is remembered per hub file and data version: a second call is
served from memory, a load invalidates it, and callers get copies they may change."""

from __future__ import annotations

import time

from wholeplace.hub.load import load_registered
from wholeplace.hub.store import open_store
from wholeplace.insight.early_warning import resilience
def test_a_second_call_is_served_from_the_cache(loaded_store):
    resilience.clear_cache()
    t = time.perf_counter()
    first = resilience.shared_assessment(loaded_store, 2018)
    computed = time.perf_counter() - t
    t = time.perf_counter()
    again = resilience.shared_assessment(loaded_store, 2018)
    remembered = time.perf_counter() - t
    assert again is first
    assert remembered < computed / 5
    # Another year, method or settings is another entry.
    assert resilience.shared_assessment(loaded_store, 2015) is not first
    assert resilience.shared_assessment(loaded_store, 2018, "region") is not first


def test_callers_get_copies_they_may_change(loaded_store):
    shared = resilience.shared_assessment(loaded_store, 2018)
    mine = resilience.assess(loaded_store, 2018)
    assert mine == shared and mine is not shared
    mine["councils"][0]["flags"].clear()
    mine["councils"][0]["indicators"][0]["comparators"]["n"] = -1
    one = resilience.council_flags(loaded_store, 2018, shared["councils"][0]["code"])
    one["council"]["name"] = "changed"
    one["caveats"].append("changed")
    listed = resilience.flags(loaded_store, 2018)
    listed[0]["higher_risk"] = 99
    fresh = resilience.assess(loaded_store, 2018)
    assert fresh["councils"][0]["flags"] and fresh == shared
    assert fresh["councils"][0]["indicators"][0]["comparators"]["n"] > 0
    assert "changed" not in fresh["caveats"] and fresh["councils"][0]["name"] != "changed"


def test_a_load_invalidates_the_cache(register_store, sources_dir):
    # The register first, with RS up to 2014-15; then the 2017-18 workbook arrives.
    load_registered(register_store, sources_dir, only=["rs_2013_14", "rs_2014_15"])
    before = resilience.shared_assessment(register_store, 2018)
    assert before["period"] == "2014-15"
    assert resilience.shared_assessment(register_store, 2018) is before
    version = register_store.data_version()
    load_registered(register_store, sources_dir, only=["rs_2017_18"])
    assert register_store.data_version() != version
    after = resilience.shared_assessment(register_store, 2018)
    assert after is not before and after["period"] == "2017-18"
    assert before["period"] == "2014-15"  # the old entry was not changed in place


def test_an_in_memory_hub_is_not_remembered(sources_dir):
    # Without a file there is nothing to key on: each call computes afresh.
    with open_store(None) as memory:
        load_registered(memory, sources_dir, only=["la_register", "rs_2017_18"])
        first = resilience.shared_assessment(memory, 2018)
        assert first["period"] == "2017-18"
        assert resilience.shared_assessment(memory, 2018) is not first
