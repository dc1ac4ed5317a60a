"""/v1/search: one ranked list across every kind of record."""

import html
from dataclasses import dataclass
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.lists import page_response
from app.api.params import TEXT, CountMode, CountQuery, Cursor, Limit
from app.api.responses import PLAIN_LIST_RESPONSES
from app.autocomplete import LIMIT, TYPES
from app.context import Ctx
from app.fulltext import marked, search_source, search_terms, snippets
from app.models import SearchPage
from app.query import Listing, PageResult, SortKey, fetch_page

router = APIRouter(prefix="/v1/search", tags=["search"])


@dataclass(frozen=True)
class SearchFilters:
    q: str


@router.get("", response_model=SearchPage, responses=PLAIN_LIST_RESPONSES, summary="Search")
def search(
    ctx: Ctx,
    request: Request,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            pattern=TEXT,
            description="Words to find; each must match (as a prefix) a name, alias, the "
            "article's own spelling, or the text of a record",
            examples=["Agedez"],
        ),
    ],
    limit: Limit = 20,
    cursor: Cursor = None,
    count: CountQuery = CountMode.auto,
) -> Response:
    """Full-text search over countries, people, organizations, places, events, quotes,
    statements, aid and figures, best match first, with the matching words marked in a
    snippet. When no record has the words, the names nearest them (typos allowed, as
    autocomplete finds them) are the results, and `fuzzy` says so."""
    terms = search_terms(q)
    if not terms:  # nothing to look for (only punctuation or operators): nothing found
        return page_response(ctx, request, PageResult([], None, 0), b"[]", {"fuzzy": False})
    paging = ctx.paging(request, exact=count is CountMode.exact)
    with ctx.engine.connect() as conn:
        hits = search_source(conn, terms)
        listing: Listing[SearchFilters] = Listing(
            "search", hits, "doc_id", {"rank": [SortKey("rank")]}, seek=False
        )
        result = fetch_page(
            conn,
            listing,
            SearchFilters(" ".join(terms)),
            sort="-rank",
            limit=limit,
            cursor=cursor,
            paging=paging,
        )
        cut = snippets(conn, terms, [row.doc_id for row in result.rows])
    found = [
        {
            "type": row.type,
            "id": row.id,
            "label": row.label,
            "snippet": marked(cut.get(row.doc_id, "")),
            "rank": row.rank,
        }
        for row in result.rows
    ]
    if result.total == 0 and cursor is None:  # nothing has these words: names like them?
        with ctx.engine.connect() as conn:
            index = ctx.autocomplete(conn, paging.version)
        near = index.find(q, TYPES, min(limit, LIMIT))
        found = [
            {
                "type": entry.type,
                "id": entry.id,
                "label": entry.label,
                "snippet": html.escape(entry.label, quote=False),
                "rank": 1 / (1 + score),
            }
            for entry, score in near
        ]
        result = PageResult([], None, len(found))
        return page_response(ctx, request, result, orjson.dumps(found), {"fuzzy": bool(found)})
    return page_response(ctx, request, result, orjson.dumps(found), {"fuzzy": False})
