"""Time bounds: the earliest and latest day a dated record can have happened, from what the
article says.

A stated date gives both bounds (`2023-07`: 2023-07-01 to 2023-07-31); explicit bounds give
one or both; a relation takes one from another record: "after X" can be no earlier than X's
earliest day, "before X" no later than X's latest. Relations may chain across articles. A
relation to an unknown record, a cycle, or bounds that contradict each other refuse the seed.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from app.dates import parse_partial_date
from app.loader.schema import DatedIn


@dataclass(frozen=True)
class Bound:
    day: dt.date
    text: str  # the partial date it comes from, as written ("2023-07")


@dataclass(frozen=True)
class Bounds:
    start: Bound | None = None
    end: Bound | None = None

    @property
    def edtf(self) -> str | None:
        """As EDTF (ISO 8601-2 Level 1): `2023-07`, `2023-07/..`, `../2023-03`, or None."""
        if self.start is None and self.end is None:
            return None
        if self.start is not None and self.end is not None and self.start.text == self.end.text:
            return self.start.text
        start = self.start.text if self.start else ".."
        end = self.end.text if self.end else ".."
        return f"{start}/{end}"


def own_bounds(record: DatedIn) -> Bounds:
    """What the record itself says: its date, or its explicit bounds."""
    if record.date is not None:
        parsed = parse_partial_date(record.date)
        return Bounds(Bound(parsed.start, record.date), Bound(parsed.end, record.date))
    start = end = None
    if record.date_start is not None:
        start = Bound(parse_partial_date(record.date_start).start, record.date_start)
    if record.date_end is not None:
        end = Bound(parse_partial_date(record.date_end).end, record.date_end)
    return Bounds(start, end)


def resolve(records: Mapping[str, tuple[str, DatedIn]]) -> tuple[dict[str, Bounds], list[str]]:
    """Bounds of every record (id -> (where it is declared, record)), and the problems that
    refuse the seed."""
    resolved: dict[str, Bounds] = {}
    problems: list[str] = []
    visiting: list[str] = []

    def bounds_of(key: str) -> Bounds:
        if key in resolved:
            return resolved[key]
        where, record = records[key]
        own = own_bounds(record)
        result = own
        relation = record.date_relation
        if relation is not None:
            target = relation.target
            if target not in records:
                problems.append(
                    f"{where}.date_relation: unknown record {target!r}: a relation names an "
                    "event, statement, aid or figure"
                )
            elif target == key or target in visiting:
                # The records followed from the target to this one, then back to the target.
                loop = visiting[visiting.index(target) :] if target in visiting else []
                cycle = [*loop, key, target]
                problems.append(
                    f"{where}.date_relation: a cycle of relations: {' -> '.join(cycle)}"
                )
            else:
                visiting.append(key)
                other = bounds_of(target)
                visiting.pop()
                result = _related(where, own, relation.direction, target, other, problems)
        if result.start and result.end and result.start.day > result.end.day:
            problems.append(
                f"{where}: its earliest day {result.start.day} is after its latest {result.end.day}"
            )
        resolved[key] = result
        return result

    for key in records:
        bounds_of(key)
    return resolved, problems


def _related(
    where: str, own: Bounds, direction: str, target: str, other: Bounds, problems: list[str]
) -> Bounds:
    """`own` narrowed by being after (or before) a record with bounds `other`."""
    if direction == "after":
        if own.end and other.start and own.end.day < other.start.day:
            problems.append(
                f"{where}.date_relation: after {target!r}, which cannot be earlier than "
                f"{other.start.day}, but its own latest day is {own.end.day}"
            )
        later = (
            other.start
            if own.start is None or (other.start is not None and other.start.day > own.start.day)
            else own.start
        )
        return Bounds(later, own.end)
    if own.start and other.end and own.start.day > other.end.day:
        problems.append(
            f"{where}.date_relation: before {target!r}, which cannot be later than "
            f"{other.end.day}, but its own earliest day is {own.start.day}"
        )
    earlier = (
        other.end
        if own.end is None or (other.end is not None and other.end.day < own.end.day)
        else own.end
    )
    return Bounds(own.start, earlier)
