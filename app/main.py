"""The application factory: its context, routers, middleware, error handlers and docs."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from app import __version__, errors, logs
from app.api import (
    aid,
    articles,
    autocomplete,
    countries,
    dump,
    events,
    figures,
    meta,
    organizations,
    people,
    places,
    quotes,
    search,
    statements,
)
from app.api.strict import strict_query
from app.config import Settings
from app.context import AppContext
from app.docs import EXPLORER_CSP, add_docs, add_explorer
from app.http.caching import CachingMiddleware
from app.http.compression import CompressionMiddleware
from app.http.cors import ProblemCORSMiddleware
from app.http.edge import EdgeMiddleware
from app.http.hosts import ProblemTrustedHostMiddleware
from app.http.hot import HotReadMiddleware
from app.http.ratelimit import RateLimitMiddleware
from app.http.slots import SlowRouteSlots, slow_slots
from app.openapi import customize_openapi

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
    {
        "name": "statements",
        "description": "Claims, quoted or reported, and the article's own, with who makes them",
    },
    {"name": "aid", "description": "Aid and money between countries"},
    {"name": "figures", "description": "Other numbers the articles state"},
    {"name": "articles", "description": "The source texts evidence points into"},
    {"name": "search", "description": "Full-text search across everything"},
    {"name": "meta", "description": "Health, readiness and problem types"},
]
ROUTERS = [
    countries.router,
    people.router,
    organizations.router,
    places.router,
    events.router,
    quotes.router,
    statements.router,
    aid.router,
    figures.router,
    articles.router,
    search.router,
    autocomplete.router,
    dump.router,
    meta.router,
]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API over the store `settings` name (by default, from the environment). Everything
    it holds (engine, caches, cursor key) is its own: apps do not share state."""
    settings = settings or Settings()
    logs.configure(settings.log_level, settings.log_format)
    context = AppContext.create(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        context.documents.close()
        context.engine.dispose()

    app = FastAPI(
        title="Article facts API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(strict_query)],
        lifespan=lifespan,
        # No OpenTelemetry here: the app logs each request itself (app.logs).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.context = context
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    docs_csp = add_docs(app)
    add_explorer(app)
    customize_openapi(app)

    # Added innermost first. Outermost, CORS sees every response (errors too); then the edge
    # (request ids, headers, logs, errors), so a 429 is logged like any answer; then the rate
    # limit, before the cache, so a replayed response counts too; the cache keeps what
    # compression makes; then slow routes wait for a slot of their own; innermost, one record
    # by its id skips the router.
    app.add_middleware(HotReadMiddleware, reader=lambda: context.documents)
    app.add_middleware(
        SlowRouteSlots, slots=slow_slots(settings.pool_size), timeout=settings.pool_timeout
    )
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(
        CachingMiddleware,
        data_version=context.versions,
        cache_max_age=settings.cache_max_age,
        cache=context.responses,
        by_host=not settings.public_url,
    )
    if settings.rate_limit_per_minute:
        app.add_middleware(
            RateLimitMiddleware,
            per_minute=settings.rate_limit_per_minute,
            burst=settings.rate_limit_burst,
        )
    # Inside the edge (a refusal has a request id and a log line), outside the cache (which
    # keys responses by host).
    app.add_middleware(ProblemTrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(EdgeMiddleware, docs_csp=docs_csp, explorer_csp=EXPLORER_CSP)
    # Any request header a browser client sends (Authorization, traceparent, ...) passes a
    # preflight: the API reads none it would refuse. No credentials: the data is public.
    app.add_middleware(
        ProblemCORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        allow_credentials=False,
        expose_headers=["ETag", "Link", "X-Request-ID", "Retry-After"],
        max_age=600,
    )
    return app
