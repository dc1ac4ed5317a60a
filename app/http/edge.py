"""The edge: request ids, HEAD as a bodiless GET, security headers, the body size limit,
access logs, and a problem for every error that escapes the app."""

import logging
import os
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import DATABASE_ERRORS, ApiError, PayloadTooLarge, database_error, problem_response
from app.http.raw import has, header

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
        given_id = header(scope, b"x-request-id") or ""
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
        ours = [
            (b"x-request-id", request_id.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"content-security-policy", csp.encode()),
            (b"referrer-policy", b"no-referrer"),
        ]

        async def respond(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out = [*message.get("headers", ()), *ours]
                if not has(out, b"cache-control"):
                    out.append((b"cache-control", b"no-store" if status >= 400 else b"no-cache"))
                message = {**message, "headers": out}
            elif head:
                message = {**message, "body": b""}
            await send(message)

        try:
            try:
                length = int(header(scope, b"content-length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > self.max_body_bytes:
                raise PayloadTooLarge(f"Request bodies are limited to {self.max_body_bytes} bytes")
            refusal = scope["state"].pop("refusal", None)  # an outer layer's (CORS)
            if refusal is not None:
                raise refusal
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
        error = database_error(exc) if isinstance(exc, DATABASE_ERRORS) else exc
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
        """One line a request. Made and handled directly (`Logger.info` would also look up
        the calling frame, which an access log does not need)."""
        if not access_log.isEnabledFor(logging.INFO):
            return
        client = scope.get("client")
        path = scope["path"]
        record = access_log.makeRecord(
            access_log.name,
            logging.INFO,
            __file__,
            0,
            "%s %s %s",
            (method, path, status),
            None,
            extra={
                "request_id": request_id,
                "method": method,
                "path": path,
                "query": scope.get("query_string", b"").decode("latin-1"),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "client": client[0] if client else None,
            },
        )
        access_log.handle(record)
