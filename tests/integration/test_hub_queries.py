"""The hub's read queries, and revisions: a newer release supersedes, the older stays queryable.

Two releases of one upload source (test fixtures with illustrative values, not real data) are
loaded into a real DuckDB store that holds the real place register.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from wholeplace.errors import NotFoundError
from wholeplace.hub import queries
from wholeplace.hub.uploads import load_file

HEADER = "area_code,period,indicator_id,value,numerator,denominator,unit,status,note"
RELEASE_1 = [
    "E07000008,2021-22,fixture.recycling_rate,38,19000,50000,percent,,",
    "E07000008,2022-23,fixture.recycling_rate,40,20000,50000,percent,,",
    "E07000008,2022-23,fixture.households,50000,,,count,,",
    "E06000001,2021-22,fixture.households,30000,,,count,,",
    "E06000001,2022-23,fixture.households,,,,,missing,fixture: not collected this year",
]
# Release 2 revises one value (40 -> 41) and adds a year.
RELEASE_2 = [row.replace(",40,20000,", ",41,20500,") for row in RELEASE_1] + [
    "E07000008,2023-24,fixture.recycling_rate,43,21500,50000,percent,,",
]
# The metadata file (fixture `metadata`) is in tests/conftest.py.
SOURCE = "upload:fixture-recycling"


def _write(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def two_releases(register_store, tmp_path, metadata):
    """Release 2 is loaded first, then the older release 1: release dates decide, not order."""
    meta = metadata
    second = load_file(register_store, _write(tmp_path, "fixture_r2.csv", RELEASE_2),
                       source_id=SOURCE, metadata=meta, publisher="Fixture council",
                       release="r2", released_on="2024-07-15")
    first = load_file(register_store, _write(tmp_path, "fixture_r1.csv", RELEASE_1),
                      source_id=SOURCE, metadata=meta, publisher="Fixture council",
                      release="r1", released_on=date(2024, 1, 15))
    return register_store, first.dataset_id, second.dataset_id


def _values(rows: list[dict], area: str, indicator: str) -> dict[str, float | None]:
    return {r["period"]: r["value"] for r in rows
            if r["area_code"] == area and r["indicator_id"] == indicator}


def test_newer_release_supersedes_older(two_releases):
    store, first, second = two_releases
    by_id = {d["dataset_id"]: d for d in queries.datasets(store)}
    assert by_id[first]["superseded_by"] == second
    assert by_id[second]["superseded_by"] is None
    assert (by_id[second]["indicators"], by_id[second]["areas"], by_id[second]["periods"]) == \
        (2, 2, 3)
    assert by_id[first]["periods"] == 2
    assert by_id[first]["row_count"] == 5 and by_id[second]["row_count"] == 6
    series = queries.series(store, "fixture.recycling_rate", "E07000008")
    assert [(r["period"], r["value"], r["release"]) for r in series] == [
        ("2021-22", 38.0, "r2"), ("2022-23", 41.0, "r2"), ("2023-24", 43.0, "r2")]


def test_as_published_between_releases_shows_the_old_value(two_releases):
    store, first, second = two_releases
    between = queries.observations_as_published(store, date(2024, 3, 1),
                                                indicator_id="fixture.recycling_rate")
    assert _values(between, "E07000008", "fixture.recycling_rate") == {
        "2021-22": 38.0, "2022-23": 40.0}
    assert {r["dataset_id"] for r in between} == {first}
    after = queries.observations_as_published(store, date(2024, 7, 15), area_code="E07000008")
    assert _values(after, "E07000008", "fixture.recycling_rate") == {
        "2021-22": 38.0, "2022-23": 41.0, "2023-24": 43.0}
    assert all(r["area_code"] == "E07000008" for r in after)
    before = queries.observations_as_published(store, date(2024, 1, 14))
    assert [r for r in before if r["source_id"] == SOURCE] == []


def test_latest_values_include_missing_as_none(two_releases):
    store, _, second = two_releases
    rows = queries.latest_values(store, "E06000001")
    assert len(rows) == 1
    row = rows[0]
    # the latest period is missing: it is reported as missing, not replaced by 2021-22's value
    assert (row["indicator_id"], row["period"], row["value"], row["status"]) == (
        "fixture.households", "2022-23", None, "missing")
    assert row["note"] == "fixture: not collected this year"
    assert (row["dataset_id"], row["publisher"], row["release"]) == (second, "Fixture council",
                                                                    "r2")
    assert row["unit"] == "count" and row["theme"] == "environment"


def test_latest_values_latest_period_sorted_by_theme_and_title(two_releases):
    store, _, _ = two_releases
    rows = queries.latest_values(store, "E07000008")
    assert [(r["indicator_id"], r["period"], r["value"]) for r in rows] == [
        ("fixture.households", "2022-23", 50000.0),
        ("fixture.recycling_rate", "2023-24", 43.0)]
    assert rows[1]["period_type"] == "financial_year"
    assert rows[1]["polarity"] == "higher_is_better" and rows[1]["kind"] == "outcome"
    assert queries.latest_values(store, "E09000033") == []


def test_latest_values_read_an_edited_title_afresh(two_releases):
    """The latest values take titles and provenance from a catalogue cached per hub file: an
    edited indicator or dataset title must show on the next read, not the cached one."""
    store, _, second = two_releases
    before = queries.latest_values(store, "E07000008")
    assert before[1]["title"] != "Recycling (edited)"
    store.execute("UPDATE indicators SET title = 'Recycling (edited)' "
                  "WHERE indicator_id = 'fixture.recycling_rate'")
    store.execute("UPDATE datasets SET title = 'Edited release' WHERE dataset_id = ?",
                  [second])
    after = {r["indicator_id"]: r for r in queries.latest_values(store, "E07000008")}
    assert after["fixture.recycling_rate"]["title"] == "Recycling (edited)"
    assert after["fixture.recycling_rate"]["dataset_title"] == "Edited release"


def test_dataset_and_indicator_lookups(two_releases):
    store, first, _ = two_releases
    ds = queries.dataset(store, first)
    assert ds["source_id"] == SOURCE and ds["release"] == "r1"
    assert ds["released_on"] == date(2024, 1, 15) and ds["loader"] == "upload"
    assert ds["file_name"] == "fixture_r1.csv" and len(ds["file_sha256"]) == 64
    with pytest.raises(NotFoundError, match="no dataset 999"):
        queries.dataset(store, 999)
    ids = [i["indicator_id"] for i in queries.indicators(store)]
    assert ids == ["fixture.households", "fixture.recycling_rate"]
    ind = queries.indicator(store, "fixture.recycling_rate")
    assert ind["unit"] == "percent" and ind["areas"] == 1 and ind["latest_period"] == "2023-24"
    with pytest.raises(NotFoundError, match="no indicator 'fixture.nothing'"):
        queries.indicator(store, "fixture.nothing")
    with pytest.raises(NotFoundError):
        queries.series(store, "fixture.nothing", "E07000008")
