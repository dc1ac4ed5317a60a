"""The application: routers, middleware, error handlers, offline docs and health checks."""

import base64
import hashlib
import re
from pathlib import Path
from typing import Annotated, Any

import fastapi_offline
from fastapi import Depends, FastAPI
from fastapi import Path as PathParam
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import Headers

from app import __version__, errors, logs
from app.api import (
    aid,
    articles,
    countries,
    events,
    figures,
    organizations,
    people,
    places,
    quotes,
    search,
)
from app.api.common import json_response, problem_responses, strict_query
from app.config import SCHEMA_REVISION, Settings, get_settings
from app.db import data_version, get_engine, store_state
from app.http import CachingMiddleware, HttpMiddleware, RateLimitMiddleware
from app.openapi import customize_openapi
from app.records import DOCUMENT_FORMAT

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"

DESCRIPTION = """
What one news article says, as structured, checkable data: countries, people, organizations,
places, events, direct quotes and aid figures from a Newsweek piece on Russia's military ties
with Niger.

**Every record carries evidence**: `{article, start, end, text}` spans where `text` is exactly
the article's characters `start:end` (GET `/v1/articles/{id}` for the text). Dates carry their
precision (`2023-07` is known to the month), money its currency and qualifier (`more_than`).

Lists return `{data, total, next_cursor}`; pass `next_cursor` back as `cursor` (or follow the
`Link: rel="next"` header). Errors are RFC 9457 `application/problem+json`. Every GET has a
strong `ETag`: send it back in `If-None-Match` to get a `304`.
"""

TAGS = [
    {"name": "countries", "description": "Countries, keyed by ISO 3166-1 alpha-2 code"},
    {"name": "people", "description": "People the articles name"},
    {"name": "organizations", "description": "Governments, armed forces, blocs, media, ..."},
    {"name": "places", "description": "Cities, bases, venues, regions, infrastructure"},
    {"name": "events", "description": "What happened, with dates as precise as the text"},
    {"name": "quotes", "description": "Direct quotations, verbatim"},
    {"name": "aid", "description": "Aid and money between countries"},
    {"name": "figures", "description": "Other numbers the articles state"},
    {"name": "articles", "description": "The source texts evidence points into"},
    {"name": "search", "description": "Full-text search across everything"},
    {"name": "meta", "description": "Health, readiness and problem types"},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logs.configure(settings.log_level, settings.log_format)
    app = FastAPI(
        title="Article facts API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(strict_query)],
    )
    errors.install(app)
    for module in (
        countries,
        people,
        organizations,
        places,
        events,
        quotes,
        aid,
        figures,
        articles,
        search,
    ):
        app.include_router(module.router)
    app.include_router(meta_router())
    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    docs_csp = add_docs(app)
    customize_openapi(app)

    def current_version() -> str | None:
        with get_engine().connect() as conn:
            return data_version(conn)

    # Added innermost first. Outermost, CORS sees every response (errors too); then the edge
    # (request ids, headers, logs, errors), so a 429 is logged like any answer; then the rate
    # limit, before the cache, so a replayed response counts too.
    app.add_middleware(
        CachingMiddleware,
        data_version=current_version,
        cache_max_age=settings.cache_max_age,
        response_cache_bytes=settings.response_cache_bytes,
        version_ttl=settings.data_version_ttl,
    )
    if settings.rate_limit_per_minute:
        app.add_middleware(
            RateLimitMiddleware,
            per_minute=settings.rate_limit_per_minute,
            burst=settings.rate_limit_burst,
        )
    app.add_middleware(HttpMiddleware, docs_csp=docs_csp)
    app.add_middleware(
        ProblemCORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["If-None-Match", "X-Request-ID"],
        expose_headers=["ETag", "Link", "X-Request-ID"],
        max_age=600,
    )
    return app


class ProblemCORSMiddleware(CORSMiddleware):
    """CORS, with a refused preflight explained as a problem like every other 4xx."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        detail = f"{bytes(response.body).decode()}: this API allows GET, HEAD and OPTIONS from "
        detail += ", ".join(self.allow_origins) if not self.allow_all_origins else "any origin"
        body = errors.problem_body(400, "cors-refused", detail, instance="")
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        headers.pop("content-type", None)
        return Response(body, 400, headers=headers, media_type=errors.PROBLEM_JSON)


def add_docs(app: FastAPI) -> str:
    """Swagger UI and ReDoc served from an installed package's assets: no CDN, works offline.
    Returns the Content-Security-Policy of the docs pages: their own assets, and of inline
    script only Swagger UI's bootstrap, by its hash."""
    swagger_page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=f"{app.title} - Swagger UI",
        swagger_js_url="/static/docs/swagger-ui-bundle.js",
        swagger_css_url="/static/docs/swagger-ui.css",
        swagger_favicon_url="/static/docs/favicon.png",
        # The validator badge would load from validator.swagger.io: not offline, not ours.
        swagger_ui_parameters={"validatorUrl": None},
    )
    redoc_page = get_redoc_html(
        openapi_url="/openapi.json",
        title=f"{app.title} - ReDoc",
        redoc_js_url="/static/docs/redoc.standalone.js",
        redoc_favicon_url="/static/docs/favicon.png",
        with_google_fonts=False,
    )

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return swagger_page

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return redoc_page

    inline = re.findall(rb"<script>(.*?)</script>", bytes(swagger_page.body), re.S)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in inline
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; frame-ancestors 'none'"
    )


def meta_router() -> Any:
    from fastapi import APIRouter

    router = APIRouter(tags=["meta"])

    @router.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        """The process is up and answering. It does not touch the store (see /readyz)."""
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness",
        responses=problem_responses(503),
    )
    def readyz() -> Response:
        """The store is reachable, migrated to the current schema and seeded."""
        try:
            with get_engine().connect() as conn:
                state = store_state(conn)
        except DBAPIError as exc:
            raise errors.Unavailable(
                f"The store is not reachable: {type(exc.orig).__name__}"
            ) from None
        problem = state.problem(SCHEMA_REVISION, DOCUMENT_FORMAT)
        if problem is not None:
            raise errors.Unavailable(problem)
        return json_response(
            {"status": "ready", "data_version": state.data_version, "articles": state.articles}
        )

    @router.get(
        "/problems/{slug}", summary="Explain a problem type", responses=problem_responses(404, 422)
    )
    async def problem_type(
        slug: Annotated[str, PathParam(max_length=64, description="The problem type's name")],
    ) -> Response:
        """What a problem `type` URI in an error response means."""
        if slug not in errors.PROBLEM_TYPES:
            raise errors.NotFound(f"No problem type {slug!r}")
        return json_response(
            {"type": f"/problems/{slug}", "description": errors.PROBLEM_TYPES[slug]}
        )

    return router


app = create_app()
