"""/v1/countries: the countries the articles mention, and what happened to or by them."""

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.api import aid, events
from app.api.choices import Choice
from app.api.named import NamedFilters, by_name_or_code, named_resource
from app.api.params import (
    CountryCode,
    ItemParams,
    ListOptions,
    PageParams,
    item_params,
    list_options,
    page_params,
    sort_query,
)
from app.api.responses import (
    ANNOTATION_RESPONSES,
    ITEM_RESPONSES,
    LIST_RESPONSES,
    SUB_LIST_RESPONSES,
)
from app.context import Ctx
from app.records import KINDS

COUNTRIES = named_resource("countries", KINDS["country"])
SORT = sort_query(COUNTRIES.listing)
PAGE = page_params(COUNTRIES.kind)
ITEM = item_params(COUNTRIES.kind)
OPTIONS = list_options(COUNTRIES.listing)
router = APIRouter(prefix="/v1/countries", tags=["countries"])


@router.get(
    "", response_model=COUNTRIES.page_model, responses=LIST_RESPONSES, summary="List countries"
)
def list_countries(
    ctx: Ctx,
    request: Request,
    filters: Annotated[NamedFilters, Depends(by_name_or_code)],
    page: PageParams = PAGE,
    sort: str = SORT,
    options: ListOptions = OPTIONS,
) -> Response:
    """Countries the articles mention, with their names as the articles spell them."""
    return COUNTRIES.page(ctx, request, filters, sort, page, options=options)


@router.get(
    "/{code}",
    response_model=COUNTRIES.item_model,
    responses=ITEM_RESPONSES,
    summary="Get a country",
)
def get_country(
    ctx: Ctx, request: Request, code: CountryCode, params: ItemParams = ITEM
) -> Response:
    """One country by ISO 3166-1 alpha-2 or alpha-3 code (any case), with its evidence."""
    return COUNTRIES.item(ctx, request, code, params)


@router.get(
    "/{code}/events",
    response_model=events.EVENTS.page_model,
    responses=SUB_LIST_RESPONSES,
    summary="Events concerning a country",
    tags=["events"],
)
def list_country_events(
    ctx: Ctx,
    request: Request,
    code: CountryCode,
    filters: events.ScopedEventFilters,
    page: PageParams = events.PAGE,
    sort: str = events.SORT,
) -> Response:
    """Events that concern this country (it, or one of its people, organizations or places,
    took part), with the same filters as `/v1/events`."""
    scoped = dataclasses.replace(filters, country=Choice((code,)))
    return events.EVENTS.page(ctx, request, scoped, sort, page, within=(COUNTRIES, code))


@router.get(
    "/{code}/aid",
    response_model=aid.AID.page_model,
    responses=SUB_LIST_RESPONSES,
    summary="Aid a country gave or received",
    tags=["aid"],
)
def list_country_aid(
    ctx: Ctx,
    request: Request,
    code: CountryCode,
    filters: aid.AidFiltersDep,
    page: PageParams = aid.PAGE,
    sort: str = aid.SORT,
) -> Response:
    """Aid and money figures where this country is the donor or the recipient."""
    scoped = dataclasses.replace(filters, party=code)
    return aid.AID.page(ctx, request, scoped, sort, page, within=(COUNTRIES, code))


@router.get(
    "/{code}/annotations",
    response_class=Response,
    responses=ANNOTATION_RESPONSES,
    summary="Evidence for a country, as W3C annotations",
    tags=["countries"],
)
def get_country_annotations(ctx: Ctx, request: Request, code: CountryCode) -> Response:
    """Every evidence span of this country as a W3C Web Annotation (JSON-LD)."""
    return COUNTRIES.annotation_collection(ctx, request, code)
