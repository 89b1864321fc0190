"""The shared CSV reading: encoding, row length and true line numbers, and cells read as
located problems (never an exception that would reach a user as a traceback).

Every file here is a TEST FIXTURE written to tmp_path to exercise one fault.
"""

from __future__ import annotations

from datetime import date

import pytest

from wholeplace.errors import ProblemLog
from wholeplace.hub.loaders import csvutil


def rows_of(tmp_path, data: bytes, required=("code", "value")):
    path = tmp_path / "fixture.csv"
    path.write_bytes(data)
    log = ProblemLog(path.name)
    return csvutil.read_csv_rows(path, required, log), log.problems


def test_a_file_that_is_not_utf8_is_one_problem_on_its_line(tmp_path):
    rows, problems = rows_of(tmp_path, "code,value\nE07000008,1\nTEST FIXTURE caf\xe9,2\n"
                             .encode("cp1252"))
    assert rows == []
    [p] = problems
    assert p.line == 3 and "not UTF-8" in p.message and "re-save" in p.message.lower()
    assert "'é'" in p.message


def test_a_byte_order_mark_is_read_as_utf8(tmp_path):
    rows, problems = rows_of(tmp_path, "\ufeffcode,value\nE07000008,1\n".encode("utf-8"))
    assert not problems and rows == [(2, {"code": "E07000008", "value": "1"})]


def test_short_and_long_rows_are_problems_with_their_lines_and_are_left_out(tmp_path):
    text = ("code,value\n"
            "E07000008,1\n"
            "E07000009\n"              # short
            "E07000010,3,oops\n"       # long, with a value in the extra cell
            "E07000011,4,,\n")         # long only by empty cells (trailing commas): fine
    rows, problems = rows_of(tmp_path, text.encode())
    assert [line for line, _ in rows] == [2, 5]
    assert rows[1][1] == {"code": "E07000011", "value": "4"}
    assert [(p.line, "1 cells" in p.message, "'oops'" in p.message) for p in problems] == [
        (3, True, False), (4, False, True)]


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(tmp_path):
    text = 'code,value\n\nE07000008,"a\nb"\nE07000009,x\n'
    rows, problems = rows_of(tmp_path, text.encode())
    assert not problems
    assert [(line, r["code"]) for line, r in rows] == [(3, "E07000008"), (5, "E07000009")]


def test_missing_column_and_empty_file(tmp_path):
    rows, problems = rows_of(tmp_path, b"code\nE07000008\n")
    assert rows == [] and [(p.line, p.column) for p in problems] == [(1, "value")]
    rows, problems = rows_of(tmp_path, b"")
    assert rows == [] and "empty" in problems[0].message


@pytest.mark.parametrize("text, expected", [
    ("2005-06-18", date(2005, 6, 18)), ("", None), ("  ", None), (None, None)])
def test_parse_date_reads_iso_dates_and_blank_as_missing(text, expected):
    log = ProblemLog("f.csv")
    assert csvutil.parse_date(text, log, 2, "start_date") == expected
    assert not log


@pytest.mark.parametrize("text", ["18/06/2005", "2005-02-30", "20050618", "2005-W24-6"])
def test_parse_date_logs_anything_else(text):
    log = ProblemLog("f.csv")
    assert csvutil.parse_date(text, log, 7, "start_date") is None
    [p] = log.problems
    assert (p.line, p.column) == (7, "start_date") and "YYYY-MM-DD" in p.message


@pytest.mark.parametrize("text, expected", [("true", True), ("FALSE", False), (" True ", True)])
def test_parse_bool_reads_true_and_false(text, expected):
    log = ProblemLog("f.csv")
    assert csvutil.parse_bool(text, log, 2, "current") is expected and not log


@pytest.mark.parametrize("text", ["yes", "1", "", "t"])
def test_parse_bool_logs_anything_else_instead_of_reading_false(text):
    log = ProblemLog("f.csv")
    assert csvutil.parse_bool(text, log, 4, "current") is None
    assert [(p.line, p.column) for p in log.problems] == [(4, "current")]
