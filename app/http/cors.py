"""CORS for browser clients, with a refused preflight explained as a problem."""

from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope, Send

from app.errors import CorsRefused
from app.http.raw import add_vary, header


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, whose refusals (plain text) become problems: a refused preflight is
    handed to the edge as the request's `refusal`, so it is answered like every other 4xx
    (its path as `instance`, a request id, the security headers, a log line). A request with
    no Origin (most are: servers, scripts, same-origin pages) only gets `Vary: Origin`, added
    without Starlette's header objects."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or header(scope, b"origin") is None:
            await self._vary(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        if scope["method"] != "OPTIONS" or "access-control-request-method" not in request_headers:
            await super().__call__(scope, receive, send)
            return
        response = self.preflight_response(request_headers)
        if response.status_code < 400:
            await response(scope, receive, send)
            return
        detail = f"{bytes(response.body).decode()}: this API allows GET, HEAD and OPTIONS from "
        detail += ", ".join(self.allow_origins) if not self.allow_all_origins else "any origin"
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-type")
        }
        scope.setdefault("state", {})["refusal"] = CorsRefused(detail, headers=headers)
        await self.app(scope, receive, send)

    async def _vary(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": add_vary(message.get("headers", []), b"Origin")}
            await send(message)

        await self.app(scope, receive, vary)
