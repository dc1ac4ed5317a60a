"""What operations declare in OpenAPI about their error responses (app.openapi adds examples
and headers)."""

from typing import Any

from app.errors import Problem

DESCRIPTIONS = {
    404: "No record with that id",
    422: "A parameter is invalid; `errors` names each one",
    503: "The store is not ready, or the query took too long; retry after `Retry-After` seconds",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        if status == 304:
            out[304] = {"description": "Not modified: your cached copy (If-None-Match) is current"}
        else:
            out[status] = {
                "model": Problem,
                "description": DESCRIPTIONS[status],
                "content": {"application/problem+json": {}},
            }
    return out


LIST_RESPONSES = problem_responses(304, 422, 503)
ITEM_RESPONSES = problem_responses(304, 404, 422, 503)
