"""Full-text matching: what a user typed, as words only, matched in each backend's own
engine (SQLite FTS5, PostgreSQL tsvector), with a rank and a marked snippet."""

import html
import re
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    FromClause,
    Integer,
    Select,
    String,
    bindparam,
    column,
    false,
    null,
    select,
    text,
)

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


# Snippet marks: control characters no text holds, so the rest can be escaped as HTML.
_OPEN, _CLOSE = "\x02", "\x03"
# A record one of whose own names is the query ranks above those that only contain its words
# ("Niger" before "Nigeria", "US" the country before "USD"); one with a name that starts with
# it next ("Olayinka": the person, and the event titled after him, before mere mentions).
NAME_BOOST, NAME_PREFIX_BOOST = 100.0, 50.0


def search_source(conn: Connection, terms: list[str]) -> FromClause:
    """Matching search documents with a rank (higher is better). Snippets are cut apart, for
    the page's rows only (`snippets`): cut for every match before sorting, they cost minutes
    when a common word matches a long article and every record of it."""
    query = match_query(conn, terms)
    phrase = " ".join(terms).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    exact = (
        "(CASE WHEN (:nl || lower(d.names) || :nl) LIKE :name ESCAPE '\\' "
        f"THEN {NAME_BOOST} WHEN (:nl || lower(d.names)) LIKE :prefix ESCAPE '\\' "
        f"THEN {NAME_PREFIX_BOOST} ELSE 0 END)"
    )
    if conn.dialect.name == "sqlite":
        sql = text(
            "SELECT d.doc_id, d.type, d.id, d.label, "
            f"-bm25(search_fts, 4.0, 1.0) + {exact} AS rank "
            "FROM search_fts JOIN search_document d ON d.doc_id = search_fts.rowid "
            "WHERE search_fts MATCH :query"
        )
    else:
        sql = text(
            "SELECT d.doc_id, d.type, d.id, d.label, "
            f"ts_rank(to_tsvector('simple', d.label || ' ' || d.body), q)::float8 + {exact} "
            "AS rank "
            "FROM search_document d, to_tsquery('simple', :query) AS q "
            "WHERE to_tsvector('simple', d.label || ' ' || d.body) @@ q"
        )
    columns: list[Any] = [
        column("doc_id", Integer()),
        *(column(name, String()) for name in ("type", "id", "label")),
        column("rank", Float()),
    ]
    names = {"nl": "\n", "name": f"%\n{phrase}\n%", "prefix": f"%\n{phrase}%"}
    bound = sql.bindparams(query=query, **names)
    return bound.columns(*columns).subquery("hits")


def snippets(conn: Connection, terms: list[str], doc_ids: list[int]) -> dict[int, str]:
    """Each of these search documents' text around its matches, marked (see `marked`)."""
    if not doc_ids:
        return {}
    query = match_query(conn, terms)
    if conn.dialect.name == "sqlite":
        sql = text(
            "SELECT rowid, snippet(search_fts, -1, :open, :close, '…', 16) FROM search_fts "
            "WHERE search_fts MATCH :query AND rowid IN :ids"
        ).bindparams(open=_OPEN, close=_CLOSE)
    else:
        sql = text(
            "SELECT d.doc_id, ts_headline('simple', d.label || E'\\n' || d.body, q, :options) "
            "FROM search_document d, to_tsquery('simple', :query) AS q WHERE d.doc_id IN :ids"
        ).bindparams(options=f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords=24, MinWords=8")
    sql = sql.bindparams(bindparam("ids", expanding=True))
    rows = conn.execute(sql, {"query": query, "ids": doc_ids}).all()
    return {doc_id: snippet for doc_id, snippet in rows}


def marked(snippet: str) -> str:
    """A snippet as safe HTML: its text escaped, its matches in <mark>, its lines joined."""
    escaped = html.escape(snippet, quote=False).replace("\n", " · ")
    return escaped.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def matching_ids(conn: Connection, subject_type: str, q: str) -> Select[Any]:
    """Ids of `subject_type` records whose names, aliases or text match `q` (for `?q=`)."""
    terms = search_terms(q)
    if not terms:
        return select(null()).where(false())
    hits = search_source(conn, terms)
    return select(hits.c.id).where(hits.c.type == subject_type)
