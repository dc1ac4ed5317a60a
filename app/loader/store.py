"""Writing the store: check every article (stored and given) together, then rebuild every
table, the search index and the record documents in one transaction."""

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, insert, select, text
from sqlmodel import SQLModel, col

from app.db import store_state
from app.loader.bounds import resolve as resolve_bounds
from app.loader.checks import (
    Source,
    check_source,
    check_together,
    parse,
    read_file,
)
from app.loader.rows import (
    Rows,
    build_rows,
)
from app.loader.schema import DATED_COLLECTIONS, FORMAT_VERSION, DatedIn, SeedError
from app.models import (
    Aid,
    Article,
    Country,
    Event,
    EventCountry,
    EventParticipant,
    Evidence,
    Figure,
    Organization,
    Person,
    Place,
    Quote,
    QuoteEvent,
    RecordAlias,
    RecordDocument,
    SearchDocument,
    Statement,
    StatementAbout,
    StatementEvent,
    StoreMeta,
    table_of,
)
from app.records import DOCUMENT_FORMAT, render_documents

# Children before parents, so deleting in this order never trips a foreign key.
TABLES_IN_DELETE_ORDER: list[type[SQLModel]] = [
    Evidence,
    RecordAlias,
    EventParticipant,
    EventCountry,
    StatementAbout,
    StatementEvent,
    Statement,
    QuoteEvent,
    Quote,
    Aid,
    Figure,
    Event,
    Person,
    Organization,
    Place,
    Country,
    SearchDocument,
    Article,
]


def data_version_of(sources: Sequence[Source]) -> str:
    """Changes exactly when what the API serves does: the articles, their annotations, or the
    shape records are rendered in."""
    digest = hashlib.sha256(f"format={FORMAT_VERSION}|documents={DOCUMENT_FORMAT}".encode())
    for source in sorted(sources, key=lambda s: s.file.article.id if s.file else ""):
        assert source.file is not None
        digest.update(f"|{source.file.article.id}:{source.file.article.sha256}:".encode())
        digest.update(source.annotation_sha256.encode())
    return digest.hexdigest()[:32]


def stored_sources(conn: Connection) -> list[Source]:
    result = conn.execute(select(col(Article.id), col(Article.text), col(Article.annotation)))
    return [Source(f"store:{row.id}", row.annotation, row.text) for row in result]


@dataclass
class SeedReport:
    data_version: str
    changed: bool
    counts: dict[str, int]


def seed(engine: Engine, paths: Sequence[Path]) -> SeedReport:
    """Check the given annotation files together with the stored articles, then rebuild the
    store from all of them in one transaction. Raise SeedError, writing nothing, if any record
    is wrong."""
    new = [read_file(path) for path in expand(paths)]
    with engine.begin() as conn:
        replaced = {s.raw.get("article", {}).get("id") for s in new if isinstance(s.raw, dict)}
        sources = [s for s in stored_sources(conn) if s.raw["article"]["id"] not in replaced] + new
        for source in sources:
            parse(source)
            if source.file is not None:
                check_source(source)
        problems = [p for s in sources for p in s.problems]
        if not problems:
            problems = check_together(sources)
        if not problems:
            bounds, problems = resolve_bounds(dated_records(sources))
        if problems:
            raise SeedError(problems)
        version = data_version_of(sources)
        stored = store_state(conn)
        changed = stored.data_version != version or stored.document_format != DOCUMENT_FORMAT
        if changed:
            _write(conn, build_rows(sources, bounds), version)
        counts = store_counts(conn)
    return SeedReport(version, changed, counts)


def dated_records(sources: Sequence[Source]) -> dict[str, tuple[str, DatedIn]]:
    """Every event, statement, aid and figure of `sources` by id (unique across them, as
    check_together made sure), with where it is declared."""
    out: dict[str, tuple[str, DatedIn]] = {}
    for source in sources:
        assert source.file is not None
        for collection in DATED_COLLECTIONS:
            for index, record in enumerate(getattr(source.file, collection)):
                out[record.id] = (f"{source.origin}: {collection}[{index}] {record.id!r}", record)
    return out


def store_counts(conn: Connection) -> dict[str, int]:
    """Rows per table, parents first, then the documents rendered from them."""
    tables: list[type[SQLModel]] = [*reversed(TABLES_IN_DELETE_ORDER), RecordDocument]
    names = [table_of(table).name for table in tables]
    return {name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() for name in names}


def _write(conn: Connection, rows: Rows, version: str) -> None:
    for table in TABLES_IN_DELETE_ORDER:
        conn.execute(delete(table))
    for table in reversed(TABLES_IN_DELETE_ORDER):
        if table is SearchDocument:
            docs = [
                {
                    "type": d["type"],
                    "id": d["id"],
                    "label": d["label"] or d["id"],
                    "names": "\n".join(d["names"]),
                    "body": "\n".join(d["words"]),
                }
                for d in rows.search.values()
            ]
            if docs:
                conn.execute(insert(SearchDocument), docs)
        elif rows.tables[table]:
            conn.execute(insert(table), rows.tables[table])
    finish(conn, version)


def finish(
    conn: Connection, version: str, progress: Callable[[str, int], None] | None = None
) -> None:
    """What follows writing the tables, in the same transaction: the search index, every
    record's document, and the data version (readers see the new store from here on)."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    render_documents(conn, progress)
    meta = {"data_version": version, "document_format": DOCUMENT_FORMAT}
    conn.execute(delete(StoreMeta).where(col(StoreMeta.key).in_(meta)))
    conn.execute(insert(StoreMeta), [{"key": k, "value": v} for k, v in meta.items()])


def default_paths(seed_dir: Path) -> list[Path]:
    return sorted(seed_dir.glob("*.json"))


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders become the annotation files inside them."""
    out: list[Path] = []
    for path in paths:
        out.extend(default_paths(path) if path.is_dir() else [path])
    return out
