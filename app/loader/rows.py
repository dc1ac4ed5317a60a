"""Building rows: every row the store will hold, from checked annotations, with entities
shared by several articles merged and every dated record's bounds resolved."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.loader.bounds import Bounds
from app.loader.checks import Source
from app.loader.schema import (
    COLLECTIONS,
    ENTITY_COLLECTIONS,
    AnnotationFile,
    DatedIn,
    record_key,
)
from app.models import (
    Aid,
    Article,
    Country,
    DateSortKeys,
    EntityType,
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
    RecordType,
    Role,
    Statement,
    StatementAbout,
    StatementEvent,
)

# What the loader keeps of a record for itself: the rest are columns.
NOT_COLUMNS = {"evidence", "formerly"}
DATE_INPUTS = {"date_start", "date_end", "date_relation"}
SORT_KEYS = tuple(DateSortKeys.model_fields)
ENTITY_TABLES = {
    "countries": Country,
    "people": Person,
    "organizations": Organization,
    "places": Place,
}


def dates(record: DatedIn, bounds: Bounds) -> dict[str, Any]:
    """The date columns: the date as stated, and the resolved bounds."""
    relation = record.date_relation
    start = bounds.start.day if bounds.start else None
    end = bounds.end.day if bounds.end else None
    return {
        "date_start": start,
        "date_end": end,
        "date_edtf": bounds.edtf,
        "date_relation": {relation.direction: relation.target} if relation else None,
        **DateSortKeys.of(start, end),
    }


def position(record: Any) -> int:
    """Where a record is first mentioned: its earliest evidence span."""
    first: int = min(span.start for span in record.evidence)
    return first


@dataclass
class Rows:
    """Every row the store will hold, keyed by table."""

    tables: dict[Any, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    search: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def add_search(
        self,
        kind: RecordType,
        key: str,
        label: str,
        *words: str | None,
        names: Iterable[str | None] = (),
    ) -> None:
        """Words `kind` `key` is found by; `names` are its own (a search for one ranks it
        first); `label` names it in results (the first non-empty one given stays)."""
        doc = self.search.setdefault(
            (kind.value, key),
            {"type": kind.value, "id": key, "label": "", "words": [], "names": []},
        )
        doc["label"] = doc["label"] or label
        doc["words"].extend(w for w in words if w and w not in doc["words"])
        doc["names"].extend(n for n in names if n and n not in doc["names"])


def build_rows(sources: Sequence[Source], bounds: dict[str, Bounds]) -> Rows:
    """Rows for `sources` (checked), sorted by article id so that merging is the same in any
    loading order; `bounds` are every dated record's, resolved across them."""
    rows = Rows()
    entities: dict[tuple[str, str], dict[str, Any]] = {}
    ordered = sorted(sources, key=lambda s: s.file.article.id if s.file else "")
    for source in ordered:
        annotation = source.file
        assert annotation is not None
        article_id = annotation.article.id
        rows.tables[Article].append(
            {
                **annotation.article.model_dump(exclude={"text_file"}),
                "text": source.text,
                "annotation": source.raw,
                "annotation_sha256": source.annotation_sha256,
            }
        )
        title = annotation.article.title
        rows.add_search(RecordType.article, article_id, title, source.text, names=[title])
        for collection, subject in COLLECTIONS.items():
            for record in getattr(annotation, collection):
                key = record_key(record)
                for span in record.evidence:
                    rows.tables[Evidence].append(
                        {
                            "article": article_id,
                            "subject_type": subject,
                            "subject_id": key,
                            "start": span.start,
                            "end": span.end,
                            "text": span.text,
                        }
                    )
                    rows.add_search(subject, key, "", span.text)
                rows.tables[RecordAlias].extend(
                    {"type": subject, "old_id": old, "id": key} for old in record.formerly
                )
        for collection in ENTITY_COLLECTIONS.values():
            for record in getattr(annotation, collection):
                values = record.model_dump(exclude=NOT_COLUMNS) | {"position": position(record)}
                merged = entities.setdefault((collection, record_key(record)), values)
                merged["aliases"] = list(dict.fromkeys([*merged["aliases"], *values["aliases"]]))
                merged["enrichment"] = values["enrichment"] | merged["enrichment"]
                if "description" in merged:
                    merged["description"] = merged["description"] or values["description"]
        _build_article_rows(rows, annotation, bounds)
    for (collection, key), values in entities.items():
        rows.tables[ENTITY_TABLES[collection]].append(values)
        subject = COLLECTIONS[collection]
        own_names = [values["name"], *values["aliases"], values.get("code"), values.get("iso3")]
        rows.add_search(
            subject,
            key,
            values["name"],
            *own_names,
            values.get("description"),
            values.get("kind"),
            names=own_names,
        )
    return rows


def _build_article_rows(rows: Rows, annotation: AnnotationFile, bounds: dict[str, Bounds]) -> None:
    article_id = annotation.article.id
    names = {
        (kind, record_key(r)): r.name
        for kind, collection in ENTITY_COLLECTIONS.items()
        for r in getattr(annotation, collection)
    }
    country_of = {
        (kind, record_key(r)): (record_key(r) if kind is EntityType.country else r.country)
        for kind, collection in ENTITY_COLLECTIONS.items()
        for r in getattr(annotation, collection)
    }

    def dated(record: DatedIn, *exclude: str) -> dict[str, Any]:
        """A dated record's columns (but `exclude`), its article, bounds and position."""
        own = record.model_dump(exclude=NOT_COLUMNS | DATE_INPUTS | set(exclude))
        extra = {"article": article_id, "position": position(record)}
        return own | dates(record, bounds[record.id]) | extra

    for event in annotation.events:
        row = dated(event, "participants")
        rows.tables[Event].append(row)
        repeated = {k: row[k] for k in (*SORT_KEYS, "position", "date_start", "date_end", "kind")}
        countries: dict[str, None] = {}
        for participant in event.participants:
            rows.tables[EventParticipant].append(
                {
                    "event_id": event.id,
                    "entity_type": participant.type,
                    "entity_id": participant.id,
                    "role": participant.role,
                }
            )
            code = country_of[(participant.type, participant.id)]
            if code and participant.role is not Role.depicted:
                countries[code] = None
        rows.tables[EventCountry].extend(
            {"event_id": event.id, "country": c, **repeated} for c in countries
        )
        participant_names = [names[(p.type, p.id)] for p in event.participants]
        rows.add_search(
            RecordType.event,
            event.id,
            event.title,
            event.title,
            event.summary,
            event.kind.replace("_", " "),
            event.date_text,
            *participant_names,
            names=[event.title],
        )
    for quote in annotation.quotes:
        rows.tables[Quote].append(
            {
                "id": quote.id,
                "article": article_id,
                "text": quote.text,
                "event": quote.events[0] if quote.events else None,
                "speaker_type": quote.speaker.type,
                "speaker_id": quote.speaker.id,
                "enrichment": quote.enrichment,
                "position": position(quote),
            }
        )
        rows.tables[QuoteEvent].extend(
            {"quote_id": quote.id, "event_id": e, "ordinal": i} for i, e in enumerate(quote.events)
        )
        speaker = names[(quote.speaker.type, quote.speaker.id)]
        rows.add_search(RecordType.quote, quote.id, quote.text, quote.text, speaker)
    for statement in annotation.statements:
        speaker_type = EntityType(statement.speaker.type.value)
        rows.tables[Statement].append(
            dated(statement, "speaker", "about", "events")
            | {"speaker_type": speaker_type, "speaker_id": statement.speaker.id}
        )
        rows.tables[StatementAbout].extend(
            {"statement_id": statement.id, "entity_type": r.type, "entity_id": r.id, "ordinal": i}
            for i, r in enumerate(statement.about)
        )
        rows.tables[StatementEvent].extend(
            {"statement_id": statement.id, "event_id": e, "ordinal": i}
            for i, e in enumerate(statement.events)
        )
        rows.add_search(
            RecordType.statement,
            statement.id,
            statement.text,
            statement.text,
            names[(speaker_type, statement.speaker.id)],
            *(names[(r.type, r.id)] for r in statement.about),
        )
    for aid in annotation.aid:
        rows.tables[Aid].append(dated(aid))
        rows.add_search(
            RecordType.aid, aid.id, aid.description, aid.description, aid.kind, aid.currency
        )
    for figure in annotation.figures:
        rows.tables[Figure].append(dated(figure))
        rows.add_search(
            RecordType.figure,
            figure.id,
            figure.description,
            figure.description,
            figure.unit,
            figure.kind,
        )
