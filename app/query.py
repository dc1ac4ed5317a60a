"""The one place lists are queried: filters, allow-listed sorting, keyset pagination and
totals. Routes describe what they want (a `Listing` and a typed filter object); this module
builds the SQL.
"""

import dataclasses
import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import orjson
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    FromClause,
    Select,
    String,
    Table,
    bindparam,
    func,
    literal,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.engine import Row
from sqlalchemy.sql.visitors import replacement_traverse

from app.db import OverBudget, utf8_bytes, within
from app.errors import InvalidParameter
from app.facets import Facet, count
from app.models import RecordDocument, table_of
from app.pagination import CursorSigner

# A list's filters: a frozen dataclass, one field per filter, None when not given.
if TYPE_CHECKING:
    from _typeshed import DataclassInstance as Filters
else:
    Filters = object
F = TypeVar("F", bound=Filters)


@dataclass(frozen=True)
class SortKey:
    """A column to sort by; `descending` names another column for the descending order (a
    key whose empty values sort last both ways needs one per direction)."""

    column: str
    descending: str | None = None

    def expr(self, source: FromClause, descending: bool) -> ColumnElement[Any]:
        name = self.descending if descending and self.descending else self.column
        column: ColumnElement[Any] = source.c[name]
        return column

    def never_null(self, source: FromClause) -> bool:
        return not source.c[self.column].nullable


# By date: the earliest day it can have happened (or, when only that is known, the latest),
# then the latest (open last), then where the article tells it, then the id; records with no
# bound at all come last both ways. The keys are columns the loader fills from the bounds
# (app.models.DateSortKeys), so that a keyset page seeks the index on all of them at once.
DATE_SORT = [
    SortKey("sort_start_asc", descending="sort_start_desc"),
    SortKey("sort_end"),
    SortKey("position"),
]


@dataclass(frozen=True)
class SortedLink:
    """A link table that repeats its records' sort keys (and some other columns), with an
    index in that order: filtering through it, a page reads the link's index in order from
    the cursor (cost: about the page, however many match), and a count or a facet reads the
    link alone. `columns` maps the listing's columns to the link's; `where` picks the link's
    rows (`country = 'NE'`)."""

    table: Table
    where: ColumnElement[bool]
    sorts: Mapping[str, Sequence[SortKey]]
    columns: Mapping[str, str]
    # Link columns with an index of their own (for facets) that a page must not be read by:
    # it reads the sort's index, which also has them, rather than sort every match.
    unindexed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Member:
    """A filter through another table: the listing's key is one of `ids` (a one-column select).

    How it is queried depends on how many records match. Few: the page is driven from `ids`
    and sorted (cost: the matches). Many: the page walks the sort index and probes each row
    with a correlated EXISTS (cost: about the page times the share that does not match). And
    where the link repeats the sort keys (`sorted_link`), the page reads the link in order."""

    ids: Select[Any]
    sorted_link: SortedLink | None = None


Condition = ColumnElement[bool] | Member


def no_filters(conn: Connection, filters: Any) -> list[Condition]:
    return []


@dataclass(frozen=True)
class Listing(Generic[F]):
    """How one resource lists: where its rows come from, how they may be sorted and filtered,
    and which record documents (app.records) its rows are served as.

    `seek` says the source has indexes in its sort orders to walk (not so for search hits):
    then a page with many matches walks them between the first and last match."""

    name: str
    source: FromClause
    key: str
    sorts: Mapping[str, Sequence[SortKey]]
    where: Callable[[Connection, F], list[Condition]] = no_filters
    default_sort: str = "id"
    document: str | None = None
    seek: bool = True
    facets: Mapping[str, "Facet"] = field(default_factory=dict)

    def sort_names(self) -> list[str]:
        return [name for base in self.sorts for name in (base, f"-{base}")]


@dataclass
class PageResult:
    rows: list[Row[Any]]  # the key, the sort keys (_k0, _k1, ...) and `body`, by name
    next_cursor: str | None
    total: int | None  # None: not counted (it would have taken longer than the budget)
    at_least: int = 0  # a lower bound of the total (the total, when counted)

    def __post_init__(self) -> None:
        if self.total is not None:
            self.at_least = self.total
        else:  # at least this page, and one more when there is a next one
            self.at_least = max(self.at_least, len(self.rows) + (self.next_cursor is not None))


@dataclass(frozen=True)
class Stats:
    """What a filter set matches: how many (None: more than counting within the budget
    found, at least `at_least`), and the least and greatest leading sort key (None unknown)."""

    total: int | None
    low: Any
    high: Any
    at_least: int = 0


class PerVersion:
    """Values computed once per data version and key (LRU): counting a million rows once per
    version, not per request. Each app has its own (app.context), and keys start with the
    data version, so a value is never served for another store's data."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.values: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if key in self.values:
            self.values.move_to_end(key)
            return self.values[key]
        value = compute()
        self.put(key, value)
        return value

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        self.values[key] = value
        self.values.move_to_end(key)
        while len(self.values) > self.size:
            self.values.popitem(last=False)


# Up to this many matches a page is driven from the matches and sorted; beyond it, it walks the
# sort index. Sorting costs about 4 times a probe per row, so at a million events both plans
# cost a few milliseconds at the switch (sqrt(page * rows / 4) ~ 3,500).
DRIVE_LIMIT = 3000
_DOC = table_of(RecordDocument)


@dataclass(frozen=True)
class Paging:
    """What paging needs from the app serving it: its cursor signer, its cache of totals, the
    data version being served and how long a total may take to count."""

    cursors: CursorSigner
    stats: PerVersion
    version: str
    count_budget_ms: int = 0  # 0: totals are always counted exactly
    exact: bool = False  # count exactly this time, whatever the budget


def fetch_page(
    conn: Connection,
    listing: Listing[F],
    filters: F,
    *,
    sort: str,
    limit: int,
    cursor: str | None,
    paging: Paging,
    stored: str = "body",
) -> PageResult:
    """One page of `listing` filtered by `filters` in `sort` order after `cursor`, and the
    total. Rows hold the sort keys (_k0, _k1, ...) and, for listings of documents, `body`:
    the record's stored form, its JSON document or (`stored="csv"`) its CSV row."""
    if sort not in listing.sort_names():
        allowed = ", ".join(listing.sort_names())
        raise InvalidParameter("sort", f"cannot sort by {sort[:100]!r}; allowed: {allowed}")
    descending = sort.startswith("-")
    keys = [*listing.sorts[sort.removeprefix("-")], SortKey(listing.key)]
    exprs = [key.expr(listing.source, descending) for key in keys]
    scope = filters_scope(filters)
    # An empty cursor is no cursor: the first page.
    after = (
        _cursor_values(paging.cursors.decode(cursor, listing.name, sort, scope), exprs)
        if cursor
        else None
    )
    conditions = listing.where(conn, filters)
    key_column = listing.source.c[listing.key]
    linked = _sorted_link(listing, conditions, sort.removeprefix("-"))
    if linked is not None:
        return _page_through_link(
            conn, listing, linked, conditions, sort, limit, after, paging, scope, stored
        )
    driven = [_drive(c, key_column) for c in conditions]
    lead = exprs[0] if listing.seek else None
    stats = _counted(
        conn, paging, (paging.version, listing.name, sort, scope), listing.source, driven, lead
    )
    if stats.total == 0:
        return PageResult([], None, 0)
    # Not counted within the budget: more than a page can sort, so walk.
    walk = listing.seek and (stats.total is None or stats.total > DRIVE_LIMIT)
    where = [_walk(c, key_column) if walk else _drive(c, key_column) for c in conditions]
    # After the cursor (_past); when walking, also up to the last match (and from the first,
    # on the first page) rather than to the ends of the index.
    lead = exprs[0]
    first, last = (stats.high, stats.low) if descending else (stats.low, stats.high)
    bounded = walk and stats.high is not None and keys[0].never_null(listing.source)
    if after is not None:
        where.append(_past(exprs, after, descending))
    elif bounded:
        where.append(_onward(lead, first, descending))
    if bounded:
        where.append(_onward(lead, last, not descending))  # up to the last match
    labels = _key_labels(exprs)
    if listing.document is None:
        stmt = select(listing.source, *labels)
    else:
        stmt = select(key_column, *labels, _body(listing.document, key_column, stored))
    order = [e.desc() if descending else e.asc() for e in exprs]
    stmt = stmt.where(*where).order_by(*order)
    return _page(conn, stmt, limit, len(exprs), paging, (listing.name, sort, scope), stats)


# When a total is not counted within the budget, counting up to this many gives a lower bound.
COUNT_FLOOR = 1000


def _counted(
    conn: Connection,
    paging: Paging,
    key: tuple[Any, ...],
    source: FromClause,
    where: list[ColumnElement[bool]],
    lead: ColumnElement[Any] | None = None,
) -> Stats:
    """What `where` matches in `source` (cached per data version): counted exactly if that
    takes at most the budget (or `paging.exact` asks), else a lower bound of up to
    COUNT_FLOOR; and, when a page will walk the index of `lead` (more than DRIVE_LIMIT
    match), the least and greatest `lead` of the matches, if they too fit the budget."""
    stats: Stats | None = paging.stats.values.get(key)
    if stats is not None and (stats.total is not None or not paging.exact):
        paging.stats.values.move_to_end(key)
        return stats
    budget = 0 if paging.exact else paging.count_budget_ms

    def within_budget(statement: Select[Any]) -> Any:
        try:
            with within(conn, budget):
                return conn.execute(statement).scalar_one()
        except OverBudget:
            return None

    total = within_budget(select(func.count()).select_from(source).where(*where))
    if total is None:
        matches = select(literal(1)).select_from(source).where(*where).limit(COUNT_FLOOR)
        floor = within_budget(select(func.count()).select_from(matches.subquery()))
        stats = Stats(None, None, None, floor or 0)
    elif lead is not None and total > DRIVE_LIMIT:
        # Apart: without a WHERE, each is one step down the index; together, a scan.
        low = within_budget(select(func.min(lead)).select_from(source).where(*where))
        high = within_budget(select(func.max(lead)).select_from(source).where(*where))
        stats = Stats(total, low, high if low is not None else None, total)
    else:
        stats = Stats(total, None, None, total)
    paging.stats.put(key, stats)
    return stats


def _sorted_link(
    listing: Listing[Any], conditions: list[Condition], base: str
) -> tuple[Member, SortedLink, list[ColumnElement[bool]], bool] | None:
    """The link to page through, if a condition has one sorted in `base` order: (the
    condition, its link, every other condition in the link's columns, whether some condition
    needs the listing's own table joined)."""
    for condition in conditions:
        if isinstance(condition, Member) and condition.sorted_link is not None:
            link = condition.sorted_link
            if base not in link.sorts:
                continue
            others = [c for c in conditions if c is not condition]
            moved = [_on_link(c, listing, link) for c in others]
            if all(m is not None for m in moved):
                return condition, link, [m for m in moved if m is not None], False
            driven = [_drive(c, listing.source.c[listing.key]) for c in others]
            return condition, link, driven, True
    return None


def _facet_link(
    listing: Listing[Any], conditions: list[Condition], facet: Facet
) -> tuple[SortedLink, list[ColumnElement[bool]]] | None:
    """The link to count `facet` on, and every condition in its columns, if a condition has a
    sorted link that repeats the facet's column and every other condition's."""
    if facet.column is None:
        return None
    for condition in conditions:
        link = condition.sorted_link if isinstance(condition, Member) else None
        if link is None or link.columns.get(facet.column) != facet.column:
            continue
        moved = [_on_link(c, listing, link) for c in conditions if c is not condition]
        if all(m is not None for m in moved):
            return link, [link.where, *(m for m in moved if m is not None)]
    return None


def _on_link(
    condition: Condition, listing: Listing[Any], link: SortedLink
) -> ColumnElement[bool] | None:
    """`condition` in the link's columns, or None if it needs a column the link lacks."""
    expression = _drive(condition, listing.source.c[listing.key])
    missing = False

    def replace(element: Any, **kw: Any) -> Any:
        nonlocal missing
        if isinstance(element, Column) and element.table is listing.source:
            name = link.columns.get(element.name)
            if name is None:
                missing = True
                return None
            return link.table.c[name]
        return None

    moved: ColumnElement[bool] = replacement_traverse(expression, {}, replace)
    return None if missing else moved


def _page_through_link(
    conn: Connection,
    listing: Listing[Any],
    found: tuple[Member, SortedLink, list[ColumnElement[bool]], bool],
    conditions: list[Condition],
    sort: str,
    limit: int,
    after: list[Any] | None,
    paging: Paging,
    scope: str,
    stored: str,
) -> PageResult:
    """A page read from a sorted link's index: its rows in order from the cursor, joined to
    the documents (and to the listing's table only if a condition needs it)."""
    _, link, others, joined = found
    descending = sort.startswith("-")
    link_key = link.table.c[link.columns[listing.key]]
    keys = [*link.sorts[sort.removeprefix("-")]]
    exprs = [key.expr(link.table, descending) for key in keys] + [link_key]
    source: FromClause = link.table
    if joined:
        source = source.join(listing.source, listing.source.c[listing.key] == link_key)
    where = [link.where, *others]

    stats = _counted(conn, paging, (paging.version, listing.name, "link", scope), source, where)
    if stats.total == 0:
        return PageResult([], None, 0)
    if after is not None:
        where.append(_past(exprs, after, descending))
    labels = _key_labels(exprs)
    assert listing.document is not None
    document = _body(listing.document, link_key, stored)
    stmt: Select[Any] = select(link_key.label(listing.key), *labels, document).select_from(source)
    order = [e.desc() if descending else e.asc() for e in exprs]
    stmt = stmt.where(*(_unindexed(c, link) for c in where)).order_by(*order)
    return _page(conn, stmt, limit, len(exprs), paging, (listing.name, sort, scope), stats)


def _past(
    exprs: list[ColumnElement[Any]], after: list[Any], descending: bool
) -> ColumnElement[bool]:
    """After the cursor: one row-value comparison over the sort keys, which the index of the
    sort seeks to directly (its keys are columns)."""
    values = tuple_(*(_param(v, e) for e, v in zip(exprs, after, strict=True)))
    return tuple_(*exprs) < values if descending else tuple_(*exprs) > values


def _page(
    conn: Connection,
    stmt: Select[Any],
    limit: int,
    keys: int,
    paging: Paging,
    cursor_of: tuple[str, str, str],
    stats: Stats,
) -> PageResult:
    """The first `limit` rows of the ordered `stmt` and, when there are more, the cursor
    after the last of them: its `keys` sort keys (_k0, _k1, ...) signed for `cursor_of`
    (listing, sort, filters scope)."""
    rows: list[Row[Any]] = list(conn.execute(stmt.limit(limit + 1)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = [_jsonable(rows[-1]._mapping[f"_k{i}"]) for i in range(keys)]
        next_cursor = paging.cursors.encode(*cursor_of, last)
    return PageResult(rows, next_cursor, stats.total, stats.at_least)


def _body(document: str, key: ColumnElement[Any], stored: str) -> ColumnElement[Any]:
    """Each row's `stored` form (its document's `body` or `csv`) as UTF-8 bytes, looked up by
    its key: a subquery rather than a join, so the page is planned on the listing's own index
    alone (a join lets SQLite start from the documents and sort them all)."""
    found = select(utf8_bytes(_DOC.c[stored])).where(_DOC.c.type == document, _DOC.c.id == key)
    return found.scalar_subquery().label("body")


def _key_labels(exprs: list[ColumnElement[Any]]) -> list[ColumnElement[Any]]:
    """The sort keys as `_k0`, `_k1`, ... for the next cursor. Dates come as the driver gives
    them (SQLite: ISO text) rather than parsed on every row: only the last row's are used,
    and a cursor holds them as ISO text either way."""
    return [
        (type_coerce(e, String) if isinstance(e.type, Date) else e).label(f"_k{i}")
        for i, e in enumerate(exprs)
    ]


def _unindexed(condition: ColumnElement[bool], link: SortedLink) -> ColumnElement[bool]:
    """`condition` with the link's `unindexed` columns as `column || ''`: no planner reads
    an index by an expression."""

    def replace(element: Any, **kw: Any) -> Any:
        if (
            isinstance(element, Column)
            and element.table is link.table
            and element.name in link.unindexed
        ):
            return element.concat("")
        return None

    replaced: ColumnElement[bool] = replacement_traverse(condition, {}, replace)
    return replaced


def _drive(condition: Condition, key: ColumnElement[Any]) -> ColumnElement[bool]:
    return key.in_(condition.ids) if isinstance(condition, Member) else condition


def _walk(condition: Condition, key: ColumnElement[Any]) -> ColumnElement[bool]:
    if not isinstance(condition, Member):
        return condition
    return condition.ids.where(condition.ids.selected_columns[0] == key).exists()


def _param(value: Any, expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return bindparam(None, value, type_=expr.type)


def _onward(expr: ColumnElement[Any], value: Any, descending: bool) -> ColumnElement[bool]:
    """`expr` at `value` or after it, in the sort's direction."""
    return expr <= _param(value, expr) if descending else expr >= _param(value, expr)


def filters_scope(filters: Filters) -> str:
    """A short digest of the filters a cursor was issued under: it pages only that query."""
    given = sorted(
        (f.name, str(value))
        for f in dataclasses.fields(filters)
        if (value := getattr(filters, f.name)) is not None and value != ""
    )
    return hashlib.sha256(orjson.dumps(given)).hexdigest()[:12]


def _cursor_values(values: list[Any], exprs: list[ColumnElement[Any]]) -> list[Any]:
    if len(values) != len(exprs):
        raise InvalidParameter("cursor", "this cursor does not fit this listing")
    out = []
    for value, expr in zip(values, exprs, strict=True):
        if isinstance(value, bool) or not isinstance(value, str | int | float | None):
            raise InvalidParameter("cursor", "this cursor does not fit this listing")
        if isinstance(expr.type, Date) and value is not None:
            try:
                value = dt.date.fromisoformat(str(value))
            except (TypeError, ValueError):
                raise InvalidParameter("cursor", "this cursor does not fit this listing") from None
        out.append(value)
    return out


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def matching(conn: Connection, listing: Listing[F], filters: F) -> list[ColumnElement[bool]]:
    """The conditions `filters` put on `listing`'s source, as plain SQL (links as IN)."""
    key_column = listing.source.c[listing.key]
    return [_drive(c, key_column) for c in listing.where(conn, filters)]


def facet_counts(
    conn: Connection, listing: Listing[F], filters: F, names: Sequence[str], paging: Paging
) -> dict[str, list[dict[str, Any]]]:
    """Each asked-for facet of `listing`, counted over `filters` but the facet's own (so a
    filter UI can show the other choices), once per data version and filter set."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        facet = listing.facets[name]
        counted = filters
        if facet.own_filter is not None:
            counted = dataclasses.replace(filters, **{facet.own_filter: None})
        scope = filters_scope(counted)

        def compute(facet: Facet = facet, counted: F = counted) -> list[dict[str, Any]]:
            conditions = listing.where(conn, counted)
            on_link = _facet_link(listing, conditions, facet)
            if on_link is not None:
                link, where = on_link
                return count(conn, facet, link.table, link.columns[listing.key], where)
            key_column = listing.source.c[listing.key]
            where = [_drive(c, key_column) for c in conditions]
            return count(conn, facet, listing.source, listing.key, where)

        out[name] = paging.stats.get((paging.version, listing.name, "facet", name, scope), compute)
    return out
