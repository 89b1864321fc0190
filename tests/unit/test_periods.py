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
    assert (p.end - p.start).days in (364, 365)


def test_yyyy_yy_is_always_a_financial_year_and_a_month_has_its_own_spellings():
    assert parse_period("2011-12").type == "financial_year"
    december = [parse_period(t) for t in ("2011-M12", "Dec 2011", "december 2011", "DEC-2011")]
    assert {(p.type, p.start, p.end, p.label) for p in december} == {
        ("month", date(2011, 12, 1), date(2011, 12, 31), "2011-M12")}
    assert (parse_period("2011-12-01").type, parse_period("2011-12-01").start) == (
        "day", date(2011, 12, 1))
    # a month's label reads back as the same month, also where YYYY-MM is a financial year
    assert parse_period(parse_period("Dec 2011").label) == parse_period("Dec 2011")
    assert parse_period("Mar 2019") == parse_period("2019-03") == parse_period("2019-M03")
    assert parse_period("2019-03").label == "2019-03"


@pytest.mark.parametrize("text,label,start,end", [
    ("2019-20 Q1", "2019-20 Q1", date(2019, 4, 1), date(2019, 6, 30)),
    ("2019/20 q2", "2019-20 Q2", date(2019, 7, 1), date(2019, 9, 30)),
    ("FY2019-20-Q3", "2019-20 Q3", date(2019, 10, 1), date(2019, 12, 31)),
    ("2019-2020 Q4", "2019-20 Q4", date(2020, 1, 1), date(2020, 3, 31)),
])
def test_financial_quarters_start_in_april(text, label, start, end):
    p = parse_period(text)
    assert (p.type, p.label, p.start, p.end) == ("quarter", label, start, end)
    assert parse_period(p.label) == p
    # a calendar quarter of the same number is January to March
    assert parse_period("2019-Q1").start == date(2019, 1, 1)


@pytest.mark.parametrize("text", ["2019-21 Q1", "2011-M13", "Foo 2011", "2019-20 Q5"])
def test_bad_quarters_and_months_say_what_is_accepted(text):
    with pytest.raises(InputError, match="2019-20 Q1"):
        parse_period(text)
