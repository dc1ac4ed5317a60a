"""/v1/organizations: governments, armed forces, blocs, media and other bodies."""

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
from app.models import OrganizationKind, OrganizationPublic, Page
from app.records import KINDS

KIND = KINDS["organization"]
LISTING = named_listing("organizations", KIND)
SORT = sort_query(LISTING)
router = APIRouter(prefix="/v1/organizations", tags=["organizations"])
PAGE = page_params(KIND)
ITEM = item_params(KIND)


@router.get(
    "",
    response_model=Page[OrganizationPublic],
    responses=LIST_RESPONSES,
    summary="List organizations",
)
def list_organizations(
    request: Request,
    page: PageParams = PAGE,
    q: Q = None,
    country: CountryQuery = None,
    kind: Annotated[OrganizationKind | None, Query(description="Kind of organization")] = None,
    sort: str = SORT,
) -> Response:
    """Organizations the articles name, filtered by country, kind or name."""
    filters = {"q": q, "country": country_filter("country", country), "kind": kind}
    return list_response(request, KIND, LISTING, filters, sort, page)


@router.get(
    "/{id}",
    response_model=OrganizationPublic,
    responses=ITEM_RESPONSES,
    summary="Get an organization",
)
def get_organization(id: Slug, params: ItemParams = ITEM) -> Response:
    """One organization with its kind, country and evidence."""
    return item_response(KIND, id, params)
