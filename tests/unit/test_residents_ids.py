"""Stable resident ids across runs (pure)."""

from itertools import count

from wholeplace.residents.ids import assign


def ids():
    numbers = count(100)
    return lambda n: [f"R{next(numbers)}" for _ in range(n)]


def test_first_run_gives_new_ids():
    result = assign({"a": "1", "b": "1", "c": "2"}, {}, ids())
    assert result.ids["a"] == result.ids["b"] != result.ids["c"]
    assert result.new == 2 and result.events == []


def test_ids_survive_a_rerun_with_added_records():
    previous = {"a": "R1", "b": "R1", "c": "R2"}
    result = assign({"a": "x", "b": "x", "d": "x", "c": "y", "e": "z"}, previous, ids())
    assert result.ids == {"a": "R1", "b": "R1", "d": "R1", "c": "R2", "e": "R100"}


def test_merge_keeps_the_larger_id_and_records_it():
    previous = {"a": "R1", "b": "R1", "c": "R2"}
    result = assign({"a": "x", "b": "x", "c": "x"}, previous, ids())
    assert set(result.ids.values()) == {"R1"}
    [event] = result.events
    assert (event.kind, event.resident_id, event.other_ids) == ("merge", "R1", ("R2",))


def test_split_gives_the_smaller_part_a_new_id():
    previous = {"a": "R1", "b": "R1", "c": "R1"}
    result = assign({"a": "x", "b": "x", "c": "y"}, previous, ids())
    assert result.ids["a"] == result.ids["b"] == "R1"
    assert result.ids["c"] == "R100"
    [event] = result.events
    assert (event.kind, event.resident_id, event.other_ids) == ("split", "R100", ("R1",))


def test_removed_ids_are_recorded_on_full_runs_only():
    previous = {"a": "R1", "b": "R2"}
    full = assign({"a": "x"}, previous, ids())
    assert [(e.kind, e.resident_id) for e in full.events] == [("removed", "R2")]
    partial = assign({"a": "x"}, previous, ids(), full_run=False)
    assert partial.events == []
