"""/v1/figures: the other numbers the articles state (troops, project values), with units."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from app.api.lists import Resource, annotations_route
from app.api.params import (
    TEXT,
    ItemParams,
    PageParams,
    Slug,
    id_query,
    item_params,
    page_params,
    sort_query,
)
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES
from app.api.when import ANY_TIME, DateRange, date_range
from app.context import Ctx
from app.models import FigureKind, FigurePublic, Page
from app.query import DATE_SORT, Condition, Listing, SortKey
from app.records import KINDS

KIND = KINDS["figure"]
TABLE = KIND.table


@dataclass(frozen=True)
class FigureFilters:
    kind: FigureKind | None = None
    unit: str | None = None
    event: str | None = None
    dates: DateRange = ANY_TIME


def _where(conn: Connection, f: FigureFilters) -> list[Condition]:
    out: list[Condition] = []
    if f.kind:
        out.append(TABLE.c.kind == f.kind)
    if f.unit:
        out.append(TABLE.c.unit == f.unit)
    if f.event:
        out.append(TABLE.c.event == f.event)
    out.extend(f.dates.conditions(TABLE))
    return out


FIGURES = Resource(
    KIND,
    Listing(
        "figures",
        TABLE,
        "id",
        {"value": [SortKey("value")], "date": DATE_SORT, "id": []},
        _where,
        "id",
        "figure",
    ),
)
SORT = sort_query(FIGURES.listing)
PAGE = page_params(KIND)
ITEM = item_params(KIND)
router = APIRouter(prefix="/v1/figures", tags=["figures"])


async def figure_filters(
    kind: Annotated[FigureKind | None, Query(description="Kind of figure")] = None,
    unit: Annotated[
        str | None,
        Query(max_length=32, pattern=TEXT, description="Unit, e.g. `soldiers` or `USD`"),
    ] = None,
    event: Annotated[str | None, id_query("Id of the event")] = None,
    dates: DateRange = Depends(date_range),
) -> FigureFilters:
    """The filters of /v1/figures."""
    return FigureFilters(kind=kind, unit=unit, event=event, dates=dates)


@router.get("", response_model=Page[FigurePublic], responses=LIST_RESPONSES, summary="List figures")
def list_figures(
    ctx: Ctx,
    request: Request,
    filters: Annotated[FigureFilters, Depends(figure_filters)],
    page: PageParams = PAGE,
    sort: str = SORT,
) -> Response:
    """Numbers the articles state that are not aid: troop numbers, project values, ..."""
    return FIGURES.page(ctx, request, filters, sort, page)


@router.get("/{id}", response_model=FigurePublic, responses=ITEM_RESPONSES, summary="Get a figure")
def get_figure(ctx: Ctx, request: Request, id: Slug, params: ItemParams = ITEM) -> Response:
    """One figure with its value, unit, qualifier and evidence."""
    return FIGURES.item(ctx, request, id, params)


annotations_route(router, FIGURES)
