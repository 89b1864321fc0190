from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wholeplace.errors import InputError
from wholeplace.hub.periods import financial_year, parse_period


@pytest.mark.parametrize("text", ["2017-18", "2017/18", "2017-2018", "FY2017-18", "201718",
                                  " 2017 / 18 "])
def test_financial_year_spellings(text):
    p = parse_period(text)
    assert (p.label, p.type, p.start, p.end) == ("2017-18", "financial_year",
                                                 date(2017, 4, 1), date(2018, 3, 31))


def test_century_boundary_financial_year():
    assert parse_period("1999-00").label == "1999-00"
    assert parse_period("1999-00").end == date(2000, 3, 31)


@pytest.mark.parametrize("text,label,type_,start,end", [
    ("mid-2019", "mid-2019", "mid_year", date(2019, 6, 30), date(2019, 6, 30)),
    ("2019", "2019", "calendar_year", date(2019, 1, 1), date(2019, 12, 31)),
    ("2019-Q1", "2019-Q1", "quarter", date(2019, 1, 1), date(2019, 3, 31)),
    ("2019 q4", "2019-Q4", "quarter", date(2019, 10, 1), date(2019, 12, 31)),
    ("2020-02", "2020-02", "month", date(2020, 2, 1), date(2020, 2, 29)),
    ("2019-03-31", "2019-03-31", "day", date(2019, 3, 31), date(2019, 3, 31)),
])
def test_other_period_types(text, label, type_, start, end):
    p = parse_period(text)
    assert (p.label, p.type, p.start, p.end) == (label, type_, start, end)


@pytest.mark.parametrize("text", ["", "2017-19", "2017-17", "201719", "last year", "2019-13",
                                  "2019-02-30", "19-20", "2019-Q5"])
def test_unparseable_periods_say_what_is_accepted(text):
    with pytest.raises(InputError) as err:
        parse_period(text)
    assert "could not be read" in str(err.value)
    assert "2017-18" in str(err.value)


@given(st.integers(min_value=1900, max_value=2098))
def test_financial_year_label_round_trips(year):
    p = financial_year(year)
    assert parse_period(p.label) == p
    assert p.reference_year == year
    assert (p.end - p.start).days in (364, 365)
