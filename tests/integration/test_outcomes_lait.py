"""DfE LAIT children's services indicators, loaded from the REAL parquet and data dictionary.

Spot values were read from ``raw/children/dfe_lait_bds_long.parquet``: "row" is the row of the
table counting from 1 (the line a problem would name), the column is ``Values``.
"""

from __future__ import annotations

import shutil

import pytest

from wholeplace.errors import InputError
from wholeplace.hub.load import load_registered
from wholeplace.hub.loaders.lait import lait_period, lait_unit
from wholeplace.hub.loaders.lait_areas import map_area, register_index
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file

SOURCE = "dfe_lait"


@pytest.fixture(scope="module")
def lait_db(register_db, tmp_path_factory, sources_dir):
    path = tmp_path_factory.mktemp("lait") / "lait.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        result = load_registered(store, sources_dir, only=[SOURCE])[0]
    return path, result


@pytest.fixture
def store(lait_db):
    with open_store(lait_db[0], read_only=True) as s:
        yield s


def value(store, indicator, area, period):
    return store.row("SELECT value, status, note FROM observations "
                     "WHERE indicator_id = ? AND area_code = ? AND period = ?",
                     [indicator, area, period])


def test_rows_measures_and_areas(store, lait_db):
    assert lait_db[1].status == "loaded"
    # 641,070 rows less 45,252 for England and the regions and 158 with the year label '0'.
    assert store.scalar("SELECT count(*) FROM observations") == 595660
    assert store.scalar("SELECT count(*) FROM indicators WHERE indicator_id LIKE 'lait.%' "
                        "AND per_head_of IS NULL") == 434
    # the nine gross expenditure measures (in pounds) get derived per-head twins
    assert store.scalar("SELECT count(*) FROM indicators WHERE indicator_id LIKE 'lait.%' "
                        "AND per_head_of IS NOT NULL") == 9
    # 153 current children's services authorities and 5 former (Dorset County, Poole,
    # Bournemouth, Cumbria, Northamptonshire).
    assert store.scalar("SELECT count(DISTINCT area_code) FROM observations") == 158
    tiers = dict(store.execute(
        "SELECT p.tier, count(DISTINCT o.area_code) FROM observations o "
        "JOIN places p ON p.gss_code = o.area_code GROUP BY p.tier").fetchall())
    assert set(tiers) == {"upper", "single"}


def test_every_unmapped_name_is_listed(lait_db):
    messages = " ".join(lait_db[1].messages)
    assert "45252 rows for 12 names" in messages
    for name in ("England (LA 970)", "London (Inner) (LA 987)", "South West (LA 990)"):
        assert name in messages
    assert "CINPermExclusion '0' x158" in messages


def test_spot_values_against_the_published_rows(store):
    # row 90337: LAC, 2024, Kent (LA 886): 56 per 10,000.
    assert value(store, "lait.lac", "E10000016", "2024")["value"] == 56
    # row 82191: CareLeaverEET, 2024, Manchester (LA 352): 57 %.
    assert value(store, "lait.careleavereet", "E08000003", "2024")["value"] == 57
    # row 46484: 16-17_not known_NEET, 2025, Leeds (LA 383): 8.8000000000000007 %.
    assert value(store, "lait.16_17_not_known_neet", "E08000035", "2025"
                 )["value"] == pytest.approx(8.8)
    # row 87284: ExcessYr6, 2025, Leeds: 36.299999999999997 %.
    assert value(store, "lait.excessyr6", "E08000035", "2025")["value"] == pytest.approx(36.3)
    # row 89289: LAC, 2018, 'Dorset (Pre LG)' (LA 835): 59, on Dorset County Council's code.
    assert value(store, "lait.lac", "E10000009", "2018")["value"] == 59
    # row 90363: LAC, 2024, North Yorkshire (LA 815): 44, on today's North Yorkshire Council.
    assert value(store, "lait.lac", "E06000065", "2024")["value"] == 44


def test_dash_is_missing_never_zero(store):
    # row 88922: LAC, 2016, Bournemouth, Christchurch and Poole (formed 2019): '-'.
    row = value(store, "lait.lac", "E06000058", "2016")
    assert row["value"] is None and row["status"] == "missing"


def test_polarity_and_units_come_from_the_dictionary(store):
    rows = {r["indicator_id"]: r for r in store.rows(
        "SELECT indicator_id, unit, polarity, interval, title FROM indicators "
        "WHERE indicator_id IN ('lait.lac', 'lait.careleavereet', 'lait.16_17_not_known_neet',"
        " 'lait.avg_attain8_score', 'lait.excessyr6')")}
    assert rows["lait.lac"]["unit"] == "rate_per_10000"
    assert rows["lait.careleavereet"]["polarity"] == "higher_is_better"
    assert rows["lait.16_17_not_known_neet"]["polarity"] == "lower_is_better"
    assert rows["lait.avg_attain8_score"]["unit"] == "score"
    assert {r["interval"] for r in rows.values()} == {"none"}
    # two measures told apart only by '%' keep separate ids
    assert store.scalar("SELECT count(*) FROM indicators WHERE indicator_id IN "
                        "('lait.lac_ceased_sgo', 'lait.lac_ceased_sgo_pct')") == 2


def test_a_parquet_without_a_column_says_which(register_store, sources_dir, tmp_path):
    import pyarrow.parquet as pq

    table = pq.read_table(sources_dir / "raw/children/dfe_lait_bds_long.parquet")
    path = tmp_path / "lait_no_values.parquet"
    pq.write_table(table.drop(["Values"]).slice(0, 500), path)
    shutil.copy(sources_dir / "raw/children/dfe_lait_data_dictionary.csv", tmp_path)
    before = register_store.snapshot()
    with pytest.raises(InputError, match=r"lait_no_values.parquet: no column 'Values'"):
        load_file(register_store, path, loader="dfe_lait",
                  options={"dictionary": "dfe_lait_data_dictionary.csv"})
    assert register_store.snapshot() == before


# -- pure pieces ------------------------------------------------------------------------------

def test_year_labels():
    assert lait_period("2023")[0].label == "2023"
    assert lait_period("2018 (Rev)") == (lait_period("2018")[0], "revised")
    assert lait_period("2016-17 (OT)")[0].label == "2016-17"
    assert lait_period("2015/16")[0].label == "2015-16"
    period, note = lait_period("2014-16")
    assert period.label == "2016" and "three-year" in note
    assert lait_period("2013/14-15/16")[0].label == "2015-16"
    assert lait_period("0") == (None, None)


def test_units_fall_back_when_values_leave_the_range():
    assert lait_unit("% achieving expected level", [10.0, 99.0]) == "percent"
    assert lait_unit("% gap", [-3.0, 20.0]) == "percentage_points"
    assert lait_unit("Rate per 10,000", [56.0]) == "rate_per_10000"


def test_area_names_map_deterministically_and_never_guess():
    index = register_index({"E10000023": ("North Yorkshire", "upper", False),
                            "E06000065": ("North Yorkshire", "single", True),
                            "E07000163": ("Craven", "lower", False)})
    assert map_area("North Yorkshire", index) == "E06000065"
    assert map_area("Craven", index) is None  # a district is not a children's services body
    assert map_area("England", index) is None
    assert map_area("Bristol, City of", index) == "E06000023"
