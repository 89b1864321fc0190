"""Registering extracts: bad input is refused with every problem listed and nothing loaded."""

import os
from dataclasses import replace
from datetime import date

import pytest

from wholeplace.errors import ConfigError, InputError, ValidationError
from wholeplace.residents.mapping import Authorisation, item_for, mapping_from, read_extract
from wholeplace.residents.privacy import create_key, load_key
from wholeplace.residents.sources import register
from wholeplace.residents.workspace import open_workspace

TODAY = date(2026, 4, 1)
PARTIES = frozenset({"E07000008", "E07000012"})
COVERS = frozenset({item_for("prevention", "housing")})
ACTIVE = Authorisation("7", "prevention", "active", date(2027, 3, 31), "E07000008", PARTIES,
                       COVERS, date(2026, 1, 1))
MAPPING = {"source": "housing", "record_id": "ref", "forename": "first", "surname": "last",
           "dob": "born", "postcode": "pc", "address_lines": ["line1"], "date_format": "%d/%m/%Y"}
GOOD = ("ref,first,last,born,pc,line1\nSYN-1,Ann,Lee,01/02/1980,qz1 0aa,1 Elm St\n"
        "SYN-2,Bill,O'Neill,,QZ2 1AB,2 Elm St\n")


def write(tmp_path, text, name="x.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_good_extract_is_standardised(tmp_path):
    records = read_extract(write(tmp_path, GOOD), mapping_from(MAPPING, "m"), ACTIVE, TODAY)
    assert [r["unique_id"] for r in records] == ["housing:SYN-1", "housing:SYN-2"]
    assert records[0]["dob"] == date(1980, 2, 1) and records[1]["dob"] is None
    assert records[1]["forename_canonical"] == "william" and records[1]["surname"] == "oneill"
    assert records[0]["postcode"] == "QZ1 0AA" and records[0]["postcode_outward"] == "QZ1"


def test_parquet_extract(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"ref": ["SYN-1"], "first": ["Ann"], "last": ["Lee"],
                             "born": ["01/02/1980"], "pc": ["QZ1 0AA"], "line1": ["1 Elm"]}), path)
    [record] = read_extract(path, mapping_from(MAPPING, "m"), ACTIVE, TODAY)
    assert record["surname"] == "lee"


def test_missing_columns_all_listed(tmp_path):
    mapping = mapping_from({**MAPPING, "uprn": "uprn", "sex": "gender"}, "m")
    with pytest.raises(ValidationError) as err:
        read_extract(write(tmp_path, GOOD), mapping, ACTIVE, TODAY)
    assert {p.column for p in err.value.problems} == {"uprn", "gender"}


def test_bad_dates_and_duplicate_ids_all_listed(tmp_path):
    text = GOOD + "SYN-1,Cat,Day,31/02/1990,QZ1 0AA,3 Elm St\nSYN-4,Dan,Eve,1990-01-01,,\n"
    with pytest.raises(ValidationError) as err:
        read_extract(write(tmp_path, text), mapping_from(MAPPING, "m"), ACTIVE, TODAY)
    messages = [(p.line, p.message) for p in err.value.problems]
    assert (4, "source record id 'SYN-1' is repeated (first on line 2)") in messages
    assert any(line == 4 and "not a date" in m for line, m in messages)
    assert any(line == 5 and "'1990-01-01' is not a date" in m for line, m in messages)


def test_wrong_encoding(tmp_path):
    path = write(tmp_path, GOOD.replace("Ann", "Zoë"), encoding="latin-1")
    with pytest.raises(ValidationError, match="not valid utf-8"):
        read_extract(path, mapping_from(MAPPING, "m"), ACTIVE, TODAY)
    latin = mapping_from({**MAPPING, "encoding": "latin-1"}, "m")
    assert read_extract(path, latin, ACTIVE, TODAY)[0]["forename"] == "zoe"


def test_bad_mapping(tmp_path):
    with pytest.raises(ValidationError) as err:
        mapping_from({"source": "Bad Name", "forname": "x"}, "m.yaml")
    columns = {p.column for p in err.value.problems}
    assert {"source", "record_id", "forname"} <= columns


@pytest.mark.parametrize(("auth", "why"), [
    (replace(ACTIVE, ends_on=date(2026, 1, 1)), "ended on 2026-01-01"),
    (replace(ACTIVE, status="revoked"), "'revoked', not active"),
    (replace(ACTIVE, status="awaiting_approval"), "'awaiting_approval', not active"),
    (replace(ACTIVE, starts_on=date(2026, 6, 1)), "starts on 2026-06-01"),
    (replace(ACTIVE, owner="E09000001"), "E09000001 is not a party"),
    (replace(ACTIVE, items=frozenset({item_for("prevention", "council_tax")})),
     "does not cover dataset:residents.prevention.housing"),
    (replace(ACTIVE, agreement_id=""), "no data-sharing agreement"),
])
def test_source_without_active_agreement_is_refused(tmp_path, auth, why):
    path = write(tmp_path, GOOD)
    with open_workspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(InputError, match=why):
            register(ws, path, mapping_from(MAPPING, "m"), auth, TODAY)
        assert ws.scalar("SELECT count(*) FROM sources") == 0
        assert register(ws, path, mapping_from(MAPPING, "m"), ACTIVE, TODAY) == 2
        assert ws.scalar("SELECT count(*) FROM sources") == 1


def test_refused_extract_registers_nothing(tmp_path):
    path = write(tmp_path, GOOD + "SYN-2,X,Y,,,\n")
    with open_workspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(ValidationError):
            register(ws, path, mapping_from(MAPPING, "m"), ACTIVE, TODAY)
        assert ws.scalar("SELECT count(*) FROM sources") == 0


def test_key_files(tmp_path):
    with pytest.raises(ConfigError, match="No key file for purpose 'prevention'"):
        load_key(tmp_path, "prevention")
    path = create_key(tmp_path, "prevention")
    assert os.stat(path).st_mode & 0o777 == 0o600
    one = load_key(tmp_path, "prevention")
    assert one("housing:SYN-1") == load_key(tmp_path, "prevention")("housing:SYN-1")
    assert path.read_text().strip() not in repr(one)
    create_key(tmp_path, "fraud")
    assert load_key(tmp_path, "fraud")("housing:SYN-1") != one("housing:SYN-1")
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="readable or writable by every user"):
        load_key(tmp_path, "prevention")
    with pytest.raises(InputError, match="already exists"):
        create_key(tmp_path, "prevention")
    with pytest.raises(InputError, match="not a purpose name"):
        load_key(tmp_path, "../etc")


def test_column_reader_gives_the_row_readers_records(tmp_path):
    """The run's column-at-a-time reader and the row-wise reader agree field by field, on the
    SYNTHETIC extracts (with their typos, nicknames and missing values) and on awkward text."""
    import pandas as pd

    from wholeplace.residents import demo, synthetic
    from wholeplace.residents.mapping import read_extract_frame

    built = demo.build(tmp_path / "syn", n_households=150, seed=3, systems=synthetic.SYSTEMS)
    odd = write(tmp_path, "ref,first,last,born,pc,line1\n"
                " SYN-1 ,  Zoë ,O'Brien-Smith,2026-04-01,qz10aa,\n"
                "SYN-2,,  ,01/02/1980,not a postcode,\"  Flat 2, Elm St \"\n"
                "SYN-3,ß Ann,Lee,,QZ1 0AA,1 Elm St\n".replace("2026-04-01", "01/04/2026"))
    cases = [(path, demo.synthetic_mapping(system)) for system, path in built.paths.items()]
    cases.append((odd, mapping_from(MAPPING, "m")))
    for path, mapping in cases:
        rows = read_extract(path, mapping, demo.DEMO_AUTHORISATION if path != odd else ACTIVE,
                            synthetic.REFERENCE_DATE if path != odd else TODAY)
        frame = read_extract_frame(path, mapping, demo.DEMO_AUTHORISATION if path != odd
                                   else ACTIVE, synthetic.REFERENCE_DATE if path != odd
                                   else TODAY)
        expected = pd.DataFrame.from_records(rows, columns=list(frame.columns))
        assert len(frame) == len(rows) > 0
        assert frame.to_dict("records") == expected.astype(object).where(
            expected.notna(), None).to_dict("records"), path.name


def test_column_reader_refuses_what_the_row_reader_refuses(tmp_path):
    from wholeplace.residents.mapping import read_extract_frame

    text = GOOD + "SYN-1,Cat,Day,31/02/1990,QZ1 0AA,3 Elm St\n"
    with pytest.raises(ValidationError) as err:
        read_extract_frame(write(tmp_path, text), mapping_from(MAPPING, "m"), ACTIVE, TODAY)
    assert any("repeated" in p.message for p in err.value.problems)
    bad = write(tmp_path, GOOD.replace("Ann", "Zoë"), name="latin.csv", encoding="latin-1")
    with pytest.raises(ValidationError, match="not valid utf-8"):
        read_extract_frame(bad, mapping_from(MAPPING, "m"), ACTIVE, TODAY)
    with pytest.raises(ValidationError):
        read_extract_frame(write(tmp_path, GOOD, name="g.csv"),
                           mapping_from({**MAPPING, "uprn": "uprn"}, "m"), ACTIVE, TODAY)
