"""/v1/events: what happened, when (as precisely as the article says), and who took part."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from app.api import quotes as quotes_api
from app.api.common import (
    ITEM_RESPONSES,
    LIST_RESPONSES,
    PARTIAL_DATE,
    TEXT,
    ItemParams,
    PageParams,
    Q,
    Slug,
    country_code,
    country_filter,
    country_query,
    date_filter,
    entity_condition,
    exists_parent,
    item_params,
    item_response,
    list_response,
    page_params,
    sort_query,
)
from app.models import EventCountry, EventKind, EventParticipant, EventPublic, Page, QuotePublic
from app.query import DATE_KEY, Condition, Filters, Listing, Member, SortKey, matching_ids
from app.records import KINDS

KIND = KINDS["event"]
TABLE = KIND.table
COUNTRIES = EventCountry.__table__  # type: ignore[attr-defined]
PARTICIPANTS = EventParticipant.__table__  # type: ignore[attr-defined]


def _where(conn: Any, f: Filters) -> list[Condition]:
    out: list[Condition] = []
    # Members, not joins: the query helper drives a page from them when few events match, and
    # walks the date index probing them when many do (a country with 70,000 events).
    if f.get("country"):
        code = country_code(conn, f["country"])
        out.append(Member(select(COUNTRIES.c.event_id).where(COUNTRIES.c.country == code)))
    if f.get("kind"):
        out.append(TABLE.c.kind == f["kind"])
    if f.get("participant"):
        condition = entity_condition(
            conn, PARTICIPANTS.c.entity_type, PARTICIPANTS.c.entity_id, f["participant"]
        )
        out.append(Member(select(PARTICIPANTS.c.event_id).where(condition)))
    # A date known to the month covers the whole month: it matches any range overlapping it.
    if f.get("from"):
        out.append(TABLE.c.date_end >= f["from"])
    if f.get("to"):
        out.append(TABLE.c.date_start <= f["to"])
    if f.get("q"):
        out.append(TABLE.c.id.in_(matching_ids(conn, "event", f["q"])))
    return out


LISTING = Listing(
    "events",
    TABLE,
    "id",
    {"date": [DATE_KEY], "title": [SortKey("title")], "id": []},
    _where,
    "date",
    document="event",
)
SORT = sort_query(LISTING)
router = APIRouter(prefix="/v1/events", tags=["events"])
PAGE = page_params(KIND)
ITEM = item_params(KIND)


async def scoped_event_filters(
    kind: Annotated[EventKind | None, Query(description="Kind of event")] = None,
    participant: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=TEXT,
            description="Id of a person, organization or place, or a country code, that took part",
            examples=["abdourahamane-tiani"],
        ),
    ] = None,
    from_: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=PARTIAL_DATE,
            description="Events on or after this partial date (YYYY, YYYY-MM or YYYY-MM-DD); "
            "an event known only to the month matches if its month overlaps the range",
            examples=["2023-07"],
        ),
    ] = None,
    to: Annotated[
        str | None,
        Query(
            pattern=PARTIAL_DATE,
            description="Events on or before this partial date",
            examples=["2023"],
        ),
    ] = None,
    q: Q = None,
) -> dict[str, Any]:
    """The filters of /v1/countries/{code}/events: those of /v1/events but `country`."""
    # A range that ends before it starts matches nothing; it is not an error.
    start, end = date_filter("from", from_), date_filter("to", to)
    return {
        "kind": kind,
        "participant": participant,
        "from": start.start if start else None,
        "to": end.end if end else None,
        "q": q,
    }


async def event_filters(
    country: Annotated[
        str | None,
        country_query("Alpha-2 or alpha-3 code: events concerning this country"),
    ] = None,
    scoped: dict[str, Any] = Depends(scoped_event_filters),
) -> dict[str, Any]:
    """The filters of /v1/events."""
    return scoped | {"country": country_filter("country", country)}


EventFilters = Annotated[dict[str, Any], Depends(event_filters)]
ScopedEventFilters = Annotated[dict[str, Any], Depends(scoped_event_filters)]


@router.get("", response_model=Page[EventPublic], responses=LIST_RESPONSES, summary="List events")
def list_events(
    request: Request,
    filters: EventFilters,
    page: PageParams = PAGE,
    sort: str = SORT,
) -> Response:
    """Events, oldest first by default (undated events come last), filtered and paged."""
    return list_response(request, KIND, LISTING, filters, sort, page)


@router.get("/{id}", response_model=EventPublic, responses=ITEM_RESPONSES, summary="Get an event")
def get_event(id: Slug, params: ItemParams = ITEM) -> Response:
    """One event with its participants, the countries it concerns, and its evidence."""
    return item_response(KIND, id, params)


@router.get(
    "/{id}/quotes",
    response_model=Page[QuotePublic],
    responses=ITEM_RESPONSES,
    summary="Quotes about an event",
    tags=["quotes"],
)
def list_event_quotes(
    request: Request,
    id: Slug,
    page: PageParams = quotes_api.PAGE,
    sort: str = quotes_api.SORT,
) -> Response:
    """The direct quotations the article ties to this event."""
    return list_response(
        request,
        quotes_api.KIND,
        quotes_api.LISTING,
        {"event": id},
        sort,
        page,
        parent=exists_parent(KIND, id),
    )
