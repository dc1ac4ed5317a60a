"""What one app owns: its settings, its engine, the reader of its data version, its cursor
signer and the caches that live for one data version. Two apps in one process (two stores,
two secrets) share none of it; routes reach it through the `Ctx` dependency."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from app.autocomplete import Index, build_index
from app.config import Settings
from app.db import data_version, serving_engine
from app.errors import Unavailable
from app.http.caching import ResponseCache
from app.http.hot import DocumentReader
from app.pagination import CursorSigner
from app.query import Paging, PerVersion
from app.records import astral_positions

T = TypeVar("T")


class VersionSource:
    """The store's data version, read at most once per `ttl` seconds (in a worker thread: the
    event loop never waits on the database)."""

    def __init__(self, read: Callable[[], str | None], ttl: float) -> None:
        self.read, self.ttl = read, ttl
        self.value: str | None = None
        self.expires = 0.0

    async def __call__(self) -> str | None:
        now = time.monotonic()
        if now >= self.expires or self.value is None:
            self.value = await run_in_threadpool(self.read)
            self.expires = now + self.ttl
        return self.value


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    cursors: CursorSigner
    versions: VersionSource
    documents: DocumentReader
    stats: PerVersion = field(default_factory=PerVersion)
    responses: ResponseCache | None = None
    # Per route (kept with the route, so a recycled id() never matches another): the query
    # parameter names it takes, for strict_query.
    query_names: dict[int, tuple[object, frozenset[str]]] = field(default_factory=dict)
    # Whole-store values of the current data version (the autocomplete index, ...), by name.
    derived: dict[str, tuple[str, Any]] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings) -> "AppContext":
        engine = serving_engine(settings)

        def read_version() -> str | None:
            with engine.connect() as conn:
                return data_version(conn)

        return cls(
            settings=settings,
            engine=engine,
            documents=DocumentReader(engine),
            cursors=CursorSigner(settings.cursor_secret),
            versions=VersionSource(read_version, settings.data_version_ttl),
            stats=PerVersion(settings.stats_cache_size),
            responses=(
                ResponseCache(settings.response_cache_bytes)
                if settings.response_cache_bytes
                else None
            ),
        )

    def base_url(self, request: Request) -> str:
        """Where the API is reached, for absolute links: PUBLIC_URL, or the request's own."""
        return self.settings.public_url or str(request.base_url).rstrip("/")

    def of_version(self, name: str, version: str, compute: Callable[[], T]) -> T:
        """A value derived from the whole store, computed once per data version (and kept
        apart from the LRU caches, which could evict it)."""
        held = self.derived.get(name)
        if held is None or held[0] != version:
            held = self.derived[name] = (version, compute())
        value: T = held[1]
        return value

    def astral(self, conn: Connection, version: str) -> dict[str, list[int]]:
        """Per article, the code point offsets of its characters outside the Basic
        Multilingual Plane (two UTF-16 code units each)."""
        return self.of_version("astral", version, lambda: astral_positions(conn))

    def autocomplete(self, conn: Connection, version: str) -> Index:
        return self.of_version("autocomplete", version, lambda: build_index(conn))

    def paging(self, request: Request, exact: bool = False, current: bool = False) -> Paging:
        """Paging for this request: the data version the caching layer read for it (every
        /v1 GET has one), or the store's now; `exact`: count totals however long it takes;
        `current`: the store's version now, not the one read up to DATA_VERSION_TTL ago (an
        export reads every chunk against it, so one begun just after a seed reads the new
        data rather than failing)."""
        version = None if current else request.scope.get("state", {}).get("data_version")
        if version is None:
            with self.engine.connect() as conn:
                version = data_version(conn)
        if version is None:
            raise Unavailable("The store is not migrated and seeded yet")
        return Paging(self.cursors, self.stats, version, self.settings.count_budget_ms, exact)


async def context(request: Request) -> AppContext:
    """The app's context (`async`: FastAPI would run a plain function in its thread pool)."""
    ctx: AppContext = request.app.state.context
    return ctx


Ctx = Annotated[AppContext, Depends(context)]
