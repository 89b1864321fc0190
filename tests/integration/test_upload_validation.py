"""Council uploads: every kind of rejection, a good upload (CSV and XLSX), idempotence, atomicity.

Each rejection test writes a copy of a small good upload with exactly one defect and checks that
the load is refused with a message naming the file, line, column and problem, and that the store
is exactly as it was. The files are test fixtures with illustrative values, not real data.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from wholeplace.errors import InputError, ValidationError
from wholeplace.hub.batch import Table
from wholeplace.hub.load import apply_batch
from wholeplace.hub.loaders import get_reader
from wholeplace.hub.uploads import load_file, upload_info

HEADER = "area_code,period,indicator_id,value,numerator,denominator,unit,status,note"
# Fixture rows (illustrative values): lines 2 to 5 of the good file.
GOOD_ROWS = [
    "E07000008,2022-23,fixture.recycling_rate,40,20000,50000,percent,,fixture value",
    "E06000001,2022-23,fixture.recycling_rate,35,14000,40000,percent,,fixture value",
    "E07000008,2022-23,fixture.households,50000,,,count,,fixture value",
    "E06000001,2022-23,fixture.households,,,,,missing,fixture: not available",
]
# The metadata file (fixture `metadata`) is in tests/conftest.py.


def write_upload(tmp_path: Path, rows=None, header=HEADER, name="fixture_upload.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *(GOOD_ROWS if rows is None else rows)]) + "\n",
                    encoding="utf-8")
    return path


def with_row(line: int, text: str) -> list[str]:
    """The good rows with the row on file line ``line`` replaced by ``text``."""
    rows = list(GOOD_ROWS)
    rows[line - 2] = text
    return rows


def assert_rejected(store, path: Path, metadata: Path | None, line: int | None,
                    column: str | None, *phrases: str) -> ValidationError:
    before = store.snapshot()
    with pytest.raises(ValidationError) as info:
        load_file(store, path, metadata=metadata)
    err = info.value
    message = str(err)
    assert path.name in message
    assert [(p.file, p.line, p.column) for p in err.problems] == [(path.name, line, column)], \
        message
    if line is not None:
        assert f"line {line}" in message
    if column is not None:
        assert f"column {column!r}" in message
    for phrase in phrases:
        assert phrase in message, message
    assert store.snapshot() == before
    return err


# -- rejections checked against the store --------------------------------------------------------

def test_unknown_area_code(register_store, tmp_path, metadata):
    path = write_upload(tmp_path, with_row(3, GOOD_ROWS[1].replace("E06000001", "E06099999")))
    assert_rejected(register_store, path, metadata, 3, "area_code", "'E06099999'",
                    "not an English council in the place register")


def test_retired_code_without_successor(register_store, tmp_path, metadata):
    register_store.execute(
        "INSERT INTO places (gss_code, name, official_name, la_type, tier, current, end_date, "
        "dataset_id) VALUES ('E07999990', 'Fixture former district', "
        "'Fixture former district (test only)', 'shire district', 'lower', false, "
        "DATE '2019-03-31', 1)")
    path = write_upload(tmp_path, with_row(2, GOOD_ROWS[0].replace("E07000008", "E07999990")))
    assert_rejected(register_store, path, metadata, 2, "area_code", "'E07999990'",
                    "is retired since 2019-03-31", "no successor rule")


def test_duplicate_row(register_store, tmp_path, metadata):
    rows = [*GOOD_ROWS, GOOD_ROWS[0].replace(",40,20000,", ",41,20500,")]
    path = write_upload(tmp_path, rows)
    # A duplicate is a whole row (indicator, area, period), so no single column is named.
    assert_rejected(register_store, path, metadata, 6, None, "Duplicate row",
                    "indicator 'fixture.recycling_rate', area 'E07000008', period '2022-23'",
                    "lines 2, 6")


def test_negative_count(register_store, tmp_path, metadata):
    path = write_upload(tmp_path, with_row(4, GOOD_ROWS[2].replace(",50000,", ",-5,")))
    assert_rejected(register_store, path, metadata, 4, "value", "-5 is below the smallest "
                    "possible value (0)", "fixture.households")


def test_percentage_above_100(register_store, tmp_path, metadata):
    path = write_upload(tmp_path, with_row(2, GOOD_ROWS[0].replace(",40,", ",140,")))
    assert_rejected(register_store, path, metadata, 2, "value",
                    "140 is above the largest possible value (100)")


def test_numerator_above_denominator(register_store, tmp_path, metadata):
    path = write_upload(tmp_path, with_row(3, GOOD_ROWS[1].replace(",14000,", ",54000,")))
    assert_rejected(register_store, path, metadata, 3, "numerator",
                    "numerator 54000 is above its denominator 40000")


def test_indicator_not_in_catalogue_or_metadata(register_store, tmp_path, metadata):
    path = write_upload(tmp_path, with_row(4, GOOD_ROWS[2].replace("fixture.households",
                                                                   "fixture.undescribed")))
    assert_rejected(register_store, path, metadata, 4, "indicator_id",
                    "'fixture.undescribed' is not in the catalogue",
                    "Add it to the metadata file")


@pytest.mark.parametrize("row", [
    # population.all_ages is a catalogue indicator in persons (mid-2023: a year no published
    # source covers, so the row is not refused for replacing a published figure)
    "E07000008,mid-2023,population.all_ages,150000,,,percent,,fixture value",
    # fixture.recycling_rate is described as percent in the metadata file
    "E07000008,2022-23,fixture.recycling_rate,40,20000,50000,persons,,fixture value",
])
def test_unit_contradicting_indicator(register_store, tmp_path, metadata, row):
    path = write_upload(tmp_path, with_row(2, row))
    assert_rejected(register_store, path, metadata, 2, "unit", "contradicts indicator")


# -- rejections found while reading the file -----------------------------------------------------

def test_non_numeric_value(register_store, tmp_path, metadata):
    path = write_upload(tmp_path, with_row(3, GOOD_ROWS[1].replace(",35,", ",thirty-five,")))
    assert_rejected(register_store, path, metadata, 3, "value",
                    "'thirty-five' is not a number")


def test_missing_value_where_required(register_store, tmp_path, metadata):
    path = write_upload(tmp_path, with_row(4, GOOD_ROWS[2].replace(",50000,", ",,")))
    assert_rejected(register_store, path, metadata, 4, "value", "value required",
                    "'missing' or 'suppressed'")


def test_unparseable_period(register_store, tmp_path, metadata):
    path = write_upload(tmp_path, with_row(2, GOOD_ROWS[0].replace("2022-23", "Q5 2022")))
    assert_rejected(register_store, path, metadata, 2, "period",
                    "The period 'Q5 2022' could not be read")


def test_empty_file(register_store, tmp_path, metadata):
    path = tmp_path / "fixture_empty.csv"
    path.write_bytes(b"")
    assert_rejected(register_store, path, metadata, 1, None, "The file is empty")


@pytest.mark.parametrize("text", ["Recycling caf\u00e9 scheme", "Cost \u00a3120 per tonne"])
def test_wrong_encoding(register_store, tmp_path, metadata, text):
    rows = with_row(3, GOOD_ROWS[1].replace("fixture value", text))
    path = tmp_path / "fixture_latin1.csv"
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("latin-1"))
    assert_rejected(register_store, path, metadata, 3, "note", "not UTF-8 encoded",
                    "Re-save the file as UTF-8")


def test_wrong_delimiter(register_store, tmp_path, metadata):
    path = write_upload(tmp_path, [r.replace(",", ";") for r in GOOD_ROWS],
                        header=HEADER.replace(",", ";"))
    err = assert_rejected(register_store, path, metadata, 1, HEADER.replace(",", ";")[:37] + "...",
                          "semicolons (';')", "commas are expected")
    assert len(err.problems) == 1


def test_missing_column(register_store, tmp_path, metadata):
    path = write_upload(tmp_path, header=HEADER.replace("period", "year"))
    assert_rejected(register_store, path, metadata, 1, "period",
                    "The required column 'period' is missing")


def test_invalid_metadata_is_located(register_store, tmp_path, metadata):
    meta = tmp_path / "fixture_bad_metadata.yaml"
    meta.write_text(metadata.read_text(encoding="utf-8").replace("unit: count", "unit: tonnes"),
                    encoding="utf-8")
    path = write_upload(tmp_path)
    before = register_store.snapshot()
    with pytest.raises(ValidationError) as info:
        load_file(register_store, path, metadata=meta)
    # the bad unit, and then every row of the indicator it fails to describe
    first = info.value.problems[0]
    assert (first.file, first.line, first.column) == (meta.name, 10, "unit")
    assert "unknown unit 'tonnes'" in first.message
    assert register_store.snapshot() == before


def test_all_problems_are_reported_at_once(register_store, tmp_path, metadata):
    """A file problem (non-numeric) and a store problem (unknown area) come in one error."""
    rows = with_row(3, GOOD_ROWS[1].replace(",35,", ",n/a,"))
    rows[2] = rows[2].replace("E07000008", "E07099999")
    path = write_upload(tmp_path, rows)
    before = register_store.snapshot()
    with pytest.raises(ValidationError) as info:
        load_file(register_store, path, metadata=metadata)
    assert [(p.line, p.column) for p in info.value.problems] == [(3, "value"),
                                                                 (4, "area_code")]
    assert register_store.snapshot() == before


# -- good uploads --------------------------------------------------------------------------------

def _check_loaded(store, path: Path, result) -> None:
    assert result.status == "loaded"
    rows = store.rows("SELECT area_code, indicator_id, value, numerator, denominator, status "
                      "FROM current_observations WHERE dataset_id = ? ORDER BY ALL",
                      [result.dataset_id])
    assert rows == [
        {"area_code": "E06000001", "indicator_id": "fixture.households", "value": None,
         "numerator": None, "denominator": None, "status": "missing"},
        {"area_code": "E06000001", "indicator_id": "fixture.recycling_rate", "value": 35.0,
         "numerator": 14000.0, "denominator": 40000.0, "status": "published"},
        {"area_code": "E07000008", "indicator_id": "fixture.households", "value": 50000.0,
         "numerator": None, "denominator": None, "status": "published"},
        {"area_code": "E07000008", "indicator_id": "fixture.recycling_rate", "value": 40.0,
         "numerator": 20000.0, "denominator": 50000.0, "status": "published"},
    ]
    ds = store.row("SELECT * FROM datasets WHERE dataset_id = ?", [result.dataset_id])
    assert ds["source_id"] == f"upload:fixture-council:{path.stem}"
    assert ds["file_name"] == path.name
    assert ds["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert ds["file_size"] == path.stat().st_size
    assert ds["publisher"] == "Fixture council"
    assert ds["loader"] == "upload" and ds["row_count"] == 4
    unit = store.scalar("SELECT unit FROM indicators WHERE indicator_id = 'fixture.households'")
    assert unit == "count"


def test_good_csv_upload_loads_with_provenance(register_store, tmp_path, metadata):
    path = write_upload(tmp_path)
    result = load_file(register_store, path, metadata=metadata, publisher="Fixture council")
    _check_loaded(register_store, path, result)


def test_good_xlsx_upload_loads_with_provenance(register_store, tmp_path, metadata):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    for row in GOOD_ROWS:
        ws.append([float(c) if c.replace(".", "").isdigit() else (c or None)
                   for c in row.split(",")])
    path = tmp_path / "fixture_upload.xlsx"
    wb.save(path)
    result = load_file(register_store, path, metadata=metadata, publisher="Fixture council")
    _check_loaded(register_store, path, result)


def test_xlsx_problem_names_the_cell(register_store, tmp_path, metadata):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(HEADER.split(","))
    wb.active.append(["E07000008", "2022-23", "fixture.recycling_rate", "n/a"])
    path = tmp_path / "fixture_bad.xlsx"
    wb.save(path)
    err = assert_rejected(register_store, path, metadata, 2, "value", "'n/a' is not a number")
    assert "cell D2" in str(err)


def test_example_upload_loads(register_store):
    folder = Path(__file__).resolve().parents[2] / "examples" / "upload"
    result = load_file(register_store, folder / "recycling_example.csv",
                       metadata=folder / "recycling_example.yaml")
    assert result.status == "loaded" and result.rows == 6
    title = register_store.scalar(
        "SELECT title FROM indicators WHERE indicator_id = 'example.recycling_rate'")
    assert "Example indicator (illustrative values)" in title


def test_loading_the_same_file_twice_changes_nothing(register_store, tmp_path, metadata):
    path = write_upload(tmp_path)
    first = load_file(register_store, path, metadata=metadata)
    before = register_store.snapshot()
    again = load_file(register_store, path, metadata=metadata)
    assert again.status == "unchanged" and again.dataset_id == first.dataset_id
    assert register_store.snapshot() == before


def test_upload_cannot_take_a_registered_source_id(register_store, tmp_path, metadata):
    path = write_upload(tmp_path)
    before = register_store.snapshot()
    with pytest.raises(InputError, match="belongs to the registered source"):
        load_file(register_store, path, metadata=metadata, source_id="population_mye")
    assert register_store.snapshot() == before


def test_failure_inside_the_write_transaction_leaves_store_unchanged(register_store, tmp_path,
                                                                     metadata):
    first = write_upload(tmp_path, name="fixture_release1.csv")
    load_file(register_store, first, metadata=metadata, source_id="upload:fixture")
    before = register_store.snapshot()
    second = write_upload(tmp_path, [r.replace(",40,20000,", ",41,20500,") for r in GOOD_ROWS],
                          name="fixture_release2.csv")
    info = upload_info(second, source_id="upload:fixture", title=None, publisher=None,
                       release="2", released_on=None, loader="upload")
    batch = get_reader("upload")(second, info, {"metadata": str(metadata)})
    # Passes validation; the write then fails after inserting the dataset row and superseding
    # release 1, because the table is not allow-listed.
    batch.tables["not_allow_listed"] = Table(("x",), [(1,)])
    with pytest.raises(ValueError, match="not_allow_listed"):
        apply_batch(register_store, batch)
    assert register_store.snapshot() == before


def test_csv_metadata_file(register_store, tmp_path):
    meta = tmp_path / "fixture_metadata.csv"
    meta.write_text(
        "id,title,unit,polarity,kind,theme,value_min,value_max\n"
        "fixture.recycling_rate,Example indicator (illustrative values): rate,percent,"
        "higher_is_better,outcome,environment,,\n"
        "fixture.households,Example indicator (illustrative values): households,count,,,,0,\n",
        encoding="utf-8")
    result = load_file(register_store, write_upload(tmp_path), metadata=meta)
    assert result.status == "loaded"
    row = register_store.row("SELECT unit, polarity, value_min FROM indicators "
                             "WHERE indicator_id = 'fixture.households'")
    assert row == {"unit": "count", "polarity": "neutral", "value_min": 0.0}


def test_csv_metadata_problem_is_located(register_store, tmp_path):
    meta = tmp_path / "fixture_metadata.csv"
    meta.write_text("id,title,unit\n"
                    "fixture.recycling_rate,Example indicator (illustrative values),percent\n"
                    "fixture.households,Example indicator (illustrative values),households\n",
                    encoding="utf-8")
    before = register_store.snapshot()
    with pytest.raises(ValidationError) as info:
        load_file(register_store, write_upload(tmp_path), metadata=meta)
    first = info.value.problems[0]
    assert (first.file, first.line, first.column) == (meta.name, 3, "unit")
    assert register_store.snapshot() == before


def test_a_registered_file_loads_as_its_source(empty_store, sources_dir):
    result = load_file(empty_store, sources_dir / "la_register.csv", source_id="ignored")
    assert (result.source_id, result.status) == ("la_register", "loaded")
    ds = empty_store.row("SELECT publisher, loader FROM datasets")
    assert ds["loader"] == "places.register" and ds["publisher"].startswith("mySociety")
    before = empty_store.snapshot()
    again = load_file(empty_store, sources_dir / "la_register.csv")
    assert again.status == "unchanged" and empty_store.snapshot() == before
