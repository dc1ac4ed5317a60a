"""/v1/people: the people the articles name, and what they said."""

import dataclasses

from fastapi import Request
from fastapi.responses import Response

from app.api import quotes, statements
from app.api.choices import Choice
from app.api.named import by_name, named_resource, named_router
from app.api.params import PageParams, Slug
from app.api.responses import SUB_LIST_RESPONSES
from app.context import Ctx
from app.records import KINDS

PEOPLE = named_resource("people", KINDS["person"])
router = named_router(
    PEOPLE,
    by_name,
    title="a person",
    list_doc="People the articles name; `q` matches names and the articles' own spellings.",
    item_doc="One person with their aliases, description and evidence.",
)


@router.get(
    "/{id}/quotes",
    response_model=quotes.QUOTES.page_model,
    responses=SUB_LIST_RESPONSES,
    summary="Quotes by a person",
    tags=["quotes"],
)
def list_person_quotes(
    ctx: Ctx,
    request: Request,
    id: Slug,
    filters: quotes.ScopedQuoteFilters,
    page: PageParams = quotes.PAGE,
    sort: str = quotes.SORT,
) -> Response:
    """What this person said, verbatim, with the same filters as `/v1/quotes`."""
    scoped = dataclasses.replace(filters, speaker=Choice((id,)))
    return quotes.QUOTES.page(ctx, request, scoped, sort, page, within=(PEOPLE, id))


@router.get(
    "/{id}/statements",
    response_model=statements.STATEMENTS.page_model,
    responses=SUB_LIST_RESPONSES,
    summary="Statements by a person",
    tags=["statements"],
)
def list_person_statements(
    ctx: Ctx,
    request: Request,
    id: Slug,
    filters: statements.ScopedStatementFilters,
    page: PageParams = statements.PAGE,
    sort: str = statements.SORT,
) -> Response:
    """What this person claims, quoted or reported, with the same filters as
    `/v1/statements`."""
    scoped = dataclasses.replace(filters, speaker=Choice((id,)))
    return statements.STATEMENTS.page(ctx, request, scoped, sort, page, within=(PEOPLE, id))
