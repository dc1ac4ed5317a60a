"""/v1/export.ndjson: the whole store as one NDJSON stream, every record with its `type`; and
the list of what a dump holds, which `python -m app export` writes a file each of."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from app import exports
from app.api import (
    aid,
    articles,
    countries,
    events,
    figures,
    organizations,
    people,
    places,
    quotes,
    statements,
)
from app.api.lists import Resource, stream_error
from app.api.named import NamedFilters
from app.api.responses import PLAIN_LIST_RESPONSES
from app.context import Ctx
from app.errors import problem_body
from app.query import Paging

# Every resource, with its filters matching everything: what a dump holds, in this order.
DUMPED: list[tuple[Resource[Any], Any]] = [
    (articles.ARTICLES, articles.NoFilters()),
    (countries.COUNTRIES, NamedFilters()),
    (people.PEOPLE, NamedFilters()),
    (organizations.ORGANIZATIONS, NamedFilters()),
    (places.PLACES, NamedFilters()),
    (events.EVENTS, events.EventFilters()),
    (quotes.QUOTES, quotes.QuoteFilters()),
    (statements.STATEMENTS, statements.StatementFilters()),
    (aid.AID, aid.AidFilters()),
    (figures.FIGURES, figures.FigureFilters()),
]
router = APIRouter(prefix="/v1", tags=["articles"])


def typed_lines(ctx: Ctx, paging: Paging) -> Iterator[bytes]:
    """Every record of the store, a JSON object a line with its `type` first, by type then
    key, read in keyset chunks."""
    for resource, everything in DUMPED:
        prefix = f'{{"type":"{resource.kind.type}",'.encode()
        reader = exports.chunks(
            ctx.engine,
            resource.listing,
            resource.kind,
            everything,
            resource.kind.key,
            paging,
            exports.Shaping(),
        )
        for batch in reader:
            yield b"".join(prefix + body[1:] + b"\n" for body in batch)  # type: ignore[index]


@router.get(
    "/export.ndjson",
    response_class=Response,
    responses={
        200: {
            "description": "Every record of the store, one JSON object a line, each with its "
            "`type` (`country`, `event`, ...)",
            "content": {
                "application/x-ndjson": {
                    "schema": {"type": "string"},
                    "example": '{"type":"country","code":"NE","iso3":"NER","name":"Niger",...}\n'
                    '{"type":"event","id":"niger-coup-2023","title":"Coup in Niger",...}\n',
                }
            },
        },
        **PLAIN_LIST_RESPONSES,
    },
    summary="The whole store",
)
def export_everything(ctx: Ctx, request: Request) -> Response:
    """Every record of every kind (articles without their text: GET one for it), one JSON
    object a line with its `type`, streamed: a dump to load elsewhere."""
    paging = ctx.paging(request, current=True)
    lines = typed_lines(ctx, paging)
    first = next(lines)
    request.scope["state"]["uncached"] = True
    request_id = request.scope["state"].get("request_id")

    async def stream() -> AsyncIterator[bytes]:
        yield first
        while True:
            try:
                chunk = await run_in_threadpool(next, lines, None)
            except Exception as exc:
                error = stream_error(exc, request_id, request.url.path)
                path = request.url.path
                yield (
                    problem_body(
                        error.status, error.slug, error.detail, instance=path, request_id=request_id
                    )
                    + b"\n"
                )
                return
            if chunk is None:
                return
            yield chunk

    return StreamingResponse(
        stream(),
        media_type=exports.MEDIA_TYPES["ndjson"],
        headers={"Content-Disposition": 'attachment; filename="export.ndjson"'},
    )
