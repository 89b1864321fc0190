"""Revenue outturn: every registered RS year loaded into a real DuckDB store, spot-checked against
the values published in the workbooks, and the time-series reader checked against the RS reader.

Spot values were read from the official workbooks in raw/revenue_outturn_rs/ (sheet, cell):
2017-18 Cambridgeshire (E0521, row 8 of 'RS LA Data 2017-18'); 2017-18 Greater London Authority
(E5100, row 175), Greater Manchester Combined Authority (E6348, row 138) and Cambridgeshire and
Peterborough Combined Authority (E6356, row 379); 2010-11 Bath & North East
Somerset (E0101, row 8 of 'RS LA Data 2010-11 (1)'); 2013-14 Bath & North East Somerset column J
'Public Health' and Birmingham (E4601) public health reserves at 31 March ('(2)' column BR);
2014-15 Bath & North East Somerset, sheets '(1)' and '(2)'.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wholeplace.hub import registry as reg
from wholeplace.hub.batch import SourceInfo
from wholeplace.hub.load import apply_batch, load_registered, reader_options, source_info
from wholeplace.hub.loaders.revenue_outturn import read_rs_spreadsheet, read_time_series_csv
from wholeplace.hub.store import open_store

RS_YEARS = {"rs_2010_11": "2010-11", "rs_2011_12": "2011-12", "rs_2012_13": "2012-13",
            "rs_2013_14": "2013-14", "rs_2014_15": "2014-15", "rs_2017_18": "2017-18"}
FIXTURE = (Path(__file__).parents[1] / "fixtures" / "ro_timeseries"
           / "ro_time_series_reshaped_from_rs_2017_18.csv")


@pytest.fixture(scope="module")
def rs_db(register_db, sources_dir, tmp_path_factory) -> Path:
    """The register plus every RS year (no population: per-head values must not appear)."""
    path = tmp_path_factory.mktemp("rs") / "rs.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        results = load_registered(store, sources_dir, only=["la_register", *RS_YEARS])
        assert {r.source_id for r in results if r.status == "loaded"} == set(RS_YEARS)
    return path


@pytest.fixture
def rs_store(rs_db):
    with open_store(rs_db, read_only=True) as store:
        yield store


def value(store, indicator, area, period):
    row = store.row("SELECT value, status, note, source_area_code FROM observations "
                    "WHERE indicator_id = ? AND area_code = ? AND period = ?",
                    [indicator, area, period])
    assert row is not None, (indicator, area, period)
    return row


#: Class-O bodies kept because they are in the register: the GLA by its E-code (E5100) every
#: year; combined authorities by the file's ONS code, which only 2014-15 and 2017-18 have.
REGISTER_BODIES = {
    "2014-15": {"E61000001", "E47000001", "E47000002", "E47000003", "E47000004"},
    "2017-18": {"E61000001", "E47000001", "E47000002", "E47000003", "E47000004", "E47000006",
                "E47000007", "E47000008", "E47000009"},
}


@pytest.mark.parametrize("source_id, period", RS_YEARS.items())
def test_each_year_loads_every_council_once(rs_store, source_id, period):
    areas = {r["area_code"]: r["tier"] for r in rs_store.rows(
        "SELECT DISTINCT o.area_code, p.tier FROM observations o "
        "JOIN places p ON p.gss_code = o.area_code WHERE o.period = ? "
        "AND o.indicator_id = 'rs.nce.education'", [period])}
    councils = [c for c, tier in areas.items() if tier not in ("combined", "strategic")]
    assert len(councils) == 353  # 27 counties, 201 districts, 56 unitaries, 36 MDs, 33 London
    bodies = {c for c, tier in areas.items() if tier in ("combined", "strategic")}
    assert bodies == REGISTER_BODIES.get(period, {"E61000001"})
    per_council = rs_store.rows(
        "SELECT area_code, count(*) AS n FROM observations WHERE period = ? "
        "AND indicator_id LIKE 'rs.%' GROUP BY 1", [period])
    assert len({r["n"] for r in per_council}) == 1  # every council has every line once
    assert rs_store.scalar("SELECT count(*) FROM datasets WHERE source_id = ?", [source_id]) == 1


def test_lines_present_by_year(rs_store):
    have = {(r["period"], r["indicator_id"]) for r in rs_store.rows(
        "SELECT DISTINCT period, indicator_id FROM observations WHERE indicator_id LIKE 'rs.%'")}
    assert ("2010-11", "rs.nce.social_care") in have
    assert ("2010-11", "rs.nce.childrens_social_care") not in have
    assert ("2011-12", "rs.nce.adult_social_care") in have
    assert ("2011-12", "rs.nce.social_care") not in have
    assert ("2012-13", "rs.nce.public_health") not in have
    assert ("2013-14", "rs.nce.public_health") in have
    for period in RS_YEARS.values():
        for ind in ("rs.net_current_expenditure", "rs.revenue_expenditure",
                    "rs.net_revenue_expenditure", "rs.council_tax_requirement",
                    "rs.reserves.unallocated.start", "rs.reserves.unallocated.end",
                    "rs.reserves.schools.end", "rs.reserves.other_earmarked.start"):
            assert (period, ind) in have, (period, ind)


def test_every_current_single_tier_council_is_in_2017_18(rs_store):
    missing = rs_store.rows("""
        SELECT p.gss_code, p.name FROM places p
        WHERE p.current AND p.la_type IN ('unitary', 'London borough', 'metropolitan district',
                                          'City of London', 'Isles of Scilly')
          AND (p.start_date IS NULL OR p.start_date <= DATE '2017-04-01')
          AND NOT EXISTS (SELECT 1 FROM observations o WHERE o.area_code = p.gss_code
                          AND o.period = '2017-18' AND o.indicator_id = 'rs.nce.education')
    """)
    assert missing == []
    assert rs_store.scalar("""SELECT count(*) FROM places WHERE current AND la_type IN
        ('unitary', 'London borough', 'metropolitan district', 'City of London',
         'Isles of Scilly') AND (start_date IS NULL OR start_date <= DATE '2017-04-01')""") > 120


@pytest.mark.parametrize("indicator, expected", [
    ("rs.nce.education", 278639), ("rs.nce.adult_social_care", 149774),
    ("rs.nce.childrens_social_care", 91090), ("rs.nce.public_health", 27389),
    ("rs.nce.total_service", 629189), ("rs.council_tax_requirement", 262236),
    ("rs.net_revenue_expenditure", 347480.098), ("rs.reserves.unallocated.end", 13392.6695),
    ("rs.reserves.unallocated.start", 19122), ("rs.reserves.schools.end", 12254.91781),
    ("rs.nce.housing_gf", 0),
])
def test_cambridgeshire_2017_18(rs_store, indicator, expected):
    row = value(rs_store, indicator, "E10000003", "2017-18")
    assert row["value"] == pytest.approx(expected, abs=1e-6)
    assert row["status"] == "published"  # including the published 0 for housing


@pytest.mark.parametrize("period, area, indicator, expected", [
    ("2010-11", "E06000022", "rs.nce.education", 146939),
    ("2010-11", "E06000022", "rs.nce.social_care", 65175),
    ("2010-11", "E06000022", "rs.reserves.unallocated.start", 14638),
    ("2013-14", "E06000022", "rs.nce.public_health", 7184),
    ("2013-14", "E08000025", "rs.reserves.public_health.end", 9895),
    ("2014-15", "E06000022", "rs.nce.education", 90597),
    ("2014-15", "E06000022", "rs.nce.adult_social_care", 53307),
    ("2014-15", "E06000022", "rs.reserves.unallocated.end", 8900),
    ("2014-15", "E06000022", "rs.reserves.public_health.end", 0),
])
def test_older_years_spot_values(rs_store, period, area, indicator, expected):
    assert value(rs_store, indicator, area, period)["value"] == expected


def test_suppressed_cells_stay_missing_not_zero(rs_store):
    # Copeland's 2017-18 row is published as '…' throughout.
    row = value(rs_store, "rs.nce.education", "E07000029", "2017-18")
    assert row["value"] is None and row["status"] == "missing"
    assert "published as '…'" in row["note"]


def test_file_ons_code_is_kept_as_source_area_code(rs_store):
    row = value(rs_store, "rs.nce.education", "E10000023", "2017-18")  # North Yorkshire
    assert row["source_area_code"] == "E10000022"  # as printed in the 2017-18 workbook


@pytest.mark.parametrize("area, indicator, expected", [
    # 'RS LA Data 2017-18' row 175 (E5100, Greater London Authority): S, O, P
    ("E61000001", "rs.nce.total_service", 4851942), ("E61000001", "rs.nce.police", 2962650),
    ("E61000001", "rs.nce.fire_rescue", 364707),
    # row 138 (E6348, E47000001, Greater Manchester Combined Authority (d)): AJ, G
    ("E47000001", "rs.net_current_expenditure", 150913),
    ("E47000001", "rs.nce.highways_transport", 172159),
    # row 379 (E6356, E47000008, Cambridgeshire and Peterborough Combined Authority): S
    ("E47000008", "rs.nce.total_service", 6741),
])
def test_combined_authorities_and_the_gla_2017_18(rs_store, area, indicator, expected):
    row = value(rs_store, indicator, area, "2017-18")
    assert row["value"] == expected and row["status"] == "published"


def test_gla_keeps_the_file_code_and_other_bodies_stay_out(rs_store):
    # The file's ONS column shows the London region's code for the GLA.
    assert value(rs_store, "rs.nce.police", "E61000001", "2017-18")["source_area_code"] \
        == "E12000007"
    # E6346 was the West Midlands Integrated Transport Authority in 2014-15 (no ONS code): it
    # is not the combined authority and is not loaded as one.
    assert rs_store.scalar("SELECT count(*) FROM observations WHERE area_code = 'E47000007' "
                           "AND period = '2014-15'") == 0
    # Police, fire, waste and park bodies are not in the register and are not loaded.
    assert rs_store.scalar("SELECT count(*) FROM observations o LEFT JOIN places p "
                           "ON p.gss_code = o.area_code WHERE p.gss_code IS NULL") == 0


def test_no_per_head_without_population(rs_store):
    assert rs_store.scalar("SELECT count(*) FROM observations "
                           "WHERE indicator_id LIKE 'rs.%.per_head'") == 0


def test_per_head_appears_for_2017_18_once_population_is_loaded(rs_db, tmp_path, sources_dir):
    path = tmp_path / "with_population.duckdb"
    shutil.copy(rs_db, path)
    with open_store(path) as store:
        load_registered(store, sources_dir, only=["population_mye"])
        pop = store.scalar("SELECT value FROM observations WHERE indicator_id = "
                           "'population.all_ages' AND area_code = 'E10000003' "
                           "AND period = 'mid-2019'")
        row = value(store, "rs.nce.education.per_head", "E10000003", "2017-18")
        assert row["value"] == pytest.approx(278639 * 1000 / pop)
        assert row["status"] == "derived"
        assert "mid-2019" in row["note"] and "not the same year" in row["note"]
        years = {r["period"] for r in store.rows(
            "SELECT DISTINCT period FROM observations WHERE indicator_id LIKE 'rs.%.per_head'")}
        assert years == {"2017-18"}  # 2010-11 to 2014-15 are too far from mid-2019


def _member_population(store, ca: str, year: str) -> float:
    return store.scalar(
        "SELECT sum(o.value) FROM observations o JOIN places p ON p.gss_code = o.area_code "
        "WHERE o.indicator_id = 'population.all_ages' AND o.period = ? "
        "AND p.combined_authority_gss = ? AND p.tier IN ('lower', 'single')", [year, ca])


def test_combined_authority_per_head_uses_the_sum_of_its_areas(rs_db, tmp_path, sources_dir):
    from wholeplace.hub.load import refresh_derived

    path = tmp_path / "with_population.duckdb"
    shutil.copy(rs_db, path)
    with open_store(path) as store:
        load_registered(store, sources_dir, only=["population_mye"])
        pop = _member_population(store, "E47000001", "mid-2019")  # the ten GM districts
        row = value(store, "rs.net_current_expenditure.per_head", "E47000001", "2017-18")
        assert row["value"] == pytest.approx(150913 * 1000 / pop)
        assert "the sum of the estimates of the 10 council areas it covers" in row["note"]
        assert "mid-2019" in row["note"]
        # The GLA: the 32 boroughs and the City.
        row = value(store, "rs.nce.police.per_head", "E61000001", "2017-18")
        assert row["value"] == pytest.approx(
            2962650 * 1000 / _member_population(store, "E61000001", "mid-2019"))
        assert "33 council areas" in row["note"]
        # Cambridgeshire and Peterborough: the county is a member too, but only the five
        # districts and Peterborough are counted (each resident once).
        row = value(store, "rs.nce.total_service.per_head", "E47000008", "2017-18")
        assert "6 council areas" in row["note"]
        # A member without a mid-2019 estimate: no partial sum; mid-2020 (3 years away) is used.
        store.execute("DELETE FROM observations WHERE indicator_id = 'population.all_ages' "
                      "AND area_code = 'E08000001' AND period = 'mid-2019'")
        refresh_derived(store)
        row = value(store, "rs.net_current_expenditure.per_head", "E47000001", "2017-18")
        assert "mid-2020" in row["note"] and "not the same year" in row["note"]
        assert row["value"] == pytest.approx(
            150913 * 1000 / _member_population(store, "E47000001", "mid-2020"))
        # Councils keep their own population.
        assert "sum of" not in value(store, "rs.nce.education.per_head", "E10000003",
                                     "2017-18")["note"]


def test_load_messages_count_skipped_bodies(register_store, sources_dir):
    [_, result] = load_registered(register_store, sources_dir, only=["la_register",
                                                                     "rs_2017_18"])
    text = " ".join(result.messages)
    assert "353 councils loaded for 2017-18" in text
    assert "9 class-O bodies in the place register loaded" in text
    assert "Skipped 83 rows that are not councils (83 of class O)" in text
    assert "cannot be attributed to places" in text


def test_unregistered_ecode_is_a_problem_naming_sheet_and_row(register_store, sources_dir):
    """A council neither the register's E-codes nor its GSS codes know is a problem."""
    spec = reg.get_spec("rs_2017_18")
    path = reg.locate(spec, sources_dir)
    options = reader_options(register_store, spec.options)
    del options["ecode_to_gss"]["E0521"]
    del options["register_codes"]["E10000003"]  # else matched by the file's ONS code
    batch = read_rs_spreadsheet(path, source_info(spec, path), options)
    [problem] = batch.problems.problems
    assert problem.line == 8 and problem.column == "E-code"
    assert "RS LA Data 2017-18" in problem.message and "E0521" in problem.message


def _ts_source() -> SourceInfo:
    return SourceInfo(source_id="ro_timeseries", title="Revenue Outturn time series (test "
                      "fixture re-shaped from RS 2017-18)", file_name=FIXTURE.name,
                      sha256="test-fixture-" + FIXTURE.name, size=FIXTURE.stat().st_size,
                      loader="ro_timeseries_csv", loader_version="1")


def test_time_series_gives_the_same_values_as_the_rs_workbook(register_store, sources_dir):
    spec = reg.get_spec("rs_2017_18")
    path = reg.locate(spec, sources_dir)
    rs = read_rs_spreadsheet(path, source_info(spec, path),
                             reader_options(register_store, spec.options)).observations.cols
    ts_batch = read_time_series_csv(FIXTURE, _ts_source(), {})
    assert not ts_batch.problems
    ts = ts_batch.observations.cols
    rs_values = {(i, a, p): v for i, a, p, v in zip(rs["indicator_id"], rs["area_code"],
                                                    rs["period"], rs["value"])}
    ts_keys = list(zip(ts["indicator_id"], ts["area_code"], ts["period"]))
    assert {a for _, a, _ in ts_keys} == {"E10000003", "E08000006", "E06000022", "E09000011",
                                          "E07000011"}  # the police body is skipped
    assert len(ts_keys) == 5 * 20
    for key, v in zip(ts_keys, ts["value"]):
        assert v == pytest.approx(rs_values[key]), key
    text = " ".join(ts_batch.messages)
    assert "RS_parishaggprecept_net_exp" in text and "1 (class Other)" in text

    result = apply_batch(register_store, ts_batch)
    assert result.status == "loaded"
    assert value(register_store, "rs.reserves.unallocated.end", "E10000003",
                 "2017-18")["value"] == pytest.approx(13392.6695)


def test_time_series_without_identifying_columns_is_refused(tmp_path):
    bad = tmp_path / "not_the_time_series.csv"
    bad.write_text("ONS_code,RS_edu_net_exp\nE10000003,278639\n", encoding="utf-8")
    from wholeplace.errors import ValidationError

    with pytest.raises(ValidationError) as info:
        read_time_series_csv(bad, _ts_source(), {})
    assert {p.column for p in info.value.problems} == {"year_ending", "LA_class", "status"}


def test_time_series_loads_through_load_file(register_store):
    # What `wholeplace load FILE --source ro_timeseries --loader ro_timeseries_csv` does.
    from wholeplace.hub.uploads import load_file

    result = load_file(register_store, FIXTURE, source_id="ro_timeseries",
                       loader="ro_timeseries_csv", publisher="MHCLG (test fixture)")
    assert result.status == "loaded" and result.source_id == "ro_timeseries"
    assert value(register_store, "rs.nce.education", "E09000011", "2017-18")["value"] == 249410
    assert load_file(register_store, FIXTURE, source_id="ro_timeseries",
                     loader="ro_timeseries_csv").status == "unchanged"
