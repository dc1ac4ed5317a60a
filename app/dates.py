"""Partial ISO 8601 dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) and the day range each one covers."""

import calendar
import datetime as dt
import re
from typing import NamedTuple

from app.models import DatePrecision

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class PartialDate(NamedTuple):
    value: str
    precision: DatePrecision
    start: dt.date
    end: dt.date


def parse_partial_date(value: str) -> PartialDate:
    """Parse `value`; raise ValueError with a reason a person can act on."""
    match = _PARTIAL.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if year < 1:
        raise ValueError(f"{value!r}: year must be 0001 or later")
    if month is None:
        return PartialDate(value, DatePrecision.year, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if not 1 <= month <= 12:
        raise ValueError(f"{value!r}: month must be 01 to 12")
    last = calendar.monthrange(year, month)[1]
    if day is None:
        start, end = dt.date(year, month, 1), dt.date(year, month, last)
        return PartialDate(value, DatePrecision.month, start, end)
    if not 1 <= day <= last:
        raise ValueError(f"{value!r}: day must be 01 to {last:02d} in that month")
    exact = dt.date(year, month, day)
    return PartialDate(value, DatePrecision.day, exact, exact)
