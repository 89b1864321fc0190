"""RS header location and line mapping (pure: rows in memory, or a tiny .xlsx in tmp_path).

The tiny workbooks below are TEST FIXTURES built here: their header labels and line codes are
those of the real RS 2017-18 workbook (RS_2017-18_data_by_LA.xlsx), and the one data row holds
Cambridgeshire's published 2017-18 values from it. One expected column is left out on purpose.
"""

from __future__ import annotations

import pytest

from wholeplace.errors import ProblemLog, ValidationError
from wholeplace.hub.batch import SourceInfo
from wholeplace.hub.loaders.revenue_outturn import (
    cell_number,
    read_rs_spreadsheet,
    ts_period,
)
from wholeplace.hub.loaders.rs_lines import (
    column_letter,
    expected_keys,
    reserves_period,
    sheet_layout,
)

# (code, label, Cambridgeshire 2017-18 value) in the order of the real 2017-18 sheet.
CAMBS_2017 = [
    (190, "Education services", 278639), (290, "Highways and transport services", 30400),
    (330, "Children Social Care", 91090), (360, "Adult Social Care", 149774),
    (390, "Public Health", 27389), (490, "Housing services (GFRA only)", 0),
    (509, "Cultural and related services", 6542),
    (590, "Environmental and regulatory services", 35308),
    (599, "Planning and development services", 1320), (601, "Police services", 0),
    (602, "Fire and rescue services", 0), (690, "Central services", 8727),
    (698, "Other services", 0),
    (699, "TOTAL SERVICE EXPENDITURE (total of lines 190 to 698)", 629189),
    (749, "NET CURRENT EXPENDITURE", 627859.28157),
    (800, "REVENUE EXPENDITURE", 646733.75), (805, "NET REVENUE EXPENDITURE", 347480.098),
    (851, "Revenue Support Grant", -15312),
    (870, "Retained income from Rate Retention Scheme", -64237),
    (890, "COUNCIL TAX REQUIREMENT (total of lines 905 to 980)", 262236),
    (911, "Estimated schools reserves level at 1 April", 12285),
    (914, "Estimated public health financial reserves level at 1 April", 2960),
    (915, "Estimated other earmarked financial reserves level at 1 April", 46381),
    (916, "Estimated unallocated financial reserves level at 1 April", 19122),
    (911, "Estimated schools reserves level at 31 March", 12254.91781),
    (914, "Estimated public health financial reserves level at 31 March", 2567),
    (915, "Estimated other earmarked financial reserves level at 31 March", 47779.44213),
    (916, "Estimated unallocated financial reserves level at 31 March", 13392.6695),
]
RESERVES_START = 20  # index in CAMBS_2017 of the first "at 1 April" column


def _rows_2017(drop: str | None = None) -> list[list]:
    cols = [c for c in CAMBS_2017 if c[1] != drop]
    ids = ["E-code", "ONS Code", "Local authority", None, "Class"]
    groups = [None] * 5 + [None] * len(cols)
    first_res = next(i for i, c in enumerate(cols) if c[0] == 911)
    groups[5 + first_res] = "Reserves at 1 April 2017"
    groups[5 + first_res + (4 if drop is None or "1 April" not in drop else 3)] = (
        "Reserves at 31 March 2018")
    return [
        ["Revenue Outturn (RO) 2017-18: Revenue Outturn Summary (RS) data"],
        ["Net current expenditure (£ thousand)"],
        [], [],
        groups,
        [None] * 5 + [c[0] for c in cols],
        ids + [c[1] for c in cols],
        ["E0521", "E10000003", "Cambridgeshire", None, "SC"] + [c[2] for c in cols],
    ]


def _write_xlsx(path, rows, sheet="RS LA Data 2017-18"):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)


def _source(name: str) -> SourceInfo:
    return SourceInfo(source_id="rs_test", title="RS test fixture", file_name=name, sha256="0",
                      size=0, loader="rs_spreadsheet", loader_version="1")


def test_code_row_layout_maps_every_line_and_both_reserve_dates():
    log = ProblemLog("t")
    lay = sheet_layout(_rows_2017(), "RS LA Data 2017-18", 2017, log)
    assert not log
    assert lay.header_row == 6 and lay.is_nce
    assert lay.ids == {"ecode": 0, "ons": 1, "name": 2, "class": 4}
    assert {key for _, key in expected_keys(2017)} <= set(lay.columns)
    assert lay.columns["rs.nce.education"] == 5
    assert lay.columns["rs.reserves.unallocated.start"] == 5 + RESERVES_START + 3
    assert lay.columns["rs.reserves.unallocated.end"] == 5 + RESERVES_START + 7


def test_label_only_layout_of_the_older_files():
    # 2010-11 shape: no code row; the group row is just above the header (labels as published).
    labels = ["E-code", "Local authority", None, "Class", None, "Education services",
              "Social care", "TOTAL SERVICE EXPENDITURE (TOTAL OF LINES 190 TO 698)",
              "NET CURRENT EXPENDITURE (TOTAL OF LINES 699 TO 748)", "Schools reserves level",
              "Unallocated financial reserves level", "Education services"]
    groups = [None] * 9 + ["Financial reserves levels at 1 April 2010", None, "Net current "
                           "expenditure (non-IAS19 and PFI \"off-balance\" sheet)"]
    rows = [["Revenue Outturn Summary (RS): 2010-11 data"], [],
            ["Net current expenditure (£ thousand)"], [], groups, labels]
    log = ProblemLog("t")
    lay = sheet_layout(rows, "RS LA Data 2010-11 (1)", 2010, log)
    assert not log
    assert lay.header_row == 5
    # the second "Education services" (after the total) belongs to another block
    assert lay.columns["rs.nce.education"] == 5
    assert lay.columns["rs.nce.social_care"] == 6
    assert lay.columns["rs.reserves.schools.start"] == 9
    assert lay.columns["rs.reserves.unallocated.start"] == 10
    assert "rs.nce.childrens_social_care" not in lay.columns


def test_sheet_without_a_thousand_pound_title_is_not_a_data_sheet():
    rows = [["Billing authorities"], [], [1, 2, 3], ["Ecode", "Authority", "Class"]]
    assert sheet_layout(rows, "Data", 2017, ProblemLog("t")) is None


def test_reserves_dates_from_group_or_label_and_year_check():
    assert reserves_period("financial reserves levels at 1 april 2010", "", 2010) == ("start",
                                                                                     None)
    assert reserves_period("reserves at 31 march 2018", "", 2017) == ("end", None)
    assert reserves_period("", "estimated schools reserves level at 31 march", 2017) == ("end",
                                                                                        None)
    assert reserves_period("financial reserves levels", "schools reserves level", 2012) == (
        None, None)
    when, error = reserves_period("financial reserves levels at 1 april 2013", "", 2014)
    assert when is None and "2014-15" in error


def test_missing_expected_column_raises_a_clear_error(tmp_path):
    path = tmp_path / "rs_missing_adult_social_care.xlsx"
    _write_xlsx(path, _rows_2017(drop="Adult Social Care"))
    with pytest.raises(ValidationError) as info:
        read_rs_spreadsheet(path, _source(path.name), {"year": 2017,
                                                       "ecode_to_gss": {"E0521": "E10000003"}})
    err = info.value
    assert len(err.problems) == 1
    problem = err.problems[0]
    assert problem.file == path.name and problem.line == 7
    assert problem.column == "Adult social care"
    assert "RS LA Data 2017-18" in problem.message and "360" in problem.message
    assert "nothing was loaded" in str(err)


def test_missing_reserves_date_column_is_reported_with_its_date(tmp_path):
    path = tmp_path / "rs_missing_reserve.xlsx"
    _write_xlsx(path, _rows_2017(drop="Estimated unallocated financial reserves level at "
                                      "1 April"))
    with pytest.raises(ValidationError) as info:
        read_rs_spreadsheet(path, _source(path.name), {"year": 2017})
    messages = [p.message for p in info.value.problems]
    assert any("916" in m and "at 1 April" in m and "unallocated.start" in m for m in messages)


def test_complete_tiny_workbook_reads_published_values(tmp_path):
    path = tmp_path / "rs_complete.xlsx"
    _write_xlsx(path, _rows_2017())
    batch = read_rs_spreadsheet(path, _source(path.name),
                                {"year": 2017, "ecode_to_gss": {"E0521": "E10000003"}})
    assert not batch.problems
    got = dict(zip(batch.observations.cols["indicator_id"], batch.observations.cols["value"]))
    assert got["rs.nce.adult_social_care"] == 149774.0
    assert got["rs.nce.housing_gf"] == 0.0  # a published 0 stays 0
    assert got["rs.reserves.unallocated.end"] == pytest.approx(13392.6695)
    assert set(batch.observations.cols["period"]) == {"2017-18"}


def test_unknown_ecode_is_a_located_problem(tmp_path):
    path = tmp_path / "rs_complete.xlsx"
    _write_xlsx(path, _rows_2017())
    batch = read_rs_spreadsheet(path, _source(path.name), {"year": 2017, "ecode_to_gss": {}})
    [problem] = batch.problems.problems
    assert problem.line == 8 and problem.column == "E-code" and "E0521" in problem.message


def test_wrong_year_is_refused(tmp_path):
    path = tmp_path / "rs_complete.xlsx"
    _write_xlsx(path, _rows_2017())
    with pytest.raises(ValidationError, match="2016-17"):
        read_rs_spreadsheet(path, _source(path.name), {"year": 2016})


@pytest.mark.parametrize("raw, expected", [
    (0, (0.0, None, True)), (0.0, (0.0, None, True)), (-12.5, (-12.5, None, True)),
    (None, (None, None, True)), ("", (None, None, True)),
    ("..", (None, "published as '..'", True)), ("...", (None, "published as '...'", True)),
    ("…", (None, "published as '…'", True)), ("n/a", (None, "published as 'n/a'", True)),
    ("-", (None, "published as '-'", True)), ("1,234", (1234.0, None, True)),
    ("Yes", (None, None, False)), (float("nan"), (None, None, False)),
])
def test_cell_numbers_missing_is_never_zero(raw, expected):
    assert cell_number(raw) == expected


def test_time_series_year_ending():
    assert ts_period("201803").label == "2017-18"
    assert ts_period("202503").label == "2024-25"
    assert ts_period("2018") is None and ts_period("201804") is None


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 69)] == ["A", "Z", "AA", "BR"]


def test_workbook_without_a_year_says_how_to_give_one(tmp_path):
    path = tmp_path / "rs_complete.xlsx"
    _write_xlsx(path, _rows_2017())
    with pytest.raises(ValidationError) as info:
        read_rs_spreadsheet(path, _source(path.name), {})
    message = info.value.problems[0].message
    assert "--year 2017" in message and "sources.yaml" not in message


def test_time_series_csv_not_utf8_is_a_problem_not_an_exception(tmp_path):
    from wholeplace.hub.loaders.revenue_outturn import read_time_series_csv

    path = tmp_path / "ro_ts_latin.csv"
    path.write_bytes("ONS_code,LA_name\nE06000001,TEST FIXTURE Caf\xe9\n".encode("cp1252"))
    with pytest.raises(ValidationError) as info:
        read_time_series_csv(path, _source(path.name), {})
    [problem] = info.value.problems
    assert problem.line == 2 and "not UTF-8" in problem.message
