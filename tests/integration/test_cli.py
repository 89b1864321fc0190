"""The command-line interface, run with typer's CliRunner against real DuckDB files."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from wholeplace.cli.main import app
from wholeplace.hub.store import open_store

runner = CliRunner()


@pytest.fixture
def run(register_db, sources_dir):
    """Run `wholeplace --db <register hub> --sources <published files> ARGS...`."""

    def invoke(*args, db=register_db, sources=sources_dir):
        return runner.invoke(app, ["--db", str(db), "--sources", str(sources), *args])

    return invoke


def ok_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_place_cambridge_text(run):
    result = run("place", "Cambridge")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for expected in ("Cambridge City Council (E07000008)",
                     "Cambridgeshire County Council (E10000003)",
                     "Cambridgeshire and Peterborough Combined Authority (E47000008)",
                     "Region: East of England", "Who delivers what:"):
        assert expected in out
    waste = next(line for line in out.splitlines() if line.strip().startswith("Waste collection"))
    assert "Cambridge City Council" in waste


def test_place_cambridge_json_has_served_by_and_services(run):
    data = ok_json(run("place", "Cambridge", "--json"))
    assert data["served_by"]["place"]["gss_code"] == "E07000008"
    assert [c["gss_code"] for c in data["served_by"]["councils"]] == [
        "E07000008", "E10000003", "E47000008"]
    services = {s["service_id"]: s for s in data["services"]}
    assert services["libraries"]["body_code"] == "E10000003"
    assert all(s["source"] for s in data["services"])


def test_place_json_dates_are_iso_strings(run):
    data = ok_json(run("place", "E07000004", "--json"))  # Aylesbury Vale, abolished
    assert data["served_by"]["place"]["end_date"] == "2020-03-31"
    assert data["served_by"]["successors"][0]["gss_code"] == "E06000060"


def test_place_with_several_matches_lists_them(run):
    data = ok_json(run("place", "Northampton", "--json"))
    codes = {m["gss_code"] for m in data["matches"]}
    assert {"E06000061", "E06000062"} <= codes  # North and West Northamptonshire
    text = run("place", "Northampton")
    assert text.exit_code == 0 and "E06000061" in text.stdout
    assert "wholeplace place CODE" in text.stdout


def test_place_why_prints_the_legal_source(run):
    result = run("place", "Camden", "--why")
    assert result.exit_code == 0, result.output
    assert "Environmental Protection Act 1990" in result.stdout


def test_bad_code_exits_1_with_a_helpful_message_and_no_traceback(run):
    result = run("place", "E07000999")
    assert result.exit_code == 1
    assert "No council has the GSS code 'E07000999'" in result.stderr
    assert "wholeplace place NAME" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_hub_says_to_load_first(run, tmp_path):
    result = run("councils", db=tmp_path / "nothing.duckdb")
    assert result.exit_code == 1
    assert "wholeplace load" in result.stderr


def test_councils_json_and_filters(run):
    data = ok_json(run("councils", "--json"))
    assert len(data) == 332
    assert {"gss_code", "name", "official_name", "la_type", "tier", "region"} <= set(data[0])
    lower = ok_json(run("councils", "--tier", "lower", "--region", "East of England", "--json"))
    assert lower and {c["tier"] for c in lower} == {"lower"}
    assert {c["region"] for c in lower} == {"East of England"}


def test_councils_bad_tier_is_a_usage_error(run):
    assert run("councils", "--tier", "top").exit_code == 2


def test_councils_unknown_region_lists_the_regions(run):
    result = run("councils", "--region", "Narnia")
    assert result.exit_code == 1
    assert "East of England" in result.stderr


def test_datasets_json_gives_provenance(run):
    data = ok_json(run("datasets", "--json"))
    register = next(d for d in data if d["source_id"] == "la_register")
    assert register["released_on"] == "2025-07-10"
    assert register["file_sha256"].startswith("a616e9c6")
    assert isinstance(register["loaded_at"], str)


def test_datasets_registry_reports_present_files(run):
    result = run("datasets", "--registry")
    assert result.exit_code == 0, result.output
    assert "la_register" in result.stdout and "present" in result.stdout
    data = ok_json(run("datasets", "--registry", "--json"))
    assert {r["status"] for r in data} == {"present"}


def test_datasets_registry_reports_missing_and_changed_files(run, tmp_path):
    (tmp_path / "la_register.csv").write_text("gss_code\nE07000008\n", encoding="utf-8")
    data = ok_json(run("datasets", "--registry", "--json", sources=tmp_path))
    status = {r["id"]: r["status"] for r in data}
    assert status["la_register"] == "hash mismatch"
    assert status["population_mye"] == "missing"


def test_fetch_without_url_explains_where_to_get_the_file(run, tmp_path):
    present = run("fetch", "la_register")
    assert present.exit_code == 0 and "present" in present.stdout
    missing = run("fetch", "la_register", sources=tmp_path)
    assert missing.exit_code == 1
    assert "no known official download URL" in missing.stderr
    assert "github.com/mysociety" in missing.stderr


def test_fetch_lists_every_source_and_says_none_has_a_download_url(run, tmp_path):
    listing = run("fetch", sources=tmp_path / "no-such-folder")
    assert listing.exit_code == 0, listing.output
    assert "None of these sources has an official download URL" in listing.stdout
    assert "la_register: no url" in listing.stdout and "github.com/mysociety" in listing.stdout
    data = ok_json(run("fetch", "--json", sources=tmp_path))
    assert {r["status"] for r in data} == {"no url"} and len(data) >= 10
    assert "wholeplace fetch la_register" not in (run("fetch", "--help").stdout)


def test_unexpected_error_is_one_line_without_a_traceback(run, tmp_path, monkeypatch):
    """A bug (here: a query that fails with a plain KeyError) is reported, not shown."""
    from wholeplace.places import queries

    def broken(store, text):  # stands in for any bug in a query: a plain Python exception
        return {}["place"]

    monkeypatch.setattr(queries, "match_place", broken)
    result = run("place", "Cambridge")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Internal error: KeyError: 'place'. Please report it with "
                                     "the command you ran.")
    assert "Traceback" not in result.output
    monkeypatch.setenv("WHOLEPLACE_DEBUG", "1")
    assert isinstance(run("place", "Cambridge").exception, KeyError)


def test_bad_csv_cells_via_load_loader_are_problems_not_tracebacks(run, tmp_path):
    db = tmp_path / "hub.duckdb"
    short = tmp_path / "asc_short.csv"
    short.write_text("financial_year,gss_code,measure_code,value,quality_flag\n"
                     "2019-20,E07000008\n", encoding="utf-8")
    result = run("load", str(short), "--loader", "oflog_asc", db=db)
    assert result.exit_code == 1, result.output
    assert "line 2" in result.stderr and "2 cells" in result.stderr
    latin = tmp_path / "pop_latin.csv"
    latin.write_bytes("gss_code,name\nE07000008,TEST FIXTURE Caf\xe9\n".encode("cp1252"))
    for loader in ("population", "ro_timeseries_csv", "imd_la"):
        result = run("load", str(latin), "--loader", loader, db=db)
        assert result.exit_code == 1, result.output
        assert "not UTF-8" in result.stderr and "Traceback" not in result.output


def test_a_duckdb_file_that_is_not_a_hub_is_named_as_such(run, tmp_path):
    import duckdb

    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    result = run("place", "Cambridge", db=other)
    assert result.exit_code == 1
    assert "is not a wholeplace hub (no schema version)" in result.stderr
    assert "WHOLEPLACE_DB" in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_sources_directory_is_checked_only_where_it_is_needed(run, tmp_path, monkeypatch,
                                                              register_db):
    nowhere = tmp_path / "no-such-folder"
    unknown = run("load", "--source", "nope", sources=nowhere, db=tmp_path / "hub.duckdb")
    assert unknown.exit_code == 1 and "no registered source 'nope'" in unknown.stderr
    monkeypatch.setenv("WHOLEPLACE_SOURCES", str(nowhere))
    place = runner.invoke(app, ["--db", str(register_db), "place", "Cambridge"])
    assert place.exit_code == 0, place.output
    needed = run("load", "--source", "la_register", sources=nowhere, db=tmp_path / "hub.duckdb")
    assert needed.exit_code == 1 and "does not exist" in needed.stderr


def test_former_combined_authority_code_says_what_happened(run):
    result = run("place", "E47000005")
    assert result.exit_code == 1
    assert "former code" in result.stderr and "E47000010" in result.stderr
    assert "not read as E47000010" in result.stderr
    assert "wholeplace place E47000010" in result.stderr


def test_load_rs_workbook_with_year(run, tmp_path, register_db):
    """A downloaded RS workbook that is not the registered file (a TEST FIXTURE with the real
    Cambridgeshire 2017-18 values) loads with --year."""
    from tests.unit.test_rs_headers import _rows_2017, _write_xlsx

    book = tmp_path / "rs_2017_18_test_fixture.xlsx"
    _write_xlsx(book, _rows_2017())
    db = tmp_path / "hub.duckdb"
    shutil.copy(register_db, db)
    without = run("load", str(book), "--loader", "rs_spreadsheet", db=db)
    assert without.exit_code == 1 and "--year 2017" in without.stderr
    data = ok_json(run("load", str(book), "--loader", "rs_spreadsheet", "--year", "2017",
                       "--source", "upload:rs-test", "--json", db=db))
    assert data[0]["status"] == "loaded"
    with open_store(db, read_only=True) as store:
        assert store.scalar(
            "SELECT value FROM observations WHERE indicator_id = 'rs.nce.adult_social_care' "
            "AND area_code = 'E10000003' AND period = '2017-18'") == 149774.0
    stray = run("load", "--year", "2017", db=db)
    assert stray.exit_code == 1 and "--year" in stray.stderr


def test_load_registered_source_then_again_is_unchanged(run, tmp_path):
    db = tmp_path / "hub.duckdb"
    first = ok_json(run("load", "--source", "la_register", "--json", db=db))
    assert [(r["source_id"], r["status"]) for r in first] == [("la_register", "loaded")]
    again = run("load", "--source", "la_register", db=db)
    assert again.exit_code == 0 and "la_register: unchanged" in again.stdout
    with open_store(db, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM places WHERE current") == 332


def test_load_file_that_is_a_registered_source(run, tmp_path, sources_dir):
    db = tmp_path / "hub.duckdb"
    data = ok_json(run("load", str(sources_dir / "la_register.csv"), "--json", db=db))
    assert data[0]["source_id"] == "la_register" and data[0]["status"] == "loaded"


def test_load_rejects_a_bad_date_and_file_options_without_a_file(run, tmp_path):
    bad = run("load", str(tmp_path / "x.csv"), "--released-on", "last tuesday",
              db=tmp_path / "hub.duckdb")
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.stderr
    stray = run("load", "--metadata", "meta.yaml", db=tmp_path / "hub.duckdb")
    assert stray.exit_code == 1 and "--metadata" in stray.stderr


def test_indicators_json_is_a_list(run):
    assert isinstance(ok_json(run("indicators", "--json")), list)
