"""CSV, the flat form of a record: one row per record, list fields joined with `;`, the
speaker and the first evidence span spread over columns of their own, text a spreadsheet would
run as a formula escaped. Each record's row is rendered with its JSON when the store is seeded
(app.records), so an export of whole records concatenates stored rows as NDJSON concatenates
stored documents; a row of chosen `fields` is rendered here per request."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

Item = dict[str, Any]
# A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINE_END = "\r\n"

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


def columns(names: Iterable[str], fields: set[str] | None = None) -> list[str]:
    """The header row: the record's field `names` in order (`fields` only, if given), with
    the speaker and the evidence spread over several columns."""
    out: list[str] = []
    for name in names:
        if fields is not None and name not in fields:
            continue
        out.extend(SPREAD.get(name, (name,)))
    return out


def cells(record: Item) -> dict[str, Any]:
    """A record as flat cells: lists joined with `;`; references typed, as `country:NE` in
    `about` and `countries` and `person:olayinka-ajala (instigator)` in participants, since
    one column mixes kinds whose ids could clash; the speaker as its type, id and name (the id
    bare, beside its type), the evidence as its first span and a count, the
    enrichment as the names of the fields it marks."""
    out: dict[str, Any] = {}
    for name, value in record.items():
        if name == "evidence":
            first = value[0] if value else {}
            out |= {
                "evidence_count": len(value),
                "evidence_article": first.get("article"),
                "evidence_start": first.get("start"),
                "evidence_end": first.get("end"),
                "evidence_text": first.get("text"),
            }
        elif name == "speaker" and isinstance(value, dict):
            out |= {f"speaker_{k}": value.get(k) for k in ("type", "id", "name")}
        elif name == "participants":
            out[name] = ";".join(f"{typed(p['type'], p['id'])} ({p['role']})" for p in value)
        elif name == "about":
            out[name] = ";".join(typed(ref["type"], ref["id"]) for ref in value)
        elif name == "countries":
            out[name] = ";".join(typed("country", code) for code in value)
        elif name == "enrichment":
            out[name] = ";".join(value)
        elif name == "date_relation":
            out[name] = " ".join(f"{k} {v}" for k, v in value.items()) if value else None
        elif isinstance(value, list):
            out[name] = ";".join(str(v) for v in value)
        else:
            out[name] = value
    return out


def typed(type_: str, id_: str) -> str:
    return f"{type_}:{id_}"


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # text a spreadsheet would run; numbers are never escaped
    return value


def rows(header: Sequence[str], records: Iterable[Item], *, with_header: bool) -> str:
    """`records` as CSV rows of the `header` columns (preceded by the header row itself if
    `with_header`), each ended by CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=LINE_END)
    if with_header:
        writer.writerow(header)
    for record in records:
        flat = cells(record)
        writer.writerow([cell(flat.get(column)) for column in header])
    return out.getvalue()
