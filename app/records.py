"""Public records: rendered once per seed into documents, served by concatenating them.

`render_documents` builds every record's public JSON from the tables when the store is seeded
(a batch of records costs one query for the rows, one for their evidence and one per kind of
relation, never one per record) and stores it in `record_document`. Serving a page or a record
reads documents: `fields=` and `include=` are applied to parsed documents, and included records
are documents too. The public models in app.models define which fields each record has.
"""

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select

from app import csvrows
from app.errors import InvalidParameter
from app.models import (
    Aid,
    AidPublic,
    Article,
    ArticlePublic,
    ArticleSummary,
    Country,
    CountryPublic,
    Event,
    EventCountry,
    EventParticipant,
    EventPublic,
    Evidence,
    Figure,
    FigurePublic,
    Organization,
    OrganizationPublic,
    Person,
    PersonPublic,
    Place,
    PlacePublic,
    Quote,
    QuoteEvent,
    QuotePublic,
    RecordDocument,
    Statement,
    StatementAbout,
    StatementEvent,
    StatementPublic,
    table_of,
)

Item = dict[str, Any]
Ref = tuple[str, str]
# Bump when a public shape changes: stores rendered by another format are re-seeded by `serve`
# and are not ready until then (tests/test_store.py pins the shapes this number stands for).
DOCUMENT_FORMAT = "5"
# Characters of context around an evidence span (W3C TextQuoteSelector prefix and suffix).
CONTEXT = 32


ENTITIES = ("country", "person", "organization", "place")


@dataclass(frozen=True)
class Relation:
    """What `include=name` embeds: the records `refs` points to, of `types`, as a list when
    `many` (else one record, or null)."""

    refs: Callable[[Item], list[Ref]]
    types: tuple[str, ...]
    many: bool = False


@dataclass(frozen=True, eq=False)  # hashed by identity: statements are cached per kind
class Kind:
    """One kind of record: its table, its public shape and what `include=` can embed."""

    type: str
    table: Table
    key: str
    public: Any  # a pydantic model class
    includes: Mapping[str, Relation] = field(default_factory=dict)
    has_evidence: bool = True
    extra_columns: tuple[str, ...] = ()
    # Its path under /v1 (and its section of a seed file): `people` for a person.
    collection: str = field(default="", kw_only=True)

    @property
    def fields(self) -> list[str]:
        return list(self.public.model_fields)

    @property
    def columns(self) -> list[str]:
        own = [f for f in self.fields if f in self.table.c]
        return own + [c for c in self.extra_columns if c not in own]


def _country(item: Item) -> list[Ref]:
    return [("country", item["country"])] if item.get("country") else []


def _place(item: Item) -> list[Ref]:
    return [("place", item["place"])] if item.get("place") else []


def _event(item: Item) -> list[Ref]:
    return [("event", item["event"])] if item.get("event") else []


def _events(item: Item) -> list[Ref]:
    return [("event", event) for event in item["events"]]


def _speaker(item: Item) -> list[Ref]:
    return [(item["speaker"]["type"], item["speaker"]["id"])]


COUNTRY = Relation(_country, ("country",))
EVENT = Relation(_event, ("event",))
EVENTS = Relation(_events, ("event",), many=True)
SPEAKER = Relation(_speaker, ENTITIES)
KINDS: dict[str, Kind] = {
    kind.type: kind
    for kind in (
        Kind("country", table_of(Country), "code", CountryPublic, collection="countries"),
        Kind(
            "person",
            table_of(Person),
            "id",
            PersonPublic,
            {"country": COUNTRY},
            collection="people",
        ),
        Kind(
            "organization",
            table_of(Organization),
            "id",
            OrganizationPublic,
            {"country": COUNTRY},
            collection="organizations",
        ),
        Kind(
            "place", table_of(Place), "id", PlacePublic, {"country": COUNTRY}, collection="places"
        ),
        Kind(
            "event",
            table_of(Event),
            "id",
            EventPublic,
            {
                "participants": Relation(
                    lambda item: [(p["type"], p["id"]) for p in item["participants"]],
                    ENTITIES,
                    many=True,
                )
            },
            collection="events",
        ),
        Kind(
            "quote",
            table_of(Quote),
            "id",
            QuotePublic,
            {"speaker": SPEAKER, "event": EVENT, "events": EVENTS},
            extra_columns=("speaker_type", "speaker_id"),
            collection="quotes",
        ),
        Kind(
            "statement",
            table_of(Statement),
            "id",
            StatementPublic,
            {
                "speaker": SPEAKER,
                "quote": Relation(
                    lambda item: [("quote", item["quote"])] if item["quote"] else [], ("quote",)
                ),
                "about": Relation(
                    lambda item: [(ref["type"], ref["id"]) for ref in item["about"]],
                    ENTITIES,
                    many=True,
                ),
                "events": EVENTS,
            },
            extra_columns=("speaker_type", "speaker_id"),
            collection="statements",
        ),
        Kind(
            "aid",
            table_of(Aid),
            "id",
            AidPublic,
            {
                "donor": Relation(
                    lambda item: [("country", item["donor"])] if item["donor"] else [],
                    ("country",),
                ),
                "recipient": Relation(
                    lambda item: [("country", item["recipient"])] if item["recipient"] else [],
                    ("country",),
                ),
                "event": EVENT,
            },
            collection="aid",
        ),
        Kind(
            "figure",
            table_of(Figure),
            "id",
            FigurePublic,
            {"event": EVENT, "country": COUNTRY, "place": Relation(_place, ("place",))},
            collection="figures",
        ),
        Kind(
            "article",
            table_of(Article),
            "id",
            ArticleSummary,
            has_evidence=False,
            collection="articles",
        ),
    )
}
ARTICLE_DETAIL = Kind(
    "article", table_of(Article), "id", ArticlePublic, has_evidence=False, collection="articles"
)


def parse_fields(kind: Kind, value: str | None) -> set[str] | None:
    """`fields=a,b`: the allow-list is the record's own fields; its key always comes along."""
    if value is None:
        return None
    wanted = {f.strip() for f in value.split(",") if f.strip()}
    unknown = sorted(wanted - set(kind.fields))
    if unknown or not wanted:
        allowed = ", ".join(kind.fields)
        reason = f"unknown field(s) {', '.join(unknown)[:200]}" if unknown else "is empty"
        raise InvalidParameter("fields", f"{reason}; allowed: {allowed}")
    return wanted | {kind.key}


def parse_include(kind: Kind, value: str | None) -> set[str]:
    if not value:
        return set()
    wanted = {i.strip() for i in value.split(",") if i.strip()}
    unknown = sorted(wanted - set(kind.includes))
    if unknown:
        allowed = ", ".join(kind.includes) or "nothing"
        raise InvalidParameter(
            "include", f"unknown relation(s) {', '.join(unknown)[:200]}; allowed: {allowed}"
        )
    return wanted


def select_columns(kind: Kind) -> list[Any]:
    columns: list[Any] = [kind.table.c[c] for c in kind.columns]
    if kind.public is ArticleSummary or kind.public is ArticlePublic:
        columns.append(func.length(kind.table.c.text).label("length"))
    return columns


def build(
    conn: Connection, kind: Kind, rows: Sequence[Any], texts: dict[str, str] | None = None
) -> list[Item]:
    """Full public records for `rows` (mappings holding at least `kind.columns`). `texts`
    caches article texts (for the evidence's context) across calls."""
    names = [*kind.columns, "length"] if kind.type == "article" else kind.columns
    items = [{name: row[name] for name in names if name in row} for row in rows]
    if not items:
        return items
    ids = [item[kind.key] for item in items]
    if kind.type == "event":
        _attach_many(items, "countries", _event_countries(conn, ids))
        _attach_many(items, "participants", _participants(conn, ids))
    if kind.type in ("quote", "statement"):
        speakers = {(i["speaker_type"], i["speaker_id"]) for i in items}
        named = names_of(conn, speakers)
        for item in items:
            ref = (item.pop("speaker_type"), item.pop("speaker_id"))
            item["speaker"] = {"type": ref[0], "id": ref[1], "name": named.get(ref)}
        links = QUOTE_EVENTS if kind.type == "quote" else STATEMENT_EVENTS
        _attach_many(items, "events", _event_ids(conn, links, ids))
    if kind.type == "statement":
        _attach_many(items, "about", _about(conn, ids))
    if kind.has_evidence:
        _attach_many(items, "evidence", evidence_of(conn, kind.type, ids, texts))
    return items


def shape(
    conn: Connection,
    kind: Kind,
    items: list[Item],
    *,
    fields: set[str] | None = None,
    include: AbstractSet[str] = frozenset(),
) -> list[Item]:
    """Records as asked for: with `include`d records embedded, then only `fields`."""
    if include:
        _include(conn, kind, items, include)
    if fields is not None:
        keep = fields | ({"included"} if include else set())
        items = [{k: v for k, v in item.items() if k in keep} for item in items]
    return items


def _attach_many(items: list[Item], name: str, values: Mapping[str, list[Any]]) -> None:
    key = "code" if "code" in items[0] else "id"
    for item in items:
        item[name] = values.get(item[key], [])


# Statements every page runs are built once, with parameters (`ids` expands to IN (...)):
# building and cache-keying a select per request cost more than running it.
IDS: Any = bindparam("ids", expanding=True)
_EV = table_of(Evidence)
EVIDENCE = (
    select(_EV.c.subject_id, _EV.c.article, _EV.c.start, _EV.c.end, _EV.c.text)
    .where(_EV.c.subject_type == bindparam("subject_type"), _EV.c.subject_id.in_(IDS))
    .order_by(_EV.c.subject_id, _EV.c.article, _EV.c.start, _EV.c.end)
)
_EC = table_of(EventCountry)
EVENT_COUNTRIES = (
    select(_EC.c.event_id, _EC.c.country)
    .where(_EC.c.event_id.in_(IDS))
    .order_by(_EC.c.event_id, _EC.c.country)
)
_EP = table_of(EventParticipant)
PARTICIPANTS = (
    select(_EP.c.event_id, _EP.c.entity_type, _EP.c.entity_id, _EP.c.role)
    .where(_EP.c.event_id.in_(IDS))
    .order_by(_EP.c.event_id, _EP.c.role, _EP.c.entity_type, _EP.c.entity_id)
)


_QE = table_of(QuoteEvent)
QUOTE_EVENTS = (
    select(_QE.c.quote_id, _QE.c.event_id)
    .where(_QE.c.quote_id.in_(IDS))
    .order_by(_QE.c.quote_id, _QE.c.ordinal)
)
_SE = table_of(StatementEvent)
STATEMENT_EVENTS = (
    select(_SE.c.statement_id, _SE.c.event_id)
    .where(_SE.c.statement_id.in_(IDS))
    .order_by(_SE.c.statement_id, _SE.c.ordinal)
)
_SA = table_of(StatementAbout)
ABOUT = (
    select(_SA.c.statement_id, _SA.c.entity_type, _SA.c.entity_id)
    .where(_SA.c.statement_id.in_(IDS))
    .order_by(_SA.c.statement_id, _SA.c.ordinal)
)
_ART = table_of(Article)
ARTICLE_TEXTS = select(_ART.c.id, _ART.c.text).where(_ART.c.id.in_(IDS))


@cache
def names_statement(kind: Kind) -> Any:
    key = kind.table.c[kind.key]
    return select(key, kind.table.c.name).where(key.in_(IDS))


@cache
def records_statement(kind: Kind) -> Any:
    return select(*select_columns(kind)).where(kind.table.c[kind.key].in_(IDS))


def evidence_of(
    conn: Connection,
    subject_type: str,
    ids: Sequence[str],
    texts: dict[str, str] | None = None,
) -> dict[str, list[Item]]:
    """Each record's evidence spans, with up to CONTEXT characters of the text around each."""
    texts = {} if texts is None else texts
    out: dict[str, list[Item]] = defaultdict(list)
    rows = list(conn.execute(EVIDENCE, {"subject_type": subject_type, "ids": list(ids)}))
    missing = sorted({row.article for row in rows} - set(texts))
    if missing:
        texts.update((key, text) for key, text in conn.execute(ARTICLE_TEXTS, {"ids": missing}))
    for subject_id, article, start, end, text in rows:
        whole = texts[article]
        out[subject_id].append(
            {
                "article": article,
                "start": start,
                "end": end,
                "text": text,
                "prefix": whole[max(0, start - CONTEXT) : start],
                "suffix": whole[end : end + CONTEXT],
            }
        )
    return out


def _event_ids(conn: Connection, statement: Any, ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for key, event_id in conn.execute(statement, {"ids": list(ids)}):
        out[key].append(event_id)
    return out


def _about(conn: Connection, ids: Sequence[str]) -> dict[str, list[Item]]:
    rows = list(conn.execute(ABOUT, {"ids": list(ids)}))
    named = names_of(conn, {(r.entity_type, r.entity_id) for r in rows})
    out: dict[str, list[Item]] = defaultdict(list)
    for statement_id, entity_type, entity_id in rows:
        name = named.get((entity_type, entity_id))
        out[statement_id].append({"type": entity_type, "id": entity_id, "name": name})
    return out


def _event_countries(conn: Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for event_id, country in conn.execute(EVENT_COUNTRIES, {"ids": list(ids)}):
        out[event_id].append(country)
    return out


def _participants(conn: Connection, ids: Sequence[str]) -> dict[str, list[Item]]:
    rows = list(conn.execute(PARTICIPANTS, {"ids": list(ids)}))
    named = names_of(conn, {(r.entity_type, r.entity_id) for r in rows})
    out: dict[str, list[Item]] = defaultdict(list)
    for event_id, entity_type, entity_id, role in rows:
        name = named.get((entity_type, entity_id))
        out[event_id].append({"type": entity_type, "id": entity_id, "name": name, "role": role})
    return out


def names_of(conn: Connection, refs: Iterable[Ref]) -> dict[Ref, str]:
    """Names of entities, one query per entity type present."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for entity_type, entity_id in refs:
        by_type[entity_type].add(entity_id)
    out: dict[Ref, str] = {}
    for entity_type, ids in by_type.items():
        statement = names_statement(KINDS[entity_type])
        for entity_id, name in conn.execute(statement, {"ids": sorted(ids)}):
            out[(entity_type, entity_id)] = name
    return out


_DOC = table_of(RecordDocument)
DOCUMENTS = select(_DOC.c.id, _DOC.c.body).where(
    _DOC.c.type == bindparam("type"), _DOC.c.id.in_(IDS)
)
DOCUMENT = select(_DOC.c.body).where(_DOC.c.type == bindparam("type"), _DOC.c.id == bindparam("id"))
RENDER_BATCH = 2000


def get_document(conn: Connection, kind: Kind, key: str) -> str | None:
    """The JSON of one record, as stored."""
    return conn.execute(DOCUMENT, {"type": kind.type, "id": key}).scalar_one_or_none()


def records_by_ref(conn: Connection, refs: Iterable[Ref]) -> dict[Ref, Item]:
    """Full public records for `refs`, one query per type, each marked with its `type` (an
    included list can mix people, places and countries)."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for ref_type, ref_id in refs:
        by_type[ref_type].add(ref_id)
    out: dict[Ref, Item] = {}
    for ref_type, ids in by_type.items():
        for key, body in conn.execute(DOCUMENTS, {"type": ref_type, "ids": sorted(ids)}):
            out[(ref_type, key)] = {"type": ref_type, **orjson.loads(body)}
    return out


def _include(conn: Connection, kind: Kind, items: list[Item], include: AbstractSet[str]) -> None:
    relations = {name: kind.includes[name] for name in include}
    wanted = {ref for item in items for r in relations.values() for ref in r.refs(item)}
    records = records_by_ref(conn, wanted)
    for item in items:
        included: Item = {}
        for name, relation in relations.items():
            found = [records[ref] for ref in relation.refs(item) if ref in records]
            included[name] = found if relation.many else (found[0] if found else None)
        item["included"] = included


def get_one(conn: Connection, kind: Kind, key: str) -> Item | None:
    """One record built from the tables (the article with its text, which has no document)."""
    rows = list(conn.execute(records_statement(kind), {"ids": [key]}).mappings())
    return build(conn, kind, rows)[0] if rows else None


def render_documents(conn: Connection, progress: Callable[[str, int], None] | None = None) -> int:
    """(Re)write every record's document (its JSON and its CSV row) from the tables, in
    batches; returns how many."""
    conn.execute(delete(RecordDocument))
    written = 0
    texts: dict[str, str] = {}
    for kind in KINDS.values():
        key = kind.table.c[kind.key]
        header = csvrows.columns(kind.fields)
        batch = select(*select_columns(kind)).order_by(key).limit(RENDER_BATCH)
        last: str | None = None
        while True:
            stmt = batch if last is None else batch.where(key > last)
            rows = list(conn.execute(stmt).mappings())
            if not rows:
                break
            records = build(conn, kind, rows, texts)
            conn.execute(
                insert(RecordDocument),
                [
                    {
                        "type": kind.type,
                        "id": r[kind.key],
                        "body": orjson.dumps(r).decode(),
                        "csv": csvrows.rows(header, [r], with_header=False),
                    }
                    for r in records
                ],
            )
            written += len(records)
            last = rows[-1][kind.key]
            if progress is not None:
                progress(kind.type, len(records))
    return written


def astral_positions(conn: Connection) -> dict[str, list[int]]:
    """Per article with any, the code point offsets of its characters outside the BMP."""
    out: dict[str, list[int]] = {}
    for key, text in conn.execute(select(_ART.c.id, _ART.c.text)):
        positions = [i for i, char in enumerate(text) if ord(char) > 0xFFFF]
        if positions:
            out[key] = positions
    return out


def utf16_offset(astral: list[int], offset: int) -> int:
    """A code point offset as UTF-16 code units: each astral character before it counts
    twice (`astral`: their code point offsets, sorted)."""
    return offset + bisect.bisect_left(astral, offset)


def to_utf16(items: list[Item], astral: Mapping[str, list[int]]) -> None:
    """Evidence offsets of `items` (and of the records they include) as UTF-16 code units:
    each character outside the BMP before an offset counts twice."""
    for item in items:
        for span in item.get("evidence", ()):
            positions = astral.get(span["article"])
            if positions:
                span["start"] = utf16_offset(positions, span["start"])
                span["end"] = utf16_offset(positions, span["end"])
        for related in (item.get("included") or {}).values():
            if isinstance(related, list):
                to_utf16(related, astral)
            elif related is not None:
                to_utf16([related], astral)
