"""Reorganised councils' series extended with the sum of their predecessors, on the real hub."""

from __future__ import annotations

from wholeplace.insight.trends.view import area_trends


def _series(store, code: str, indicator: str) -> dict:
    found = area_trends(store, code, [indicator])["indicators"]
    return next(i for i in found if i["indicator_id"] == indicator)


def _point(series: dict, period: str) -> dict:
    return next(p for p in series["series"] if p["period"] == period)


def _value(store, code: str, indicator: str, period: str) -> float:
    return store.scalar("SELECT value FROM current_observations WHERE area_code = ? AND "
                        "indicator_id = ? AND period = ?", [code, indicator, period])


def test_a_district_merger_sums_its_districts_spending(loaded_store):
    # Somerset West and Taunton (2019) = Taunton Deane + West Somerset before 2019.
    s = _series(loaded_store, "E07000246", "rs.nce.total_service")
    p = _point(s, "2010-11")
    expected = (_value(loaded_store, "E07000190", "rs.nce.total_service", "2010-11")
                + _value(loaded_store, "E07000191", "rs.nce.total_service", "2010-11"))
    assert p["value"] == expected == 18377.0
    assert p["status"] == "derived" and p["predecessor_sum"]
    assert p["note"] == "sum of predecessors: Taunton Deane and West Somerset"
    assert "2010-11" in s["predecessor_periods"]
    assert any("sum of predecessors" in n for n in s["notes"])


def test_a_unitary_from_a_county_and_its_districts_sums_every_tier(loaded_store):
    s = _series(loaded_store, "E06000060", "rs.nce.total_service")  # Buckinghamshire, 2020
    p = _point(s, "2017-18")
    parts = ["E10000002", "E07000004", "E07000005", "E07000006", "E07000007"]
    assert p["value"] == sum(_value(loaded_store, c, "rs.nce.total_service", "2017-18")
                             for c in parts)
    assert "Buckinghamshire County" in p["note"]


def test_own_population_estimate_is_used_when_published(loaded_store):
    # Buckinghamshire's own estimate on its 2023 boundary (ONS MYE23, MYE4) is published for
    # mid-2019, so it is used rather than any sum of its former districts
    s = _series(loaded_store, "E06000060", "population.all_ages")
    p = _point(s, "mid-2019")
    assert p["value"] == _value(loaded_store, "E06000060", "population.all_ages", "mid-2019")
    assert p["value"] == 545859
    assert p["status"] == "published" and not p.get("predecessor_sum")


def test_a_count_is_summed_over_the_districts_only(loaded_store):
    # Residents aged 65 and over in mid-2019 are loaded only for the predecessors (the ONS
    # mid-2019 estimates on 2019 boundaries), for the county as well as its four districts: the
    # sum is the districts' (the county's count already adds them up), never county + districts
    s = _series(loaded_store, "E06000060", "population.age_65_plus")
    assert _value(loaded_store, "E06000060", "population.age_65_plus", "mid-2019") is None
    p = _point(s, "mid-2019")
    districts = ["E07000004", "E07000005", "E07000006", "E07000007"]
    parts = [_value(loaded_store, c, "population.age_65_plus", "mid-2019") for c in districts]
    assert parts == [34354, 20698, 14900, 32908]
    assert p["value"] == sum(parts) == 102860
    assert p["value"] == _value(loaded_store, "E10000002", "population.age_65_plus", "mid-2019")
    assert p["status"] == "derived" and p["predecessor_sum"]
    assert p["note"] == ("sum of predecessors: Aylesbury Vale, Chiltern, South Bucks and "
                         "Wycombe")
    assert "mid-2019" in s["predecessor_periods"]


def test_splits_and_mismatched_county_tiers_are_never_summed(loaded_store):
    cumberland = _point(_series(loaded_store, "E06000063", "rs.nce.total_service"), "2017-18")
    assert cumberland["value"] is None and "Cumbria was split" in cumberland["note"]
    bcp = _point(_series(loaded_store, "E06000058", "rs.nce.total_service"), "2017-18")
    assert bcp["value"] is None and "Dorset County" in bcp["note"]
    rates = _series(loaded_store, "E06000060", "population.share_65_plus")
    assert not rates.get("predecessor_periods")
