"""/v1/people: the people the articles name, and what they said."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api import quotes as quotes_api
from app.api.common import (
    ITEM_RESPONSES,
    LIST_RESPONSES,
    ItemParams,
    PageParams,
    Q,
    Slug,
    exists_parent,
    item_params,
    item_response,
    list_response,
    named_listing,
    page_params,
    sort_query,
)
from app.models import Page, PersonPublic, QuotePublic
from app.records import KINDS

KIND = KINDS["person"]
LISTING = named_listing("people", KIND)
SORT = sort_query(LISTING)
router = APIRouter(prefix="/v1/people", tags=["people"])
PAGE = page_params(KIND)
ITEM = item_params(KIND)


@router.get("", response_model=Page[PersonPublic], responses=LIST_RESPONSES, summary="List people")
def list_people(
    request: Request, page: PageParams = PAGE, q: Q = None, sort: str = SORT
) -> Response:
    """People the articles name; `q` matches names and the articles' own spellings."""
    return list_response(request, KIND, LISTING, {"q": q}, sort, page)


@router.get("/{id}", response_model=PersonPublic, responses=ITEM_RESPONSES, summary="Get a person")
def get_person(id: Slug, params: ItemParams = ITEM) -> Response:
    """One person with their aliases, description and evidence."""
    return item_response(KIND, id, params)


@router.get(
    "/{id}/quotes",
    response_model=Page[QuotePublic],
    responses=ITEM_RESPONSES,
    summary="Quotes by a person",
    tags=["quotes"],
)
def list_person_quotes(
    request: Request,
    id: Slug,
    filters: quotes_api.ScopedQuoteFilters,
    page: PageParams = quotes_api.PAGE,
    sort: str = quotes_api.SORT,
) -> Response:
    """What this person said, verbatim, with the same filters as `/v1/quotes`."""
    scoped = filters | {"speaker": id}
    return list_response(
        request,
        quotes_api.KIND,
        quotes_api.LISTING,
        scoped,
        sort,
        page,
        parent=exists_parent(KIND, id),
    )
