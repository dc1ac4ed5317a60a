"""/v1/figures: the other numbers the articles state (troops, project values), with units."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.common import (
    ITEM_RESPONSES,
    LIST_RESPONSES,
    TEXT,
    ItemParams,
    PageParams,
    Slug,
    item_params,
    item_response,
    list_response,
    page_params,
    sort_query,
)
from app.models import FigureKind, FigurePublic, Page
from app.query import Filters, Listing, SortKey
from app.records import KINDS

KIND = KINDS["figure"]
TABLE = KIND.table


def _where(conn: Any, f: Filters) -> list[Any]:
    return [TABLE.c[name] == f[name] for name in ("kind", "unit", "event") if f.get(name)]


LISTING = Listing(
    "figures", TABLE, "id", {"value": [SortKey("value")], "id": []}, _where, "id", "figure"
)
SORT = sort_query(LISTING)
router = APIRouter(prefix="/v1/figures", tags=["figures"])
PAGE = page_params(KIND)
ITEM = item_params(KIND)


@router.get("", response_model=Page[FigurePublic], responses=LIST_RESPONSES, summary="List figures")
def list_figures(
    request: Request,
    page: PageParams = PAGE,
    kind: Annotated[FigureKind | None, Query(description="Kind of figure")] = None,
    unit: Annotated[
        str | None,
        Query(max_length=32, pattern=TEXT, description="Unit, e.g. `soldiers` or `USD`"),
    ] = None,
    event: Annotated[
        str | None, Query(max_length=100, pattern=TEXT, description="Id of the event")
    ] = None,
    sort: str = SORT,
) -> Response:
    """Numbers the articles state that are not aid: troop numbers, project values, ..."""
    filters = {"kind": kind, "unit": unit, "event": event}
    return list_response(request, KIND, LISTING, filters, sort, page)


@router.get("/{id}", response_model=FigurePublic, responses=ITEM_RESPONSES, summary="Get a figure")
def get_figure(id: Slug, params: ItemParams = ITEM) -> Response:
    """One figure with its value, unit, qualifier and evidence."""
    return item_response(KIND, id, params)
