"""The HTTP layer every request passes through, as one pure ASGI middleware (cheap per request):
request ids, access logs, security headers, body size limit, and conditional GET.

ETags are strong and derived from the store's data version, the app version and the URL, so
they are the same on every worker and host serving the same store, and change exactly when
the data (or the code that renders it) does. A matching If-None-Match is answered 304 before
any query runs.
"""

import hashlib
import logging
import re
import time
import uuid
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


def make_etag(data_version: str, path: str, query: bytes) -> str:
    digest = hashlib.sha256(f"{__version__}|{data_version}|{path}?".encode() + query)
    return f'"{digest.hexdigest()[:32]}"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match uses: W/"x" matches "x"."""
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


class HttpMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        data_version: Callable[[], str | None],
        cache_max_age: int,
        max_body_bytes: int = 64 * 1024,
    ) -> None:
        self.app = app
        self.data_version = data_version
        self.cache_control = f"public, max-age={cache_max_age}"
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
                etag = make_etag(version, path, scope.get("query_string", b""))
                if etag_matches(headers.get("if-none-match", ""), etag):
                    status = 304
                    await send_with_headers(_not_modified(etag, self.cache_control))
                    await send({"type": "http.response.body", "body": b""})
                else:
                    await self.app(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)
        self._log(scope, status, started, request_id)

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
