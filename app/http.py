"""The HTTP layer, as pure ASGI middleware (cheap per request), outermost first:

- `HttpMiddleware`, the edge: request ids, HEAD as a bodiless GET, security headers, the body
  size limit, access logs, and a problem+json for any error that escapes the app.
- `RateLimitMiddleware` (optional): a token bucket per client address.
- `CachingMiddleware`: conditional GET and a response cache. ETags are strong and derived
  from the store's data version (the app's, for its documentation), the app version and the
  URL, so they are the same on every worker and host serving the same store and change
  exactly when the data (or the code that renders it) does; a matching If-None-Match is
  answered 304 before any query runs. Because a GET's body depends only on (data version,
  path, query), successful responses are kept in a small per-process LRU cache for the
  current data version and replayed byte for byte; a new data version empties it. The data
  version is read at most once per `version_ttl` seconds per process.
"""

import hashlib
import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__
from app.errors import PROBLEM_JSON, ApiError, PayloadTooLarge, database_error, problem_body

access_log = logging.getLogger("app.access")
error_log = logging.getLogger("app.errors")

API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATHS = ("/docs", "/redoc", "/static/docs/")
# What changes only with the app itself: ETags from the app version.
APP_PATHS = ("/docs", "/redoc", "/openapi.json", "/problems/")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Headers that belong to one response, not to the cached representation (they are added anew).
_PER_REQUEST = {
    b"x-request-id",
    b"etag",
    b"cache-control",
    b"x-content-type-options",
    b"content-security-policy",
    b"referrer-policy",
}


def make_etag(data_version: str, path: str, query: bytes) -> str:
    digest = hashlib.sha256(f"{__version__}|{data_version}|{path}?".encode() + query)
    return f'"{digest.hexdigest()[:32]}"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match uses: W/"x" matches "x". ("*" is answered
    once the response is known to exist.)"""
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


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


class ResponseCache:
    """Successful GET responses of one data version, least recently used out first."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.version: str | None = None
        self.entries: OrderedDict[tuple[str, bytes], tuple[list[tuple[bytes, bytes]], bytes]] = (
            OrderedDict()
        )
        self.size = 0

    def get(self, version: str, key: tuple[str, bytes]) -> Any:
        if version != self.version:
            self.version, self.size = version, 0
            self.entries.clear()
            return None
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    @staticmethod
    def cost(key: tuple[str, bytes], body: bytes) -> int:
        return len(body) + len(key[0]) + len(key[1]) + 200

    def put(self, version: str, key: tuple[str, bytes], headers: list[Any], body: bytes) -> None:
        cost = self.cost(key, body)
        if version != self.version or cost > self.max_bytes // 8 or key in self.entries:
            return
        self.entries[key] = (headers, body)
        self.size += cost
        while self.size > self.max_bytes:
            old_key, (_, old_body) = self.entries.popitem(last=False)
            self.size -= self.cost(old_key, old_body)


class HttpMiddleware:
    """The edge: request ids, HEAD, security headers, the body limit, access logs, and a problem
    for every error that escapes the app."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int = 64 * 1024, docs_csp: str = API_CSP
    ) -> None:
        self.app = app
        self.docs_csp = docs_csp
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        given_id = headers.get("x-request-id", "")
        request_id = given_id if _REQUEST_ID.match(given_id) else os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        method = scope["method"]
        head = method == "HEAD"
        if head:  # HEAD is a GET without its body, on every path
            scope = {**scope, "method": "GET"}
        csp = self.docs_csp if scope["path"].startswith(DOCS_PATHS) else API_CSP
        status = 0

        async def respond(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out = MutableHeaders(scope=message)
                out["X-Request-ID"] = request_id
                out["X-Content-Type-Options"] = "nosniff"
                out["Content-Security-Policy"] = csp
                out["Referrer-Policy"] = "no-referrer"
                if "cache-control" not in out:
                    out["Cache-Control"] = "no-store" if status >= 400 else "no-cache"
            elif head:
                message = {**message, "body": b""}
            await send(message)

        try:
            try:
                length = int(headers.get("content-length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > self.max_body_bytes:
                raise PayloadTooLarge(f"Request bodies are limited to {self.max_body_bytes} bytes")
            await self.app(scope, receive, respond)
        except Exception as exc:
            if status:  # the response has started: nothing sane can follow it
                raise
            await self._fail(scope, respond, exc, request_id)
        finally:
            self._log(scope, method, status, started, request_id)

    async def _fail(self, scope: Scope, send: Send, exc: Exception, request_id: str) -> None:
        """Every error that escapes the app leaves as a problem, with this layer's headers."""
        error = database_error(exc) if isinstance(exc, DBAPIError) else exc
        if not isinstance(error, ApiError):
            error = ApiError("Unexpected error; it has been logged with the request id")
        if error.slug == "internal-error":
            error_log.error(
                "unhandled error on %s %s",
                scope["method"],
                scope["path"],
                exc_info=exc,
                extra={"request_id": request_id},
            )
        body = problem_body(
            error.status, error.slug, error.detail, instance=scope["path"], request_id=request_id
        )
        await send(
            {
                "type": "http.response.start",
                "status": error.status,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _log(scope: Scope, method: str, status: int, started: float, request_id: str) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        client = scope.get("client")
        access_log.info(
            "%s %s %s",
            method,
            scope["path"],
            status,
            extra={
                "request_id": request_id,
                "method": method,
                "path": scope["path"],
                "query": scope.get("query_string", b"").decode("latin-1"),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "client": client[0] if client else None,
            },
        )


class CachingMiddleware:
    """Conditional GET and the response cache. A GET's representation depends only on what
    `version_of` says (the data version, or the app's for its documentation) and the URL, so
    its ETag is computed before the app runs, and a matching If-None-Match costs no query."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        data_version: Callable[[], str | None],
        cache_max_age: int,
        response_cache_bytes: int = 0,
        version_ttl: float = 1.0,
    ) -> None:
        self.app = app
        self.data_version = VersionSource(data_version, version_ttl)
        self.cache_control = f"public, max-age={cache_max_age}"
        self.cache = ResponseCache(response_cache_bytes) if response_cache_bytes else None

    async def version_of(self, path: str) -> str | None:
        """The data version for the data, the app's for its documentation; None for what is
        never cached (health checks)."""
        if path.startswith("/v1/"):
            return await self.data_version()
        if path.startswith(APP_PATHS):
            return "app"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        version = await self.version_of(path) if scope.get("method") == "GET" else None
        if version is None:
            await self.app(scope, receive, send)
            return
        scope["state"]["data_version"] = version
        query = scope.get("query_string", b"")
        etag = make_etag(version, path, query)
        if_none_match = Headers(scope=scope).get("if-none-match", "")
        not_modified = _not_modified(etag, self.cache_control)
        if etag_matches(if_none_match, etag):
            await send(not_modified)
            await send({"type": "http.response.body", "body": b""})
            return
        unchanged = False

        async def tagged(message: Message) -> None:
            nonlocal unchanged
            if message["type"] == "http.response.start" and message["status"] == 200:
                # "*" matches any current representation: known once there is one.
                if if_none_match.strip() == "*":
                    message, unchanged = not_modified, True
                else:
                    out = MutableHeaders(scope=message)
                    out["ETag"] = etag
                    out["Cache-Control"] = self.cache_control
            elif message["type"] == "http.response.body" and unchanged:
                message = {**message, "body": b""}
            await send(message)

        if self.cache is None or version == "app":
            await self.app(scope, receive, tagged)
        else:
            await self._cached(scope, receive, tagged, version, (path, query))

    async def _cached(
        self, scope: Scope, receive: Receive, send: Send, version: str, key: tuple[str, bytes]
    ) -> None:
        assert self.cache is not None
        hit = self.cache.get(version, key)
        if hit is not None:
            cached_headers, body = hit
            await send(
                {"type": "http.response.start", "status": 200, "headers": list(cached_headers)}
            )
            await send({"type": "http.response.body", "body": body})
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                start["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if start.get("status") == 200:
            keep = [(k, v) for k, v in start["headers"] if k.lower() not in _PER_REQUEST]
            self.cache.put(version, key, keep, b"".join(chunks))


def _not_modified(etag: str, cache_control: str) -> Message:
    return {
        "type": "http.response.start",
        "status": 304,
        "headers": [(b"etag", etag.encode()), (b"cache-control", cache_control.encode())],
    }


class RateLimitMiddleware:
    """Optional per-client-IP rate limit (a token bucket per process: `per_minute` requests a
    minute, bursts up to `burst`). Answers 429 with Retry-After when a client is over it, and
    RateLimit-* headers on every limited response. Health checks are never limited."""

    def __init__(self, app: ASGIApp, *, per_minute: int, burst: int, max_clients: int = 10_000):
        self.app = app
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.limit = str(per_minute).encode()
        self.max_clients = max_clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> tuple[bool, float, float]:
        """(allowed, tokens left, seconds until one more token)."""
        now = time.monotonic()
        tokens, stamp = self.buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self.buckets[client] = (tokens, now)
        if len(self.buckets) > self.max_clients:
            self.buckets.popitem(last=False)
        return allowed, tokens, max(0.0, (1 - tokens) / self.rate)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        allowed, left, wait = self.take(client)
        reset = str(int(wait) + 1).encode()
        limit_headers = [
            (b"ratelimit-limit", self.limit),
            (b"ratelimit-remaining", str(int(left)).encode()),
            (b"ratelimit-reset", reset),
        ]
        if not allowed:
            body = problem_body(
                429,
                "too-many-requests",
                f"Over {self.limit.decode()} requests a minute; retry in {reset.decode()} s",
                instance=scope["path"],
                request_id=scope.get("state", {}).get("request_id"),
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", PROBLEM_JSON.encode()),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", reset),
                        *limit_headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *limit_headers]
            await send(message)

        await self.app(scope, receive, with_headers)
