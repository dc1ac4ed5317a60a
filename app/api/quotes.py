"""/v1/quotes: direct quotations, verbatim, with who said them."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.api.common import (
    ITEM_RESPONSES,
    LIST_RESPONSES,
    TEXT,
    ItemParams,
    PageParams,
    Q,
    Slug,
    entity_condition,
    item_params,
    item_response,
    list_response,
    page_params,
    sort_query,
)
from app.models import Page, QuotePublic
from app.query import Filters, Listing, SortKey, matching_ids
from app.records import KINDS

KIND = KINDS["quote"]
TABLE = KIND.table


def _where(conn: Any, f: Filters) -> list[Any]:
    out = []
    if f.get("speaker"):
        out.append(entity_condition(conn, TABLE.c.speaker_type, TABLE.c.speaker_id, f["speaker"]))
    if f.get("event"):
        out.append(TABLE.c.event == f["event"])
    if f.get("q"):
        out.append(TABLE.c.id.in_(matching_ids(conn, "quote", f["q"])))
    return out


LISTING = Listing(
    "quotes", TABLE, "id", {"id": [], "text": [SortKey("text")]}, _where, "id", "quote"
)
SORT = sort_query(LISTING)
router = APIRouter(prefix="/v1/quotes", tags=["quotes"])
PAGE = page_params(KIND)
ITEM = item_params(KIND)


async def scoped_quote_filters(
    event: Annotated[
        str | None,
        Query(max_length=100, pattern=TEXT, description="Id of the event the quote is about"),
    ] = None,
    q: Q = None,
) -> dict[str, Any]:
    """The filters of /v1/people/{id}/quotes: those of /v1/quotes but `speaker`."""
    return {"event": event, "q": q}


async def quote_filters(
    speaker: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=TEXT,
            description="Id of the person or organization, or code of the country, quoted",
            examples=["olayinka-ajala"],
        ),
    ] = None,
    scoped: dict[str, Any] = Depends(scoped_quote_filters),
) -> dict[str, Any]:
    """The filters of /v1/quotes."""
    return scoped | {"speaker": speaker}


QuoteFilters = Annotated[dict[str, Any], Depends(quote_filters)]
ScopedQuoteFilters = Annotated[dict[str, Any], Depends(scoped_quote_filters)]


@router.get("", response_model=Page[QuotePublic], responses=LIST_RESPONSES, summary="List quotes")
def list_quotes(
    request: Request,
    filters: QuoteFilters,
    page: PageParams = PAGE,
    sort: str = SORT,
) -> Response:
    """Direct quotations only: the words between the article's quotation marks."""
    return list_response(request, KIND, LISTING, filters, sort, page)


@router.get("/{id}", response_model=QuotePublic, responses=ITEM_RESPONSES, summary="Get a quote")
def get_quote(id: Slug, params: ItemParams = ITEM) -> Response:
    """One quotation with its speaker, the event it is about, and where it stands in the text."""
    return item_response(KIND, id, params)
