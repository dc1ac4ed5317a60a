"""Responses: a page of a list in its envelope, one record, plain JSON. Records are served as
the documents rendered when the store was seeded, concatenated unless `fields` or `include`
reshape them."""

from dataclasses import dataclass
from typing import Any, Generic

import orjson
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Connection, select

from app.api.filters import resolve_country
from app.api.params import ItemParams, PageParams
from app.context import AppContext
from app.errors import NotFound
from app.query import F, Listing, PageResult, fetch_page
from app.records import Kind, get_document, parse_fields, parse_include, shape


def json_response(content: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(content), headers=headers, media_type="application/json")


def page_response(request: Request, result: PageResult, data: bytes) -> Response:
    """The list envelope around `data` (a JSON array), with a `Link: rel="next"` header when
    there is a next page."""
    headers = {}
    if result.next_cursor:
        next_url = request.url.include_query_params(cursor=result.next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    body = b"".join(
        [
            b'{"data":',
            data,
            b',"total":',
            str(result.total).encode(),
            b',"next_cursor":',
            orjson.dumps(result.next_cursor),
            b"}",
        ]
    )
    return Response(body, headers=headers, media_type="application/json")


def record_key(conn: Connection, kind: Kind, key: str) -> str | None:
    """The stored key of a `kind` record asked for as `key` (countries: alpha-2 or alpha-3 in
    any case), if there is such a record."""
    found = resolve_country(conn, key) if kind.type == "country" else key
    column = kind.table.c[kind.key]
    if found is None or conn.execute(select(column).where(column == found)).first() is None:
        return None
    return found


@dataclass(frozen=True)
class Resource(Generic[F]):
    """One kind of record and how it lists: everything a route needs to answer with a page of
    it or one of it, also as a sub-resource of another record."""

    kind: Kind
    listing: Listing[F]

    def page(
        self,
        ctx: AppContext,
        request: Request,
        filters: F,
        sort: str,
        page: PageParams,
        *,
        within: tuple[Kind, str] | None = None,
    ) -> Response:
        """One page of the list in its envelope. `within` is the record a sub-resource hangs
        from (`/v1/people/{id}/quotes`): a 404 unless it exists, checked in the same
        connection."""
        fields = parse_fields(self.kind, page.fields)
        include = parse_include(self.kind, page.include)
        paging = ctx.paging(request)
        with ctx.engine.connect() as conn:
            if within is not None and record_key(conn, *within) is None:
                parent, key = within
                raise NotFound(f"No {parent.type} has the id {key!r}")
            result = fetch_page(
                conn,
                self.listing,
                filters,
                sort=sort,
                limit=page.limit,
                cursor=page.cursor,
                paging=paging,
            )
            bodies = [row["body"] for row in result.rows]
            if fields is None and not include:  # the documents as stored: no parsing
                data = f"[{','.join(bodies)}]".encode()
            else:
                items = [orjson.loads(body) for body in bodies]
                data = orjson.dumps(shape(conn, self.kind, items, fields=fields, include=include))
        return page_response(request, result, data)

    def item(self, ctx: AppContext, key: str, params: ItemParams) -> Response:
        """One record by key (for countries: alpha-2 or alpha-3, any case)."""
        fields = parse_fields(self.kind, params.fields)
        include = parse_include(self.kind, params.include)
        with ctx.engine.connect() as conn:
            found = resolve_country(conn, key) if self.kind.type == "country" else key
            body = found and get_document(conn, self.kind, found)
            if not body:
                raise NotFound(f"No {self.kind.type} has the id {key!r}")
            if fields is None and not include:
                return Response(body.encode(), media_type="application/json")
            (record,) = shape(conn, self.kind, [orjson.loads(body)], fields=fields, include=include)
        return json_response(record)
