"""Typed periods. Every observation has a period with a type, a start and an end date.

Accepted spellings (case-insensitive):

* financial year (April to March): ``2017-18``, ``2017/18``, ``2017-2018``, ``FY2017-18``,
  ``201718`` -> ``2017-18``. ``YYYY-YY`` is **always** a financial year: ``2011-12`` is the
  financial year 2011-12, never December 2011 (spell that month as below).
* mid-year estimate: ``mid-2019`` -> 30 June 2019
* calendar year: ``2019``
* calendar quarter: ``2019-Q1`` / ``2019 Q1`` -> January to March 2019 (label ``2019-Q1``)
* financial quarter: ``2019-20 Q1`` (or ``2019/20 Q1``, ``2019-20-Q1``, ``FY2019-20 Q1``) ->
  April to June 2019 (label ``2019-20 Q1``); ``2019-20 Q4`` is January to March 2020
* month: ``2019-03``, ``2019-M03``, ``Mar 2019``, ``March 2019`` -> label ``2019-03``. Where
  ``YYYY-MM`` would read as a financial year (``2011-12``, only for 2000 to 2011), write
  ``2011-M12`` or ``Dec 2011``; such a month is labelled ``2011-M12`` so the label reads back
  as the same month.
* a day: ``2019-03-31`` (``2011-12-01`` is 1 December 2011)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from wholeplace.errors import InputError

PERIOD_TYPES = ("financial_year", "mid_year", "calendar_year", "quarter", "month", "day")


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    type: str
    label: str


def financial_year(start_year: int) -> Period:
    end_short = (start_year + 1) % 100
    return Period(date(start_year, 4, 1), date(start_year + 1, 3, 31), "financial_year",
                  f"{start_year}-{end_short:02d}")


def mid_year(year: int) -> Period:
    return Period(date(year, 6, 30), date(year, 6, 30), "mid_year", f"mid-{year}")


def calendar_year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "calendar_year", str(year))


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


_FY = re.compile(r"^(?:fy\s*)?(\d{4})\s*[-/]\s*(\d{2}|\d{4})$")
_FY_COMPACT = re.compile(r"^(?:fy\s*)?(\d{4})(\d{2})$")
_MID = re.compile(r"^mid[-\s]?(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})\s*[-\s]?\s*q([1-4])$")
_FY_QUARTER = re.compile(r"^(?:fy\s*)?(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*[-\s]\s*q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_MONTH_M = re.compile(r"^(\d{4})\s*-?\s*m(\d{1,2})$")
_MONTH_NAMED = re.compile(r"^([a-z]{3,9})\.?\s*[-\s]?\s*(\d{4})$")
_MONTH_NAMES = {name: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1) for name in names}
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_period(text: str) -> Period:
    """Parse a period label; raise :class:`InputError` saying which spellings are accepted."""
    raw = str(text).strip()
    found = _parse_known(raw.lower())
    if found is not None:
        return found
    raise InputError(
        f"The period {raw!r} could not be read. Use a financial year such as 2017-18, "
        "a mid-year estimate such as mid-2019, a year such as 2019, a quarter such as 2019-Q1 "
        "(January to March) or 2019-20 Q1 (April to June 2019), a month such as 2019-03 or "
        "Dec 2011, or a date such as 2019-03-31."
    )


def _fy_start(start: int, end: int) -> int | None:
    """The start year of the financial year ``start``-``end`` (``end`` as YY or YYYY)."""
    if end % 100 == (start + 1) % 100 and (end < 100 or end == start + 1):
        return start
    return None


@lru_cache(maxsize=8192)
def _parse_known(s: str) -> Period | None:
    """:func:`_parse`, None for an impossible month or day; remembered, as a page parses the
    same few hundred labels thousands of times (its charts) and a Period is immutable."""
    try:
        return _parse(s)
    except ValueError:
        return None


def _parse(s: str) -> Period | None:
    if m := _FY.match(s):
        start = _fy_start(int(m.group(1)), int(m.group(2)))
        if start is not None:
            return financial_year(start)
    if m := _FY_COMPACT.match(s):
        start, end = int(m.group(1)), int(m.group(2))
        if end == (start + 1) % 100:
            return financial_year(start)
    if m := _MID.match(s):
        return mid_year(int(m.group(1)))
    if m := _YEAR.match(s):
        return calendar_year(int(m.group(1)))
    if m := _QUARTER.match(s):
        year, q = int(m.group(1)), int(m.group(2))
        first = 3 * q - 2
        return Period(date(year, first, 1), _month_end(year, first + 2), "quarter",
                      f"{year}-Q{q}")
    if m := _FY_QUARTER.match(s):
        start = _fy_start(int(m.group(1)), int(m.group(2)))
        return financial_quarter(start, int(m.group(3))) if start is not None else None
    if m := _MONTH.match(s) or _MONTH_M.match(s):
        return month(int(m.group(1)), int(m.group(2)))
    if (m := _MONTH_NAMED.match(s)) and m.group(1) in _MONTH_NAMES:
        return month(int(m.group(2)), _MONTH_NAMES[m.group(1)])
    if m := _DAY.match(s):
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return Period(d, d, "day", d.isoformat())
    return None


def financial_quarter(start_year: int, q: int) -> Period:
    """Quarter ``q`` of the financial year starting in April ``start_year`` (Q1 = April-June)."""
    first = 3 * q + 1  # 4, 7, 10, 13 (January of the next year)
    year, first = (start_year + 1, first - 12) if first > 12 else (start_year, first)
    return Period(date(year, first, 1), _month_end(year, first + 2), "quarter",
                  f"{financial_year(start_year).label} Q{q}")


def month(year: int, number: int) -> Period:
    """A calendar month, labelled ``YYYY-MM`` (``YYYY-Mmm`` where that reads as a financial
    year, e.g. December 2011 is ``2011-M12``)."""
    label = f"{year}-{number:02d}"
    if _fy_start(year, number) is not None:
        label = f"{year}-M{number:02d}"
    return Period(date(year, number, 1), _month_end(year, number), "month", label)
