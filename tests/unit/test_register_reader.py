"""The place register reader on the real published register, and on copies of real rows with one
cell broken (TEST FIXTURE files in tmp_path): bad cells are located problems, never exceptions,
and a combined authority's former code is not read as its current code."""

from __future__ import annotations

import csv

from wholeplace.hub.batch import SourceInfo
from wholeplace.places.register import read_register


def source(name: str) -> SourceInfo:
    return SourceInfo(source_id="la_register", title="register", file_name=name,
                      sha256="0" * 64, size=1, loader="places.register", loader_version="1")


def real_rows(sources_dir) -> list[dict]:
    with open(sources_dir / "la_register.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write(tmp_path, rows: list[dict]):
    path = tmp_path / "la_register_test_fixture.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def test_bad_date_area_and_current_cells_are_located_problems(tmp_path, sources_dir):
    rows = real_rows(sources_dir)[:4]  # Hartlepool, Middlesbrough, Redcar, Stockton
    rows[0]["start_date"] = "18/06/2005"
    rows[1]["area_km2_mysociety"] = "54 km2"
    rows[2]["current"] = "yes"
    rows[3]["end_date"] = "2005-02-30"
    path = write(tmp_path, rows)
    batch = read_register(path, source(path.name), {})
    assert [(p.line, p.column) for p in batch.problems.problems] == [
        (2, "start_date"), (3, "area_km2_mysociety"), (4, "current"), (5, "end_date")]
    assert "'yes' is not 'true' or 'false'" in batch.problems.problems[2].message


def test_the_real_register_reads_without_problems_and_keeps_area_missing_not_zero(sources_dir):
    batch = read_register(sources_dir / "la_register.csv", source("la_register.csv"), {})
    assert not batch.problems
    places = {r[0]: r for r in batch.tables["places"].rows}
    assert places["E47000013"][13] is None  # East Midlands CCA: no area in the register
    assert places["E06000001"][7].isoformat() == "2005-06-18"


def test_combined_authority_former_code_is_a_split_not_a_recode(sources_dir):
    batch = read_register(sources_dir / "la_register.csv", source("la_register.csv"), {})
    rules = {(r[0], r[1]): r for r in batch.tables["place_successors"].rows}
    neca = rules[("E47000005", "E47000010")]
    assert neca[2] == "split_into"
    assert "not read as E47000010" in neca[4]
    # a council's re-issued code is still the same authority
    assert rules[("E08000020", "E08000037")][2] == "recoded"
    assert [r for r in batch.tables["place_successors"].rows
            if r[0].startswith("E47") and r[2] == "recoded"] == []
