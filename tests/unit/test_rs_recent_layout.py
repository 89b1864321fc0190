"""The 2021-22 onward RS layout (pure: rows in memory). The header cells below copy those of the
real RS_2021-22_data_by_LA.xlsx (codes such as RS-edu-net-exp, form cells such as C1R190 five
rows above the labels); the values are Adur's published 2021-22 figures from that sheet."""

from __future__ import annotations

from datetime import date

from wholeplace.errors import ProblemLog
from wholeplace.hub.loaders.revenue_outturn import front_page_date
from wholeplace.hub.loaders.rs_lines import sheet_layout

COLS = [("RS-edu-net-exp", "C1R190", None, "Education services", 0),
        ("RS-ressch-start-cy", "C2R911", "Reserves at 1 April 2021",
         "Estimated schools reserves level at 1 April", 0),
        ("RS-resothbdg-strt-cy", "C1R1026", "… sub components of 915 'other earmarked reserves'",
         "Other earmarked reserves: budget stabilisation at 1 April", 0),
        ("RS-resothbdg-end-cy", "C2R1026", "Reserves at 31 March 2022",
         "Other earmarked reserves: budget stabilisation at 31 March", 0),
        ("RS-resunall-end-cy", "C3R916", "Reserves (continued)",
         "Estimated unallocated financial reserves level at 31 March", 1051)]


def _rows() -> list[list]:
    pad = [None] * 5
    return [["Worksheet 2: Revenue Outturn (RO) 2021-22 Final: Revenue Outturn Summary (RS) data"],
            ["This worksheet contains 2 tables."], ["Data are reported in £ thousand. "],
            [], [], [],
            pad + [c[0] for c in COLS], pad + [c[1] for c in COLS], pad + [None] * len(COLS),
            pad + [None] * len(COLS), pad + [c[2] for c in COLS],
            ["E-code", "ONS Code", "Local authority", "Notes", "Class"] + [c[3] for c in COLS],
            ["E3831", "E07000223", "Adur", None, "SD"] + [c[4] for c in COLS]]


def test_form_cell_codes_and_whole_sheet_layout():
    log = ProblemLog("t.xlsx")
    lay = sheet_layout(_rows(), "RS_LA_Data_2021-22", 2021, log)
    assert not log.problems
    assert lay is not None and lay.is_nce and lay.header_row == 11
    assert lay.columns == {
        "rs.nce.education": 5, "rs.reserves.schools.start": 6,
        "rs.reserves.earmarked.budget_stabilisation.start": 7,
        "rs.reserves.earmarked.budget_stabilisation.end": 8,
        "rs.reserves.unallocated.end": 9}


def test_wrong_year_in_reserves_header_is_a_problem():
    log = ProblemLog("t.xlsx")
    sheet_layout(_rows(), "RS_LA_Data_2021-22", 2020, log)
    assert any("registered as 2020-21" in p.message for p in log.problems)


def test_front_page_date_takes_the_latest_published_or_updated_date():
    rows = [[("Data ... which was originally published on 21 January 2021. This was updated on "
             "11 June 2021 to include returns from 5 authorities")]]
    assert front_page_date([("Front_Page", rows)]) == date(2021, 6, 11)
    assert front_page_date([("Front_Page", [["no date here"]])]) is None
    assert front_page_date([("RS LA Data", rows)]) is None
