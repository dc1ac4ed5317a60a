"""/v1/countries: the countries the articles mention, and what happened to or by them."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api import aid as aid_api
from app.api import events as events_api
from app.api.common import (
    ITEM_RESPONSES,
    LIST_RESPONSES,
    CountryCode,
    ItemParams,
    PageParams,
    Q,
    exists_parent,
    item_params,
    item_response,
    list_response,
    named_listing,
    page_params,
    sort_query,
)
from app.models import AidPublic, CountryPublic, EventPublic, Page
from app.records import KINDS

KIND = KINDS["country"]


LISTING = named_listing("countries", KIND)
SORT = sort_query(LISTING)
router = APIRouter(prefix="/v1/countries", tags=["countries"])
PAGE = page_params(KIND)
ITEM = item_params(KIND)


@router.get(
    "", response_model=Page[CountryPublic], responses=LIST_RESPONSES, summary="List countries"
)
def list_countries(
    request: Request, page: PageParams = PAGE, q: Q = None, sort: str = SORT
) -> Response:
    """Countries the articles mention, with their names as the articles spell them."""
    return list_response(request, KIND, LISTING, {"q": q}, sort, page)


@router.get(
    "/{code}", response_model=CountryPublic, responses=ITEM_RESPONSES, summary="Get a country"
)
def get_country(code: CountryCode, params: ItemParams = ITEM) -> Response:
    """One country by ISO 3166-1 alpha-2 or alpha-3 code (any case), with its evidence."""
    return item_response(KIND, code, params)


@router.get(
    "/{code}/events",
    response_model=Page[EventPublic],
    responses=ITEM_RESPONSES,
    summary="Events concerning a country",
    tags=["events"],
)
def list_country_events(
    request: Request,
    code: CountryCode,
    filters: events_api.ScopedEventFilters,
    page: PageParams = events_api.PAGE,
    sort: str = events_api.SORT,
) -> Response:
    """Events that concern this country (it, or one of its people, organizations or places,
    took part), with the same filters as `/v1/events`."""
    scoped = filters | {"country": code}
    return list_response(
        request,
        events_api.KIND,
        events_api.LISTING,
        scoped,
        sort,
        page,
        parent=exists_parent(KIND, code),
    )


@router.get(
    "/{code}/aid",
    response_model=Page[AidPublic],
    responses=ITEM_RESPONSES,
    summary="Aid a country gave or received",
    tags=["aid"],
)
def list_country_aid(
    request: Request,
    code: CountryCode,
    filters: aid_api.AidFilters,
    page: PageParams = aid_api.PAGE,
    sort: str = aid_api.SORT,
) -> Response:
    """Aid and money figures where this country is the donor or the recipient."""
    scoped = filters | {"party": code}
    return list_response(
        request,
        aid_api.KIND,
        aid_api.LISTING,
        scoped,
        sort,
        page,
        parent=exists_parent(KIND, code),
    )
