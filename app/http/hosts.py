"""Trusted hosts: Starlette's TrustedHostMiddleware (ALLOWED_HOSTS), whose refusal (plain
text) becomes a problem. Links built from the request's host (when PUBLIC_URL is unset) can
then only name a host the operator allowed."""

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import HostNotAllowed, problem_response
from app.http.raw import header


class ProblemTrustedHostMiddleware(TrustedHostMiddleware):
    """A request whose Host is not allowed never reaches the app: what Starlette sends for it
    instead (a 400) is replaced by a problem; its `www.` redirect passes as it is."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        async def admitted(scope: Scope, receive: Receive, send: Send) -> None:
            scope["state"]["host_admitted"] = True
            await app(scope, receive, send)

        super().__init__(admitted, allowed_hosts=allowed_hosts)
        self.inner = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def refuse(message: Message) -> None:
            if state.get("host_admitted"):
                await send(message)
            elif message["type"] == "http.response.start" and message["status"] == 400:
                host = header(scope, b"host") or ""
                error = HostNotAllowed(
                    f"This API is not served at host {host!r}; allowed: "
                    + ", ".join(self.allowed_hosts)
                )
                response = problem_response(
                    error, instance=scope["path"], request_id=state.get("request_id")
                )
                await response(scope, receive, send)
            elif message["type"] == "http.response.start" or state.get("host_redirect"):
                state["host_redirect"] = True
                await send(message)

        await super().__call__(scope, receive, refuse)
