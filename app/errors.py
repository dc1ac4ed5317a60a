"""One error base class and one handler: every error leaves as RFC 9457 problem+json."""

from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.config import RETRY_AFTER_SECONDS

PROBLEM_JSON = "application/problem+json"

# What each problem type means; served at /problems/{slug} so every `type` dereferences.
PROBLEM_TYPES: dict[str, str] = {
    "not-found": "No resource lives at this path, or no record has this id.",
    "invalid-parameter": "A query or path parameter is malformed or outside its allowed values. "
    "`errors` names each one.",
    "method-not-allowed": "The resource exists but does not answer this HTTP method; "
    "the API is read-only.",
    "payload-too-large": "The request body is larger than the API accepts.",
    "cors-refused": "A CORS preflight asked for an origin, method or header this API does not "
    "allow; the data is read with GET from the configured origins.",
    "invalid-range": "A Range header on a static file is malformed (400), or asks for bytes "
    "past the file's end (416, with `Content-Range: bytes */size`); ask for the whole file, "
    "or for `bytes=start-end` within it.",
    "host-not-allowed": "The request's Host header names a host this API is not served at "
    "(ALLOWED_HOSTS); use the API's own address.",
    "too-many-requests": "This client sent more requests than the rate limit allows; "
    "retry after `Retry-After` seconds.",
    "query-timeout": "The database took longer than the per-request time limit; "
    "narrow the query, or retry after `Retry-After` seconds.",
    "unavailable": "The store is not reachable, not migrated or not seeded yet; "
    "retry after `Retry-After` seconds.",
    "internal-error": "An unexpected error. It has been logged with the request id.",
}


class ParamError(BaseModel):
    name: str = Field(description="The parameter, e.g. `limit`")
    location: str = Field(alias="in", description="`query` or `path`")
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(description="A URI naming the kind of problem; GET it for an explanation")
    title: str
    status: int
    detail: str
    instance: str | None = Field(None, description="The path of the request that failed")
    request_id: str | None = None
    errors: list[ParamError] | None = Field(None, description="Each bad parameter, for 422")


class ApiError(Exception):
    status: int = 500
    slug: str = "internal-error"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class NotFound(ApiError):
    status, slug = 404, "not-found"


class InvalidParameters(ApiError):
    """A 422 naming each bad parameter in `errors`."""

    status, slug = 422, "invalid-parameter"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['name']}: {e['reason']}" for e in errors), errors=errors)


class InvalidParameter(InvalidParameters):
    def __init__(self, name: str, reason: str, location: str = "query") -> None:
        super().__init__([{"name": name, "in": location, "reason": reason}])


class RetryLater(ApiError):
    """A 503: the client should come back, after `Retry-After` seconds."""

    status = 503

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


class QueryTimeout(RetryLater):
    slug = "query-timeout"


class Unavailable(RetryLater):
    slug = "unavailable"


class PayloadTooLarge(ApiError):
    status, slug = 413, "payload-too-large"


class TooManyRequests(ApiError):
    status, slug = 429, "too-many-requests"


class CorsRefused(ApiError):
    status, slug = 400, "cors-refused"


class InvalidRange(ApiError):
    """A Range header a static file cannot answer: malformed (400) or past its end (416)."""

    slug = "invalid-range"

    def __init__(self, status: int, detail: str, headers: dict[str, str]) -> None:
        super().__init__(detail, headers=headers)
        self.status = status


class HostNotAllowed(ApiError):
    status, slug = 400, "host-not-allowed"


def problem_body(
    status: int,
    slug: str,
    detail: str,
    *,
    instance: str,
    request_id: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> bytes:
    """The one problem+json body every error of the API is rendered with."""
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": request_id,
    }
    if errors is not None:
        body["errors"] = errors
    return orjson.dumps(body)


def problem_response(error: ApiError, *, instance: str, request_id: str | None) -> Response:
    """The response for `error`: its problem body and its headers (Retry-After, Allow, ...).
    Handlers and middleware alike answer with it."""
    body = problem_body(
        error.status,
        error.slug,
        error.detail,
        instance=instance,
        request_id=request_id,
        errors=error.errors,
    )
    return Response(body, error.status, headers=error.headers, media_type=PROBLEM_JSON)


def _respond(request: Request, error: ApiError) -> Response:
    request_id = request.scope.get("state", {}).get("request_id")
    return problem_response(error, instance=request.url.path, request_id=request_id)


class HttpProblem(ApiError):
    """A status Starlette raised (404 for an unknown path, 405, ...), as a problem."""

    def __init__(self, status: int, slug: str, detail: str, headers: dict[str, str]) -> None:
        super().__init__(detail, headers=headers)
        self.status, self.slug = status, slug


class Explained(str):
    """A parameter's pattern that carries the words a refusal uses instead of the regex: the
    OpenAPI document states the regex, which says exactly what passes; a user who sent
    something else reads `reason`. It travels with the parameter's declaration
    (`Query(pattern=Explained(...))`), so no table is filled as modules import."""

    reason: str

    def __new__(cls, pattern: str, reason: str) -> "Explained":
        explained = super().__new__(cls, pattern)
        explained.reason = reason
        return explained


def _declared_reasons(dependant: Any) -> dict[tuple[str, str], Explained]:
    """(location, name) -> the explained pattern of every parameter `dependant` (a route's,
    with its sub-dependencies) declares with one."""
    out: dict[tuple[str, str], Explained] = {}
    for location, fields in (
        ("path", dependant.path_params),
        ("query", dependant.query_params),
        ("header", dependant.header_params),
        ("cookie", dependant.cookie_params),
    ):
        for field in fields:
            for meta in field.field_info.metadata:
                pattern = getattr(meta, "pattern", None)
                if isinstance(pattern, Explained):
                    out[(location, field.alias)] = pattern
    for sub in dependant.dependencies:
        out.update(_declared_reasons(sub))
    return out


def _validation_errors(route: Any, exc: RequestValidationError) -> list[dict[str, str]]:
    dependant = getattr(route, "dependant", None)
    declared = _declared_reasons(dependant) if dependant is not None else {}
    out = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else "query"
        name = ".".join(loc[1:]) or location
        reason = _reason(error, declared.get((location, name)))
        out.append({"name": name, "in": location, "reason": reason})
    return out


def _reason(error: Any, explained: Explained | None) -> str:
    mismatch = error.get("type") == "string_pattern_mismatch"
    if explained is not None and mismatch and explained == error["ctx"].get("pattern"):
        return explained.reason
    return str(error.get("msg", "invalid"))


TIME_LIMIT_DETAIL = "The query took longer than the time limit; narrow it and retry"
SQLITE_UNAVAILABLE = ("unable to open database", "database is locked", "disk i/o error")


# What the database layer raises: a driver's error, or no pooled connection free in time.
DATABASE_ERRORS = (DBAPIError, PoolTimeout)
BUSY_DETAIL = "Every database connection is busy; retry shortly"


def database_error(exc: DBAPIError | PoolTimeout) -> ApiError:
    """What a database error means to a client: a query over its time limit, a store that
    cannot be reached or a pool with no connection free is a 503 to retry; anything else is a
    bug (500)."""
    if not isinstance(exc, DBAPIError):
        return Unavailable(BUSY_DETAIL)
    message = str(exc.orig).lower()
    # SQLite's interrupt; PostgreSQL's statement_timeout, or the watchdog's cancel request.
    if any(sign in message for sign in ("interrupted", "statement timeout", "user request")):
        return QueryTimeout(TIME_LIMIT_DETAIL)
    unreachable = exc.connection_invalidated or (
        isinstance(exc, OperationalError)
        and (
            type(exc.orig).__module__.startswith("psycopg")  # its OperationalErrors: connections
            or any(sign in message for sign in SQLITE_UNAVAILABLE)
        )
    )
    if unreachable:
        return Unavailable("The store cannot be reached; retry shortly")
    return ApiError("Unexpected database error; it has been logged")


def install(app: FastAPI) -> None:
    """Handlers for what the app raises on purpose. Anything else (a database error, a bug)
    escapes to the HTTP edge (app.http), which answers with a problem and logs it once."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return _respond(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        route = request.scope.get("route")
        return _respond(request, InvalidParameters(_validation_errors(route, exc)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        slug = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}.get(
            exc.status_code, "invalid-parameter" if exc.status_code < 500 else "internal-error"
        )
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No resource at {request.url.path}; see /docs for the API's paths"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Every path that answers GET answers HEAD (the edge) and OPTIONS (here) too.
            given = [m.strip() for m in headers.pop("Allow", "GET").split(",")]
            allowed = ", ".join(dict.fromkeys([*given, "HEAD", "OPTIONS"]))
            if request.method == "OPTIONS":
                return Response(status_code=204, headers={"Allow": allowed})
            headers["Allow"] = allowed
            detail = f"{request.method} is not allowed here (the API is read-only): use {allowed}"
        return _respond(request, HttpProblem(exc.status_code, slug, detail, headers))
