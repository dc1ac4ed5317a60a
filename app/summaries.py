"""Sums with honest bounds: amounts added up by group, never across kinds (a cut is not a
pledge) or currencies (dollars are not euros), each total a range that says what the
article's qualifiers allow ("more than $500 million" has no upper bound)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Interval:
    """What a qualifier says a stated amount `a` can be: from `a` (or from 0) to `a` (or with
    no limit), each end included unless it is open. Amounts are never negative."""

    low_at_amount: bool  # else from 0
    high_at_amount: bool  # else no upper limit
    low_open: bool = False
    high_open: bool = False


# The one reading of the qualifiers: the sums' bounds and the amount filters both use it.
BOUNDS: dict[str, Interval] = {
    "exact": Interval(True, True),  # [a, a]
    "more_than": Interval(True, False, low_open=True),  # (a, no limit)
    "less_than": Interval(False, True, high_open=True),  # [0, a)
    "up_to": Interval(False, True),  # [0, a]
    "about": Interval(False, False),  # near a: no bound either way, beyond not negative
}


@dataclass
class Total:
    count: int = 0
    low: int = 0
    high: int | None = 0
    stated: int = 0
    exact: bool = True

    def add(self, amount: int, qualifier: str, n: int = 1) -> None:
        bounds = BOUNDS[qualifier]
        self.count += n
        self.stated += amount
        self.low += amount if bounds.low_at_amount else 0
        if not bounds.high_at_amount or self.high is None:
            self.high = None
        else:
            self.high += amount
        self.exact = self.exact and qualifier == "exact"


@dataclass
class Group:
    label: str | None
    totals: dict[tuple[Any, ...], Total] = field(default_factory=lambda: defaultdict(Total))


def _order(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    """Totals by their key, nulls last (None does not compare with a string)."""
    return tuple((part is None, str(part)) for part in key)


def summarize(
    rows: Iterable[tuple[Any, ...]],
    labels: dict[Any, str],
    split: Sequence[str],
) -> list[dict[str, Any]]:
    """Groups from rows of (group value, kind, *split values, qualifier, count, sum of
    amounts): each group split by kind and the `split` columns (`currency`; or `unit`,
    `country` and `place`), largest count first. A group and each of its totals are objects,
    so a field can be added to them later without changing the others."""
    groups: dict[Any, Group] = {}
    for value, *key, qualifier, n, amount in rows:
        group = groups.setdefault(value, Group(labels.get(value)))
        group.totals[tuple(key)].add(int(amount), qualifier, int(n))
    out = []
    for value, group in groups.items():
        totals = [
            {
                "kind": key[0],
                **dict(zip(split, key[1:], strict=True)),
                "count": total.count,
                "total_min": total.low,
                "total_max": total.high,
                "exact": total.exact,
                "total_stated": total.stated,
            }
            for key, total in sorted(group.totals.items(), key=lambda item: _order(item[0]))
        ]
        count = sum(total.count for total in group.totals.values())
        out.append({"value": value, "label": group.label, "count": count, "totals": totals})
    out.sort(key=lambda g: (-g["count"], g["value"] is None, str(g["value"])))
    return out
