"""Pure tests of the context readers on small TEST FIXTURE files written to tmp_path.

The fixture rows below are made up to exercise error handling (bad codes, unknown measures,
blank cells). They are labelled TEST FIXTURE in the area name column where the format has one
and are never loaded into a real hub.
"""

from __future__ import annotations

import json

import pytest

from wholeplace.errors import ProblemLog, ValidationError
from wholeplace.hub.batch import SourceInfo
from wholeplace.hub.loaders import csvutil, imd, neighbours, oflog, population


def source(name: str) -> SourceInfo:
    return SourceInfo(source_id="test_fixture", title="TEST FIXTURE", file_name=name,
                      sha256="0" * 64, size=1, loader="test", loader_version="1")


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_number_blank_is_missing_not_zero():
    log = ProblemLog("f.csv")
    assert csvutil.parse_number("", log, 2, "value") is None
    assert csvutil.parse_number("  ", log, 2, "value") is None
    assert csvutil.parse_number("1,234.5", log, 2, "value") == 1234.5
    assert not log
    assert csvutil.parse_number("n/a", log, 3, "value") is None
    assert csvutil.parse_number("nan", log, 4, "value") is None
    assert csvutil.parse_int("2.5", log, 5, "rank") is None
    assert [(p.line, p.column) for p in log.problems] == [(3, "value"), (4, "value"),
                                                          (5, "rank")]


POP_HEADER = "gss_code,area_name,geography_level,geography_vintage,mid_year,age_band,population\n"


def test_population_collects_every_problem(tmp_path):
    path = write(tmp_path, "pop.csv", POP_HEADER +
                 "E06000001,TEST FIXTURE,lower-tier/unitary,LAD2021,2021,all_ages,100\n"
                 "E06000001,TEST FIXTURE,lower-tier/unitary,LAD2021,2021,65-74,10\n"
                 "E06000001,TEST FIXTURE,lower-tier/unitary,LAD2021,twenty,65+,10\n"
                 "E06000001,TEST FIXTURE,lower-tier/unitary,LAD2021,2021,0-17,lots\n")
    batch = population.read(path, source("pop.csv"), {})
    where = [(p.line, p.column) for p in batch.problems.problems]
    assert where == [(3, "age_band"), (4, "mid_year"), (5, "population")]
    with pytest.raises(ValidationError) as exc:
        batch.problems.raise_if_any()
    assert "pop.csv, line 3, column 'age_band'" in str(exc.value)


def test_population_share_and_missing_count(tmp_path):
    path = write(tmp_path, "pop.csv", POP_HEADER +
                 "E06000001,TEST FIXTURE,lower-tier/unitary,LAD2021,2020,all_ages,200\n"
                 "E06000001,TEST FIXTURE,lower-tier/unitary,LAD2021,2020,65+,50\n"
                 "E06000002,TEST FIXTURE,lower-tier/unitary,LAD2021,2021,all_ages,300\n"
                 "E06000002,TEST FIXTURE,lower-tier/unitary,LAD2021,2021,65+,\n")
    batch = population.read(path, source("pop.csv"), {})
    assert not batch.problems
    c = batch.observations.cols
    rows = list(zip(c["indicator_id"], c["area_code"], c["value"], c["status"], c["note"]))
    blank = [r for r in rows if r[0] == "population.age_65_plus" and r[1] == "E06000002"][0]
    assert blank[2] is None and blank[3] == "missing"
    shares = {r[1]: r for r in rows if r[0] == population.SHARE_65}
    assert shares["E06000001"][2] == 25.0 and shares["E06000001"][3] == "derived"
    assert shares["E06000002"][2] is None and shares["E06000002"][3] == "missing"
    assert "Census 2021" in [r for r in rows if r[1] == "E06000002"][0][4]


def test_imd_unknown_domain_and_measure(tmp_path):
    path = write(tmp_path, "imd.csv", "lad19_code,la_name,domain,measure,value,source_kind\n"
                 "E06000001,TEST FIXTURE,imd,average_score,1.5,published\n"
                 "E06000001,TEST FIXTURE,wealth,average_score,1.5,published\n"
                 "E06000001,TEST FIXTURE,imd,median_score,1.5,published\n"
                 "E06000001,TEST FIXTURE,crime,extent,0.1,published\n")
    batch = imd.read_la(path, source("imd.csv"), {})
    assert [(p.line, p.column) for p in batch.problems.problems] == [
        (3, "domain"), (4, "measure"), (5, "measure")]
    assert batch.observations.cols["indicator_id"] == ["imd2019.imd.average_score"]


def test_imd_lsoa_rejects_out_of_range_and_blank(tmp_path):
    cols = ["lsoa11_code", "la_gss_code_current"] + [
        f"{p}_{k}" for k in ("decile", "rank") for p in imd.LSOA_DOMAINS]
    good = ["E01000001", "E09000001"] + ["5"] * 8 + ["100"] * 8
    bad = ["E01000002", "E09000001", "11"] + ["5"] * 7 + [""] + ["100"] * 7
    text = "\n".join(",".join(r) for r in (cols, good, bad)) + "\n"
    batch = imd.read_lsoa(write(tmp_path, "lsoa.csv", text), source("lsoa.csv"), {})
    msgs = [(p.line, p.column) for p in batch.problems.problems]
    assert (3, "imd_decile") in msgs and (3, "imd_rank") in msgs
    assert (None, None) in msgs  # incomplete file: not all 32,844 LSOAs
    assert len(batch.tables["lsoa_deprivation"].rows) == 8 + 7


OFLOG_HEADER = "financial_year,gss_code,la_name,measure_code,value,quality_flag\n"


def test_oflog_blank_and_flagged_zero_become_missing(tmp_path):
    path = write(tmp_path, "asc.csv", OFLOG_HEADER +
                 "2019-20,E06000001,TEST FIXTURE,ASC2,0.0,zero_on_0-1_QoL_scale_probably_missing\n"
                 "2019-20,E06000002,TEST FIXTURE,ASC3,,missing_in_source\n"
                 "2019-20,E06000003,TEST FIXTURE,ASC3,0,\n")
    batch = oflog.read(path, source("asc.csv"), {})
    assert not batch.problems
    c = batch.observations.cols
    assert c["value"] == [None, None, 0.0]  # an unflagged published 0 stays 0
    assert c["status"] == ["missing", "missing", "published"]
    assert c["note"][0] == oflog.ZERO_NOTE and c["note"][1] == oflog.BLANK_NOTE
    assert c["period"] == ["2019-20"] * 3


def test_oflog_problems(tmp_path):
    path = write(tmp_path, "asc.csv", OFLOG_HEADER +
                 "2019-20,E06000001,TEST FIXTURE,ASC9,1,\n"
                 "mid-2019,E06000001,TEST FIXTURE,ASC1,1,\n"
                 "2019-20,E06000001,TEST FIXTURE,ASC2,0.4,zero_on_0-1_QoL_scale_probably_missing\n"
                 "2019-20,E06000001,TEST FIXTURE,ASC3,50,odd\n")
    batch = oflog.read(path, source("asc.csv"), {})
    assert [(p.line, p.column) for p in batch.problems.problems] == [
        (2, "measure_code"), (3, "financial_year"), (4, "value"), (5, "quality_flag")]


def test_oflog_short_row_and_other_encoding_are_problems_not_exceptions(tmp_path):
    path = write(tmp_path, "asc.csv", OFLOG_HEADER +
                 "2019-20,E06000001\n"
                 "2019-20,E06000002,TEST FIXTURE,ASC3,0.5,\n")
    batch = oflog.read(path, source("asc.csv"), {})
    [problem] = batch.problems.problems
    assert problem.line == 2 and "2 cells" in problem.message
    assert batch.observations.cols["area_code"] == ["E06000002"]
    latin = tmp_path / "asc_latin.csv"
    latin.write_bytes((OFLOG_HEADER + "2019-20,E06000002,TEST FIXTURE \xe9,ASC3,0.5,\n")
                      .encode("cp1252"))
    batch = oflog.read(latin, source("asc_latin.csv"), {})
    [problem] = batch.problems.problems
    assert problem.line == 2 and "not UTF-8" in problem.message
    assert len(batch.observations) == 0


def test_unique_neighbours_drops_self_and_repeats():
    assert neighbours.unique_neighbours("A", ["B", "A", "B", "C", "C", "A"]) == ["B", "C"]
    assert neighbours.unique_neighbours("A", ["A"]) == []


def test_neighbours_reader(tmp_path):
    data = {"E06000001": ["E06000001", "E06000002", "E06000002"],
            "E06000053": ["E06000053"],
            "E47000001": ["E47000001", "E61000001"],
            "X1": ["E06000001"],
            "E06000002": "E06000001"}
    path = write(tmp_path, "nn.json", json.dumps(data))
    batch = neighbours.read(path, source("nn.json"), {})
    assert batch.tables["neighbour_sets"].rows == [("cipfa", "E06000001", "E06000002", None)]
    assert [p.column for p in batch.problems.problems] == ["X1", "E06000002"]
    text = " ".join(batch.messages)
    assert "2 council neighbour lists" in text and "E47000001" in text
    assert "1 lists had repeated codes" in text and "E06000053" in text


def test_neighbours_bad_json(tmp_path):
    path = write(tmp_path, "nn.json", '{"E06000001": [\n')
    batch = neighbours.read(path, source("nn.json"), {})
    assert len(batch.problems) == 1 and "not valid JSON" in batch.problems.problems[0].message
