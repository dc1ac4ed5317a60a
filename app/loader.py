"""Load annotated articles into the store, checking every record before anything is written.

An annotation file (format documented in seed/README.md) describes one article: the entities it
mentions, its events, quotes, aid and other figures, each with evidence spans. The store keeps
each article's annotation, so a seed rebuilds every table from the full set of articles (the ones
already stored plus the files given) in one transaction: loading is atomic and idempotent, and
entities shared by several articles are merged the same way whatever the loading order.
"""

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from sqlalchemy import Connection, Engine, delete, insert, select, text
from sqlmodel import col

from app.dates import parse_partial_date
from app.db import store_state
from app.models import (
    Aid,
    AidKind,
    Article,
    Country,
    DatePrecision,
    EntityType,
    Event,
    EventCountry,
    EventKind,
    EventParticipant,
    Evidence,
    Figure,
    FigureKind,
    Organization,
    OrganizationKind,
    Person,
    Place,
    PlaceKind,
    Qualifier,
    Quote,
    RecordDocument,
    RecordType,
    Role,
    SearchDocument,
    StoreMeta,
)
from app.records import DOCUMENT_FORMAT, render_documents

FORMAT_VERSION = 1
ENRICHMENT = "public-knowledge enrichment, not article evidence"
# Double quotation marks only: single marks double as apostrophes ("Russia's"), so they cannot
# be paired. A straight mark looks the same opening and closing, so marks pair in order of
# appearance (1st with 2nd, 3rd with 4th, ...); balanced curly or angle marks pair the same way.
QUOTE_MARKS = '"\u201c\u201d\u201e\u00ab\u00bb'

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=4, max_length=100),
]
Alpha2 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Alpha3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=False)]
# Words quoted from the article (aliases, date_text): non-empty, no whitespace at either edge.
Words = Annotated[str, StringConstraints(pattern=r"^\S(?:.*\S)?$")]


class SeedError(Exception):
    """The seed was refused; `problems` names each bad record and why."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


# --- the file format -------------------------------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpanIn(_Record):
    # Strict: an offset written as 45.0, "45" or true is a mistake, not a number to coerce.
    start: int = Field(ge=0, strict=True)
    end: int = Field(gt=0, strict=True)
    text: NonEmpty

    @model_validator(mode="after")
    def _ordered(self) -> "SpanIn":
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be greater than start {self.start}")
        return self


Evidence_ = Annotated[list[SpanIn], Field(min_length=1)]


class DatedIn(_Record):
    date: str | None = None
    date_precision: DatePrecision | None = None
    date_text: Words | None = None
    date_note: str | None = None

    @model_validator(mode="after")
    def _date_matches_precision(self) -> "DatedIn":
        if self.date is not None and not self.date_text:
            raise ValueError(f"date {self.date!r} needs date_text: the article's own words for it")
        if self.date is None:
            if self.date_precision is not None:
                raise ValueError("date_precision is set but date is null")
            return self
        parsed = parse_partial_date(self.date)
        if self.date_precision != parsed.precision:
            raise ValueError(
                f"date {self.date!r} has {parsed.precision.value} precision, "
                f"but date_precision is {self.date_precision and self.date_precision.value!r}"
            )
        return self


class ArticleIn(_Record):
    id: Slug
    title: NonEmpty
    publisher: str | None = None
    url: str | None = None
    published: str | None = None
    published_precision: DatePrecision | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")]
    text_file: NonEmpty
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

    @model_validator(mode="after")
    def _published(self) -> "ArticleIn":
        if self.published is not None:
            parsed = parse_partial_date(self.published)
            if parsed.precision != self.published_precision:
                raise ValueError("published_precision does not match published")
        elif self.published_precision is not None:
            raise ValueError("published_precision is set but published is null")
        return self


class CountryIn(_Record):
    code: Alpha2
    iso3: Alpha3
    name: NonEmpty
    aliases: list[Words] = []
    evidence: Evidence_

    @model_validator(mode="after")
    def _iso(self) -> "CountryIn":
        known = pycountry.countries.get(alpha_2=self.code)
        if known is None:
            raise ValueError(f"{self.code!r} is not an ISO 3166-1 alpha-2 code")
        if known.alpha_3 != self.iso3:
            raise ValueError(f"iso3 of {self.code} is {known.alpha_3}, not {self.iso3}")
        return self


class PersonIn(_Record):
    id: Slug
    name: NonEmpty
    aliases: list[Words] = []
    description: str | None = None
    country: Alpha2 | None = None
    evidence: Evidence_


class OrganizationIn(PersonIn):
    kind: OrganizationKind


class PlaceIn(PersonIn):
    kind: PlaceKind
    lat: float | None = Field(default=None, ge=-90, le=90, strict=True)
    lon: float | None = Field(default=None, ge=-180, le=180, strict=True)
    coordinates_source: str | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> "PlaceIn":
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must both be given or both be null")
        return self


class RefIn(_Record):
    type: EntityType
    id: NonEmpty


class ParticipantIn(RefIn):
    role: Role


class EventIn(DatedIn):
    id: Slug
    title: NonEmpty
    kind: EventKind
    summary: NonEmpty
    participants: list[ParticipantIn] = []
    evidence: Evidence_


class QuoteIn(_Record):
    id: Slug
    text: NonEmpty
    speaker: RefIn
    event: str | None = None
    evidence: Evidence_


class AidIn(DatedIn):
    id: Slug
    donor: Alpha2 | None
    recipient: Alpha2 | None
    amount: int = Field(ge=0, strict=True)
    currency: Alpha3
    qualifier: Qualifier
    kind: AidKind
    description: NonEmpty
    event: str | None = None
    evidence: Evidence_

    @model_validator(mode="after")
    def _currency_and_countries(self) -> "AidIn":
        if pycountry.currencies.get(alpha_3=self.currency) is None:
            raise ValueError(f"{self.currency!r} is not an ISO 4217 currency code")
        if self.donor is not None and self.donor == self.recipient:
            raise ValueError(f"donor and recipient are both {self.donor!r}")
        return self


class FigureIn(DatedIn):
    id: Slug
    value: int = Field(ge=0, strict=True)  # a count or an amount: "no troops" is 0, never less
    unit: NonEmpty
    qualifier: Qualifier
    kind: FigureKind
    description: NonEmpty
    event: str | None = None
    evidence: Evidence_


class AnnotationFile(_Record):
    format: Literal[1]
    article: ArticleIn
    countries: list[CountryIn] = []
    people: list[PersonIn] = []
    organizations: list[OrganizationIn] = []
    places: list[PlaceIn] = []
    events: list[EventIn] = []
    quotes: list[QuoteIn] = []
    aid: list[AidIn] = []
    figures: list[FigureIn] = []


COLLECTIONS: dict[str, RecordType] = {
    "countries": RecordType.country,
    "people": RecordType.person,
    "organizations": RecordType.organization,
    "places": RecordType.place,
    "events": RecordType.event,
    "quotes": RecordType.quote,
    "aid": RecordType.aid,
    "figures": RecordType.figure,
}
ENTITY_COLLECTIONS = {
    EntityType.country: "countries",
    EntityType.person: "people",
    EntityType.organization: "organizations",
    EntityType.place: "places",
}


def record_key(record: BaseModel) -> str:
    return str(getattr(record, "code", None) or getattr(record, "id", ""))


# --- reading and checking --------------------------------------------------------------------


@dataclass
class Source:
    """One article's annotation and text, and where they came from (for messages)."""

    origin: str
    raw: dict[str, Any]
    text: str
    file: AnnotationFile | None = None
    problems: list[str] = field(default_factory=list)

    def problem(self, where: str, why: str) -> None:
        self.problems.append(f"{self.origin}: {where}: {why}")

    @property
    def annotation_sha256(self) -> str:
        return hashlib.sha256(canonical_json(self.raw)).hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def read_file(path: Path) -> Source:
    """Read an annotation file and the article text it names (beside it)."""
    origin = str(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SeedError([f"{origin}: cannot read annotation: {exc}"]) from exc
    text_file = (raw.get("article") or {}).get("text_file") if isinstance(raw, dict) else None
    if not isinstance(text_file, str) or Path(text_file).name != text_file:
        raise SeedError([f"{origin}: article.text_file must name a file beside the annotation"])
    try:
        article_text = (path.parent / text_file).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError([f"{origin}: cannot read article text {text_file!r}: {exc}"]) from exc
    return Source(origin, raw, article_text)


def _where(raw: Any, loc: tuple[int | str, ...]) -> str:
    """`events[3] 'mali-coup-2021' date` from a pydantic error location."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            parts[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            key = node.get("id") or node.get("code") if isinstance(node, dict) else None
            if key:
                parts[-1] += f" {key!r}"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "file"


def parse(source: Source) -> None:
    try:
        source.file = AnnotationFile.model_validate(source.raw)
    except ValidationError as exc:
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            source.problem(_where(source.raw, error["loc"]), message)


def check_source(source: Source) -> None:
    """Everything one file can get wrong on its own: text hash, spans, ids, references."""
    annotation = source.file
    assert annotation is not None
    article_text = source.text
    digest = hashlib.sha256(article_text.encode("utf-8")).hexdigest()
    if digest != annotation.article.sha256:
        source.problem("article.sha256", f"text file hashes to {digest}")

    declared: dict[EntityType, set[str]] = {kind: set() for kind in ENTITY_COLLECTIONS}
    entity_ids: dict[str, str] = {}
    for collection, subject in COLLECTIONS.items():
        seen: set[str] = set()
        for index, record in enumerate(getattr(annotation, collection)):
            key = record_key(record)
            where = f"{collection}[{index}] {key!r}"
            if key in seen:
                source.problem(where, f"duplicate id {key!r} in {collection}")
            seen.add(key)
            if subject in (RecordType.person, RecordType.organization, RecordType.place):
                if key in entity_ids and entity_ids[key] != collection:
                    source.problem(where, f"id {key!r} is also used in {entity_ids[key]}")
                entity_ids[key] = collection
            if subject.value in EntityType.__members__:
                declared[EntityType(subject.value)].add(key)
            _check_spans(source, where, record.evidence, article_text)
            _check_own_words(source, where, record, article_text)
    if iso3s := [c.iso3 for c in annotation.countries]:
        for dup in {i for i in iso3s if iso3s.count(i) > 1}:
            source.problem("countries", f"iso3 {dup!r} is used by more than one country")

    def must_exist(where: str, kind: EntityType, key: str | None) -> None:
        if key is not None and key not in declared[kind]:
            source.problem(where, f"unknown {kind.value} {key!r}: declare it in this file")

    events = {e.id for e in annotation.events}

    def must_be_event(where: str, key: str | None) -> None:
        if key is not None and key not in events:
            source.problem(where, f"unknown event {key!r}")

    for collection in ("people", "organizations", "places"):
        for index, entity in enumerate(getattr(annotation, collection)):
            must_exist(
                f"{collection}[{index}] {entity.id!r}.country", EntityType.country, entity.country
            )
    for index, event in enumerate(annotation.events):
        for p_index, participant in enumerate(event.participants):
            where = f"events[{index}] {event.id!r}.participants[{p_index}]"
            must_exist(where, participant.type, participant.id)
        roles = [(p.type, p.id, p.role) for p in event.participants]
        if len(roles) != len(set(roles)):
            source.problem(f"events[{index}] {event.id!r}", "a participant is listed twice")
    pairs = quotation_pairs(article_text)
    quoted: dict[tuple[int, int], str] = {}
    for index, quote in enumerate(annotation.quotes):
        where = f"quotes[{index}] {quote.id!r}"
        must_exist(f"{where}.speaker", quote.speaker.type, quote.speaker.id)
        must_be_event(f"{where}.event", quote.event)
        _check_quote(source, where, quote, article_text, pairs, quoted)
    for index, aid in enumerate(annotation.aid):
        where = f"aid[{index}] {aid.id!r}"
        must_exist(f"{where}.donor", EntityType.country, aid.donor)
        must_exist(f"{where}.recipient", EntityType.country, aid.recipient)
        must_be_event(f"{where}.event", aid.event)
    for index, figure in enumerate(annotation.figures):
        must_be_event(f"figures[{index}] {figure.id!r}.event", figure.event)


def _check_spans(source: Source, where: str, spans: Iterable[SpanIn], article_text: str) -> None:
    seen: set[tuple[int, int]] = set()
    for index, span in enumerate(spans):
        here = f"{where}.evidence[{index}]"
        if span.end > len(article_text):
            source.problem(here, f"end {span.end} is past the article's end ({len(article_text)})")
            continue
        actual = article_text[span.start : span.end]
        if actual != span.text:
            source.problem(
                here,
                f"text {span.text!r} does not match article[{span.start}:{span.end}] = {actual!r}",
            )
        if (span.start, span.end) in seen:
            source.problem(here, f"span {span.start}:{span.end} is listed twice")
        seen.add((span.start, span.end))


def _check_own_words(source: Source, where: str, record: BaseModel, article_text: str) -> None:
    """Aliases are the article's own spellings, and `date_text` its own words for a date."""
    for index, alias in enumerate(getattr(record, "aliases", ())):
        if not re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", article_text):
            source.problem(
                f"{where}.aliases[{index}]",
                f"alias {alias!r} does not occur in the article as a whole word or phrase: "
                "aliases are the article's own spellings",
            )
    date_text = getattr(record, "date_text", None)
    if date_text is not None and date_text not in article_text:
        source.problem(
            f"{where}.date_text",
            f"date_text {date_text!r} does not occur in the article: keep its own words",
        )


def quotation_pairs(article_text: str) -> list[tuple[int, int]] | None:
    """Offsets of each pair's opening and closing quotation marks, or None if the marks do not
    pair up (an odd number): then no quotation can be told from narration."""
    marks = [index for index, char in enumerate(article_text) if char in QUOTE_MARKS]
    if len(marks) % 2:
        return None
    return list(zip(marks[::2], marks[1::2], strict=True))


def quotation_words(article_text: str, opening: int, closing: int) -> tuple[int, int]:
    """The span of the words between two paired marks, edge whitespace trimmed."""
    inner = article_text[opening + 1 : closing]
    start = opening + 1 + len(inner) - len(inner.lstrip())
    return start, max(start, closing - (len(inner) - len(inner.rstrip())))


def _check_quote(
    source: Source,
    where: str,
    quote: QuoteIn,
    article_text: str,
    pairs: list[tuple[int, int]] | None,
    quoted: dict[tuple[int, int], str],
) -> None:
    """Every span of a quote is exactly the words inside one pair of quotation marks (edge
    whitespace trimmed), and the quote's text is those words; no pair is quoted twice."""
    if pairs is None:
        marks = sum(article_text.count(mark) for mark in QUOTE_MARKS)
        source.problem(
            where,
            f"the article has an odd number ({marks}) of quotation marks, so they cannot be "
            "paired and no quote can be checked against them",
        )
        return
    for index, span in enumerate(quote.evidence):
        here = f"{where}.evidence[{index}]"
        if span.text != quote.text:
            source.problem(here, f"text {span.text!r} differs from the quote's text {quote.text!r}")
            continue
        crossed = [m for pair in pairs for m in pair if span.start <= m < span.end]
        if crossed:
            source.problem(
                here,
                f"{span.start}:{span.end} contains the quotation mark at {crossed[0]}: "
                "a quote is the words inside one pair of quotation marks",
            )
            continue
        inside = [(o, c) for o, c in pairs if o < span.start and span.end <= c]
        if not inside:
            source.problem(
                here,
                f"{span.start}:{span.end} is not between a pair of quotation marks "
                "(marks pair in order: 1st with 2nd, 3rd with 4th, ...), so it is narration",
            )
            continue
        opening, closing = inside[0]
        words = quotation_words(article_text, opening, closing)
        if (span.start, span.end) != words:
            source.problem(
                here,
                f"{span.start}:{span.end} is not the whole quotation between the quotation "
                f"marks at {opening} and {closing}: that is {words[0]}:{words[1]} "
                f"(edge whitespace trimmed) = {article_text[words[0] : words[1]]!r}",
            )
            continue
        other = quoted.setdefault(words, quote.id)
        if other != quote.id:
            source.problem(here, f"the quotation at {words[0]}:{words[1]} is already {other!r}")


def check_together(sources: Sequence[Source]) -> list[str]:
    """What only shows across files: repeated ids and entities described two different ways."""
    problems: list[str] = []
    owners: dict[tuple[str, str], str] = {}
    for source in sources:
        assert source.file is not None
        records = [("article", source.file.article)] + [
            (collection, record)
            for collection in ("events", "quotes", "aid", "figures")
            for record in getattr(source.file, collection)
        ]
        for collection, record in records:
            key = (collection, record.id)
            if key in owners:
                problems.append(
                    f"{source.origin}: {collection} id {record.id!r} is also in {owners[key]}"
                )
            owners[key] = source.origin
    definitions: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for source in sources:
        assert source.file is not None
        for collection in ENTITY_COLLECTIONS.values():
            for record in getattr(source.file, collection):
                facts = record.model_dump(
                    exclude={"aliases", "evidence", "description", "coordinates_source"}
                )
                key = (collection, record_key(record))
                if key in definitions and definitions[key][1] != facts:
                    other, theirs = definitions[key]
                    problems.append(
                        f"{source.origin}: {collection} {key[1]!r} is {facts}, "
                        f"but {other} has {theirs}"
                    )
                definitions.setdefault(key, (source.origin, facts))
    return problems


# --- building rows ---------------------------------------------------------------------------


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


# --- writing ---------------------------------------------------------------------------------

# Children before parents, so deleting in this order never trips a foreign key.
TABLES_IN_DELETE_ORDER = [
    Evidence,
    EventParticipant,
    EventCountry,
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
        if problems:
            raise SeedError(problems)
        version = data_version_of(sources)
        stored = store_state(conn)
        changed = stored.data_version != version or stored.document_format != DOCUMENT_FORMAT
        if changed:
            _write(conn, build_rows(sources), version)
        counts = store_counts(conn)
    return SeedReport(version, changed, counts)


def store_counts(conn: Connection) -> dict[str, int]:
    """Rows per table, parents first, then the documents rendered from them."""
    tables = [*reversed(TABLES_IN_DELETE_ORDER), RecordDocument]
    names = [table.__table__.name for table in tables]  # type: ignore[attr-defined]
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
