"""The HTTP layer every request passes through, as one pure ASGI middleware (cheap per request):
request ids, access logs, security headers, body size limit, conditional GET and a response
cache.

ETags are strong and derived from the store's data version, the app version and the URL, so
they are the same on every worker and host serving the same store, and change exactly when
the data (or the code that renders it) does. A matching If-None-Match is answered 304 before
any query runs.

Because a GET's body depends only on (data version, path, query), successful responses are
kept in a small per-process LRU cache for the current data version and replayed byte for byte;
a new data version empties it. The data version itself is read at most once per
`version_ttl` seconds per process.
"""

import hashlib
import logging
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__

access_log = logging.getLogger("app.access")

API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc", "/static/docs/")
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
    """RFC 9110 weak comparison, as If-None-Match uses: W/"x" matches "x"."""
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


class VersionSource:
    """The store's data version, read at most once per `ttl` seconds."""

    def __init__(self, read: Callable[[], str | None], ttl: float) -> None:
        self.read, self.ttl = read, ttl
        self.value: str | None = None
        self.expires = 0.0

    def __call__(self) -> str | None:
        now = time.monotonic()
        if now >= self.expires or self.value is None:
            self.value = self.read()
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

    def put(self, version: str, key: tuple[str, bytes], headers: list[Any], body: bytes) -> None:
        cost = len(body) + len(key[0]) + len(key[1]) + 200
        if version != self.version or cost > self.max_bytes // 8:
            return
        if key in self.entries:
            return
        self.entries[key] = (headers, body)
        self.size += cost
        while self.size > self.max_bytes:
            (path, query), (_, old) = self.entries.popitem(last=False)
            self.size -= len(old) + len(path) + len(query) + 200


class HttpMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        data_version: Callable[[], str | None],
        cache_max_age: int,
        response_cache_bytes: int = 0,
        version_ttl: float = 1.0,
        max_body_bytes: int = 64 * 1024,
    ) -> None:
        self.app = app
        self.data_version = VersionSource(data_version, version_ttl)
        self.cache_control = f"public, max-age={cache_max_age}"
        self.cache = ResponseCache(response_cache_bytes) if response_cache_bytes else None
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        given_id = headers.get("x-request-id", "")
        request_id = given_id if _REQUEST_ID.match(given_id) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        path: str = scope["path"]
        csp = DOCS_CSP if path.startswith(DOCS_PATHS) else API_CSP
        status = 0
        etag = None

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out = MutableHeaders(scope=message)
                out["X-Request-ID"] = request_id
                out["X-Content-Type-Options"] = "nosniff"
                out["Content-Security-Policy"] = csp
                out["Referrer-Policy"] = "no-referrer"
                if etag and status == 200:
                    out["ETag"] = etag
                    out["Cache-Control"] = self.cache_control
                elif "cache-control" not in out:
                    out["Cache-Control"] = "no-store" if status >= 400 else "no-cache"
            await send(message)

        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > self.max_body_bytes:
            await self._problem(
                scope,
                send_with_headers,
                413,
                "payload-too-large",
                f"Request bodies are limited to {self.max_body_bytes} bytes",
            )
        elif scope["method"] in ("GET", "HEAD") and path.startswith("/v1/"):
            version = self.data_version()
            if version is not None:
                state["data_version"] = version
                query = scope.get("query_string", b"")
                etag = make_etag(version, path, query)
                if etag_matches(headers.get("if-none-match", ""), etag):
                    status = 304
                    await send_with_headers(_not_modified(etag, self.cache_control))
                    await send({"type": "http.response.body", "body": b""})
                elif self.cache is None:
                    await self.app(scope, receive, send_with_headers)
                else:
                    await self._cached(scope, receive, send_with_headers, version, (path, query))
            else:
                await self.app(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)
        self._log(scope, status, started, request_id)

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
            await send(
                {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
            )
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
        if start.get("status") == 200 and scope["method"] == "GET":
            keep = [(k, v) for k, v in start["headers"] if k.lower() not in _PER_REQUEST]
            self.cache.put(version, key, keep, b"".join(chunks))

    async def _problem(self, scope: Scope, send: Send, status: int, slug: str, detail: str) -> None:
        body = orjson.dumps(
            {
                "type": f"/problems/{slug}",
                "title": "Content Too Large",
                "status": status,
                "detail": detail,
                "instance": scope["path"],
                "request_id": scope["state"]["request_id"],
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _log(scope: Scope, status: int, started: float, request_id: str) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        client = scope.get("client")
        access_log.info(
            "%s %s %s",
            scope["method"],
            scope["path"],
            status,
            extra={
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],
                "query": scope.get("query_string", b"").decode("latin-1"),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "client": client[0] if client else None,
            },
        )


def _not_modified(etag: str, cache_control: str) -> dict[str, Any]:
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
            body = orjson.dumps(
                {
                    "type": "/problems/too-many-requests",
                    "title": "Too Many Requests",
                    "status": 429,
                    "detail": f"Over {self.limit.decode()} requests a minute; "
                    f"retry in {reset.decode()} s",
                    "instance": scope["path"],
                }
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
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
