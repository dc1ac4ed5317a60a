"""/v1/events: what happened, when (as precisely as the article says), and who took part."""

import dataclasses
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, select

from app.api import quotes, statements
from app.api.filters import country_code, entity_condition
from app.api.lists import Resource, annotations_route
from app.api.params import (
    ItemParams,
    PageParams,
    Q,
    Slug,
    country_query,
    id_query,
    item_params,
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
    EventPublic,
    Page,
    QuotePublic,
    StatementPublic,
)
from app.query import DATE_SORT, Condition, Listing, Member, SortKey
from app.records import KINDS

KIND = KINDS["event"]
TABLE = KIND.table
COUNTRIES = EventCountry.__table__  # type: ignore[attr-defined]
PARTICIPANTS = EventParticipant.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class EventFilters:
    country: str | None = None
    kind: EventKind | None = None
    participant: str | None = None
    dates: DateRange = ANY_TIME
    q: str | None = None


def _where(conn: Connection, f: EventFilters) -> list[Condition]:
    out: list[Condition] = []
    # Members, not joins: the query helper drives a page from them when few events match, and
    # walks the date index probing them when many do (a country with 70,000 events).
    if f.country:
        code = country_code(conn, f.country)
        out.append(Member(select(COUNTRIES.c.event_id).where(COUNTRIES.c.country == code)))
    if f.kind:
        out.append(TABLE.c.kind == f.kind)
    if f.participant:
        condition = entity_condition(
            conn, PARTICIPANTS.c.entity_type, PARTICIPANTS.c.entity_id, f.participant
        )
        out.append(Member(select(PARTICIPANTS.c.event_id).where(condition)))
    out.extend(f.dates.conditions(TABLE))
    if f.q:
        out.append(TABLE.c.id.in_(matching_ids(conn, "event", f.q)))
    return out


EVENTS = Resource(
    KIND,
    Listing(
        "events",
        TABLE,
        "id",
        {"date": DATE_SORT, "title": [SortKey("title")], "id": []},
        _where,
        "date",
        document="event",
    ),
)
SORT = sort_query(EVENTS.listing)
PAGE = page_params(KIND)
ITEM = item_params(KIND)
router = APIRouter(prefix="/v1/events", tags=["events"])


async def scoped_event_filters(
    kind: Annotated[EventKind | None, Query(description="Kind of event")] = None,
    participant: Annotated[
        str | None,
        id_query(
            "Id of a person, organization or place, or a country code, that took part",
            "abdourahamane-tiani",
        ),
    ] = None,
    dates: DateRange = Depends(date_range),
    q: Q = None,
) -> EventFilters:
    """The filters of /v1/countries/{code}/events: those of /v1/events but `country`."""
    return EventFilters(kind=kind, participant=participant, dates=dates, q=q)


async def event_filters(
    country: Annotated[
        str | None,
        country_query("Alpha-2 or alpha-3 code: events concerning this country"),
    ] = None,
    scoped: EventFilters = Depends(scoped_event_filters),
) -> EventFilters:
    """The filters of /v1/events."""
    return dataclasses.replace(scoped, country=country)


EventFiltersDep = Annotated[EventFilters, Depends(event_filters)]
ScopedEventFilters = Annotated[EventFilters, Depends(scoped_event_filters)]


@router.get("", response_model=Page[EventPublic], responses=LIST_RESPONSES, summary="List events")
def list_events(
    ctx: Ctx, request: Request, filters: EventFiltersDep, page: PageParams = PAGE, sort: str = SORT
) -> Response:
    """Events, oldest first by default (undated events come last), filtered and paged."""
    return EVENTS.page(ctx, request, filters, sort, page)


@router.get("/{id}", response_model=EventPublic, responses=ITEM_RESPONSES, summary="Get an event")
def get_event(ctx: Ctx, request: Request, id: Slug, params: ItemParams = ITEM) -> Response:
    """One event with its participants, the countries it concerns, and its evidence."""
    return EVENTS.item(ctx, request, id, params)


@router.get(
    "/{id}/quotes",
    response_model=Page[QuotePublic],
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
    filters = quotes.QuoteFilters(event=id)
    return quotes.QUOTES.page(ctx, request, filters, sort, page, within=(EVENTS, id))


@router.get(
    "/{id}/statements",
    response_model=Page[StatementPublic],
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
    filters = statements.StatementFilters(event=id)
    return statements.STATEMENTS.page(ctx, request, filters, sort, page, within=(EVENTS, id))


annotations_route(router, EVENTS)
