"""CORS for browser clients, with a refused preflight explained as a problem."""

from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope, Send

from app.errors import CorsRefused, problem_response
from app.http.raw import add_vary, header


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, whose refusals (plain text) become problems. A request with no
    Origin (most are: servers, scripts, same-origin pages) only gets `Vary: Origin`, added
    without Starlette's header objects."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or header(scope, b"origin") is not None:
            await super().__call__(scope, receive, send)
            return

        async def vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": add_vary(message.get("headers", []), b"Origin")}
            await send(message)

        await self.app(scope, receive, vary)

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        detail = f"{bytes(response.body).decode()}: this API allows GET, HEAD and OPTIONS from "
        detail += ", ".join(self.allow_origins) if not self.allow_all_origins else "any origin"
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-type")
        }
        return problem_response(CorsRefused(detail, headers=headers), instance="", request_id=None)
