from wholeplace.errors import (
    InputError,
    NotFoundError,
    Problem,
    ProblemLog,
    ValidationError,
    WholeplaceError,
)


def test_errors_are_also_builtin_exceptions():
    assert issubclass(InputError, ValueError) and issubclass(InputError, WholeplaceError)
    assert issubclass(NotFoundError, LookupError)
    assert issubclass(ValidationError, InputError)


def test_problem_locates_file_line_and_column():
    p = Problem("upload.csv", 7, "value", "'abc' is not a number")
    assert str(p) == "upload.csv, line 7, column 'value': 'abc' is not a number"


def test_validation_error_lists_every_problem_sorted_after_a_summary():
    log = ProblemLog("f.csv")
    for line in range(30, 0, -1):
        log.add(f"bad {line}", line, "value")
    try:
        log.raise_if_any()
    except ValidationError as err:
        assert len(err.problems) == 30
        assert err.problems[0].line == 1
        text = str(err)
        assert "30 problem(s) found; nothing was loaded" in text
        lines = text.splitlines()
        assert lines[0].startswith("30 problem(s) found")
        assert lines[1:] == [f"  - f.csv, line {n}, column 'value': bad {n}"
                             for n in range(1, 31)]
        assert "more" not in text
        shape = err.to_dict()
        assert shape["error"] == "ValidationError" and len(shape["problems"]) == 30
    else:
        raise AssertionError("no error raised")


def test_empty_log_does_not_raise():
    ProblemLog("f.csv").raise_if_any()
