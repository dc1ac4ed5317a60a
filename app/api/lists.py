"""Responses: a page of a list in its envelope, one record, their evidence as W3C annotations,
plain JSON. Records are served as the documents rendered when the store was seeded,
concatenated unless `fields`, `include` or `offsets` reshape them."""

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlalchemy import Connection, bindparam, select
from starlette.concurrency import run_in_threadpool

from app import annotations, csvrows, exports
from app.api import shapes
from app.api.filters import resolve_country
from app.api.params import CountMode, ItemParams, ListFormat, ListOptions, Offsets, PageParams, Slug
from app.api.responses import ANNOTATION_RESPONSES
from app.context import AppContext, Ctx
from app.errors import (
    DATABASE_ERRORS,
    ApiError,
    InvalidParameter,
    NotFound,
    database_error,
    problem_body,
)
from app.http.negotiation import media_type
from app.models import RecordAlias, table_of
from app.query import F, Listing, PageResult, Paging, facet_counts, fetch_page
from app.records import Item, Kind, get_document, parse_fields, parse_include, shape, to_utf16

error_log = logging.getLogger("app.errors")
T = TypeVar("T")
_ALIAS = table_of(RecordAlias)
RENAMED = select(_ALIAS.c.id).where(
    _ALIAS.c.type == bindparam("type"), _ALIAS.c.old_id == bindparam("old_id")
)


def json_response(content: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(content), headers=headers, media_type="application/json")


def next_link(ctx: AppContext, request: Request, cursor: str | None) -> str | None:
    """The URL of the next page, absolute (PUBLIC_URL, or the request's own)."""
    if cursor is None:
        return None
    query = request.url.include_query_params(cursor=cursor).query
    return f"{ctx.base_url(request)}{request.url.path}?{query}"


def page_response(
    ctx: AppContext,
    request: Request,
    result: PageResult,
    data: bytes,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The list envelope around `data` (a JSON array), with `extra` members (`facets`), and a
    `Link: rel="next"` header when there is a next page."""
    headers = {}
    following = next_link(ctx, request, result.next_cursor)
    if following:
        headers["Link"] = f'<{following}>; rel="next"'
    body = b"".join(
        [
            b'{"data":',
            data,
            b',"total":',
            orjson.dumps(result.total),
            b',"total_at_least":%d' % result.at_least if result.total is None else b"",
            b',"next_cursor":',
            orjson.dumps(result.next_cursor),
            *(b",%s:%s" % (orjson.dumps(k), orjson.dumps(v)) for k, v in (extra or {}).items()),
            b"}",
        ]
    )
    return Response(body, headers=headers, media_type="application/json")


def annotations_response(document: dict[str, Any]) -> Response:
    return Response(orjson.dumps(document), media_type=annotations.MEDIA_TYPE)


NO_OPTIONS = ListOptions()
# What an Accept header can ask a list for, by media type.
ACCEPTED = {
    "application/json": ListFormat.json,
    "text/csv": ListFormat.csv,
    "application/x-ndjson": ListFormat.ndjson,
    "application/ld+json": ListFormat.annotations,
}


def negotiated(request: Request) -> ListFormat:
    """The format the Accept header prefers (JSON unless it names another one first)."""
    return ACCEPTED[media_type(request.headers.get("accept", ""))]


def stream_error(exc: Exception, request_id: str | None, path: str) -> ApiError:
    """What ends a stream that failed after it began, logged once with the request id."""
    error = database_error(exc) if isinstance(exc, DATABASE_ERRORS) else exc
    if isinstance(error, exports.DataChanged):
        return error  # not a bug: logged as a warning where it was found
    if not isinstance(error, ApiError):
        error = ApiError("Unexpected error; it has been logged with the request id")
    error_log.error(
        "export of %s ended early: %s",
        path,
        error.detail,
        exc_info=exc,
        extra={"request_id": request_id},
    )
    return error


class Renamed(Exception):
    """The record asked for was renamed by a correction: answer with a redirect to `path`."""

    def __init__(self, path: str) -> None:
        self.path = path


@dataclass(frozen=True)
class Resource(Generic[F]):
    """One kind of record and how it lists: everything a route needs to answer with a page of
    it or one of it (as JSON or as annotations), also as a sub-resource of another record."""

    kind: Kind
    listing: Listing[F]

    @property
    def item_model(self) -> Any:
        """The OpenAPI shape of one record (app.api.shapes)."""
        return shapes.item_model(self.kind)

    @property
    def page_model(self) -> Any:
        """The OpenAPI shape of a page of records, with the facets the list counts."""
        return shapes.page_model(self.kind, self.listing.facets)

    def url(self, base: str, key: str) -> str:
        return f"{base}/v1/{self.listing.name}/{key}"

    def page(
        self,
        ctx: AppContext,
        request: Request,
        filters: F,
        sort: str,
        page: PageParams,
        *,
        within: tuple["Resource[Any]", str] | None = None,
        options: ListOptions = NO_OPTIONS,
    ) -> Response:
        """One page of the list, in its envelope or as an AnnotationPage. `within` is the
        record a sub-resource hangs from (`/v1/people/{id}/quotes`): a 404 unless it exists
        (a redirect if it was renamed), checked in the same connection."""
        fields = parse_fields(self.kind, page.fields)
        include = parse_include(self.kind, page.include)
        paging = ctx.paging(request, exact=page.count is CountMode.exact)
        format = page.format or negotiated(request)
        if page.bom and format is not ListFormat.csv:
            raise InvalidParameter("bom", "a byte order mark is for CSV only: add format=csv")
        if format in (ListFormat.csv, ListFormat.ndjson):
            return self.export(ctx, request, filters, sort, page, format, within)
        with ctx.engine.connect() as conn:
            if within is not None:
                parent, key = within
                try:
                    parent.existing_key(conn, key, request)
                except Renamed as moved:
                    return redirect(request, moved)
            result = fetch_page(
                conn,
                self.listing,
                filters,
                sort=sort,
                limit=page.limit,
                cursor=page.cursor,
                paging=paging,
            )
            bodies = [row.body for row in result.rows]
            if format is ListFormat.annotations:
                base = ctx.base_url(request)
                items = [
                    annotation
                    for body in bodies
                    for annotation in self.annotations(orjson.loads(body), base)
                ]
                following = next_link(ctx, request, result.next_cursor)
                here = f"{base}{request.url.path}" + (
                    f"?{request.url.query}" if request.url.query else ""
                )
                return annotations_response(annotations.page(items, here, following))
            utf16 = self.utf16(ctx, conn, paging, page)
            if fields is None and not include and not utf16:  # the documents as stored
                data = b"[" + b",".join(bodies) + b"]"
            else:
                records = [orjson.loads(body) for body in bodies]
                records = shape(conn, self.kind, records, fields=fields, include=include)
                if utf16:
                    to_utf16(records, utf16)
                data = orjson.dumps(records)
            extra = {}
            if options.facets:
                counts = facet_counts(conn, self.listing, filters, options.facets, paging)
                extra["facets"] = counts
        return page_response(ctx, request, result, data, extra)

    def export(
        self,
        ctx: AppContext,
        request: Request,
        filters: F,
        sort: str,
        page: PageParams,
        format: ListFormat,
        within: tuple["Resource[Any]", str] | None,
    ) -> Response:
        """The whole list as a CSV or NDJSON download, streamed in keyset chunks. Whatever can
        be refused is refused before the first byte (a bad sort, `include` with CSV, a missing
        parent, a store that cannot be reached): the first chunk is read here."""
        fields = parse_fields(self.kind, page.fields)
        include = frozenset(parse_include(self.kind, page.include))
        if format is ListFormat.csv:
            exports.refuse_include_in_csv(include)
        paging = ctx.paging(request, current=True)
        with ctx.engine.connect() as conn:
            if within is not None:
                parent, key = within
                try:
                    parent.existing_key(conn, key, request)
                except Renamed as moved:
                    return redirect(request, moved)
            astral = self.utf16(ctx, conn, paging, page) or None
        shaping = exports.Shaping(fields, include, astral)
        reader = exports.chunks(
            ctx.engine,
            self.listing,
            self.kind,
            filters,
            sort,
            paging,
            shaping,
            stored=exports.STORED[format.value],
        )
        # The first chunk is read now, so errors are problems, not broken streams; it is held
        # only until it is sent, as every other chunk is.
        batches = _after(next(reader), reader)
        header = csvrows.columns(self.kind.fields, fields)
        request_id = request.scope.get("state", {}).get("request_id")
        request.scope["state"]["uncached"] = True  # a stream: the response cache keeps none

        def encode(batch: list[bytes] | list[Item], index: int) -> bytes:
            body = exports.encode(format.value, header, batch, first=index == 0)
            return exports.BOM + body if page.bom and index == 0 else body

        def next_encoded(index: int) -> bytes | None:
            """The next chunk, read and encoded in the thread pool (not on the event loop)."""
            batch = next(batches, None)
            return None if batch is None else encode(batch, index)

        async def stream() -> AsyncIterator[bytes]:
            index = 0
            while True:
                try:
                    chunk = await run_in_threadpool(next_encoded, index)
                except Exception as exc:  # the response has begun: end it, and say so
                    error = stream_error(exc, request_id, request.url.path)
                    if format is ListFormat.ndjson:
                        body = problem_body(
                            error.status,
                            error.slug,
                            error.detail,
                            instance=request.url.path,
                            request_id=request_id,
                        )
                        yield body + b"\n"
                    return
                if chunk is None:
                    return
                yield chunk
                index += 1

        name = (
            self.listing.name
            if within is None
            else f"{within[0].listing.name}-{within[1]}-{self.listing.name}"
        )
        filename = exports.filename(name, request.query_params.multi_items(), format.value)
        return StreamingResponse(
            stream(),
            media_type=exports.MEDIA_TYPES[format.value],
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Vary": "Accept",
            },
        )

    def item(self, ctx: AppContext, request: Request, key: str, params: ItemParams) -> Response:
        """One record by key (for countries: alpha-2 or alpha-3, any case)."""
        fields = parse_fields(self.kind, params.fields)
        include = parse_include(self.kind, params.include)
        with ctx.engine.connect() as conn:
            try:
                found = self.existing_key(conn, key, request)
            except Renamed as moved:
                return redirect(request, moved)
            body = get_document(conn, self.kind, found)
            assert body is not None  # every record has its document
            utf16 = self.utf16(ctx, conn, ctx.paging(request), params)
            if fields is None and not include and not utf16:
                return Response(body.encode(), media_type="application/json")
            (record,) = shape(conn, self.kind, [orjson.loads(body)], fields=fields, include=include)
            if utf16:
                to_utf16([record], utf16)
        return json_response(record)

    def annotation_collection(self, ctx: AppContext, request: Request, key: str) -> Response:
        """A record's evidence as a W3C AnnotationCollection."""
        with ctx.engine.connect() as conn:
            try:
                found = self.existing_key(conn, key, request)
            except Renamed as moved:
                return redirect(request, moved)
            body = get_document(conn, self.kind, found)
        assert body is not None
        record = orjson.loads(body)
        base = ctx.base_url(request)
        url = self.url(base, found)
        label = annotations.label_of(record)
        return annotations_response(annotations.collection(record, url, base, label))

    def annotations(self, record: Item, base: str) -> list[dict[str, Any]]:
        return annotations.annotations_of(record, self.url(base, record[self.kind.key]), base)

    def existing_key(self, conn: Connection, key: str, request: Request) -> str:
        """The stored key of the record asked for as `key` (countries: alpha-2 or alpha-3 in
        any case). NotFound unless there is one; Renamed if a correction gave it a new id."""
        found = resolve_country(conn, key) if self.kind.type == "country" else key
        column = self.kind.table.c[self.kind.key]
        if found is not None and conn.execute(select(column).where(column == found)).first():
            return found
        new = conn.execute(RENAMED, {"type": self.kind.type, "old_id": key}).scalar_one_or_none()
        if new is not None:
            path = request.url.path
            segment = f"/v1/{self.listing.name}/{key}"
            raise Renamed(path.replace(segment, f"/v1/{self.listing.name}/{new}", 1))
        raise NotFound(f"No {self.kind.type} has the id {key!r}")

    @staticmethod
    def utf16(
        ctx: AppContext, conn: Connection, paging: Paging, params: ItemParams
    ) -> dict[str, list[int]]:
        """The astral characters to count twice, when UTF-16 offsets are asked for and any
        article has them (otherwise UTF-16 offsets are the code point ones)."""
        if params.offsets is not Offsets.utf16:
            return {}
        return ctx.astral(conn, paging.version)


def _after(first: T, rest: Iterator[T]) -> Iterator[T]:
    """`first`, then `rest`, holding `first` only until it is taken (itertools.chain keeps
    its arguments to the end)."""
    held = [first]
    del first
    yield held.pop()
    yield from rest


def redirect(request: Request, moved: Renamed) -> Response:
    """A permanent redirect to the record's new id, the query kept."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"{moved.path}{query}", status_code=301)


def annotations_route(router: APIRouter, resource: Resource[Any]) -> None:
    """`GET {prefix}/{id}/annotations`: a record's evidence as W3C Web Annotations."""
    what = resource.kind.type

    def get_annotations(ctx: Ctx, request: Request, id: Slug) -> Response:
        return resource.annotation_collection(ctx, request, id)

    router.add_api_route(
        "/{id}/annotations",
        get_annotations,
        name=f"get_{what}_annotations",
        response_class=Response,
        responses=ANNOTATION_RESPONSES,
        summary=f"Evidence for a {what}, as W3C annotations",
        description=f"Every evidence span of this {what} as a W3C Web Annotation (JSON-LD): "
        "its body the record, its target the article's text by position (code points) and "
        "by quote.",
    )
