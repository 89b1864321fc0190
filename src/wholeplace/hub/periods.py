"""Typed periods. Every observation has a period with a type, a start and an end date.

Accepted spellings (case-insensitive):

* financial year: ``2017-18``, ``2017/18``, ``2017-2018``, ``FY2017-18``, ``201718`` -> ``2017-18``
* mid-year estimate: ``mid-2019`` -> 30 June 2019
* calendar year: ``2019``
* quarter: ``2019-Q1`` / ``2019 Q1``; month: ``2019-03``; a day: ``2019-03-31``
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from wholeplace.errors import InputError

PERIOD_TYPES = ("financial_year", "mid_year", "calendar_year", "quarter", "month", "day")


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    type: str
    label: str

    @property
    def reference_year(self) -> int:
        """The calendar year whose mid-year population goes with this period.

        A financial year 2019-20 uses the mid-2019 estimate (ONS and MHCLG practice); any other
        period uses the year it starts in.
        """
        return self.start.year


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
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_period(text: str) -> Period:
    """Parse a period label; raise :class:`InputError` saying which spellings are accepted."""
    raw = str(text).strip()
    s = raw.lower()
    try:
        found = _parse(s)
    except ValueError:
        found = None  # an impossible month or day
    if found is not None:
        return found
    raise InputError(
        f"The period {raw!r} could not be read. Use a financial year such as 2017-18, "
        "a mid-year estimate such as mid-2019, a year such as 2019, a quarter such as 2019-Q1, "
        "a month such as 2019-03 or a date such as 2019-03-31."
    )


def _parse(s: str) -> Period | None:
    if m := _FY.match(s):
        start, end = int(m.group(1)), int(m.group(2))
        if end % 100 == (start + 1) % 100 and (end < 100 or end == start + 1):
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
    if m := _MONTH.match(s):
        year, month = int(m.group(1)), int(m.group(2))
        return Period(date(year, month, 1), _month_end(year, month), "month",
                      f"{year}-{month:02d}")
    if m := _DAY.match(s):
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return Period(d, d, "day", d.isoformat())
    return None


def period_from_row(label: str, type_: str, start: date, end: date) -> Period:
    return Period(start, end, type_, label)
