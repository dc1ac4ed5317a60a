"""Records known by a name (countries, people, organizations, places): listed by name, found
by `q` on their names and aliases, and, where they have them, filtered by country and kind.
Organizations and places are the same router over another table."""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection, select

from app import facets
from app.api.choices import CODES, MAX_IDS, Choice, choice, choice_query, countries, enum_query
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
from app.models import Evidence, table_of
from app.query import Condition, Listing, SortKey
from app.records import Kind


@dataclass(frozen=True)
class NamedFilters:
    id: Choice | None = None
    q: str | None = None
    country: Choice | None = None
    kind: Choice | None = None
    article: Choice | None = None


NamedFiltersDep = Callable[..., Coroutine[Any, Any, NamedFilters]]
Article = Annotated[
    str | None,
    choice_query("Id of an article: records it mentions", example="niger-russia-military-ties"),
]
Ids = Annotated[str | None, choice_query(f"Ids of the records to fetch (at most {MAX_IDS})")]


async def by_name(q: Q = None, article: Article = None, id: Ids = None) -> NamedFilters:
    """The filters of people: `q`, `article` and `id`."""
    return NamedFilters(id=choice("id", id, MAX_IDS), q=q, article=choice("article", article))


async def by_name_or_code(
    q: Q = None,
    article: Article = None,
    code: Annotated[
        str | None,
        choice_query(
            f"Alpha-2 or alpha-3 codes of the countries to fetch (at most {MAX_IDS})", CODES
        ),
    ] = None,
) -> NamedFilters:
    """The filters of countries: `q`, `article` and `code`."""
    return NamedFilters(id=choice("code", code, MAX_IDS), q=q, article=choice("article", article))


def by_name_country_and_kind(kinds: type[StrEnum], kind_doc: str) -> NamedFiltersDep:
    """The filters of organizations and places: those of people, `country` and their own
    `kind`s."""

    async def filters(
        q: Q = None,
        country: Annotated[
            str | None, choice_query("Alpha-2 or alpha-3 country code", CODES, "NE")
        ] = None,
        kind: Annotated[str | None, enum_query(kinds, kind_doc)] = None,
        article: Article = None,
        id: Ids = None,
    ) -> NamedFilters:
        return NamedFilters(
            id=choice("id", id, MAX_IDS),
            q=q,
            country=choice("country", country),
            kind=choice("kind", kind),
            article=choice("article", article),
        )

    return filters


def named_resource(name: str, kind: Kind) -> Resource[NamedFilters]:
    """The listing of a named record type, sorted by name (or key, or first mention)."""
    table = kind.table
    key = table.c[kind.key]
    spans = table_of(Evidence)

    def where(conn: Connection, f: NamedFilters) -> list[Condition]:
        out: list[Condition] = []
        if f.id:
            out += (countries(conn, f.id) if kind.type == "country" else f.id).on(key)
        if f.q:
            out.append(key.in_(matching_ids(conn, kind.type, f.q)))
        if f.country:
            out += countries(conn, f.country).on(table.c.country, nullable=True)
        if f.kind:
            out += f.kind.on(table.c.kind)
        if f.article:
            out += f.article.through(
                key,
                lambda values: select(spans.c.subject_id).where(
                    spans.c.subject_type == kind.type, spans.c.article.in_(values)
                ),
            )
        return out

    own = [facets.column("kind", own_filter="kind")] if "kind" in table.c else []
    if "country" in table.c:
        own.append(facets.column("country", facets.countries, own_filter="country"))
    own.append(facets.evidence_article(kind.type, kind.key))
    sorts = {"name": [SortKey("name")], "position": [SortKey("position")], kind.key: []}
    listing = Listing(
        name,
        table,
        kind.key,
        sorts,
        where,
        "name",
        document=kind.type,
        facets={facet.name: facet for facet in own},
    )
    return Resource(kind, listing)


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
    sort_dep, options_dep = sort_query(resource.listing), list_options(resource.listing)

    def list_records(
        ctx: Ctx,
        request: Request,
        given: Annotated[NamedFilters, Depends(filters)],
        page: PageParams = page_dep,
        sort: str = sort_dep,
        options: ListOptions = options_dep,
    ) -> Response:
        return resource.page(ctx, request, given, sort, page, options=options)

    def get_record(ctx: Ctx, request: Request, id: Slug, params: ItemParams = item_dep) -> Response:
        return resource.item(ctx, request, id, params)

    router.add_api_route(
        "",
        list_records,
        name=f"list_{name}",
        response_model=resource.page_model,
        responses=LIST_RESPONSES,
        summary=f"List {name}",
        description=list_doc,
    )
    router.add_api_route(
        "/{id}",
        get_record,
        name=f"get_{kind.type}",
        response_model=resource.item_model,
        responses=ITEM_RESPONSES,
        summary=f"Get {title}",
        description=item_doc,
    )
    annotations_route(router, resource)
    return router
