"""/v1/autocomplete: names as a user types them, typos included."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.lists import json_response
from app.api.params import TEXT, list_query
from app.api.responses import PLAIN_LIST_RESPONSES
from app.autocomplete import LIMIT, TYPES
from app.context import Ctx
from app.models import Suggestions

router = APIRouter(prefix="/v1/autocomplete", tags=["search"])


@router.get("", response_model=Suggestions, responses=PLAIN_LIST_RESPONSES, summary="Autocomplete")
def autocomplete(
    ctx: Ctx,
    request: Request,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            pattern=TEXT,
            description="What the user has typed so far: the start of a name, or a name "
            "with a typo or two",
            examples=["Bazum"],
        ),
    ],
    type: Annotated[
        str | None,
        list_query(
            TYPES, "Comma-separated record types to suggest (default: all).", example="person,place"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=LIMIT, description="At most this many")] = LIMIT,
) -> Response:
    """Up to 10 countries, people, organizations, places or articles whose names or aliases
    start with `q`, then those within a small edit distance of it ("Bazum" finds Mohamed
    Bazoum), best first."""
    types = type.split(",") if type else list(TYPES)
    paging = ctx.paging(request)
    with ctx.engine.connect() as conn:
        index = ctx.autocomplete(conn, paging.version)
    found = index.find(q, types, limit)
    data = [
        {"type": e.type, "id": e.id, "label": e.label, "hint": e.hint, "fuzzy": score >= 2}
        for e, score in found
    ]
    return json_response({"data": data})
