"""The one place lists are queried: filters, allow-listed sorting, keyset pagination, totals,
and full-text matching. Routes describe what they want; this module builds the SQL.
"""

import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Float,
    FromClause,
    Integer,
    Select,
    String,
    bindparam,
    column,
    false,
    func,
    literal_column,
    null,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import RowMapping

from app.errors import InvalidParameter
from app.pagination import decode_cursor, encode_cursor

Filters = Mapping[str, Any]


@dataclass(frozen=True)
class SortKey:
    """A column to sort by. `if_null` gives the values NULL sorts as, ascending and descending,
    so records with no value come last either way, on SQLite and PostgreSQL alike."""

    column: str
    if_null: tuple[Any, Any] | None = None

    def expr(self, source: FromClause, descending: bool) -> ColumnElement[Any]:
        column = source.c[self.column]
        if self.if_null is None:
            return column
        # Inline, not a bound parameter, so it matches the expression indexes of migration 0002.
        sentinel = self.if_null[descending].isoformat()
        return func.coalesce(column, literal_column(f"'{sentinel}'", column.type))


DATE_KEY = SortKey("date_start", (dt.date(9999, 12, 31), dt.date(1, 1, 1)))


@dataclass(frozen=True)
class Listing:
    """How one resource lists: where its rows come from, how they may be sorted and filtered."""

    name: str
    source: FromClause
    key: str
    sorts: Mapping[str, Sequence[SortKey]]
    where: Callable[[Connection, Filters], list[ColumnElement[bool]]] = lambda conn, filters: []
    default_sort: str = "id"

    def sort_names(self) -> list[str]:
        return [name for base in self.sorts for name in (base, f"-{base}")]


@dataclass
class PageResult:
    rows: list[RowMapping]
    next_cursor: str | None
    total: int


class _TotalCache:
    """Totals per data version: counting a million rows once per version, not per request."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.values: OrderedDict[tuple[Any, ...], int] = OrderedDict()

    def get(self, key: tuple[Any, ...], compute: Callable[[], int]) -> int:
        if key in self.values:
            self.values.move_to_end(key)
            return self.values[key]
        value = self.values[key] = compute()
        if len(self.values) > self.size:
            self.values.popitem(last=False)
        return value


totals = _TotalCache()


def fetch_page(
    conn: Connection,
    listing: Listing,
    filters: Filters,
    *,
    sort: str,
    limit: int,
    cursor: str | None,
    version: str,
) -> PageResult:
    stmt, where, width = page_statement(
        conn, listing, filters, sort=sort, limit=limit, cursor=cursor
    )
    rows = list(conn.execute(stmt).mappings())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(
            listing.name, sort, [_jsonable(last[f"_k{i}"]) for i in range(width)]
        )
    count_key = (
        version,
        listing.name,
        tuple(sorted((k, _hashable(v)) for k, v in filters.items())),
    )
    total = totals.get(
        count_key,
        lambda: conn.execute(
            select(func.count()).select_from(listing.source).where(*where)
        ).scalar_one(),
    )
    return PageResult(rows, next_cursor, total)


def page_statement(
    conn: Connection,
    listing: Listing,
    filters: Filters,
    *,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[Select[Any], list[ColumnElement[bool]], int]:
    """The keyset query for one page (one row more than `limit`, to know if there is a next),
    its filter conditions, and how many sort keys it selects (as _k0, _k1, ...)."""
    if sort not in listing.sort_names():
        allowed = ", ".join(listing.sort_names())
        raise InvalidParameter("sort", f"cannot sort by {sort[:100]!r}; allowed: {allowed}")
    descending = sort.startswith("-")
    keys = [*listing.sorts[sort.removeprefix("-")], SortKey(listing.key)]
    exprs = [key.expr(listing.source, descending) for key in keys]
    where = listing.where(conn, filters)
    stmt: Select[Any] = select(listing.source, *(e.label(f"_k{i}") for i, e in enumerate(exprs)))
    stmt = stmt.where(*where)
    if cursor:  # an empty cursor is no cursor: the first page
        after = _cursor_values(decode_cursor(cursor, listing.name, sort), exprs)
        values = [bindparam(None, v, type_=e.type) for e, v in zip(exprs, after, strict=True)]
        if descending:
            # The leading-key range lets the planner seek into the sort index (SQLite does not
            # seek on a row-value comparison over an expression index); the row value is exact.
            stmt = stmt.where(exprs[0] <= values[0], tuple_(*exprs) < tuple_(*values))
        else:
            stmt = stmt.where(exprs[0] >= values[0], tuple_(*exprs) > tuple_(*values))
    stmt = stmt.order_by(*(e.desc() if descending else e.asc() for e in exprs)).limit(limit + 1)
    return stmt, where, len(exprs)


def _cursor_values(values: list[Any], exprs: list[ColumnElement[Any]]) -> list[Any]:
    if len(values) != len(exprs):
        raise InvalidParameter("cursor", "this cursor does not fit this listing")
    out = []
    for value, expr in zip(values, exprs, strict=True):
        if isinstance(expr.type, Date) and value is not None:
            try:
                value = dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                raise InvalidParameter("cursor", "this cursor does not fit this listing") from None
        out.append(value)
    return out


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# --- full-text ---------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(q: str) -> list[str]:
    """The words of a user's query (at most 16). Operators and quotes are dropped, never
    interpreted, so nothing a user types is FTS or SQL syntax; no words match nothing."""
    return [t.lower() for t in _WORD.findall(q)][:16]


def match_query(conn: Connection, terms: list[str]) -> str:
    """The backend's full-text query for `terms`: every word must match, as a prefix."""
    if conn.dialect.name == "sqlite":
        return " ".join(f'"{t}"*' for t in terms)
    return " & ".join(f"{t}:*" for t in terms)


def search_source(conn: Connection, terms: list[str]) -> FromClause:
    """Matching search documents with a rank (higher is better) and a marked snippet."""
    query = match_query(conn, terms)
    if conn.dialect.name == "sqlite":
        sql = text(
            "SELECT d.doc_id, d.type, d.id, d.label, "
            "snippet(search_fts, -1, '<mark>', '</mark>', '…', 16) AS snippet, "
            "-bm25(search_fts, 4.0, 1.0) AS rank "
            "FROM search_fts JOIN search_document d ON d.doc_id = search_fts.rowid "
            "WHERE search_fts MATCH :query"
        )
    else:
        sql = text(
            "SELECT d.doc_id, d.type, d.id, d.label, "
            "ts_headline('simple', d.label || E'\\n' || d.body, q, "
            "'StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=8') AS snippet, "
            "ts_rank(to_tsvector('simple', d.label || ' ' || d.body), q)::float8 AS rank "
            "FROM search_document d, to_tsquery('simple', :query) AS q "
            "WHERE to_tsvector('simple', d.label || ' ' || d.body) @@ q"
        )
    columns: list[Any] = [
        column("doc_id", Integer()),
        *(column(name, String()) for name in ("type", "id", "label", "snippet")),
        column("rank", Float()),
    ]
    return sql.bindparams(query=query).columns(*columns).subquery("hits")


def matching_ids(conn: Connection, subject_type: str, q: str) -> Select[Any]:
    """Ids of `subject_type` records whose names, aliases or text match `q` (for `?q=`)."""
    terms = search_terms(q)
    if not terms:
        return select(null()).where(false())
    hits = search_source(conn, terms)
    return select(hits.c.id).where(hits.c.type == subject_type)
