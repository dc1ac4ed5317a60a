"""/v1/articles: the source documents every record's evidence points into."""

import functools
import itertools
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import bindparam, select

from app.api.lists import Resource, json_response
from app.api.params import (
    Offsets,
    OffsetsQuery,
    PageParams,
    Slug,
    list_query,
    page_params,
    sort_query,
)
from app.api.responses import ITEM_RESPONSES, PLAIN_LIST_RESPONSES
from app.context import Ctx
from app.errors import NotFound
from app.models import ArticlePublic, Evidence, Mentions, SearchDocument, table_of
from app.query import Listing, SortKey
from app.records import ARTICLE_DETAIL, KINDS, get_one, utf16_offset

_EV = table_of(Evidence)
_DOCS = table_of(SearchDocument)
_ART = KINDS["article"].table
MENTIONED = [kind.type for kind in KINDS.values() if kind.has_evidence]


@dataclass(frozen=True)
class NoFilters:
    pass


KIND = KINDS["article"]
# Lists serve summaries (the length, not the text); one article comes with its text.
ARTICLES: Resource[NoFilters] = Resource(
    KIND,
    Listing(
        "articles", KIND.table, "id", {"title": [SortKey("title")], "id": []}, document="article"
    ),
)
SORT = sort_query(ARTICLES.listing)
PAGE = page_params(KIND)
router = APIRouter(prefix="/v1/articles", tags=["articles"])


@router.get(
    "", response_model=ARTICLES.page_model, responses=PLAIN_LIST_RESPONSES, summary="List articles"
)
def list_articles(
    ctx: Ctx, request: Request, page: PageParams = PAGE, sort: str = SORT
) -> Response:
    """The articles in the store, without their text (GET one to read it)."""
    return ARTICLES.page(ctx, request, NoFilters(), sort, page)


@router.get(
    "/{id}", response_model=ArticlePublic, responses=ITEM_RESPONSES, summary="Get an article"
)
def get_article(ctx: Ctx, id: Slug) -> Response:
    """One article with its full text, verbatim: evidence offsets index this string."""
    with ctx.engine.connect() as conn:
        article = get_one(conn, ARTICLE_DETAIL, id)
    if article is None:
        raise NotFound(f"No article has the id {id!r}")
    return json_response(article)


MENTIONS = (
    select(_EV.c.subject_type, _EV.c.subject_id, _EV.c.start, _EV.c.end, _EV.c.text, _DOCS.c.label)
    .select_from(
        _EV.outerjoin(
            _DOCS, (_DOCS.c.type == _EV.c.subject_type) & (_DOCS.c.id == _EV.c.subject_id)
        )
    )
    .where(_EV.c.article == bindparam("article"))
    .order_by(_EV.c.start, _EV.c.end, _EV.c.subject_type, _EV.c.subject_id)
)


@router.get(
    "/{id}/mentions",
    response_model=Mentions,
    responses=ITEM_RESPONSES,
    summary="Every mention in an article",
)
def get_mentions(
    ctx: Ctx,
    request: Request,
    id: Slug,
    segments: Annotated[
        bool,
        Query(
            description="Also cut the whole text into segments, each with the records whose "
            "spans cover it: what a highlighter needs"
        ),
    ] = False,
    type: Annotated[
        str | None,
        list_query(
            MENTIONED,
            "Comma-separated record types whose mentions to list (default: all).",
            example="country,person",
        ),
    ] = None,
    offsets: OffsetsQuery = Offsets.codepoints,
) -> Response:
    """Every evidence span of every record in this article, in the order of the text, each
    with its record's type, id and label; with `segments=true`, the text cut into consecutive
    segments covering all of it, each listing the records that cover it."""
    types = set(type.split(",")) if type else set(MENTIONED)
    paging = ctx.paging(request)
    with ctx.engine.connect() as conn:
        text = conn.execute(select(_ART.c.text).where(_ART.c.id == id)).scalar_one_or_none()
        if text is None:
            raise NotFound(f"No article has the id {id!r}")
        rows = conn.execute(MENTIONS, {"article": id}).all()
        astral = ctx.astral(conn, paging.version).get(id) if offsets is Offsets.utf16 else None
    spans = [
        {"type": t, "id": key, "label": label, "start": start, "end": end, "text": words}
        for t, key, start, end, words, label in rows
        if t in types
    ]
    body: dict[str, Any] = {"article": id, "length": len(text), "data": spans, "segments": None}
    if segments:
        body["segments"] = cut(text, spans)
    if astral:
        shift = functools.partial(utf16_offset, astral)
        body["length"] = shift(len(text))
        for part in (*spans, *(body["segments"] or ())):
            part["start"], part["end"] = shift(part["start"]), shift(part["end"])
    return json_response(body)


def cut(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The whole text in consecutive segments, cut wherever a span starts or ends, each with
    the records whose spans cover it (in the order of their spans). One sweep over the bounds
    with the spans open at each (118,000 spans: under a second, not hours of spans x bounds)."""
    bounds = sorted({0, len(text), *(s["start"] for s in spans), *(s["end"] for s in spans)})
    opening = sorted(range(len(spans)), key=lambda i: (spans[i]["start"], i))
    closing = sorted(range(len(spans)), key=lambda i: spans[i]["end"])
    open_: set[int] = set()  # by the span's place in `spans`, so sorted, in its order
    records: list[dict[str, Any]] = []  # those of `open_`, the same until it changes
    next_open = next_close = 0
    out = []
    for start, end in itertools.pairwise(bounds):
        changed = False
        while next_close < len(closing) and spans[closing[next_close]]["end"] <= start:
            open_.discard(closing[next_close])
            next_close += 1
            changed = True
        while next_open < len(opening) and spans[opening[next_open]]["start"] <= start:
            index = opening[next_open]
            if spans[index]["end"] > start:
                open_.add(index)
            next_open += 1
            changed = True
        if changed:
            covering: dict[tuple[str, str], dict[str, Any]] = {}
            for index in sorted(open_):
                s = spans[index]
                covering.setdefault(
                    (s["type"], s["id"]), {"type": s["type"], "id": s["id"], "label": s["label"]}
                )
            records = list(covering.values())
        out.append({"start": start, "end": end, "text": text[start:end], "records": records})
    return out
