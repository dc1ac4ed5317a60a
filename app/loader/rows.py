"""Building rows: every row the store will hold, from checked annotations, with entities
shared by several articles merged."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.dates import parse_partial_date
from app.loader.checks import (
    Source,
)
from app.loader.schema import (
    COLLECTIONS,
    ENRICHMENT,
    ENTITY_COLLECTIONS,
    AnnotationFile,
    DatedIn,
    record_key,
)
from app.models import (
    Aid,
    Article,
    Country,
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
    RecordType,
)


def _dates(record: DatedIn) -> dict[str, Any]:
    parsed = parse_partial_date(record.date) if record.date else None
    return {
        "date": record.date,
        "date_precision": record.date_precision,
        "date_start": parsed.start if parsed else None,
        "date_end": parsed.end if parsed else None,
        "date_text": record.date_text,
        "date_note": record.date_note,
    }


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


def build_rows(sources: Sequence[Source]) -> Rows:
    rows = Rows()
    entities: dict[tuple[str, str], dict[str, Any]] = {}
    for source in sources:
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
        for collection in ENTITY_COLLECTIONS.values():
            for record in getattr(annotation, collection):
                values = record.model_dump(exclude={"evidence"})
                merged = entities.setdefault((collection, record_key(record)), values)
                merged["aliases"] = list(dict.fromkeys([*merged["aliases"], *values["aliases"]]))
                if "description" in merged:
                    merged["description"] = merged["description"] or values["description"]
        _build_article_rows(rows, annotation)
    table_of = {
        "countries": Country,
        "people": Person,
        "organizations": Organization,
        "places": Place,
    }
    for (collection, key), values in entities.items():
        if collection == "places" and values["lat"] is not None:
            values["coordinates_source"] = values["coordinates_source"] or ENRICHMENT
        rows.tables[table_of[collection]].append(values)
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


def _build_article_rows(rows: Rows, annotation: AnnotationFile) -> None:
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
    for event in annotation.events:
        rows.tables[Event].append(
            {
                "id": event.id,
                "article": article_id,
                "title": event.title,
                "kind": event.kind,
                "summary": event.summary,
                **_dates(event),
            }
        )
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
            if code := country_of[(participant.type, participant.id)]:
                countries[code] = None
        rows.tables[EventCountry].extend({"event_id": event.id, "country": c} for c in countries)
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
                "event": quote.event,
                "speaker_type": quote.speaker.type,
                "speaker_id": quote.speaker.id,
            }
        )
        speaker = names[(quote.speaker.type, quote.speaker.id)]
        rows.add_search(RecordType.quote, quote.id, quote.text, quote.text, speaker)
    for aid in annotation.aid:
        rows.tables[Aid].append(
            aid.model_dump(exclude={"evidence"}) | _dates(aid) | {"article": article_id}
        )
        rows.add_search(
            RecordType.aid, aid.id, aid.description, aid.description, aid.kind, aid.currency
        )
    for figure in annotation.figures:
        rows.tables[Figure].append(
            figure.model_dump(exclude={"evidence"}) | _dates(figure) | {"article": article_id}
        )
        rows.add_search(
            RecordType.figure,
            figure.id,
            figure.description,
            figure.description,
            figure.unit,
            figure.kind,
        )
