"""What operations declare in OpenAPI about their error responses (app.openapi adds examples
and headers)."""

from typing import Any

from app import annotations
from app.errors import Problem

DESCRIPTIONS = {
    404: "No record with that id",
    422: "A parameter is invalid; `errors` names each one",
    503: "The store is not ready, or the query took too long; retry after `Retry-After` seconds",
}
MOVED = {
    "description": "Moved: a correction renamed the record; `Location` is its URL now",
    "headers": {"Location": {"description": "The record's URL now", "schema": {"type": "string"}}},
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        if status == 304:
            out[304] = {"description": "Not modified: your cached copy (If-None-Match) is current"}
        elif status == 301:
            out[301] = MOVED
        else:
            out[status] = {
                "model": Problem,
                "description": DESCRIPTIONS[status],
                "content": {"application/problem+json": {}},
            }
    return out


LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            annotations.MEDIA_TYPE: {"schema": annotations.SCHEMA},
            "text/csv": {"schema": {"type": "string", "description": "format=csv"}},
            "application/x-ndjson": {"schema": {"type": "string", "description": "format=ndjson"}},
        }
    },
    **problem_responses(304, 422, 503),
}
# Lists of records without evidence (articles, search hits): JSON only.
PLAIN_LIST_RESPONSES = problem_responses(304, 422, 503)
ITEM_RESPONSES = problem_responses(301, 304, 404, 422, 503)
# A list below a record (/v1/people/{id}/quotes): a list, whose parent may be missing or moved.
SUB_LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: LIST_RESPONSES[200],
    **ITEM_RESPONSES,
}
ANNOTATION_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The record's evidence as a W3C AnnotationCollection",
        "content": {annotations.MEDIA_TYPE: {"schema": annotations.SCHEMA}},
    },
    **problem_responses(301, 304, 404, 422, 503),
}
