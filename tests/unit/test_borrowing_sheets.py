"""Which sheets of the borrowing and investment live table are year-ends (pure)."""

from wholeplace.hub.loaders.borrowing import BORROWING, year_end_sheets


def test_quarterly_years_use_only_q4_and_annual_years_their_one_sheet():
    names = ["Index", "LA Borrowing 19-20 Q4", "LA Borrowing 19-20 Q3", "LA Investments 19-20 Q4",
             "LA Investments 19-20 Q1", "LA Borrowing 17-18", "LA Investments 17-18", "LA List"]
    found = [(kind, name) for kind, name, _ in year_end_sheets([(n, []) for n in names])]
    assert found == [("borrowing", "LA Borrowing 19-20 Q4"),
                     ("investments", "LA Investments 19-20 Q4"),
                     ("borrowing", "LA Borrowing 17-18"), ("investments", "LA Investments 17-18")]


def test_every_borrowing_column_is_in_the_total_once():
    parts = [c for k, cols in BORROWING.items()
             if k not in ("debt.borrowing.total", "debt.borrowing.short_term") for c in cols]
    assert sorted(parts) == sorted(BORROWING["debt.borrowing.total"])
    assert len(set(parts)) == len(parts) == 21  # columns D to X of the 2019-20 Q4 sheet
