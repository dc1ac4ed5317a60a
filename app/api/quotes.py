"""/v1/quotes: direct quotations, verbatim, with who said them."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection, select

from app.api.filters import entity_condition
from app.api.lists import Resource, annotations_route
from app.api.params import (
    ItemParams,
    PageParams,
    Q,
    Slug,
    id_query,
    item_params,
    page_params,
    sort_query,
)
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES
from app.context import Ctx
from app.fulltext import matching_ids
from app.models import Page, QuoteEvent, QuotePublic
from app.query import Condition, Listing, Member, SortKey
from app.records import KINDS

KIND = KINDS["quote"]
TABLE = KIND.table
EVENTS = QuoteEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class QuoteFilters:
    speaker: str | None = None
    event: str | None = None
    q: str | None = None


def _where(conn: Connection, f: QuoteFilters) -> list[Condition]:
    out: list[Condition] = []
    if f.speaker:
        out.append(entity_condition(conn, TABLE.c.speaker_type, TABLE.c.speaker_id, f.speaker))
    if f.event:
        out.append(Member(select(EVENTS.c.quote_id).where(EVENTS.c.event_id == f.event)))
    if f.q:
        out.append(TABLE.c.id.in_(matching_ids(conn, "quote", f.q)))
    return out


QUOTES = Resource(
    KIND,
    Listing("quotes", TABLE, "id", {"id": [], "text": [SortKey("text")]}, _where, "id", "quote"),
)
SORT = sort_query(QUOTES.listing)
PAGE = page_params(KIND)
ITEM = item_params(KIND)
router = APIRouter(prefix="/v1/quotes", tags=["quotes"])

Event = Annotated[str | None, id_query("Id of an event the quote concerns")]


async def scoped_quote_filters(event: Event = None, q: Q = None) -> QuoteFilters:
    """The filters of /v1/people/{id}/quotes: those of /v1/quotes but `speaker`."""
    return QuoteFilters(event=event, q=q)


async def quote_filters(
    speaker: Annotated[
        str | None,
        id_query(
            "Id of the person or organization, or code of the country, quoted", "olayinka-ajala"
        ),
    ] = None,
    event: Event = None,
    q: Q = None,
) -> QuoteFilters:
    """The filters of /v1/quotes."""
    return QuoteFilters(speaker=speaker, event=event, q=q)


QuoteFiltersDep = Annotated[QuoteFilters, Depends(quote_filters)]
ScopedQuoteFilters = Annotated[QuoteFilters, Depends(scoped_quote_filters)]


@router.get("", response_model=Page[QuotePublic], responses=LIST_RESPONSES, summary="List quotes")
def list_quotes(
    ctx: Ctx, request: Request, filters: QuoteFiltersDep, page: PageParams = PAGE, sort: str = SORT
) -> Response:
    """Direct quotations only: the words between the article's quotation marks."""
    return QUOTES.page(ctx, request, filters, sort, page)


@router.get("/{id}", response_model=QuotePublic, responses=ITEM_RESPONSES, summary="Get a quote")
def get_quote(ctx: Ctx, request: Request, id: Slug, params: ItemParams = ITEM) -> Response:
    """One quotation with its speaker, the events it concerns, and where it stands in the
    text."""
    return QUOTES.item(ctx, request, id, params)


annotations_route(router, QUOTES)
