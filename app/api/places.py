"""/v1/places: cities, bases, venues, regions and infrastructure, with public coordinates."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.common import (
    ITEM_RESPONSES,
    LIST_RESPONSES,
    CountryQuery,
    ItemParams,
    PageParams,
    Q,
    Slug,
    country_filter,
    item_params,
    item_response,
    list_response,
    named_listing,
    page_params,
    sort_query,
)
from app.models import Page, PlaceKind, PlacePublic
from app.records import KINDS

KIND = KINDS["place"]
LISTING = named_listing("places", KIND)
SORT = sort_query(LISTING)
router = APIRouter(prefix="/v1/places", tags=["places"])
PAGE = page_params(KIND)
ITEM = item_params(KIND)


@router.get(
    "",
    response_model=Page[PlacePublic],
    responses=LIST_RESPONSES,
    summary="List places",
)
def list_places(
    request: Request,
    page: PageParams = PAGE,
    q: Q = None,
    country: CountryQuery = None,
    kind: Annotated[PlaceKind | None, Query(description="Kind of place")] = None,
    sort: str = SORT,
) -> Response:
    """Places the articles name; lat/lon are public-knowledge enrichment, not evidence."""
    filters = {"q": q, "country": country_filter("country", country), "kind": kind}
    return list_response(request, KIND, LISTING, filters, sort, page)


@router.get(
    "/{id}",
    response_model=PlacePublic,
    responses=ITEM_RESPONSES,
    summary="Get a place",
)
def get_place(id: Slug, params: ItemParams = ITEM) -> Response:
    """One place with its kind, country, coordinates and evidence."""
    return item_response(KIND, id, params)
