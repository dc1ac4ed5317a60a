"""SQLModel tables and their public shapes: the single source of truth for schema and OpenAPI.

Tables are singular and lower_snake_case. Each resource has a `...Base` (fields shared by the
table and the wire), the table itself, and a `...Public` shape that adds evidence and the
resolved references. Public shapes never recurse: references are small `EntityRef`s.
"""

import datetime as dt
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
)
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

# Controlled vocabularies are StrEnums in Python (so OpenAPI lists them) and plain strings in the
# database (so growing a vocabulary needs no migration); the seed loader enforces them.
VOCAB = String(32)


class EntityType(StrEnum):
    """Things an event participant or a quote's speaker can be."""

    country = "country"
    person = "person"
    organization = "organization"
    place = "place"


class RecordType(StrEnum):
    """Every kind of record the API serves; all but articles carry evidence."""

    country = "country"
    person = "person"
    organization = "organization"
    place = "place"
    event = "event"
    quote = "quote"
    statement = "statement"
    aid = "aid"
    figure = "figure"
    article = "article"


class SpeakerType(StrEnum):
    """Who a statement is attributed to: a country, a person or an organization (the
    publisher, for the article's own narration)."""

    country = "country"
    person = "person"
    organization = "organization"


class StatementMode(StrEnum):
    direct = "direct"
    indirect = "indirect"
    narration = "narration"


class DatePrecision(StrEnum):
    day = "day"
    month = "month"
    year = "year"


class OrganizationKind(StrEnum):
    government_body = "government_body"
    military = "military"
    military_unit = "military_unit"
    armed_group = "armed_group"
    bloc = "bloc"
    university = "university"
    media = "media"
    diplomatic_mission = "diplomatic_mission"
    company = "company"
    other = "other"


class PlaceKind(StrEnum):
    city = "city"
    military_base = "military_base"
    venue = "venue"
    region = "region"
    infrastructure = "infrastructure"


class EventKind(StrEnum):
    coup = "coup"
    deployment = "deployment"
    expulsion = "expulsion"
    agreement_termination = "agreement_termination"
    statement = "statement"
    threat = "threat"
    sanction = "sanction"
    aid_cut = "aid_cut"
    rally = "rally"
    gathering = "gathering"
    meeting = "meeting"
    agreement = "agreement"
    offer = "offer"
    report = "report"
    request_for_comment = "request_for_comment"


class Role(StrEnum):
    instigator = "instigator"
    target = "target"
    location = "location"
    deployer = "deployer"
    host = "host"
    supporter = "supporter"
    speaker = "speaker"
    subject = "subject"
    partner = "partner"
    author = "author"
    publisher = "publisher"
    donor = "donor"
    recipient = "recipient"
    operator = "operator"
    unit = "unit"
    counterparty = "counterparty"
    # Shown, not acting: a flag held up. It gives the event no country (`countries`).
    depicted = "depicted"


class Qualifier(StrEnum):
    exact = "exact"
    more_than = "more_than"
    less_than = "less_than"
    about = "about"
    up_to = "up_to"


class AidKind(StrEnum):
    cut = "cut"
    pledge = "pledge"
    disbursement = "disbursement"
    project_value = "project_value"
    loan = "loan"


class FigureKind(StrEnum):
    troops = "troops"
    project_value = "project_value"
    casualties = "casualties"
    other = "other"


# --- shared wire pieces ----------------------------------------------------------------------


class EvidenceSpan(SQLModel):
    """Characters `start:end` of an article's text; `text` is exactly those characters.
    Offsets count Unicode code points (`offsets=utf16` gives UTF-16 code units instead);
    `prefix` and `suffix` re-anchor the span if offsets ever drift (W3C TextQuoteSelector)."""

    article: str = Field(description="Id of the article the span is in")
    start: int = Field(ge=0, description="Offset of the first character (0-based)")
    end: int = Field(gt=0, description="Offset one past the last character")
    text: str = Field(description="Exactly `article.text[start:end]`")
    prefix: str = Field(description="Up to 32 characters of the text just before the span")
    suffix: str = Field(description="Up to 32 characters of the text just after the span")


class EntityRef(SQLModel):
    """A pointer to a country, person, organization or place."""

    type: EntityType
    id: str = Field(description="Alpha-2 code for a country, the slug otherwise")
    name: str


class Participant(EntityRef):
    role: Role = Field(
        description="How it took part; `depicted`: shown, not taking part (a flag held up), "
        "so it gives the event no country"
    )


class DatedFields(SQLModel):
    """When, as the article gives it: the date as stated (if one is), and the bounds: the
    earliest and latest day it can have happened, from the article's own words."""

    date: str | None = Field(
        default=None,
        max_length=10,
        description="The date as the article states it, ISO 8601 partial date (YYYY, YYYY-MM "
        "or YYYY-MM-DD); null when it states none",
    )
    date_precision: DatePrecision | None = Field(sa_type=VOCAB, default=None)
    date_start: dt.date | None = Field(
        default=None, description="Earliest day it can have happened; null when open"
    )
    date_end: dt.date | None = Field(
        default=None, description="Latest day it can have happened; null when open"
    )
    date_edtf: str | None = Field(
        default=None,
        max_length=32,
        description="The bounds as EDTF (ISO 8601-2 Level 1): `2023-07`, `2023-07/..`, "
        "`../2023-03`; null when unbounded",
    )
    date_relation: dict[str, str] | None = Field(
        default=None,
        sa_type=JSON,
        description='What the article places it relative to: `{"after": id}` or '
        '`{"before": id}` of another event, statement, aid or figure',
    )
    date_text: str | None = Field(default=None, description="The article's own words for the date")
    date_note: str | None = Field(default=None, description="How the bounds were reasoned")


class Enriched(SQLModel):
    """Fields whose values come from outside the article, each with a note saying so."""

    enrichment: dict[str, str] = Field(
        default_factory=dict,
        sa_type=JSON,
        description="Field name to a note, for each field whose value is not from the article "
        "(public knowledge); every other field is what the article says",
    )


FIRST_DAY, LAST_DAY = dt.date(1, 1, 1), dt.date(9999, 12, 31)


class DateSortKeys(SQLModel):
    """The bounds as sort keys and a year (app.query.DATE_SORT), filled from them by the loader: the
    earliest day (or, when only that is known, the latest), with no bound at all sorting last
    ascending (`sort_start_asc`) and descending (`sort_start_desc`); then the latest day, open
    last. Real columns, not expressions, so an index on them serves keyset pages directly."""

    sort_start_asc: dt.date = LAST_DAY
    sort_start_desc: dt.date = FIRST_DAY
    sort_end: dt.date = LAST_DAY
    # The year both bounds fall in (null when open or spanning years): the `year` facet.
    year: int | None = None

    @staticmethod
    def of(start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
        first = start or end
        return {
            "sort_start_asc": first or LAST_DAY,
            "sort_start_desc": first or FIRST_DAY,
            "sort_end": end or LAST_DAY,
            "year": start.year if start and end and start.year == end.year else None,
        }


class Positioned(SQLModel):
    position: int = Field(
        default=0, description="Offset of the record's first mention in its (first) article"
    )


# --- store bookkeeping -----------------------------------------------------------------------


class StoreMeta(SQLModel, table=True):
    """Key/value facts about the store; `data_version` changes exactly when the data does."""

    __tablename__ = "store_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str


# --- articles --------------------------------------------------------------------------------


class ArticleCore(SQLModel):
    id: str = Field(primary_key=True, max_length=100)
    title: str
    publisher: str | None = None
    url: str | None = None
    published: str | None = Field(default=None, max_length=10)
    published_precision: DatePrecision | None = Field(sa_type=VOCAB, default=None)
    language: str = Field(max_length=8, description="BCP 47 language tag")
    sha256: str = Field(max_length=64, description="sha256 of `text` encoded as UTF-8")


class ArticleBase(Enriched, ArticleCore):
    """An article's own fields; `enrichment` marks those not in its text (a title the text
    has no headline for, a publisher it does not name as such)."""


class Article(ArticleBase, table=True):
    text: str = Field(sa_type=Text)
    annotation: dict[str, Any] = Field(
        sa_type=JSON,
        description="The annotation file as loaded: the source the store is built from",
    )
    annotation_sha256: str = Field(max_length=64)


class ArticleSummary(ArticleBase):
    length: int = Field(description="Length of the text in characters")


class ArticlePublic(ArticleSummary):
    text: str = Field(description="The article text, verbatim, as the evidence offsets index it")


# --- entities --------------------------------------------------------------------------------


class CountryCore(SQLModel):
    code: str = Field(
        primary_key=True, min_length=2, max_length=2, description="ISO 3166-1 alpha-2"
    )
    iso3: str = Field(unique=True, min_length=3, max_length=3, description="ISO 3166-1 alpha-3")
    name: str
    aliases: list[str] = Field(
        default_factory=list, sa_type=JSON, description="Other names, as the article spells them"
    )


class CountryBase(Enriched, CountryCore):
    pass


class Country(CountryBase, Positioned, table=True):
    pass


class CountryPublic(CountryBase):
    evidence: list[EvidenceSpan]


class EntityCore(SQLModel):
    id: str = Field(primary_key=True, max_length=100)
    name: str
    aliases: list[str] = Field(
        default_factory=list, sa_type=JSON, description="Other names, as the article spells them"
    )
    description: str | None = None
    country: str | None = Field(
        default=None, foreign_key="country.code", index=True, description="Alpha-2 code"
    )


class PersonBase(Enriched, EntityCore):
    pass


class Person(PersonBase, Positioned, table=True):
    pass


class PersonPublic(PersonBase):
    evidence: list[EvidenceSpan]


class OrganizationCore(EntityCore):
    kind: OrganizationKind = Field(sa_type=VOCAB, index=True)


class OrganizationBase(Enriched, OrganizationCore):
    pass


class Organization(OrganizationBase, Positioned, table=True):
    pass


class OrganizationPublic(OrganizationBase):
    evidence: list[EvidenceSpan]


class PlaceCore(EntityCore):
    kind: PlaceKind = Field(sa_type=VOCAB, index=True)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class PlaceBase(Enriched, PlaceCore):
    pass


class Place(PlaceBase, Positioned, table=True):
    pass


class PlacePublic(PlaceBase):
    evidence: list[EvidenceSpan]


# --- events ----------------------------------------------------------------------------------


class EventCore(SQLModel):
    id: str = Field(primary_key=True, max_length=100)
    article: str = Field(foreign_key="article.id", index=True)
    title: str
    kind: EventKind = Field(sa_type=VOCAB, index=True)
    summary: str


class EventBase(Enriched, DatedFields, EventCore):
    """An event's own fields, then its date (bases listed last come first on the wire)."""


class Event(EventBase, Positioned, DateSortKeys, table=True):
    __table_args__ = (
        Index("ix_event_date", "date_start", "id"),
        Index("ix_event_year", "year"),
        Index("ix_event_by_date_asc", "sort_start_asc", "sort_end", "position", "id"),
        Index("ix_event_by_date_desc", "sort_start_desc", "sort_end", "position", "id"),
    )


class EventParticipant(SQLModel, table=True):
    """Who or what took part in an event, and how."""

    __tablename__ = "event_participant"
    event_id: str = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    entity_type: EntityType = Field(sa_type=VOCAB, primary_key=True)
    entity_id: str = Field(primary_key=True, max_length=100)
    role: Role = Field(sa_type=VOCAB, primary_key=True)
    __table_args__ = (Index("ix_event_participant_entity", "entity_type", "entity_id"),)


class EventCountry(DateSortKeys, table=True):
    """The countries an event concerns: its country participants and their entities' countries.

    Each row repeats its event's sort keys, year, position, bounds and kind, and is indexed by
    country in date order with them: a country's events are read from that index alone, a
    page in order (however many the country has), a count without visiting the events
    (app.query.SortedLink), and its kind and year facets from their own indexes."""

    __tablename__ = "event_country"
    country: str = Field(foreign_key="country.code", primary_key=True)
    event_id: str = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    position: int = 0
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    kind: str = Field(sa_type=VOCAB, default="")
    __table_args__ = (
        Index("ix_event_country_event", "event_id"),
        Index("ix_event_country_by_kind", "country", "kind"),
        Index("ix_event_country_by_year", "country", "year"),
        Index(
            "ix_event_country_by_date_asc",
            "country",
            "sort_start_asc",
            "sort_end",
            "position",
            "event_id",
            "kind",
            "date_start",
            "date_end",
        ),
        Index(
            "ix_event_country_by_date_desc",
            "country",
            "sort_start_desc",
            "sort_end",
            "position",
            "event_id",
            "kind",
            "date_start",
            "date_end",
        ),
    )


class EventPublic(EventBase):
    countries: list[str] = Field(description="Alpha-2 codes of the countries the event concerns")
    participants: list[Participant]
    evidence: list[EvidenceSpan]


# --- quotes and statements -----------------------------------------------------------------------


class QuoteCore(SQLModel):
    id: str = Field(primary_key=True, max_length=100)
    article: str = Field(foreign_key="article.id", index=True)
    text: str = Field(description="The words between the article's quotation marks, verbatim")
    event: str | None = Field(
        default=None,
        foreign_key="event.id",
        index=True,
        description="The first of `events` (kept for clients of version 1)",
    )


class QuoteBase(Enriched, QuoteCore):
    pass


class Quote(QuoteBase, Positioned, table=True):
    speaker_type: EntityType = Field(sa_type=VOCAB)
    speaker_id: str = Field(max_length=100)
    __table_args__ = (Index("ix_quote_speaker", "speaker_type", "speaker_id"),)


class QuoteEvent(SQLModel, table=True):
    """The events a quote concerns, in the annotation's order (the first is the main one)."""

    __tablename__ = "quote_event"
    quote_id: str = Field(foreign_key="quote.id", primary_key=True, ondelete="CASCADE")
    event_id: str = Field(foreign_key="event.id", primary_key=True)
    ordinal: int = 0
    __table_args__ = (Index("ix_quote_event_event", "event_id"),)


class QuotePublic(QuoteBase):
    events: list[str] = Field(description="Ids of the events the quote concerns, main one first")
    speaker: EntityRef
    evidence: list[EvidenceSpan]


class StatementCore(SQLModel):
    id: str = Field(primary_key=True, max_length=100)
    article: str = Field(foreign_key="article.id", index=True)
    text: str = Field(description="The claim's words: a span of the article, verbatim")
    mode: StatementMode = Field(
        sa_type=VOCAB,
        index=True,
        description="`direct`: a quotation (see `quote`); `indirect`: reported speech; "
        "`narration`: the article's own voice (the speaker is its publisher)",
    )
    quote: str | None = Field(
        default=None, foreign_key="quote.id", description="The quote record, for `direct`"
    )


class StatementBase(Enriched, DatedFields, StatementCore):
    """A statement's own fields, then when it was made."""


class Statement(StatementBase, Positioned, DateSortKeys, table=True):
    speaker_type: SpeakerType = Field(sa_type=VOCAB)
    speaker_id: str = Field(max_length=100)
    __table_args__ = (Index("ix_statement_speaker", "speaker_type", "speaker_id"),)


class StatementAbout(SQLModel, table=True):
    """The countries, people, organizations and places a statement concerns."""

    __tablename__ = "statement_about"
    statement_id: str = Field(foreign_key="statement.id", primary_key=True, ondelete="CASCADE")
    entity_type: EntityType = Field(sa_type=VOCAB, primary_key=True)
    entity_id: str = Field(primary_key=True, max_length=100)
    ordinal: int = 0
    __table_args__ = (Index("ix_statement_about_entity", "entity_type", "entity_id"),)


class StatementEvent(SQLModel, table=True):
    """The events a statement concerns (a statement event among them, where there is one)."""

    __tablename__ = "statement_event"
    statement_id: str = Field(foreign_key="statement.id", primary_key=True, ondelete="CASCADE")
    event_id: str = Field(foreign_key="event.id", primary_key=True)
    ordinal: int = 0
    __table_args__ = (Index("ix_statement_event_event", "event_id"),)


class StatementPublic(StatementBase):
    speaker: EntityRef = Field(description="Who makes the claim; the publisher for narration")
    about: list[EntityRef] = Field(description="The records the claim concerns")
    events: list[str] = Field(description="Ids of the events the claim concerns")
    evidence: list[EvidenceSpan]


# --- aid and figures -----------------------------------------------------------------------------


class AidCore(SQLModel):
    id: str = Field(primary_key=True, max_length=100)
    article: str = Field(foreign_key="article.id", index=True)
    donor: str | None = Field(default=None, foreign_key="country.code", index=True)
    recipient: str | None = Field(default=None, foreign_key="country.code", index=True)
    amount: int = Field(ge=0, sa_type=BigInteger, description="Whole units of `currency`")
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217 code")
    qualifier: Qualifier = Field(sa_type=VOCAB)
    kind: AidKind = Field(sa_type=VOCAB, index=True)
    description: str
    event: str | None = Field(default=None, foreign_key="event.id")


class AidBase(Enriched, DatedFields, AidCore):
    pass


class Aid(AidBase, Positioned, DateSortKeys, table=True):
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)


class AidPublic(AidBase):
    evidence: list[EvidenceSpan]


class FigureCore(SQLModel):
    id: str = Field(primary_key=True, max_length=100)
    article: str = Field(foreign_key="article.id", index=True)
    value: int = Field(sa_type=BigInteger)
    unit: str = Field(max_length=32, description="ISO 4217 code for money, else a plural noun")
    qualifier: Qualifier = Field(sa_type=VOCAB)
    kind: FigureKind = Field(sa_type=VOCAB, index=True)
    country: str | None = Field(
        default=None,
        foreign_key="country.code",
        index=True,
        description="Alpha-2 code of the country the figure counts in; null when the article "
        "gives none (or several)",
    )
    place: str | None = Field(
        default=None,
        foreign_key="place.id",
        index=True,
        description="Id of the place the figure counts in, when the article gives one",
    )
    description: str
    event: str | None = Field(default=None, foreign_key="event.id")


class FigureBase(Enriched, DatedFields, FigureCore):
    pass


class Figure(FigureBase, Positioned, DateSortKeys, table=True):
    pass


class FigurePublic(FigureBase):
    evidence: list[EvidenceSpan]


class RecordAlias(SQLModel, table=True):
    """An id a record had before a correction renamed it: requests for it are redirected."""

    __tablename__ = "record_alias"
    type: RecordType = Field(sa_type=VOCAB, primary_key=True)
    old_id: str = Field(primary_key=True, max_length=100)
    id: str = Field(max_length=100)


# --- evidence and search -----------------------------------------------------------------------


class Evidence(SQLModel, table=True):
    """A span of an article that supports one record (`subject_type`, `subject_id`)."""

    id: int | None = Field(default=None, primary_key=True)
    article: str = Field(foreign_key="article.id", index=True)
    subject_type: RecordType = Field(sa_type=VOCAB)
    subject_id: str = Field(max_length=100)
    start: int
    end: int
    text: str = Field(sa_type=Text)
    __table_args__ = (
        Index("ix_evidence_subject", "subject_type", "subject_id", "start"),
        CheckConstraint('start >= 0 AND "end" > start', name="span_order"),
        UniqueConstraint("subject_type", "subject_id", "article", "start", "end"),
    )


class SearchDocument(SQLModel, table=True):
    """One row per searchable record; SQLite indexes it with FTS5, PostgreSQL with a GIN index."""

    __tablename__ = "search_document"
    doc_id: int | None = Field(default=None, primary_key=True)
    type: RecordType = Field(sa_type=VOCAB)
    id: str = Field(max_length=100)
    label: str
    names: str = Field(
        default="", sa_type=Text, description="The record's own names and aliases, a line each"
    )
    body: str = Field(sa_type=Text, description="Names, aliases and words the record is found by")
    __table_args__ = (UniqueConstraint("type", "id"),)


class RecordDocument(SQLModel, table=True):
    """Each record's public JSON, rendered from the tables above when the store is seeded.

    Serving a page concatenates its records' documents: no query per relation, no model
    objects, no serialisation per request."""

    __tablename__ = "record_document"
    type: RecordType = Field(sa_type=VOCAB, primary_key=True)
    id: str = Field(primary_key=True, max_length=100)
    body: str = Field(sa_type=Text, description="The record as the API serves it, JSON")
    csv: str = Field(
        default="", sa_type=Text, description="The record as a CSV row of all its fields"
    )


# --- envelopes ---------------------------------------------------------------------------------

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list. Follow `next_cursor` (or the `Link: rel="next"` header) for more."""

    data: list[T]
    total: int | None = PydanticField(
        description="Number of records matching the filters, all pages; null when counting "
        "them would take longer than the count budget (ask `count=exact` to wait for it)"
    )
    total_at_least: int | None = PydanticField(
        None,
        description="Only when `total` is null: a lower bound of it, what counting found "
        "within the budget (up to 1,000; at least this page, and one more if there is a next)",
    )
    next_cursor: str | None = PydanticField(
        description="Pass as `cursor` for the next page; null on the last page"
    )


class FacetValue(BaseModel):
    """One value of a facet (`facet=kind`) and how many records have it."""

    value: str | int | None = PydanticField(description="The value; null: records with none")
    label: str | None = PydanticField(description="The value's name, where it has one")
    count: int


class Total(BaseModel):
    """Amounts of one kind in one currency (or unit) added up, as a range the qualifiers
    allow."""

    kind: str
    count: int = PydanticField(description="How many amounts")
    total_min: int = PydanticField(description="The least the amounts can add up to")
    total_max: int | None = PydanticField(
        description="The most they can add up to; null when unbounded (a `more_than` amount)"
    )
    exact: bool = PydanticField(description="Every amount is exact, so the total is too")
    total_stated: int = PydanticField(description="The amounts as the article states them, added")


class AidTotal(Total):
    currency: str


class FigureTotal(Total):
    """Figures of one kind and unit that count in one place, added up: figures counting
    different countries or places are never added together."""

    unit: str
    country: str | None = PydanticField(description="Where they count (alpha-2); null: not given")
    place: str | None = PydanticField(description="Id of the place they count in; null: not given")


class AidGroupTotals(BaseModel):
    value: str | int | None = PydanticField(description="The group's value; null: none")
    label: str | None
    count: int
    totals: list[AidTotal]


class FigureGroupTotals(BaseModel):
    value: str | int | None
    label: str | None
    count: int
    totals: list[FigureTotal]


class AidSummary(BaseModel):
    group_by: str
    groups: list[AidGroupTotals]


class FigureSummary(BaseModel):
    group_by: str
    groups: list[FigureGroupTotals]


def table_of(model: type[SQLModel]) -> Table:
    """The table of a `table=True` model, typed (SQLModel leaves `__table__` undeclared)."""
    table: Table = inspect(model).local_table
    return table


def page_of(model: type[BaseModel]) -> Any:
    """`Page[model]` for a model chosen at run time (a router built for several shapes)."""
    return Page[model]  # type: ignore[valid-type]


class SearchHit(SQLModel):
    type: RecordType
    id: str
    label: str
    snippet: str = Field(description="Matching text with the matches wrapped in <mark>...</mark>")
    rank: float = Field(description="Relevance, higher is better; comparable within one response")


class SearchPage(Page[SearchHit]):
    fuzzy: bool = PydanticField(
        description="No record has the words: these are the names nearest them (typos allowed)"
    )


class Suggestion(BaseModel):
    type: RecordType
    id: str
    label: str = PydanticField(description="The record's name (or title)")
    hint: str | None = PydanticField(description="What tells it from others of the same name")
    fuzzy: bool = PydanticField(description="Found within an edit distance, not by prefix")


class Suggestions(BaseModel):
    data: list[Suggestion]


class RecordLabel(BaseModel):
    type: RecordType
    id: str
    label: str | None = PydanticField(description="The record's name, title or words")


class Mention(RecordLabel):
    """One evidence span of one record."""

    start: int
    end: int
    text: str


class Segment(BaseModel):
    """A stretch of the text and the records whose evidence covers all of it."""

    start: int
    end: int
    text: str
    records: list[RecordLabel]


class Mentions(BaseModel):
    article: str
    length: int = PydanticField(description="Length of the text, in the offsets asked for")
    data: list[Mention] = PydanticField(description="Every evidence span, by `start`")
    segments: list[Segment] | None = PydanticField(
        description="With `segments=true`: the whole text cut where any span starts or ends, "
        "in order (their texts join to the article's text)"
    )
