"""The annotation file format (version 2): one pydantic model per record, strict about what it
takes. Version 1 files are read too: `upgrade_v1` turns one into version 2 before it is
validated, so there is one set of models and one set of checks."""

import copy
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.dates import parse_partial_date
from app.models import (
    AidKind,
    DatePrecision,
    EntityType,
    EventKind,
    FigureKind,
    OrganizationKind,
    PlaceKind,
    Qualifier,
    RecordType,
    Role,
    SpeakerType,
    StatementMode,
)

FORMAT_VERSION = 2
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
# Field name -> why its value is not from the article ("public knowledge", ...).
Enrichment = dict[Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")], NonEmpty]


class EnrichedIn(_Record):
    """Enrichment marks: the fields whose values are not the article's words, and why."""

    enrichment: Enrichment = {}

    @model_validator(mode="after")
    def _enriched_fields_exist(self) -> "EnrichedIn":
        fields = set(type(self).model_fields) - {"enrichment", "formerly"}
        unknown = sorted(set(self.enrichment) - fields)
        if unknown:
            raise ValueError(f"enrichment names fields this record does not have: {unknown}")
        return self


class RecordIn(EnrichedIn):
    """What every record has: evidence, enrichment marks, and ids it had before a correction."""

    formerly: list[Slug] = []


class DateRelationIn(_Record):
    after: NonEmpty | None = None
    before: NonEmpty | None = None

    @model_validator(mode="after")
    def _one(self) -> "DateRelationIn":
        if (self.after is None) == (self.before is None):
            raise ValueError('give exactly one of "after" and "before"')
        return self

    @property
    def direction(self) -> Literal["after", "before"]:
        return "after" if self.after is not None else "before"

    @property
    def target(self) -> str:
        return self.after or self.before or ""


class DatedIn(RecordIn):
    """When: the date as the article states it, or bounds from its words (explicit, or
    relative to another dated record), with a note on how they were reasoned."""

    id: Slug
    date: str | None = None
    date_precision: DatePrecision | None = None
    date_start: str | None = None
    date_end: str | None = None
    date_relation: DateRelationIn | None = None
    date_text: Words | None = None
    date_note: str | None = None

    @model_validator(mode="after")
    def _date_matches_precision(self) -> "DatedIn":
        if self.date is not None and not self.date_text:
            raise ValueError(f"date {self.date!r} needs date_text: the article's own words for it")
        for name in ("date_start", "date_end"):
            value = getattr(self, name)
            if value is not None:
                parse_partial_date(value)
                if self.date is not None:
                    raise ValueError(
                        f"{name} is implied by date {self.date!r}: give one or the other"
                    )
        reasoned = self.date_relation or self.date_start or self.date_end
        if reasoned and not self.date_note:
            raise ValueError("bounds from a relation or given explicitly need a date_note")
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


class ArticleIn(EnrichedIn):
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


class CountryIn(RecordIn):
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


class PersonIn(RecordIn):
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

    @model_validator(mode="after")
    def _both_or_neither(self) -> "PlaceIn":
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must both be given or both be null")
        if self.lat is not None and not {"lat", "lon"} <= set(self.enrichment):
            raise ValueError("lat and lon are never in an article: mark them in enrichment")
        return self


class RefIn(_Record):
    type: EntityType
    id: NonEmpty


class SpeakerIn(_Record):
    type: SpeakerType
    id: NonEmpty


class ParticipantIn(RefIn):
    role: Role


class EventIn(DatedIn):
    title: NonEmpty
    kind: EventKind
    summary: NonEmpty
    participants: list[ParticipantIn] = []
    evidence: Evidence_


class QuoteIn(RecordIn):
    id: Slug
    text: NonEmpty
    speaker: RefIn
    events: list[NonEmpty] = []
    evidence: Evidence_


class StatementIn(DatedIn):
    text: NonEmpty
    mode: StatementMode
    speaker: SpeakerIn
    quote: str | None = None
    about: list[RefIn] = []
    events: list[NonEmpty] = []
    evidence: Evidence_

    @model_validator(mode="after")
    def _quote_for_direct_only(self) -> "StatementIn":
        if (self.mode is StatementMode.direct) != (self.quote is not None):
            raise ValueError("a direct statement names its quote; other modes have none")
        if self.text != self.evidence[0].text:
            raise ValueError("text must be the words of the first evidence span")
        return self


class AidIn(DatedIn):
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
    value: int = Field(ge=0, strict=True)  # a count or an amount: "no troops" is 0, never less
    unit: NonEmpty
    qualifier: Qualifier
    kind: FigureKind
    country: Alpha2 | None = None  # where it counts, when the article says
    place: Slug | None = None
    description: NonEmpty
    event: str | None = None
    evidence: Evidence_


class AnnotationFile(_Record):
    format: Literal[2]
    article: ArticleIn
    countries: list[CountryIn] = []
    people: list[PersonIn] = []
    organizations: list[OrganizationIn] = []
    places: list[PlaceIn] = []
    events: list[EventIn] = []
    quotes: list[QuoteIn] = []
    statements: list[StatementIn] = []
    aid: list[AidIn] = []
    figures: list[FigureIn] = []


COLLECTIONS: dict[str, RecordType] = {
    "countries": RecordType.country,
    "people": RecordType.person,
    "organizations": RecordType.organization,
    "places": RecordType.place,
    "events": RecordType.event,
    "quotes": RecordType.quote,
    "statements": RecordType.statement,
    "aid": RecordType.aid,
    "figures": RecordType.figure,
}
ENTITY_COLLECTIONS = {
    EntityType.country: "countries",
    EntityType.person: "people",
    EntityType.organization: "organizations",
    EntityType.place: "places",
}
# Records with bounds, whose ids a date_relation may name (unique across every article).
DATED_COLLECTIONS = ("events", "statements", "aid", "figures")
V1_ENRICHMENT = "public knowledge"


def record_key(record: BaseModel) -> str:
    return str(getattr(record, "code", None) or getattr(record, "id", ""))


def upgrade_v1(raw: Any) -> Any:
    """A version 1 annotation as version 2 (anything else is returned as it is): a quote's
    `event` becomes `events`, and a place's `coordinates_source` its coordinates' enrichment
    marks. Version 1 had no statements, relations or explicit bounds."""
    if not isinstance(raw, dict) or raw.get("format") != 1:
        return raw
    upgraded = copy.deepcopy(raw)
    upgraded["format"] = 2
    for quote in upgraded.get("quotes") or []:
        if isinstance(quote, dict) and "event" in quote:
            event = quote.pop("event")
            quote["events"] = [event] if event else []
    for place in upgraded.get("places") or []:
        if not isinstance(place, dict):
            continue
        note = place.pop("coordinates_source", None) or V1_ENRICHMENT
        if place.get("lat") is not None or place.get("lon") is not None:
            place["enrichment"] = {"lat": note, "lon": note}
    return upgraded
