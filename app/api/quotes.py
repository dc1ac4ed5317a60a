"""/v1/quotes: direct quotations, verbatim, with who said them."""

import dataclasses
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection, select

from app import facets
from app.api.choices import MAX_IDS, Choice, choice, choice_query, refs_condition
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
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES
from app.context import Ctx
from app.fulltext import matching_ids
from app.models import QuoteEvent, table_of
from app.query import Condition, Listing, SortKey
from app.records import KINDS

KIND = KINDS["quote"]
TABLE = KIND.table
EVENTS = table_of(QuoteEvent)


@dataclass(frozen=True)
class QuoteFilters:
    id: Choice | None = None
    speaker: Choice | None = None
    event: Choice | None = None
    article: Choice | None = None
    q: str | None = None


def _where(conn: Connection, f: QuoteFilters) -> list[Condition]:
    out: list[Condition] = []
    key = TABLE.c.id
    if f.id:
        out += f.id.on(key)
    if f.speaker:
        out += refs_condition(conn, TABLE.c.speaker_type, TABLE.c.speaker_id, f.speaker)
    if f.event:
        out += f.event.through(
            key, lambda values: select(EVENTS.c.quote_id).where(EVENTS.c.event_id.in_(values))
        )
    if f.article:
        out += f.article.on(TABLE.c.article)
    if f.q:
        out.append(key.in_(matching_ids(conn, "quote", f.q)))
    return out


FACETS = {
    facet.name: facet
    for facet in (
        facets.refs("speaker", "speaker_type", "speaker_id", own_filter="speaker"),
        facets.column("article", facets.articles, own_filter="article"),
    )
}
QUOTES = Resource(
    KIND,
    Listing(
        "quotes",
        TABLE,
        "id",
        {"id": [], "text": [SortKey("text")], "position": [SortKey("position")]},
        _where,
        "id",
        "quote",
        facets=FACETS,
    ),
)
SORT = sort_query(QUOTES.listing)
PAGE = page_params(KIND)
ITEM = item_params(KIND)
OPTIONS = list_options(QUOTES.listing)
router = APIRouter(prefix="/v1/quotes", tags=["quotes"])

Event = Annotated[str | None, choice_query("Id of an event the quote concerns")]
Article = Annotated[str | None, choice_query("Id of the article it is in")]


async def scoped_quote_filters(
    event: Event = None, article: Article = None, q: Q = None
) -> QuoteFilters:
    """The filters of /v1/people/{id}/quotes: those of /v1/quotes but `speaker` and `id`."""
    return QuoteFilters(event=choice("event", event), article=choice("article", article), q=q)


async def quote_filters(
    id: Annotated[
        str | None, choice_query(f"Ids of the quotes to fetch (at most {MAX_IDS})")
    ] = None,
    speaker: Annotated[
        str | None,
        choice_query(
            "Id of the person or organization, or code of the country, quoted", example="US"
        ),
    ] = None,
    scoped: QuoteFilters = Depends(scoped_quote_filters),
) -> QuoteFilters:
    """The filters of /v1/quotes."""
    return dataclasses.replace(
        scoped, id=choice("id", id, MAX_IDS), speaker=choice("speaker", speaker)
    )


QuoteFiltersDep = Annotated[QuoteFilters, Depends(quote_filters)]
ScopedQuoteFilters = Annotated[QuoteFilters, Depends(scoped_quote_filters)]


@router.get("", response_model=QUOTES.page_model, responses=LIST_RESPONSES, summary="List quotes")
def list_quotes(
    ctx: Ctx,
    request: Request,
    filters: QuoteFiltersDep,
    page: PageParams = PAGE,
    sort: str = SORT,
    options: ListOptions = OPTIONS,
) -> Response:
    """Direct quotations only: the words between the article's quotation marks."""
    return QUOTES.page(ctx, request, filters, sort, page, options=options)


@router.get(
    "/{id}", response_model=QUOTES.item_model, responses=ITEM_RESPONSES, summary="Get a quote"
)
def get_quote(ctx: Ctx, request: Request, id: Slug, params: ItemParams = ITEM) -> Response:
    """One quotation with its speaker, the events it concerns, and where it stands in the
    text."""
    return QUOTES.item(ctx, request, id, params)


annotations_route(router, QUOTES)
