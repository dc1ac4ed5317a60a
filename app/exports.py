"""Exports: a whole filtered, sorted list, read in keyset chunks (each its own short query, in
its own time budget), as NDJSON (one record a line) or flat CSV (one record a row), in
constant memory. The HTTP layer streams them (app.api.lists); `python -m app export` writes
them to files."""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Engine

from app.db import data_version
from app.errors import InvalidParameter, Unavailable
from app.query import F, Listing, Paging, fetch_page
from app.records import Item, Kind, shape, to_utf16

CHUNK = 1000
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
# A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class DataChanged(Unavailable):
    """The store was re-seeded while an export was being read: its chunks would mix two
    versions of the data."""


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
) -> Iterator[list[str] | list[Item]]:
    """The records of `listing` matching `filters` in `sort` order, `chunk` at a time: as
    the stored JSON documents (strings) when unshaped, else as shaped records. Each chunk is
    read on a connection of its own, so each has the whole time limit, and checks that the
    data version is still the one the export began with."""
    cursor: str | None = None
    size = chunk or CHUNK
    while True:
        with engine.connect() as conn:
            if data_version(conn) != paging.version:
                raise DataChanged("The data changed during the export; start it again")
            result = fetch_page(
                conn, listing, filters, sort=sort, limit=size, cursor=cursor, paging=paging
            )
            bodies: list[str] = [row.body for row in result.rows]
            if shaping.as_stored:
                yield bodies
            else:
                yield shaped(conn, kind, bodies, shaping)
        cursor = result.next_cursor
        if cursor is None:
            return


def shaped(conn: Connection, kind: Kind, bodies: list[str], shaping: Shaping) -> list[Item]:
    records = [orjson.loads(body) for body in bodies]
    records = shape(conn, kind, records, fields=shaping.fields, include=shaping.include)
    if shaping.astral:
        to_utf16(records, shaping.astral)
    return records


def ndjson_lines(batch: list[str] | list[Item]) -> bytes:
    if batch and isinstance(batch[0], str):
        return ("\n".join(batch) + "\n").encode()
    return b"".join(orjson.dumps(record) + b"\n" for record in batch)


# --- CSV ---------------------------------------------------------------------------------------

# Columns a field becomes when it is not one plain value.
SPREAD = {
    "evidence": (
        "evidence_count",
        "evidence_article",
        "evidence_start",
        "evidence_end",
        "evidence_text",
    ),
    "speaker": ("speaker_type", "speaker_id", "speaker_name"),
}


def csv_columns(kind: Kind, fields: set[str] | None) -> list[str]:
    """The header row: the record's fields in order (`fields` only, if given), with the
    speaker and the evidence spread over several columns."""
    out: list[str] = []
    for name in kind.fields:
        if fields is not None and name not in fields:
            continue
        out.extend(SPREAD.get(name, (name,)))
    return out


def csv_cells(record: Item) -> dict[str, Any]:
    """A record as flat cells: lists joined with `;`, participants as `id (role)`, the
    speaker as its type, id and name, the evidence as its first span and a count, the
    enrichment as the names of the fields it marks."""
    cells: dict[str, Any] = {}
    for name, value in record.items():
        if name == "evidence":
            first = value[0] if value else {}
            cells |= {
                "evidence_count": len(value),
                "evidence_article": first.get("article"),
                "evidence_start": first.get("start"),
                "evidence_end": first.get("end"),
                "evidence_text": first.get("text"),
            }
        elif name == "speaker" and isinstance(value, dict):
            cells |= {f"speaker_{k}": value.get(k) for k in ("type", "id", "name")}
        elif name == "participants":
            cells[name] = ";".join(f"{p['id']} ({p['role']})" for p in value)
        elif name == "about":
            cells[name] = ";".join(ref["id"] for ref in value)
        elif name == "enrichment":
            cells[name] = ";".join(value)
        elif name == "date_relation":
            cells[name] = " ".join(f"{k} {v}" for k, v in value.items()) if value else None
        elif isinstance(value, list):
            cells[name] = ";".join(str(v) for v in value)
        else:
            cells[name] = value
    return cells


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # text a spreadsheet would run; numbers are never escaped
    return value


def csv_rows(columns: Sequence[str], batch: list[Item], header: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(columns)
    rows = []
    for record in batch:
        cells = csv_cells(record)
        rows.append([cell(cells.get(column)) for column in columns])
    writer.writerows(rows)
    return out.getvalue().encode()


def refuse_include_in_csv(include: frozenset[str] | set[str]) -> None:
    if include:
        raise InvalidParameter(
            "include", "CSV is one flat row per record: embedded records need format=ndjson"
        )
