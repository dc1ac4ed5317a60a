"""/v1/events: what happened, when (as precisely as the article says), and who took part."""

import dataclasses
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection, select

from app import facets
from app.api import quotes, statements
from app.api.choices import (
    CODES,
    MAX_IDS,
    Choice,
    choice,
    choice_query,
    countries,
    enum_query,
    refs_through,
)
from app.api.lists import Resource, annotations_route
from app.api.params import (
    ItemParams,
    ListOptions,
    PageParams,
    Q,
    Slug,
    item_params,
    list_options,
    page_params,
    sort_query,
)
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, SUB_LIST_RESPONSES
from app.api.when import ANY_TIME, DateRange, date_range
from app.context import Ctx
from app.fulltext import matching_ids
from app.models import (
    EventCountry,
    EventKind,
    EventParticipant,
    table_of,
)
from app.query import DATE_SORT, Condition, Listing, Member, SortedLink, SortKey
from app.records import KINDS

KIND = KINDS["event"]
TABLE = KIND.table
COUNTRIES = table_of(EventCountry)
PARTICIPANTS = table_of(EventParticipant)


@dataclass(frozen=True)
class EventFilters:
    id: Choice | None = None
    country: Choice | None = None
    kind: Choice | None = None
    participant: Choice | None = None
    article: Choice | None = None
    dates: DateRange = ANY_TIME
    q: str | None = None


# event_country repeats its event's sort keys, year, bounds and kind (app.models.EventCountry).
BY_COUNTRY = {"date": DATE_SORT}
LINKED = {
    name: name
    for name in (
        "sort_start_asc",
        "sort_start_desc",
        "sort_end",
        "year",
        "position",
        "kind",
        "date_start",
        "date_end",
    )
} | {"id": "event_id"}


def _where(conn: Connection, f: EventFilters) -> list[Condition]:
    out: list[Condition] = []
    key = TABLE.c.id
    if f.id:
        out += f.id.on(key)
    # Through the link tables: the query helper drives a page from their matches when few
    # events match, and walks the date index probing them when many do.
    if f.country:
        codes = countries(conn, f.country)
        if len(codes.include) == 1 and not codes.exclude:  # one country: read its own index
            (code,) = codes.include
            concerned = COUNTRIES.c.country == code
            ids = select(COUNTRIES.c.event_id).where(concerned)
            link = SortedLink(COUNTRIES, concerned, BY_COUNTRY, LINKED, frozenset({"kind"}))
            out.append(Member(ids, link))
        else:
            out += codes.through(
                key,
                lambda values: select(COUNTRIES.c.event_id).where(COUNTRIES.c.country.in_(values)),
            )
    if f.kind:
        out += f.kind.on(TABLE.c.kind)
    if f.participant:
        p = PARTICIPANTS
        out += refs_through(
            conn, key, p, p.c.event_id, p.c.entity_type, p.c.entity_id, f.participant
        )
    if f.article:
        out += f.article.on(TABLE.c.article)
    out.extend(f.dates.conditions(TABLE))
    if f.q:
        out.append(key.in_(matching_ids(conn, "event", f.q)))
    return out


FACETS = {
    facet.name: facet
    for facet in (
        facets.column("kind", own_filter="kind"),
        facets.link(
            "country", COUNTRIES, "event_id", ["country"], facets.countries, own_filter="country"
        ),
        facets.link(
            "participant",
            PARTICIPANTS,
            "event_id",
            ["entity_type", "entity_id"],
            facets.names,
            own_filter="participant",
        ),
        facets.link("participant_type", PARTICIPANTS, "event_id", ["entity_type"]),
        facets.link("role", PARTICIPANTS, "event_id", ["role"]),
        facets.year(),
        facets.column("date_precision"),
        facets.column("article", facets.articles, own_filter="article"),
    )
}
EVENTS = Resource(
    KIND,
    Listing(
        "events",
        TABLE,
        "id",
        {
            "date": DATE_SORT,
            "title": [SortKey("title")],
            "position": [SortKey("position")],
            "id": [],
        },
        _where,
        "date",
        document="event",
        facets=FACETS,
    ),
)
SORT = sort_query(EVENTS.listing)
PAGE = page_params(KIND)
ITEM = item_params(KIND)
OPTIONS = list_options(EVENTS.listing)
router = APIRouter(prefix="/v1/events", tags=["events"])


async def scoped_event_filters(
    kind: Annotated[str | None, enum_query(EventKind, "Kind of event", "coup")] = None,
    participant: Annotated[
        str | None,
        choice_query(
            "Id of a person, organization or place, or a country code, that took part",
            example="abdourahamane-tiani",
        ),
    ] = None,
    article: Annotated[str | None, choice_query("Id of the article that tells it")] = None,
    dates: DateRange = Depends(date_range),
    q: Q = None,
) -> EventFilters:
    """The filters of /v1/countries/{code}/events: those of /v1/events but `country` and `id`."""
    return EventFilters(
        kind=choice("kind", kind),
        participant=choice("participant", participant),
        article=choice("article", article),
        dates=dates,
        q=q,
    )


async def event_filters(
    id: Annotated[
        str | None, choice_query(f"Ids of the events to fetch (at most {MAX_IDS})")
    ] = None,
    country: Annotated[
        str | None,
        choice_query("Alpha-2 or alpha-3 code: events concerning this country", CODES, "NE"),
    ] = None,
    scoped: EventFilters = Depends(scoped_event_filters),
) -> EventFilters:
    """The filters of /v1/events."""
    return dataclasses.replace(
        scoped, id=choice("id", id, MAX_IDS), country=choice("country", country)
    )


EventFiltersDep = Annotated[EventFilters, Depends(event_filters)]
ScopedEventFilters = Annotated[EventFilters, Depends(scoped_event_filters)]


@router.get("", response_model=EVENTS.page_model, responses=LIST_RESPONSES, summary="List events")
def list_events(
    ctx: Ctx,
    request: Request,
    filters: EventFiltersDep,
    page: PageParams = PAGE,
    sort: str = SORT,
    options: ListOptions = OPTIONS,
) -> Response:
    """Events, earliest first by default (those the article does not place in time come last),
    filtered, faceted and paged."""
    return EVENTS.page(ctx, request, filters, sort, page, options=options)


@router.get(
    "/{id}", response_model=EVENTS.item_model, responses=ITEM_RESPONSES, summary="Get an event"
)
def get_event(ctx: Ctx, request: Request, id: Slug, params: ItemParams = ITEM) -> Response:
    """One event with its participants, the countries it concerns, and its evidence."""
    return EVENTS.item(ctx, request, id, params)


@router.get(
    "/{id}/quotes",
    response_model=quotes.QUOTES.page_model,
    responses=SUB_LIST_RESPONSES,
    summary="Quotes about an event",
    tags=["quotes"],
)
def list_event_quotes(
    ctx: Ctx,
    request: Request,
    id: Slug,
    page: PageParams = quotes.PAGE,
    sort: str = quotes.SORT,
) -> Response:
    """The direct quotations that concern this event."""
    filters = quotes.QuoteFilters(event=Choice((id,)))
    return quotes.QUOTES.page(ctx, request, filters, sort, page, within=(EVENTS, id))


@router.get(
    "/{id}/statements",
    response_model=statements.STATEMENTS.page_model,
    responses=SUB_LIST_RESPONSES,
    summary="Statements about an event",
    tags=["statements"],
)
def list_event_statements(
    ctx: Ctx,
    request: Request,
    id: Slug,
    page: PageParams = statements.PAGE,
    sort: str = statements.SORT,
) -> Response:
    """The claims that concern this event: for an event of kind `statement`, the claims
    made in it."""
    filters = statements.StatementFilters(event=Choice((id,)))
    return statements.STATEMENTS.page(ctx, request, filters, sort, page, within=(EVENTS, id))


annotations_route(router, EVENTS)
