"""/v1/search: one ranked list across every kind of record."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.common import LIST_RESPONSES, TEXT, Cursor, Limit, page_response, version_of
from app.db import get_engine
from app.models import Page, SearchHit
from app.query import (
    Listing,
    PageResult,
    SortKey,
    fetch_page,
    marked,
    search_source,
    search_terms,
)

router = APIRouter(prefix="/v1/search", tags=["search"])


@router.get("", response_model=Page[SearchHit], responses=LIST_RESPONSES, summary="Search")
def search(
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
) -> Response:
    """Full-text search over countries, people, organizations, places, events, quotes, aid and
    figures, best match first, with the matching words marked in a snippet."""
    terms = search_terms(q)
    if not terms:  # nothing to look for (only punctuation or operators): nothing found
        return page_response(request, PageResult([], None, 0), b"[]")
    with get_engine().connect() as conn:
        hits = search_source(conn, terms)
        listing = Listing("search", hits, "doc_id", {"rank": [SortKey("rank")]}, seek=False)
        result = fetch_page(
            conn,
            listing,
            {"q": " ".join(terms)},
            sort="-rank",
            limit=limit,
            cursor=cursor,
            version=version_of(request, conn),
        )
    fields = ("type", "id", "label", "snippet", "rank")
    found = [
        {f: row[f] for f in fields} | {"snippet": marked(row["snippet"])} for row in result.rows
    ]
    return page_response(request, result, orjson.dumps(found))
