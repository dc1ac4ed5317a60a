"""/v1/statements: every claim the article attributes to someone (quoted or reported), and the
claims it makes in its own voice, each with who makes it, what it is about, and when."""

import dataclasses
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection, select

from app import facets
from app.api.choices import (
    MAX_IDS,
    Choice,
    choice,
    choice_query,
    enum_query,
    refs_condition,
    refs_through,
)
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
from app.api.when import ANY_TIME, DateRange, date_range
from app.context import Ctx
from app.fulltext import matching_ids
from app.models import StatementAbout, StatementEvent, StatementMode, table_of
from app.query import DATE_SORT, Condition, Listing, SortKey
from app.records import KINDS

KIND = KINDS["statement"]
TABLE = KIND.table
ABOUT = table_of(StatementAbout)
EVENTS = table_of(StatementEvent)


@dataclass(frozen=True)
class StatementFilters:
    id: Choice | None = None
    speaker: Choice | None = None
    mode: Choice | None = None
    about: Choice | None = None
    event: Choice | None = None
    article: Choice | None = None
    dates: DateRange = ANY_TIME
    q: str | None = None


def _where(conn: Connection, f: StatementFilters) -> list[Condition]:
    out: list[Condition] = []
    key = TABLE.c.id
    if f.id:
        out += f.id.on(key)
    if f.speaker:
        out += refs_condition(conn, TABLE.c.speaker_type, TABLE.c.speaker_id, f.speaker)
    if f.mode:
        out += f.mode.on(TABLE.c.mode)
    if f.about:
        a = ABOUT
        out += refs_through(conn, key, a, a.c.statement_id, a.c.entity_type, a.c.entity_id, f.about)
    if f.event:
        out += f.event.through(
            key,
            lambda values: select(EVENTS.c.statement_id).where(EVENTS.c.event_id.in_(values)),
        )
    if f.article:
        out += f.article.on(TABLE.c.article)
    out.extend(f.dates.conditions(TABLE))
    if f.q:
        out.append(key.in_(matching_ids(conn, "statement", f.q)))
    return out


FACETS = {
    facet.name: facet
    for facet in (
        facets.refs("speaker", "speaker_type", "speaker_id", own_filter="speaker"),
        facets.column("mode", own_filter="mode"),
        facets.year(),
        facets.column("article", facets.articles, own_filter="article"),
    )
}


STATEMENTS = Resource(
    KIND,
    Listing(
        "statements",
        TABLE,
        "id",
        {"date": DATE_SORT, "position": [SortKey("position")], "id": []},
        _where,
        "date",
        document="statement",
        facets=FACETS,
    ),
)
SORT = sort_query(STATEMENTS.listing)
PAGE = page_params(KIND)
ITEM = item_params(KIND)
OPTIONS = list_options(STATEMENTS.listing)
router = APIRouter(prefix="/v1/statements", tags=["statements"])

Mode = Annotated[
    str | None,
    enum_query(
        StatementMode,
        "`direct` (quotations), `indirect` (reported speech) or `narration` (the article's "
        "own voice)",
        "indirect",
    ),
]
About = Annotated[
    str | None,
    choice_query(
        "Id of a person, organization or place, or a country code, the claim concerns",
        example="NE",
    ),
]
Event = Annotated[
    str | None, choice_query("Id of an event the claim concerns", example="niger-coup-2023")
]
Article = Annotated[str | None, choice_query("Id of the article it is in")]


async def scoped_statement_filters(
    mode: Mode = None,
    about: About = None,
    event: Event = None,
    article: Article = None,
    dates: DateRange = Depends(date_range),
    q: Q = None,
) -> StatementFilters:
    """The filters of /v1/people/{id}/statements: those of /v1/statements but `speaker` and
    `id`."""
    return StatementFilters(
        mode=choice("mode", mode),
        about=choice("about", about),
        event=choice("event", event),
        article=choice("article", article),
        dates=dates,
        q=q,
    )


async def statement_filters(
    id: Annotated[
        str | None, choice_query(f"Ids of the statements to fetch (at most {MAX_IDS})")
    ] = None,
    speaker: Annotated[
        str | None,
        choice_query(
            "Who makes the claim: the id of a person or organization, or a country code",
            example="olayinka-ajala",
        ),
    ] = None,
    scoped: StatementFilters = Depends(scoped_statement_filters),
) -> StatementFilters:
    """The filters of /v1/statements."""
    return dataclasses.replace(
        scoped, id=choice("id", id, MAX_IDS), speaker=choice("speaker", speaker)
    )


StatementFiltersDep = Annotated[StatementFilters, Depends(statement_filters)]
ScopedStatementFilters = Annotated[StatementFilters, Depends(scoped_statement_filters)]


@router.get(
    "",
    response_model=STATEMENTS.page_model,
    responses=LIST_RESPONSES,
    summary="List statements",
)
def list_statements(
    ctx: Ctx,
    request: Request,
    filters: StatementFiltersDep,
    page: PageParams = PAGE,
    sort: str = SORT,
    options: ListOptions = OPTIONS,
) -> Response:
    """Claims the article attributes (quoted or reported) and its own central claims, earliest
    first (those it does not place in time come last)."""
    return STATEMENTS.page(ctx, request, filters, sort, page, options=options)


@router.get(
    "/{id}",
    response_model=STATEMENTS.item_model,
    responses=ITEM_RESPONSES,
    summary="Get a statement",
)
def get_statement(ctx: Ctx, request: Request, id: Slug, params: ItemParams = ITEM) -> Response:
    """One statement: its words, who makes it, what it concerns, when, and its evidence."""
    return STATEMENTS.item(ctx, request, id, params)


annotations_route(router, STATEMENTS)
