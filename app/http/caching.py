"""Conditional GET and the response cache.

ETags are strong and derived from the store's data version (the app's, for its
documentation), the app version and the URL, so they are the same on every worker and host
serving the same store and change exactly when the data (or the code that renders it) does; a
matching If-None-Match is answered 304 before any query runs. Because a GET's body depends
only on (data version, path, query), successful responses are kept in a small per-app LRU
cache for the current data version and replayed byte for byte; a new data version empties it.
"""

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__
from app.http.compression import negotiate
from app.http.negotiation import media_type
from app.http.raw import add_vary, header

# What changes only with the app itself: ETags from the app version.
APP_PATHS = ("/docs", "/redoc", "/openapi.json", "/problems/")
# Headers that belong to one response, not to the cached representation (they are added anew).
_PER_REQUEST = {
    b"x-request-id",
    b"etag",
    b"cache-control",
    b"x-content-type-options",
    b"content-security-policy",
    b"referrer-policy",
}
# What a representation is chosen by (beside its URL): said on every 200 and 304 alike (CORS
# adds Origin to both).
VARY = b"Accept, Accept-Encoding"
# (host, path, query, content coding, list media type): one representation.
CacheKey = tuple[str, str, bytes, str, str]
Entry = tuple[list[tuple[bytes, bytes]], bytes]


def make_etag(data_version: str, key: CacheKey) -> str:
    """Strong, and one per representation: the same URL compressed, or as CSV, has its own."""
    host, path, query, coding, media = key
    text = f"{__version__}|{data_version}|{host}|{coding}|{media}|{path}?"
    digest = hashlib.sha256(text.encode() + query)
    return f'"{digest.hexdigest()[:32]}"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match uses: W/"x" matches "x". ("*" is answered
    once the response is known to exist.)"""
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


class ResponseCache:
    """Successful GET responses of one data version, least recently used out first. An entry
    costs its body, its key and a fixed overhead; one entry may take at most an eighth of the
    cache, so a few large pages cannot push out everything else."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.version: str | None = None
        self.entries: OrderedDict[CacheKey, Entry] = OrderedDict()
        self.size = 0

    def get(self, version: str, key: CacheKey) -> Entry | None:
        if version != self.version:
            self.version, self.size = version, 0
            self.entries.clear()
            return None
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    @staticmethod
    def cost(key: CacheKey, body: bytes) -> int:
        return len(body) + sum(len(part) for part in key) + 200

    def put(
        self, version: str, key: CacheKey, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        cost = self.cost(key, body)
        if version != self.version or cost > self.max_bytes // 8 or key in self.entries:
            return
        self.entries[key] = (headers, body)
        self.size += cost
        while self.size > self.max_bytes:
            old_key, (_, old_body) = self.entries.popitem(last=False)
            self.size -= self.cost(old_key, old_body)


class CachingMiddleware:
    """Conditional GET and the response cache. A GET's representation depends only on what
    `version_of` says (the data version, or the app's for its documentation) and the URL, so
    its ETag is computed before the app runs, and a matching If-None-Match costs no query.

    Bodies with absolute links (annotations, Link headers) name the host they were asked of
    unless PUBLIC_URL says otherwise: then (`by_host`) the host is part of the cache key and
    of the ETag, so one host's answer is never replayed to another."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        data_version: Callable[[], Awaitable[str | None]],
        cache_max_age: int,
        cache: ResponseCache | None,
        by_host: bool = True,
    ) -> None:
        self.app = app
        self.data_version = data_version
        self.cache_control = f"public, max-age={cache_max_age}"
        self.cache_bytes = self.cache_control.encode()
        self.cache = cache
        self.by_host = by_host

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
        host = (header(scope, b"host") or "") if self.by_host else ""
        coding = negotiate(scope)
        media = media_type(header(scope, b"accept") or "")
        key = (host, path, scope.get("query_string", b""), coding, media)
        etag = make_etag(version, key)
        if_none_match = header(scope, b"if-none-match") or ""
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
                    tags = [(b"etag", etag.encode()), (b"cache-control", self.cache_bytes)]
                    # This layer's names first, in the order its 304s give them.
                    given = list(message.get("headers", ()))
                    others = b", ".join(v for k, v in given if k == b"vary")
                    headers = [(k, v) for k, v in given if k != b"vary"]
                    headers = add_vary([*headers, (b"vary", VARY)], others)
                    message = {**message, "headers": [*headers, *tags]}
            elif message["type"] == "http.response.body" and unchanged:
                message = {**message, "body": b""}
            await send(message)

        if self.cache is None or version == "app":
            await self.app(scope, receive, tagged)
        else:
            await self._cached(scope, receive, tagged, self.cache, version, key)

    async def _cached(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        cache: ResponseCache,
        version: str,
        key: CacheKey,
    ) -> None:
        hit = cache.get(version, key)
        if hit is not None:
            cached_headers, body = hit
            await send(
                {"type": "http.response.start", "status": 200, "headers": list(cached_headers)}
            )
            await send({"type": "http.response.body", "body": body})
            return
        start: Message = {}
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                start.update(message)
                start["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body" and size >= 0:
                # Streams (exports) and bodies too large to keep are passed on, not held.
                size += len(message.get("body", b""))
                if scope["state"].get("uncached") or size > cache.max_bytes // 8:
                    size, chunks[:] = -1, []
                else:
                    chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if start.get("status") == 200 and size >= 0:
            keep = [(k, v) for k, v in start["headers"] if k.lower() not in _PER_REQUEST]
            cache.put(version, key, keep, b"".join(chunks))


def _not_modified(etag: str, cache_control: str) -> Message:
    return {
        "type": "http.response.start",
        "status": 304,
        "headers": [
            (b"etag", etag.encode()),
            (b"cache-control", cache_control.encode()),
            (b"vary", VARY),
        ],
    }
