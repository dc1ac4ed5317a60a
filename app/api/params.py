"""Query and path parameters every router shares, each stated precisely enough in OpenAPI
that a client (or a fuzzer) knows what passes."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Path, Query
from pydantic_core import PydanticUndefined

from app.errors import Explained
from app.query import Listing
from app.records import Kind

COUNTRY_CODE = Explained(r"^[A-Za-z]{2,3}$", "must be an ISO 3166-1 alpha-2 or alpha-3 code")
# A partial date on the calendar, as the parser takes it (app.dates): years 0001 to 9999, no
# day past its month's end, February 29 only in leap years (every 4th, not every 100th unless
# every 400th).
_YEAR = "([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_LEAP = "([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
PARTIAL_DATE = Explained(
    rf"^({_YEAR}(-(0[1-9]|1[0-2]))?"
    rf"|{_YEAR}-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
    rf"|{_YEAR}-(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    rf"|{_YEAR}-02-(0[1-9]|1[0-9]|2[0-8])"
    rf"|{_LEAP}-02-29)$",
    "must be a date on the calendar as YYYY, YYYY-MM or YYYY-MM-DD (from 0001)",
)
SLUG = Explained(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "ids are lower-case letters and digits joined by hyphens"
)
# Free text: anything but NUL, which no store takes in text.
TEXT = Explained(r"^[^\x00]*$", "must not contain NUL characters")

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


def sort_query(listing: Listing[Any]) -> Any:
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


class Offsets(StrEnum):
    codepoints = "codepoints"
    utf16 = "utf16"


class ListFormat(StrEnum):
    json = "json"
    annotations = "annotations"
    csv = "csv"
    ndjson = "ndjson"


class CountMode(StrEnum):
    auto = "auto"
    exact = "exact"


CountQuery = Annotated[
    CountMode,
    Query(
        description="How `total` is counted. `auto` (default): exactly when that takes at most "
        "COUNT_BUDGET_MS (50 ms unless configured), else `total` is null and "
        "`total_at_least` a lower bound; `exact`: always, however long it takes (up to the "
        "request's time limit)"
    ),
]

OffsetsQuery = Annotated[
    Offsets,
    Query(
        description="What evidence `start`/`end` count: Unicode code points (`codepoints`, the "
        "default, as Python and most languages index strings) or UTF-16 code units (`utf16`, "
        "as JavaScript does); W3C annotations always count code points"
    ),
]
FormatQuery = Annotated[
    ListFormat | None,
    Query(
        description="`json` (default): a page in the list envelope; `annotations`: the page's "
        "evidence as W3C Web Annotations (JSON-LD, an AnnotationPage); `csv` or `ndjson`: the "
        "whole filtered, sorted list as a download (`limit` and `cursor` do not apply; CSV is "
        "one flat row per record). Without it, an `Accept` of `text/csv` or "
        "`application/x-ndjson` asks for those"
    ),
]

BomQuery = Annotated[
    bool,
    Query(
        description="CSV only: begin the download with a UTF-8 byte order mark, so spreadsheets "
        "(Excel) read its accents right; with any other format, a 422"
    ),
]


@dataclass(frozen=True)
class ItemParams:
    """How one record is shaped: `fields`, `include` and `offsets`."""

    fields: str | None = None
    include: str | None = None
    offsets: Offsets = Offsets.codepoints


@dataclass(frozen=True)
class PageParams(ItemParams):
    """A page: `limit` and `cursor`, its records' shape, and its `format`."""

    limit: int = 20
    cursor: str | None = None
    format: ListFormat | None = None  # None: as the Accept header asks
    count: CountMode = CountMode.auto
    bom: bool = False


# A multi-value parameter takes at most this many values (`id=` takes MAX_IDS).
MAX_VALUES = 50
HOW = "comma-separated values are ORed; ! before a value excludes it"


def list_pattern(
    values: Iterable[str], negatable: bool = False, limit: int = MAX_VALUES
) -> Explained:
    """A regex for up to `limit` comma-separated values from an allow-list (each with `!` in
    front when `negatable`): what the parameter takes, checked as it is read."""
    values = list(values)
    one = ("!?" if negatable else "") + "(" + "|".join(re.escape(v) for v in values) + ")"
    how = f" ({HOW})" if negatable else ""
    return Explained(
        rf"^{one}(,{one}){{0,{limit - 1}}}$",
        f"must be at most {limit} comma-separated values of: {', '.join(values)}{how}",
    )


def as_array(
    values: Iterable[str],
    negatable: bool = False,
    limit: int = MAX_VALUES,
    example: str | None = None,
) -> Any:
    """The JSON schema of a comma-separated allow-list parameter, as OpenAPI says it: an array
    of the values (and of their `!`-negations), sent as one comma-separated value (app.openapi
    gives every array parameter `style: form`, `explode: false`). A typed client then refuses
    a typo; the wire format is the pattern's."""
    values = list(values)
    allowed = [*values, *(f"!{v}" for v in values)] if negatable else values

    def replace(schema: dict[str, Any]) -> None:
        description = schema.get("description")
        schema.clear()
        schema.update(
            type="array",
            items={"type": "string", "enum": allowed},
            minItems=1,
            maxItems=limit,
        )
        if description:
            schema["description"] = description
        if example:
            schema["examples"] = [example.split(",")]

    return replace


def list_query(
    values: Iterable[str],
    description: str,
    *,
    negatable: bool = False,
    default: Any = PydanticUndefined,
    example: str | None = None,
) -> Any:
    """A comma-separated allow-list parameter (`fields`, `include`, `facet`, `kind`, ...);
    `default` given where the parameter's default is not in its `Annotated` type."""
    values = list(values)
    return Query(
        default,
        max_length=MAX_VALUES * (max(map(len, values)) + 2),
        pattern=list_pattern(values, negatable),
        description=f"{description} One of: {', '.join(values)}",
        json_schema_extra=as_array(values, negatable, example=example),
    )


def fields_query(kind: Kind) -> Any:
    return list_query(
        kind.fields,
        "Comma-separated fields to return (a sparse response: leave out the ones you do not "
        f"need); the `{kind.key}` always comes. The answer is then the sparse member of the "
        "response schema's `anyOf`: only the fields asked for (and the key).",
        default=None,
    )


def include_query(kind: Kind) -> Any:
    return list_query(
        kind.includes,
        "Comma-separated relations to embed, as full records, under `included`.",
        default=None,
    )


def item_params(kind: Kind) -> Any:
    """`Depends(...)` for how one `kind` record is shaped: `fields`, `include` where it has
    relations, `offsets` where it has evidence (every kind but articles)."""
    if kind.includes:

        async def related(
            fields: str | None = fields_query(kind),
            include: str | None = include_query(kind),
            offsets: OffsetsQuery = Offsets.codepoints,
        ) -> ItemParams:
            return ItemParams(fields, include, offsets)

        return Depends(related)
    if kind.has_evidence:

        async def evidenced(
            fields: str | None = fields_query(kind), offsets: OffsetsQuery = Offsets.codepoints
        ) -> ItemParams:
            return ItemParams(fields, None, offsets)

        return Depends(evidenced)

    async def plain(fields: str | None = fields_query(kind)) -> ItemParams:
        return ItemParams(fields)

    return Depends(plain)


def page_params(kind: Kind) -> Any:
    """`Depends(...)` for a page of `kind` records: `limit`, `cursor`, how its records are
    shaped, and, where they have evidence, its `format`."""
    shape = item_params(kind)
    if kind.has_evidence:

        async def evidenced(
            limit: Limit = 20,
            cursor: Cursor = None,
            format: FormatQuery = None,
            count: CountQuery = CountMode.auto,
            bom: BomQuery = False,
            shaped: ItemParams = shape,
        ) -> PageParams:
            return PageParams(
                shaped.fields, shaped.include, shaped.offsets, limit, cursor, format, count, bom
            )

        return Depends(evidenced)

    async def plain(
        limit: Limit = 20,
        cursor: Cursor = None,
        count: CountQuery = CountMode.auto,
        shaped: ItemParams = shape,
    ) -> PageParams:
        return PageParams(shaped.fields, limit=limit, cursor=cursor, count=count)

    return Depends(plain)


@dataclass(frozen=True)
class ListOptions:
    """What a top-level list adds to its page: the facets asked for."""

    facets: tuple[str, ...] = ()


def list_options(listing: Listing[Any]) -> Any:
    """`Depends(...)` for `facet`, of the facets `listing` has."""
    names = list(listing.facets)

    async def options(
        facet: str | None = list_query(
            names,
            "Comma-separated facets to count: for each, how many records (over every filter "
            "but the facet's own) have each value, most first.",
            default=None,
        ),
    ) -> ListOptions:
        return ListOptions(tuple(dict.fromkeys(facet.split(","))) if facet else ())

    return Depends(options)
