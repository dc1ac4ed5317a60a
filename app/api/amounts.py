"""Filtering by amount: each stated amount is the interval its qualifier allows
(app.summaries.BOUNDS: "more than $500 million" is any amount above it). `min_*` and `max_*`
match records whose interval overlaps the range; `*_match=within` keeps only those certainly
inside it. A range that ends before it starts matches nothing."""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import ColumnElement, and_, false, or_, true

from app.summaries import BOUNDS, Interval

MAX_AMOUNT = 10**18


class AmountMatch(StrEnum):
    overlaps = "overlaps"
    within = "within"


@dataclass(frozen=True)
class AmountRange:
    """A range of amounts, either end open, and how a record's interval must relate to it."""

    low: int | None = None
    high: int | None = None
    match: AmountMatch = AmountMatch.overlaps

    def conditions(self, amount: Any, qualifier: Any) -> list[ColumnElement[bool]]:
        """Conditions on an amount column and its qualifier column."""
        if self.low is None and self.high is None:
            return []
        if self.low is not None and self.high is not None and self.low > self.high:
            return [false()]
        return [or_(*(and_(qualifier == q, self._fits(amount, i)) for q, i in BOUNDS.items()))]

    def _fits(self, amount: Any, interval: Interval) -> ColumnElement[bool]:
        """Whether the interval `interval` makes of a stated `amount` overlaps the range (or
        lies within it). An end at 0 or at no limit compares in Python, an end at the amount
        in SQL."""
        low = amount if interval.low_at_amount else 0
        high = amount if interval.high_at_amount else None
        out: list[Any] = []
        if self.match is AmountMatch.within:
            if self.low is not None:  # (a, ...) lies above `low` when a >= low
                out.append(low >= self.low)
            if self.high is not None:  # (..., a) lies below `high` when a <= high
                out.append(high is not None and high <= self.high)
        else:
            if self.high is not None:
                out.append(low < self.high if interval.low_open else low <= self.high)
            if self.low is not None and high is not None:
                out.append(high > self.low if interval.high_open else high >= self.low)
        return and_(true(), *(_sql(c) for c in out))


ANY_AMOUNT = AmountRange()


def _sql(condition: Any) -> ColumnElement[bool]:
    if isinstance(condition, bool):
        return true() if condition else false()
    sql: ColumnElement[bool] = condition
    return sql


def amount_range(name: str, what: str) -> Callable[..., Coroutine[Any, Any, AmountRange]]:
    """A dependency reading `min_{name}`, `max_{name}` and `{name}_match` (`what`: what the
    amounts are)."""

    def bound(end: str) -> Any:
        return Query(
            alias=f"{end}_{name}",
            ge=0,
            le=MAX_AMOUNT,
            description=f"{what}: records whose {name} may be this much or "
            f"{'more' if end == 'min' else 'less'} (see `{name}_match`)",
        )

    async def dependency(
        low: Annotated[int | None, bound("min")] = None,
        high: Annotated[int | None, bound("max")] = None,
        match: Annotated[
            AmountMatch,
            Query(
                alias=f"{name}_match",
                description=f"Each {name} is the interval its qualifier allows (`exact`: "
                "itself; `more_than`: above it; `less_than`: from 0 to below it; `up_to`: from "
                "0 to it; `about`: any). `overlaps` (default): records whose interval overlaps "
                f"[`min_{name}`, `max_{name}`]; `within`: only those whose interval lies inside",
            ),
        ] = AmountMatch.overlaps,
    ) -> AmountRange:
        # min > max matches nothing; it is not an error.
        return AmountRange(low, high, match)

    return dependency
