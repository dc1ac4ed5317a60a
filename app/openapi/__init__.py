"""The OpenAPI document, finished: examples on every response, problems as problem+json,
headers, and what a sparse record guarantees.

The examples themselves are data, in app.openapi.examples; each public shape gets one, and
every operation's 200 response shows its shape's example (wrapped in the list envelope for
lists), so Swagger UI and ReDoc show real data.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app import annotations, csvrows, exports
from app.config import RETRY_AFTER_SECONDS
from app.openapi.examples import (
    ANNOTATION_BASE,
    EXAMPLES,
    META_EXAMPLES,
    PROBLEM_EXAMPLES,
)
from app.records import KINDS

# Records that have relations to embed: their whole shape may carry `included` (its schema,
# `<Name>Included`, is built by app.api.shapes from the kind's relations).
INCLUDABLE = [kind.public.__name__ for kind in KINDS.values() if kind.includes]


def annotation_examples() -> tuple[dict[str, Any], dict[str, Any]]:
    """The coup's evidence as served at ANNOTATION_BASE: as its AnnotationCollection, and as
    the AnnotationPage of a list holding only it."""
    coup = EXAMPLES["EventPublic"]
    url = f"{ANNOTATION_BASE}/v1/events/{coup['id']}"
    collection = annotations.collection(coup, url, ANNOTATION_BASE, annotations.label_of(coup))
    items = annotations.annotations_of(coup, url, ANNOTATION_BASE)
    page = annotations.page(items, f"{ANNOTATION_BASE}/v1/events?format=annotations", None)
    return collection, page


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


REQUEST_ID = _header("This request's id (the X-Request-ID you sent, or a new one)")
CACHE_HEADERS = {
    "ETag": _header("Strong validator: send it back in If-None-Match to get a 304"),
    "Cache-Control": _header("public, max-age=CACHE_MAX_AGE"),
}
RETRY_AFTER = {
    "description": f"Seconds to wait before retrying ({RETRY_AFTER_SECONDS})",
    "schema": {"type": "integer"},
}
LINK = {"Link": _header('<url of the next page>; rel="next", when there is one')}


# Whole records, also as `include=` embeds them: every field is always sent (null when the
# article gives no value), so every field is required. `fields=` answers are the sparse
# shapes of app.api.shapes, the other member of each answer's `anyOf`.
RECORDS = [kind.public.__name__ for kind in KINDS.values()]


def _whole(name: str) -> bool:
    return name in RECORDS or (name.startswith("Included") and not name.endswith("Included"))


def _whole_ref(schema: dict[str, Any]) -> str:
    """The component a response's schema names: the whole member of an `anyOf`."""
    return str(schema.get("anyOf", [schema])[0].get("$ref", ""))


def _example_for(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    ref = _whole_ref(schema)
    name = ref.rsplit("/", 1)[-1]
    if name in EXAMPLES:
        return EXAMPLES[name]
    if name.startswith("Page_"):
        item = name.removeprefix("Page_").removesuffix("_")
        if item in EXAMPLES:
            return {"data": [EXAMPLES[item]], "total": 1, "next_cursor": None}
    if name == "SearchPage":
        return {"data": [EXAMPLES["SearchHit"]], "total": 1, "next_cursor": None, "fuzzy": False}
    return None


def _export_examples(content: dict[str, Any], schema: dict[str, Any]) -> None:
    """The CSV and NDJSON a list's example record becomes, where the list offers them."""
    name = _whole_ref(schema).rsplit("/", 1)[-1].removeprefix("Page_").removesuffix("_")
    kind = next((k for k in KINDS.values() if k.public.__name__ == name), None)
    if kind is None or name not in EXAMPLES:
        return
    record = EXAMPLES[name]
    if "text/csv" in content:
        header = csvrows.columns(kind.fields)
        content["text/csv"]["example"] = csvrows.rows(header, [record], with_header=True)
    if "application/x-ndjson" in content:
        content["application/x-ndjson"]["example"] = exports.ndjson_lines([record]).decode()


def _finish_responses(
    path: str,
    responses: dict[str, Any],
    components: dict[str, Any],
    linked_examples: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """Examples and headers on every response; problems only as application/problem+json."""
    for status, response in responses.items():
        if status.startswith(("4", "5")):
            response["content"] = {
                "application/problem+json": {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "example": PROBLEM_EXAMPLES.get(status, PROBLEM_EXAMPLES["404"]),
                }
            }
            response["headers"] = {"X-Request-ID": REQUEST_ID}
            if status == "503":
                response["headers"]["Retry-After"] = RETRY_AFTER
    ok = responses["200"]
    ok["headers"] = {"X-Request-ID": REQUEST_ID}
    if path.startswith(("/v1/", "/problems/")):
        ok["headers"] |= CACHE_HEADERS
    media = ok["content"].get("application/json")
    if media is not None:
        example = META_EXAMPLES.get(path) or _example_for(media.get("schema", {}), components)
        if example is not None and "example" not in media:
            media["example"] = example
        if path.startswith("/v1/") and "next_cursor" in (media.get("example") or {}):
            ok["headers"] |= LINK
        _export_examples(ok["content"], media.get("schema", {}))
    linked = ok["content"].get(annotations.MEDIA_TYPE)
    if linked is not None:
        collection, page = linked_examples
        linked["example"] = page if media is not None else collection


def _comma_separated(parameters: list[dict[str, Any]]) -> None:
    """Array parameters (app.api.params.as_array) travel as one comma-separated value."""
    for parameter in parameters:
        if parameter["schema"].get("type") == "array":
            parameter["style"] = "form"
            parameter["explode"] = False


def customize_openapi(app: FastAPI) -> None:
    """Examples and headers on every response, problems as problem+json, `included` where
    `include=` can add it, and every field of a record required (it is always sent)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        components = schema.get("components", {}).get("schemas", {})
        for name, component in components.items():
            if _whole(name):
                component["required"] = list(component["properties"])
        for name, example in EXAMPLES.items():
            if name in components:
                components[name]["examples"] = [example]
        for name in INCLUDABLE:
            related = f"{name.removesuffix('Public')}Included"
            if related in components:
                components[name]["properties"]["included"] = {
                    "$ref": f"#/components/schemas/{related}",
                    "description": "Only with `include=`: the related records asked for, whole",
                }
        linked = annotation_examples()
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                _comma_separated(operation.get("parameters", []))
                _finish_responses(path, operation["responses"], components, linked)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
