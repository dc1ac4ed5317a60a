"""What every router shares: parameters, the list and item responses, and lookups."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, bindparam, select

from app.dates import PartialDate, parse_partial_date
from app.db import data_version, get_engine
from app.errors import PATTERN_REASONS, InvalidParameter, NotFound, Problem, Unavailable
from app.models import Country
from app.query import Filters, Listing, PageResult, SortKey, fetch_page, matching_ids
from app.records import Kind, get_document, parse_fields, parse_include, shape

COUNTRY = Country.__table__  # type: ignore[attr-defined]
ALPHA3 = select(COUNTRY.c.code).where(COUNTRY.c.iso3 == bindparam("iso3"))


def explained(pattern: str, reason: str) -> str:
    """`pattern`, registered so a value that does not match it is refused with `reason`
    instead of the regex (the OpenAPI document still states the regex)."""
    PATTERN_REASONS[pattern] = reason
    return pattern


COUNTRY_CODE = explained(r"^[A-Za-z]{2,3}$", "must be an ISO 3166-1 alpha-2 or alpha-3 code")
PARTIAL_DATE = explained(
    r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$",
    "must be a date as YYYY, YYYY-MM or YYYY-MM-DD",
)
SLUG = explained(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "ids are lower-case letters and digits joined by hyphens"
)
# Free text: anything but NUL, which no store takes in text.
TEXT = explained(r"^[^\x00]*$", "must not contain NUL characters")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        404: "No record with that id",
        422: "A parameter is invalid; `errors` names each one",
        503: "The store is not ready, or the query took too long",
    }
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        if status == 304:
            out[304] = {"description": "Not modified: your cached copy (If-None-Match) is current"}
        else:
            out[status] = {
                "model": Problem,
                "description": descriptions[status],
                "content": {"application/problem+json": {}},
            }
    return out


LIST_RESPONSES = problem_responses(304, 422, 503)
ITEM_RESPONSES = problem_responses(304, 404, 422, 503)

Limit = Annotated[int, Query(ge=1, le=100, description="Records per page, 1 to 100")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="`next_cursor` from the previous page; omit for the first page",
    ),
]
Q = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        pattern=TEXT,
        description="Full-text match on names, aliases (including the article's own spellings) "
        "and text; every word must match as a prefix",
        examples=["Agedez"],
    ),
]

CountryCode = Annotated[
    str,
    Path(
        pattern=COUNTRY_CODE,
        description="ISO 3166-1 alpha-2 or alpha-3 code, any case",
        examples=["NE"],
    ),
]
Slug = Annotated[str, Path(max_length=100, pattern=SLUG, description="The record's id")]


def sort_query(listing: Listing) -> Any:
    """The `sort` parameter of a listing; OpenAPI lists the allowed values."""
    return Query(
        listing.default_sort,
        description="Sort order: a field name, `-` in front for descending; ties are broken "
        "by id, so paging is stable",
        json_schema_extra={"enum": listing.sort_names()},
    )


# Dependencies are `async def` (they only read parameters: FastAPI would run plain functions in
# a thread pool). Routes are plain `def`: their queries block, so FastAPI runs them in its
# thread pool, one hop per request, and the event loop stays free to accept, answer health
# checks and finish in-flight requests on SIGTERM.


@dataclass(frozen=True)
class PageParams:
    """`limit`, `cursor`, `fields` and `include`, shared by every list."""

    limit: int = 20
    cursor: str | None = None
    fields: str | None = None
    include: str | None = None


@dataclass(frozen=True)
class ItemParams:
    """`fields` and `include` for one record."""

    fields: str | None = None
    include: str | None = None


def list_pattern(values: Iterable[str]) -> str:
    """A regex for comma-separated values from an allow-list, so OpenAPI states what passes."""
    values = list(values)
    one = "|".join(re.escape(v) for v in values)
    return explained(
        rf"^({one})(,({one}))*$", f"must be a comma-separated list of: {', '.join(values)}"
    )


def list_query(values: Iterable[str], description: str) -> Any:
    """A comma-separated allow-list parameter (`fields`, `include`)."""
    return Query(
        None,
        max_length=1000,
        pattern=list_pattern(values),
        description=f"{description} One of: {', '.join(values)}",
    )


def fields_query(kind: Kind) -> Any:
    return list_query(
        kind.fields,
        "Comma-separated fields to return (a sparse response: leave out the ones you do not "
        f"need); the `{kind.key}` always comes.",
    )


def include_query(kind: Kind) -> Any:
    return list_query(
        kind.includes, "Comma-separated relations to embed, as full records, under `included`."
    )


def page_params(kind: Kind) -> Any:
    """`Depends(...)` for the paging, `fields` and `include` parameters of `kind`'s lists."""
    if not kind.includes:

        async def plain(
            limit: Limit = 20, cursor: Cursor = None, fields: str | None = fields_query(kind)
        ) -> PageParams:
            return PageParams(limit, cursor, fields)

        return Depends(plain)

    async def with_include(
        limit: Limit = 20,
        cursor: Cursor = None,
        fields: str | None = fields_query(kind),
        include: str | None = include_query(kind),
    ) -> PageParams:
        return PageParams(limit, cursor, fields, include)

    return Depends(with_include)


def item_params(kind: Kind) -> Any:
    """`Depends(...)` for the `fields` and `include` parameters of one `kind` record."""
    if not kind.includes:

        async def plain(fields: str | None = fields_query(kind)) -> ItemParams:
            return ItemParams(fields)

        return Depends(plain)

    async def with_include(
        fields: str | None = fields_query(kind), include: str | None = include_query(kind)
    ) -> ItemParams:
        return ItemParams(fields, include)

    return Depends(with_include)


Parent = Callable[[Connection], None]


def _query_names(dependant: Any) -> frozenset[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


# By route: (the route itself, so a recycled id() never matches another route, its names).
_QUERY_NAMES: dict[int, tuple[Any, frozenset[str]]] = {}


async def strict_query(request: Request) -> None:
    """Every operation refuses what it would otherwise ignore: an unknown parameter (a typo such
    as `contry=NE` must not silently answer the unfiltered list), a parameter given twice, and
    NUL characters, which no store accepts in text."""
    route = request.scope.get("route")
    if route is None or not request.scope.get("query_string"):
        return
    known = _QUERY_NAMES.get(id(route))
    if known is None or known[0] is not route:
        known = _QUERY_NAMES[id(route)] = (route, _query_names(route.dependant))
    names = known[1]
    seen: set[str] = set()
    for name, value in request.query_params.multi_items():
        if name not in names:
            allowed = ", ".join(sorted(names)) or "none"
            raise InvalidParameter(name[:100], f"unknown parameter; this one takes: {allowed}")
        if name in seen:
            raise InvalidParameter(name, "given more than once; give it once")
        if "\x00" in value:
            raise InvalidParameter(name, "must not contain NUL characters")
        seen.add(name)


def json_response(content: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(content), headers=headers, media_type="application/json")


def version_of(request: Request, conn: Connection) -> str:
    version = request.scope.get("state", {}).get("data_version") or data_version(conn)
    if version is None:
        raise Unavailable("The store is not migrated and seeded yet")
    return version


def list_response(
    request: Request,
    kind: Kind,
    listing: Listing,
    filters: Filters,
    sort: str,
    page: PageParams,
    parent: Parent | None = None,
) -> Response:
    """The list envelope for `listing` filtered by `filters`, one page of it. `parent` checks,
    in the same connection, that the record a sub-resource hangs from exists."""
    fields = parse_fields(kind, page.fields)
    include = parse_include(kind, page.include)
    with get_engine().connect() as conn:
        if parent is not None:
            parent(conn)
        result = fetch_page(
            conn,
            listing,
            filters,
            sort=sort,
            limit=page.limit,
            cursor=page.cursor,
            version=version_of(request, conn),
        )
        bodies = [row["body"] for row in result.rows]
        if fields is None and not include:  # the documents as stored: no parsing
            data = f"[{','.join(bodies)}]".encode()
        else:
            items = [orjson.loads(body) for body in bodies]
            data = orjson.dumps(shape(conn, kind, items, fields=fields, include=include))
    return page_response(request, result, data)


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


def item_response(kind: Kind, key: str, params: ItemParams) -> Response:
    """One record by key (for countries: alpha-2 or alpha-3, any case)."""
    fields = parse_fields(kind, params.fields)
    include = parse_include(kind, params.include)
    with get_engine().connect() as conn:
        found = resolve_country(conn, key) if kind.type == "country" else key
        body = found and get_document(conn, kind, found)
        if not body:
            raise NotFound(f"No {kind.type} has the id {key!r}")
        if fields is None and not include:
            return Response(body.encode(), media_type="application/json")
        (record,) = shape(conn, kind, [orjson.loads(body)], fields=fields, include=include)
    return json_response(record)


def resolve_country(conn: Connection, code: str) -> str | None:
    """The alpha-2 code for an alpha-2 or alpha-3 `code` in any case, if the store has it."""
    if len(code) == 2:
        return code.upper()  # alpha-2 is the key itself: no query needed
    return conn.execute(ALPHA3, {"iso3": code.upper()}).scalar_one_or_none()


def country_code(conn: Connection, value: str) -> str:
    """A country filter's value as the alpha-2 key (a code nobody uses matches nothing)."""
    return resolve_country(conn, value) or value.upper()


def exists_parent(kind: Kind, key: str) -> Parent:
    """A `parent` check: NotFound unless a `kind` record has this key (alpha-2 or alpha-3 for
    countries)."""

    def check(conn: Connection) -> None:
        column = kind.table.c[kind.key]
        found = resolve_country(conn, key) if kind.type == "country" else key
        if conn.execute(select(column).where(column == found)).first() is None:
            raise NotFound(f"No {kind.type} has the id {key!r}")

    return check


def country_filter(name: str, value: str | None) -> str | None:
    """Check a country code filter's form (alpha-2 or alpha-3, any case); the query resolves it."""
    if value is not None and not (2 <= len(value) <= 3 and value.isascii() and value.isalpha()):
        raise InvalidParameter(name, "must be an ISO 3166-1 alpha-2 or alpha-3 code")
    return value


def date_filter(name: str, value: str | None) -> PartialDate | None:
    if value is None:
        return None
    try:
        return parse_partial_date(value)
    except ValueError as exc:
        raise InvalidParameter(name, str(exc)) from None


def entity_condition(conn: Connection, type_col: Any, id_col: Any, value: str) -> Any:
    """Match a reference column pair against `value`: a country code (alpha-2 or alpha-3, any
    case) or the id of a person, organization or place."""
    if 2 <= len(value) <= 3 and value.isascii() and value.isalpha():
        return (type_col == "country") & (id_col == country_code(conn, value))
    return (type_col != "country") & (id_col == value)


def named_listing(name: str, kind: Kind) -> Listing:
    """The listing of a named record type (countries, people, organizations, places): sorted by
    name, filtered by `q` on names and aliases, and by `country` and `kind` where they apply."""
    table = kind.table

    def where(conn: Connection, f: Filters) -> list[Any]:
        out: list[Any] = []
        if f.get("q"):
            out.append(table.c[kind.key].in_(matching_ids(conn, kind.type, f["q"])))
        if f.get("country"):
            out.append(table.c.country == country_code(conn, f["country"]))
        if f.get("kind"):
            out.append(table.c.kind == f["kind"])
        return out

    sorts = {"name": [SortKey("name")], kind.key: []}
    return Listing(name, table, kind.key, sorts, where, "name", document=kind.type)


def country_query(description: str) -> Any:
    return Query(pattern=COUNTRY_CODE, description=description, examples=["NE"])


CountryQuery = Annotated[str | None, country_query("Alpha-2 or alpha-3 country code, any case")]
