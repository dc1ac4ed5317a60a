"""The edge: request ids, HEAD as a bodiless GET, security headers, the body size limit,
access logs, and a problem for every error that escapes the app."""

import logging
import os
import re
import time

from sqlalchemy.exc import DBAPIError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import ApiError, PayloadTooLarge, database_error, problem_response

access_log = logging.getLogger("app.access")
error_log = logging.getLogger("app.errors")

API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATHS = ("/docs", "/redoc", "/static/docs/")
EXPLORER_PATHS = ("/static/explorer/",)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class EdgeMiddleware:
    """Every request gets an id (the client's, if well-formed), every response the security
    headers and a Cache-Control, every request one access log line, and every error that
    escapes the app a problem with that id, logged once when it is a bug."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = 64 * 1024,
        docs_csp: str = API_CSP,
        explorer_csp: str = API_CSP,
    ) -> None:
        self.app = app
        self.docs_csp = docs_csp
        self.explorer_csp = explorer_csp
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
        path = scope["path"]
        csp = (
            self.docs_csp
            if path.startswith(DOCS_PATHS)
            else self.explorer_csp
            if path == "/" or path.startswith(EXPLORER_PATHS)
            else API_CSP
        )
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
            error = self._error(scope, exc, request_id)
            response = problem_response(error, instance=scope["path"], request_id=request_id)
            await response(scope, receive, respond)
        finally:
            self._log(scope, method, status, started, request_id)

    @staticmethod
    def _error(scope: Scope, exc: Exception, request_id: str) -> ApiError:
        """What an escaped exception means to the client; a bug is logged with its trace."""
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
        return error

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
