"""Filtering by time: `from` and `to` match records whose possible interval (their bounds)
overlaps the range; `date_match=within` keeps only those certainly inside it. Records with no
bound at all match neither."""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import ColumnElement, Table, and_, false, or_

from app.api.filters import first_day, last_day
from app.api.params import PARTIAL_DATE


class DateMatch(StrEnum):
    overlaps = "overlaps"
    within = "within"


@dataclass(frozen=True)
class DateRange:
    """A range of days, either end open, and how a record's bounds must relate to it."""

    start: dt.date | None = None
    end: dt.date | None = None
    match: DateMatch = DateMatch.overlaps

    def conditions(self, table: Table) -> list[ColumnElement[bool]]:
        if self.start is None and self.end is None:
            return []
        if self.start is not None and self.end is not None and self.start > self.end:
            return [false()]  # a range that ends before it starts: nothing is in it
        first, last = table.c.date_start, table.c.date_end
        out: list[ColumnElement[bool]] = []
        if self.match is DateMatch.within:
            if self.start is not None:
                out.append(first >= self.start)
            if self.end is not None:
                out.append(last <= self.end)
            return out
        out.append(or_(first.is_not(None), last.is_not(None)))
        if self.start is not None:
            out.append(or_(last.is_(None), last >= self.start))
        if self.end is not None:
            out.append(or_(first.is_(None), first <= self.end))
        return [and_(*out)]


ANY_TIME = DateRange()


def _date(description: str, example: str, alias: str | None = None) -> Any:
    return Query(alias=alias, pattern=PARTIAL_DATE, description=description, examples=[example])


async def date_range(
    from_: Annotated[
        str | None,
        _date(
            "From this partial date on (YYYY, YYYY-MM or YYYY-MM-DD, its first day): matches "
            "what may have happened then or later (its bounds overlap the range)",
            "2023-08",
            alias="from",
        ),
    ] = None,
    to: Annotated[
        str | None,
        _date("Up to this partial date (its last day): what may have happened by then", "2023"),
    ] = None,
    date_match: Annotated[
        DateMatch,
        Query(
            description="`overlaps` (default): what may have happened in the range; `within`: "
            "only what certainly did (both bounds inside it). Records with no bound at all "
            "match neither"
        ),
    ] = DateMatch.overlaps,
) -> DateRange:
    """`from`, `to` and `date_match`, for every list of dated records."""
    # A range that ends before it starts matches nothing; it is not an error.
    return DateRange(first_day("from", from_), last_day("to", to), date_match)
