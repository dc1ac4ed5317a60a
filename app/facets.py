"""Facets: how many records of a filtered list have each value of a field, counted exactly in
the database (GROUP BY), with a label a person can read beside each value."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    and_,
    func,
    select,
)

from app.models import Article, Evidence, table_of
from app.records import names_of

Value = str | int | None
Labeler = Callable[[Connection, list[Any]], dict[Any, str]]


def vocabulary_label(value: Any) -> str:
    """`aid_cut` as `Aid cut`."""
    return str(value).replace("_", " ").capitalize()


def vocabulary(conn: Connection, values: list[Any]) -> dict[Any, str]:
    return {value: vocabulary_label(value) for value in values if value is not None}


def as_is(conn: Connection, values: list[Any]) -> dict[Any, str]:
    return {value: str(value) for value in values if value is not None}


def countries(conn: Connection, values: list[Any]) -> dict[Any, str]:
    named = names_of(conn, {("country", v) for v in values if v is not None})
    return {code: name for (_, code), name in named.items()}


def places(conn: Connection, values: list[Any]) -> dict[Any, str]:
    named = names_of(conn, {("place", v) for v in values if v is not None})
    return {key: name for (_, key), name in named.items()}


def articles(conn: Connection, values: list[Any]) -> dict[Any, str]:
    table = table_of(Article)
    rows = conn.execute(select(table.c.id, table.c.title).where(table.c.id.in_(values)))
    return {key: title for key, title in rows}


def years(conn: Connection, values: list[Any]) -> dict[Any, str]:
    return {value: str(value) for value in values if value is not None}


@dataclass(frozen=True)
class Facet:
    """One facet of a listing: what to group the matching records by (`group` builds the
    FROM and the grouped columns from the listing's source), how to label values, and the
    filter it leaves out (its own: a filter UI shows the other choices with their counts)."""

    name: str
    group: Callable[[FromClause], tuple[FromClause, list[ColumnElement[Any]]]]
    label: Labeler = vocabulary
    own_filter: str | None = None
    distinct: bool = False  # count each record once, when the grouping joins a link table
    column: str | None = None  # the column it groups by, when it is one of the listing's own


def column(name: str, label: Labeler = vocabulary, own_filter: str | None = None) -> Facet:
    """By a column of the listing's own table (or of a link that repeats it)."""
    return Facet(name, lambda source: (source, [source.c[name]]), label, own_filter, column=name)


def link(
    name: str,
    table: Any,
    key: str,
    values: Sequence[str],
    label: Labeler = vocabulary,
    own_filter: str | None = None,
    source_key: str = "id",
) -> Facet:
    """Through a link table (`event_country`), by one or (type, id) two of its columns."""

    def group(source: FromClause) -> tuple[FromClause, list[ColumnElement[Any]]]:
        joined = source.join(table, table.c[key] == source.c[source_key])
        return joined, [table.c[v] for v in values]

    return Facet(name, group, label, own_filter, distinct=True)


def refs(name: str, type_col: str, id_col: str, own_filter: str | None = None) -> Facet:
    """By a reference column pair of the listing's own table (a quote's speaker)."""
    return Facet(
        name, lambda source: (source, [source.c[type_col], source.c[id_col]]), names, own_filter
    )


def names(conn: Connection, values: list[Any]) -> dict[Any, str]:
    """Labels of (type, id) values: the records' names."""
    named = names_of(conn, [tuple(v) for v in values if v is not None])
    return {ref: name for ref, name in named.items()}


def year() -> Facet:
    """By the year the bounds fall in, when both fall in one; else (open, unbounded or
    spanning years) null: the `year` column the loader fills (app.models.DateSortKeys)."""
    return column("year", years)


def evidence_article(subject_type: str, key: str) -> Facet:
    """By the articles a record (an entity: several articles mention it) is evidenced in."""
    spans = table_of(Evidence)

    def group(source: FromClause) -> tuple[FromClause, list[ColumnElement[Any]]]:
        joined = source.join(
            spans, and_(spans.c.subject_type == subject_type, spans.c.subject_id == source.c[key])
        )
        return joined, [spans.c.article]

    return Facet("article", group, articles, "article", distinct=True)


def count(
    conn: Connection,
    facet: Facet,
    source: FromClause,
    key: str,
    where: Iterable[ColumnElement[bool]],
) -> list[dict[str, Any]]:
    """`[{value, label, count}]` of `facet` over the records of `source` matching `where`,
    most first, then by value (null last)."""
    joined, columns = facet.group(source)
    counted = func.count(source.c[key].distinct()) if facet.distinct else func.count()
    rows = conn.execute(
        select(*columns, counted).select_from(joined).where(*where).group_by(*columns)
    ).all()
    values = [tuple(row[:-1]) if len(columns) > 1 else row[0] for row in rows]
    labels = facet.label(conn, values)
    out = []
    for value, row in zip(values, rows, strict=True):
        shown = value[1] if isinstance(value, tuple) else value
        out.append({"value": shown, "label": labels.get(value), "count": int(row[-1])})
    out.sort(key=lambda item: (-item["count"], item["value"] is None, str(item["value"])))
    return out
