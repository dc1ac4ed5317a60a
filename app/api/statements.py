"""/v1/statements: every claim the article attributes to someone (quoted or reported), and the
claims it makes in its own voice, each with who makes it, what it is about, and when."""

import dataclasses
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, select

from app.api.filters import entity_condition
from app.api.lists import Resource, annotations_route
from app.api.params import (
    ItemParams,
    PageParams,
    Q,
    Slug,
    id_query,
    item_params,
    page_params,
    sort_query,
)
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES
from app.api.when import ANY_TIME, DateRange, date_range
from app.context import Ctx
from app.fulltext import matching_ids
from app.models import Page, StatementAbout, StatementEvent, StatementMode, StatementPublic
from app.query import DATE_SORT, Condition, Listing, Member
from app.records import KINDS

KIND = KINDS["statement"]
TABLE = KIND.table
ABOUT = StatementAbout.__table__  # type: ignore[attr-defined]
EVENTS = StatementEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StatementFilters:
    speaker: str | None = None
    mode: StatementMode | None = None
    about: str | None = None
    event: str | None = None
    dates: DateRange = ANY_TIME
    q: str | None = None


def _where(conn: Connection, f: StatementFilters) -> list[Condition]:
    out: list[Condition] = []
    if f.speaker:
        out.append(entity_condition(conn, TABLE.c.speaker_type, TABLE.c.speaker_id, f.speaker))
    if f.mode:
        out.append(TABLE.c.mode == f.mode)
    if f.about:
        concerned = entity_condition(conn, ABOUT.c.entity_type, ABOUT.c.entity_id, f.about)
        out.append(Member(select(ABOUT.c.statement_id).where(concerned)))
    if f.event:
        out.append(Member(select(EVENTS.c.statement_id).where(EVENTS.c.event_id == f.event)))
    out.extend(f.dates.conditions(TABLE))
    if f.q:
        out.append(TABLE.c.id.in_(matching_ids(conn, "statement", f.q)))
    return out


STATEMENTS = Resource(
    KIND,
    Listing(
        "statements",
        TABLE,
        "id",
        {"date": DATE_SORT, "id": []},
        _where,
        "date",
        document="statement",
    ),
)
SORT = sort_query(STATEMENTS.listing)
PAGE = page_params(KIND)
ITEM = item_params(KIND)
router = APIRouter(prefix="/v1/statements", tags=["statements"])

Mode = Annotated[
    StatementMode | None,
    Query(
        description="`direct` (quotations), `indirect` (reported speech) or `narration` (the "
        "article's own voice)"
    ),
]
About = Annotated[
    str | None,
    id_query("Id of a person, organization or place, or a country code, the claim concerns", "NE"),
]
Event = Annotated[str | None, id_query("Id of an event the claim concerns", "niger-coup-2023")]


async def scoped_statement_filters(
    mode: Mode = None,
    about: About = None,
    event: Event = None,
    dates: DateRange = Depends(date_range),
    q: Q = None,
) -> StatementFilters:
    """The filters of /v1/people/{id}/statements: those of /v1/statements but `speaker`."""
    return StatementFilters(mode=mode, about=about, event=event, dates=dates, q=q)


async def statement_filters(
    speaker: Annotated[
        str | None,
        id_query(
            "Who makes the claim: the id of a person or organization, or a country code",
            "olayinka-ajala",
        ),
    ] = None,
    scoped: StatementFilters = Depends(scoped_statement_filters),
) -> StatementFilters:
    """The filters of /v1/statements."""
    return dataclasses.replace(scoped, speaker=speaker)


StatementFiltersDep = Annotated[StatementFilters, Depends(statement_filters)]
ScopedStatementFilters = Annotated[StatementFilters, Depends(scoped_statement_filters)]


@router.get(
    "",
    response_model=Page[StatementPublic],
    responses=LIST_RESPONSES,
    summary="List statements",
)
def list_statements(
    ctx: Ctx,
    request: Request,
    filters: StatementFiltersDep,
    page: PageParams = PAGE,
    sort: str = SORT,
) -> Response:
    """Claims the article attributes (quoted or reported) and its own central claims, earliest
    first (those it does not place in time come last)."""
    return STATEMENTS.page(ctx, request, filters, sort, page)


@router.get(
    "/{id}", response_model=StatementPublic, responses=ITEM_RESPONSES, summary="Get a statement"
)
def get_statement(ctx: Ctx, request: Request, id: Slug, params: ItemParams = ITEM) -> Response:
    """One statement: its words, who makes it, what it concerns, when, and its evidence."""
    return STATEMENTS.item(ctx, request, id, params)


annotations_route(router, STATEMENTS)
