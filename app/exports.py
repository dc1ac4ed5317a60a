"""Exports: a whole filtered, sorted list, read in keyset chunks (each its own short query, in
its own time budget), as NDJSON (one record a line) or flat CSV (one record a row), in
constant memory. The HTTP layer streams them (app.api.lists); `python -m app export` writes
them to files."""

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, Engine

from app import csvrows
from app.db import data_version
from app.errors import InvalidParameter, Unavailable
from app.query import F, Listing, Paging, fetch_page
from app.records import Item, Kind, shape, to_utf16

log = logging.getLogger("app.exports")
CHUNK = 2000
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
# What each format concatenates when records are exported whole: the stored JSON document, or
# the stored CSV row (both rendered when the store was seeded).
STORED = {"ndjson": "body", "csv": "csv"}
BOM = "\ufeff".encode()
# What a download's name leaves out: parameters that say how to shape, page or search the
# list, not which records are in it (`q` would make names of free text).
UNNAMED = {
    "q",
    "cursor",
    "limit",
    "sort",
    "fields",
    "include",
    "facet",
    "format",
    "offsets",
    "count",
    "bom",
}
FILENAME_MOST = 100
UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class DataChanged(Unavailable):
    """The store was re-seeded while an export was being read: its chunks would mix two
    versions of the data, and the one it began on is gone (each chunk is a transaction of
    its own, so that each has the whole time limit). Refused, to be started again: a 503
    before the first byte, the stream's last line after it."""


@dataclass(frozen=True)
class Shaping:
    """How each exported record is shaped (as for a page: fields, includes, offsets)."""

    fields: set[str] | None = None
    include: frozenset[str] = frozenset()
    astral: dict[str, list[int]] | None = None  # UTF-16 offsets: the characters to count twice

    @property
    def as_stored(self) -> bool:
        return self.fields is None and not self.include and not self.astral


def chunks(
    engine: Engine,
    listing: Listing[F],
    kind: Kind,
    filters: F,
    sort: str,
    paging: Paging,
    shaping: Shaping,
    chunk: int | None = None,
    stored: str = "body",
) -> Iterator[list[bytes] | list[Item]]:
    """The records of `listing` matching `filters` in `sort` order, `chunk` at a time: as
    their `stored` form (the JSON document, `body`, or the CSV row, `csv`) when unshaped, else
    as shaped records. Each chunk is read on a connection of its own, so each has the whole
    time limit, and checks that the data version is still the one the export began with. A
    chunk is yielded with nothing else holding it (not its rows, not the connection), so memory
    holds the chunk being read and the one being sent, however long the export."""
    cursor: str | None = None
    size = chunk or CHUNK
    sent = 0
    batch: list[bytes] | list[Item]
    while True:
        with engine.connect() as conn:
            now = data_version(conn)
            if now != paging.version:
                log.warning(
                    "export of %s refused: the data changed from version %s to %s (a seed) "
                    "after %d records; the client is told to start again",
                    listing.name,
                    paging.version,
                    now,
                    sent,
                )
                raise DataChanged("The data changed during the export; start it again")
            result = fetch_page(
                conn,
                listing,
                filters,
                sort=sort,
                limit=size,
                cursor=cursor,
                paging=paging,
                stored=stored if shaping.as_stored else "body",
            )
            cursor = result.next_cursor
            values: list[bytes] = [row.body for row in result.rows]
            del result
            batch = values if shaping.as_stored else shaped(conn, kind, values, shaping)
            del values
        sent += len(batch)
        yield batch
        del batch
        if cursor is None:
            return


def shaped(conn: Connection, kind: Kind, bodies: list[bytes], shaping: Shaping) -> list[Item]:
    records = [orjson.loads(body) for body in bodies]
    records = shape(conn, kind, records, fields=shaping.fields, include=shaping.include)
    if shaping.astral:
        to_utf16(records, shaping.astral)
    return records


def ndjson_lines(batch: list[bytes] | list[Item]) -> bytes:
    if batch and isinstance(batch[0], bytes):
        return b"\n".join(batch) + b"\n"
    return b"".join(orjson.dumps(record) + b"\n" for record in batch)


def encode(
    format: str, header: Sequence[str], batch: list[bytes] | list[Item], first: bool
) -> bytes:
    """One chunk of an export as `format` (ndjson or csv): stored forms (bytes) are
    concatenated, shaped records rendered; a CSV's first chunk begins with its `header` row."""
    if format == "ndjson":
        return ndjson_lines(batch)
    head = csvrows.rows(header, [], with_header=True).encode() if first else b""
    if batch and isinstance(batch[0], bytes):
        return head + b"".join(batch)  # stored rows end with their CRLF
    records: list[Item] = [r for r in batch if not isinstance(r, bytes)]
    return head + csvrows.rows(header, records, with_header=False).encode()


def filename(name: str, params: Iterable[tuple[str, str]], extension: str) -> str:
    """A download's name that says what is in it: the list, then each filter in the order of
    the URL, `events-country-NE-kind-coup+offer.csv` for `?country=NE&kind=coup,offer`; an
    exclusion `!NE` is written `not-NE`; any other character outside `[A-Za-z0-9._-]` becomes
    `_`; cut to FILENAME_MOST characters, extension included."""
    parts = [UNSAFE.sub("_", name)]
    for key, value in params:
        if key in UNNAMED or not value:
            continue
        values = [f"not-{v[1:]}" if v.startswith("!") else v for v in value.split(",")]
        parts.append(f"{UNSAFE.sub('_', key)}-{'+'.join(UNSAFE.sub('_', v) for v in values)}")
    stem = "-".join(parts)
    suffix = f".{extension}"
    return stem[: FILENAME_MOST - len(suffix)] + suffix


def refuse_include_in_csv(include: frozenset[str] | set[str]) -> None:
    if include:
        raise InvalidParameter(
            "include", "CSV is one flat row per record: embedded records need format=ndjson"
        )
