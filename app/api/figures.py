"""/v1/figures: the other numbers the articles state (troops, project values), with units, and
their sums with honest bounds."""

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, func, select

from app import facets
from app.api.amounts import ANY_AMOUNT, AmountRange, amount_range
from app.api.choices import MAX_IDS, Choice, choice, choice_query, enum_query
from app.api.lists import Resource, annotations_route, json_response
from app.api.params import (
    ItemParams,
    ListOptions,
    PageParams,
    Slug,
    item_params,
    list_options,
    page_params,
    sort_query,
)
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, PLAIN_LIST_RESPONSES
from app.api.when import ANY_TIME, DateRange, date_range
from app.context import Ctx
from app.models import FigureKind, FigureSummary
from app.query import DATE_SORT, Condition, Listing, SortKey, filters_scope, matching
from app.records import KINDS
from app.summaries import summarize

KIND = KINDS["figure"]
TABLE = KIND.table


@dataclass(frozen=True)
class FigureFilters:
    id: Choice | None = None
    kind: Choice | None = None
    unit: Choice | None = None
    country: Choice | None = None
    place: Choice | None = None
    event: Choice | None = None
    article: Choice | None = None
    values: AmountRange = ANY_AMOUNT
    dates: DateRange = ANY_TIME


def _where(conn: Connection, f: FigureFilters) -> list[Condition]:
    out: list[Condition] = []
    if f.id:
        out += f.id.on(TABLE.c.id)
    if f.kind:
        out += f.kind.on(TABLE.c.kind)
    if f.unit:
        out += f.unit.on(TABLE.c.unit)
    if f.country:
        out += f.country.on(TABLE.c.country, nullable=True)
    if f.place:
        out += f.place.on(TABLE.c.place, nullable=True)
    if f.event:
        out += f.event.on(TABLE.c.event, nullable=True)
    if f.article:
        out += f.article.on(TABLE.c.article)
    out.extend(f.values.conditions(TABLE.c.value, TABLE.c.qualifier))
    out.extend(f.dates.conditions(TABLE))
    return out


FACETS = {
    facet.name: facet
    for facet in (
        facets.column("kind", own_filter="kind"),
        facets.column("unit", facets.as_is, own_filter="unit"),
        facets.column("country", facets.countries, own_filter="country"),
        facets.column("place", facets.places, own_filter="place"),
        facets.year(),
        facets.column("article", facets.articles, own_filter="article"),
    )
}
FIGURES = Resource(
    KIND,
    Listing(
        "figures",
        TABLE,
        "id",
        {
            "value": [SortKey("value")],
            "date": DATE_SORT,
            "position": [SortKey("position")],
            "id": [],
        },
        _where,
        "id",
        "figure",
        facets=FACETS,
    ),
)
SORT = sort_query(FIGURES.listing)
PAGE = page_params(KIND)
ITEM = item_params(KIND)
OPTIONS = list_options(FIGURES.listing)
router = APIRouter(prefix="/v1/figures", tags=["figures"])
value_filters = amount_range("value", "In the figure's unit")


async def figure_filters(
    kind: Annotated[str | None, enum_query(FigureKind, "Kind of figure", "troops")] = None,
    unit: Annotated[
        str | None, choice_query("Unit, e.g. `soldiers` or `USD`", example="soldiers")
    ] = None,
    country: Annotated[
        str | None, choice_query("Alpha-2 code of the country it counts in", example="BF")
    ] = None,
    place: Annotated[str | None, choice_query("Id of the place it counts in")] = None,
    event: Annotated[str | None, choice_query("Id of the event")] = None,
    article: Annotated[str | None, choice_query("Id of the article that states it")] = None,
    values: AmountRange = Depends(value_filters),
    dates: DateRange = Depends(date_range),
) -> FigureFilters:
    """The filters of /v1/figures (and of its summary)."""
    return FigureFilters(
        kind=choice("kind", kind),
        unit=choice("unit", unit),
        country=choice("country", country),
        place=choice("place", place),
        event=choice("event", event),
        article=choice("article", article),
        values=values,
        dates=dates,
    )


async def listed_figure_filters(
    id: Annotated[
        str | None, choice_query(f"Ids of the figures to fetch (at most {MAX_IDS})")
    ] = None,
    given: FigureFilters = Depends(figure_filters),
) -> FigureFilters:
    return dataclasses.replace(given, id=choice("id", id, MAX_IDS))


class FigureGroup(StrEnum):
    unit = "unit"
    kind = "kind"
    country = "country"
    place = "place"


# What a total is split by besides kind: figures in different units, countries or places are
# never added together.
SPLIT = ("unit", "country", "place")
GROUP_LABELS = {
    FigureGroup.unit: facets.as_is,
    FigureGroup.kind: facets.vocabulary,
    FigureGroup.country: facets.countries,
    FigureGroup.place: facets.places,
}


def figure_summary(
    conn: Connection, filters: FigureFilters, group_by: FigureGroup
) -> dict[str, Any]:
    """The figures matching `filters`, summed by `group_by`, each group split by kind, unit,
    country and place."""
    value = TABLE.c[group_by.value]
    keys = [value, TABLE.c.kind, *(TABLE.c[name] for name in SPLIT), TABLE.c.qualifier]
    rows = conn.execute(
        select(*keys, func.count(), func.sum(TABLE.c.value))
        .where(*matching(conn, FIGURES.listing, filters))
        .group_by(*keys)
    ).all()
    labels = GROUP_LABELS[group_by](conn, sorted({r[0] for r in rows if r[0] is not None}))
    return {
        "group_by": group_by.value,
        "groups": summarize((tuple(r) for r in rows), labels, SPLIT),
    }


@router.get(
    "/summary",
    response_model=FigureSummary,
    responses=PLAIN_LIST_RESPONSES,
    summary="Sum figures by group",
)
def summarize_figures(
    ctx: Ctx,
    request: Request,
    filters: Annotated[FigureFilters, Depends(figure_filters)],
    group_by: Annotated[
        FigureGroup,
        Query(description="What to group by; each group is split by kind, unit, country and place"),
    ] = FigureGroup.unit,
) -> Response:
    """Figures summed by unit, kind, country or place (with the filters of `/v1/figures`),
    never adding different kinds, units, countries or places together; each total is a range
    the qualifiers allow."""
    paging = ctx.paging(request)
    key = (paging.version, "figure-summary", group_by.value, filters_scope(filters))
    with ctx.engine.connect() as conn:
        summary = paging.stats.get(key, lambda: figure_summary(conn, filters, group_by))
    return json_response(summary)


@router.get("", response_model=FIGURES.page_model, responses=LIST_RESPONSES, summary="List figures")
def list_figures(
    ctx: Ctx,
    request: Request,
    filters: Annotated[FigureFilters, Depends(listed_figure_filters)],
    page: PageParams = PAGE,
    sort: str = SORT,
    options: ListOptions = OPTIONS,
) -> Response:
    """Numbers the articles state that are not aid: troop numbers, project values, ..."""
    return FIGURES.page(ctx, request, filters, sort, page, options=options)


@router.get(
    "/{id}", response_model=FIGURES.item_model, responses=ITEM_RESPONSES, summary="Get a figure"
)
def get_figure(ctx: Ctx, request: Request, id: Slug, params: ItemParams = ITEM) -> Response:
    """One figure with its value, unit, qualifier and evidence."""
    return FIGURES.item(ctx, request, id, params)


annotations_route(router, FIGURES)
