"""Records known by a name (countries, people, organizations, places): listed by name, found
by `q` on their names and aliases, and, where they have them, filtered by country and kind.
Organizations and places are the same router over another table."""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from app.api.filters import country_code
from app.api.lists import Resource, annotations_route
from app.api.params import (
    CountryQuery,
    ItemParams,
    PageParams,
    Q,
    Slug,
    item_params,
    page_params,
    sort_query,
)
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES
from app.context import Ctx
from app.fulltext import matching_ids
from app.models import page_of
from app.query import Condition, Listing, SortKey
from app.records import Kind


@dataclass(frozen=True)
class NamedFilters:
    q: str | None = None
    country: str | None = None
    kind: str | None = None


NamedFiltersDep = Callable[..., Coroutine[Any, Any, NamedFilters]]


async def by_name(q: Q = None) -> NamedFilters:
    """The filters of countries and people: `q` only."""
    return NamedFilters(q=q)


def by_name_country_and_kind(kinds: type[StrEnum], kind_doc: str) -> NamedFiltersDep:
    """The filters of organizations and places: `q`, `country` and their own `kind`s."""
    Kinds: Any = kinds

    async def filters(
        q: Q = None,
        country: CountryQuery = None,
        kind: Annotated[Kinds | None, Query(description=kind_doc)] = None,
    ) -> NamedFilters:
        return NamedFilters(q=q, country=country, kind=kind)

    return filters


def named_resource(name: str, kind: Kind) -> Resource[NamedFilters]:
    """The listing of a named record type, sorted by name (or key)."""
    table = kind.table

    def where(conn: Connection, f: NamedFilters) -> list[Condition]:
        out: list[Condition] = []
        if f.q:
            out.append(table.c[kind.key].in_(matching_ids(conn, kind.type, f.q)))
        if f.country:
            out.append(table.c.country == country_code(conn, f.country))
        if f.kind:
            out.append(table.c.kind == f.kind)
        return out

    sorts = {"name": [SortKey("name")], kind.key: []}
    return Resource(kind, Listing(name, table, kind.key, sorts, where, "name", document=kind.type))


def named_router(
    resource: Resource[NamedFilters],
    filters: NamedFiltersDep,
    *,
    title: str,
    list_doc: str,
    item_doc: str,
) -> APIRouter:
    """`GET /v1/{name}` and `GET /v1/{name}/{id}` for a named record type whose list takes the
    `filters` dependency. `title` names one record in summaries ("organization")."""
    kind = resource.kind
    name = resource.listing.name
    router = APIRouter(prefix=f"/v1/{name}", tags=[name])
    page_dep, item_dep = page_params(kind), item_params(kind)
    sort_dep = sort_query(resource.listing)

    def list_records(
        ctx: Ctx,
        request: Request,
        given: Annotated[NamedFilters, Depends(filters)],
        page: PageParams = page_dep,
        sort: str = sort_dep,
    ) -> Response:
        return resource.page(ctx, request, given, sort, page)

    def get_record(ctx: Ctx, request: Request, id: Slug, params: ItemParams = item_dep) -> Response:
        return resource.item(ctx, request, id, params)

    router.add_api_route(
        "",
        list_records,
        name=f"list_{name}",
        response_model=page_of(kind.public),
        responses=LIST_RESPONSES,
        summary=f"List {name}",
        description=list_doc,
    )
    router.add_api_route(
        "/{id}",
        get_record,
        name=f"get_{kind.type}",
        response_model=kind.public,
        responses=ITEM_RESPONSES,
        summary=f"Get {title}",
        description=item_doc,
    )
    annotations_route(router, resource)
    return router
