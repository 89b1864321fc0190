"""Population, IoD2019, Oflog adult social care and CIPFA neighbours, loaded from the REAL files.

Expected figures are the published values in the source files (see SOURCES.md), checked by
hand against the CSV/JSON, not recomputed by the code under test.
"""

from __future__ import annotations

import shutil

import pytest

from wholeplace.hub.load import load_registered
from wholeplace.hub.store import open_store

SOURCES = ["population_mye", "imd2019_la", "imd2019_la23", "imd2019_lsoa", "oflog_asc",
           "cipfa_nearest_neighbours"]
AGE_IDS = ("population.all_ages", "population.age_0_17", "population.age_18_64",
           "population.age_65_plus")


@pytest.fixture(scope="module")
def context_db(register_db, tmp_path_factory):
    """The place register plus this module's sources, loaded once (read it only)."""
    path = tmp_path_factory.mktemp("context") / "context.duckdb"
    shutil.copy(register_db, path)
    return path


@pytest.fixture(scope="module")
def load_results(context_db, sources_dir):
    with open_store(context_db) as store:
        return {r.source_id: r for r in load_registered(store, sources_dir, only=SOURCES)}


@pytest.fixture
def store(context_db, load_results):
    with open_store(context_db, read_only=True) as s:
        yield s


def value(store, indicator, area, period):
    return store.row("SELECT value, status, note, numerator, denominator FROM observations "
                     "WHERE indicator_id = ? AND area_code = ? AND period = ?",
                     [indicator, area, period])


# -- population ------------------------------------------------------------------------------

def test_population_rows_and_areas(store, load_results):
    assert load_results["population_mye"].status == "loaded"
    n = store.scalar(f"SELECT count(*) FROM observations WHERE indicator_id IN "
                     f"({', '.join('?' * len(AGE_IDS))})", list(AGE_IDS))
    assert n == 3940
    per_year = dict(store.execute(
        "SELECT period, count(DISTINCT area_code) FROM observations "
        "WHERE indicator_id = 'population.all_ages' GROUP BY period").fetchall())
    # 317 LADs + 26 counties in 2019; 309 LADs + 24 counties in 2020; 309 LADs in 2021.
    assert per_year == {"mid-2019": 343, "mid-2020": 333, "mid-2021": 309}
    types = {r[0] for r in store.execute(
        "SELECT DISTINCT period_type FROM observations WHERE indicator_id LIKE 'population.%'"
    ).fetchall()}
    assert types == {"mid_year"}


def test_population_published_figures(store):
    assert value(store, "population.all_ages", "E06000053", "mid-2019")["value"] == 2224
    assert value(store, "population.all_ages", "E10000016", "mid-2020")["value"] == 1589057
    assert value(store, "population.all_ages", "E06000001", "mid-2020")["value"] == 93836
    rebased = value(store, "population.all_ages", "E06000001", "mid-2021")
    assert rebased["value"] == 92571
    assert "Census 2021" in rebased["note"] and "rebasing" in rebased["note"]
    assert value(store, "population.all_ages", "E06000001", "mid-2020")["note"] is None
    # No county rows for mid-2021 in the source: missing stays absent, not zero.
    assert value(store, "population.all_ages", "E10000016", "mid-2021") is None
    definition = store.scalar("SELECT definition FROM indicators "
                              "WHERE indicator_id = 'population.all_ages'")
    assert "rebasing" in definition


def test_population_bands_add_up(store):
    bad = store.scalar("""
        SELECT count(*) FROM (
            SELECT area_code, period,
                   sum(value) FILTER (WHERE indicator_id <> 'population.all_ages') AS parts,
                   any_value(value) FILTER (WHERE indicator_id = 'population.all_ages') AS total
            FROM observations WHERE indicator_id IN (?, ?, ?, ?)
            GROUP BY ALL) WHERE parts <> total""", list(AGE_IDS))
    assert bad == 0


def test_share_65_plus_is_derived_with_parts(store):
    rows = store.rows("SELECT * FROM observations WHERE indicator_id = 'population.share_65_plus'")
    assert len(rows) == 985
    assert {r["status"] for r in rows} == {"derived"}
    for r in rows:
        assert r["value"] == pytest.approx(100 * r["numerator"] / r["denominator"])
    scilly = value(store, "population.share_65_plus", "E06000053", "mid-2019")
    old = value(store, "population.age_65_plus", "E06000053", "mid-2019")["value"]
    assert scilly["numerator"] == old and scilly["denominator"] == 2224
    assert "derived by wholeplace" in scilly["note"]


# -- deprivation ----------------------------------------------------------------------------

def test_imd_district_summaries(store):
    n, areas = store.execute("SELECT count(*), count(DISTINCT area_code) FROM observations "
                             "WHERE indicator_id LIKE 'imd2019.%'").fetchone()
    assert (n, areas) == (7925, 317)
    hartlepool = value(store, "imd2019.imd.average_score", "E06000001", "2019")
    assert hartlepool["value"] == 35.037 and hartlepool["status"] == "published"
    assert store.scalar("SELECT DISTINCT period_type FROM observations "
                        "WHERE indicator_id LIKE 'imd2019.%'") == "calendar_year"
    # A former district (Aylesbury Vale) is kept under its 2019 code.
    assert value(store, "imd2019.imd.average_score", "E07000004", "2019") is not None
    polarity = store.scalar("SELECT polarity FROM indicators "
                            "WHERE indicator_id = 'imd2019.imd.average_score'")
    assert polarity == "lower_is_better"


def test_imd_derived_rank_is_marked(store):
    rows = store.rows("SELECT status, note FROM observations "
                      "WHERE indicator_id LIKE 'imd2019.%.rank_of_average_score'")
    assert len(rows) == 317 * 8
    assert {r["status"] for r in rows} == {"derived"}
    assert all("not the official" in r["note"] for r in rows)
    title = store.scalar("SELECT title FROM indicators "
                         "WHERE indicator_id = 'imd2019.imd.rank_of_average_score'")
    assert "not the official rank" in title


def test_imd_lad23_kept_apart(store):
    n, areas = store.execute("SELECT count(*), count(DISTINCT area_code) FROM observations "
                             "WHERE indicator_id LIKE 'imd2019_lad23.%'").fetchone()
    assert (n, areas) == (7104, 296)
    hartlepool = value(store, "imd2019_lad23.imd.average_score", "E06000001", "2019")
    assert hartlepool["value"] == pytest.approx(35.036692631192025)
    assert value(store, "imd2019_lad23.imd.average_score", "E06000063", "2019") is not None
    defs = store.rows("SELECT title, definition FROM indicators "
                      "WHERE indicator_id LIKE 'imd2019_lad23.%'")
    assert len(defs) == 24
    assert all("unofficial" in d["title"] and "NOT AN OFFICIAL STATISTIC" in d["definition"]
               for d in defs)


def test_lsoa_deprivation_table(store):
    n, lsoas = store.execute("SELECT count(*), count(DISTINCT lsoa11_code) "
                             "FROM lsoa_deprivation").fetchone()
    assert (n, lsoas) == (262752, 32844)
    row = store.row("SELECT decile, rank FROM lsoa_deprivation "
                    "WHERE lsoa11_code = 'E01000001' AND domain = 'imd'")
    assert row == {"decile": 9, "rank": 29199}
    housing = store.row("SELECT decile, rank FROM lsoa_deprivation "
                        "WHERE lsoa11_code = 'E01000001' AND domain = 'barriers_housing_services'")
    assert housing == {"decile": 3, "rank": 7319}
    sizes = [r[0] for r in store.execute(
        "SELECT count(*) FROM lsoa_deprivation WHERE domain = 'imd' GROUP BY decile").fetchall()]
    assert len(sizes) == 10 and min(sizes) >= 3284 and max(sizes) <= 3285


# -- Oflog adult social care ----------------------------------------------------------------

def test_oflog_rows_and_values(store):
    assert store.scalar("SELECT count(*) FROM observations "
                        "WHERE indicator_id LIKE 'oflog.%'") == 6376
    hartlepool = value(store, "oflog.asc1_carer_quality_of_life", "E06000001", "2016-17")
    assert hartlepool["value"] == 8.9 and hartlepool["status"] == "published"
    assert store.scalar("SELECT DISTINCT period_type FROM observations "
                        "WHERE indicator_id LIKE 'oflog.%'") == "financial_year"
    assert store.scalar("SELECT count(DISTINCT area_code) FROM observations "
                        "WHERE indicator_id LIKE 'oflog.%'") == 157


def test_oflog_missing_stays_missing(store):
    # 298 blank cells + 5 ASC2 zeros flagged as probably missing.
    assert store.scalar("SELECT count(*) FROM observations WHERE indicator_id LIKE 'oflog.%' "
                        "AND status = 'missing' AND value IS NULL") == 303
    assert store.scalar("SELECT count(*) FROM observations WHERE indicator_id LIKE 'oflog.%' "
                        "AND value IS NULL AND status <> 'missing'") == 0
    kent = value(store, "oflog.asc2_quality_of_life", "E10000016", "2019-20")
    assert kent["value"] is None and kent["status"] == "missing"
    assert "published as 0" in kent["note"]
    assert store.scalar("SELECT count(*) FROM observations WHERE "
                        "indicator_id = 'oflog.asc2_quality_of_life' AND value = 0") == 0


def test_oflog_units_and_polarity(store):
    got = {r["indicator_id"]: (r["unit"], r["polarity"]) for r in store.rows(
        "SELECT indicator_id, unit, polarity FROM indicators WHERE indicator_id LIKE 'oflog.%'")}
    assert got["oflog.asc2_quality_of_life"] == ("score", "higher_is_better")
    assert got["oflog.asc6_requests_resulting_in_service"] == ("ratio", "neutral")
    assert got["oflog.asc7_workforce_turnover"] == ("percent", "lower_is_better")
    assert len(got) == 7


# -- CIPFA nearest neighbours ---------------------------------------------------------------

def test_neighbour_sets(store, load_results):
    messages = " ".join(load_results["cipfa_nearest_neighbours"].messages)
    assert "333 council neighbour lists" in messages
    assert "25 lists had repeated codes" in messages
    assert "15 keys for combined authorities" in messages
    # 333 council lists, of which two (Scilly, City of London) hold only the authority itself.
    assert store.scalar("SELECT count(DISTINCT area_code) FROM neighbour_sets "
                        "WHERE set_id = 'cipfa'") == 331
    folkestone = [r[0] for r in store.execute(
        "SELECT neighbour_code FROM neighbour_sets WHERE area_code = 'E07000112'").fetchall()]
    assert len(folkestone) == len(set(folkestone)) == 15
    assert "E07000112" not in folkestone
    assert store.scalar("SELECT count(*) FROM neighbour_sets WHERE area_code = 'E06000053'") == 0
    assert store.scalar("SELECT count(*) FROM neighbour_sets "
                        "WHERE area_code = neighbour_code OR position IS NOT NULL "
                        "OR area_code LIKE 'E47%' OR area_code LIKE 'E61%'") == 0
    # Pre-2023 codes kept as published (Allerdale, abolished 2023).
    assert store.scalar("SELECT count(*) FROM neighbour_sets "
                        "WHERE area_code = 'E07000026'") == 15


# -- idempotence ----------------------------------------------------------------------------

def test_loading_twice_changes_nothing(register_store, sources_dir):
    first = load_registered(register_store, sources_dir, only=SOURCES)
    assert {r.status for r in first} == {"loaded"}
    before = register_store.snapshot()
    again = load_registered(register_store, sources_dir, only=SOURCES)
    assert {r.status for r in again} == {"unchanged"}
    assert register_store.snapshot() == before
