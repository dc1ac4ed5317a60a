"""An optional rate limit per client address: a token bucket per client and process."""

import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import TooManyRequests, problem_response

UNLIMITED_PATHS = ("/healthz", "/readyz")


class TokenBuckets:
    """`per_minute` tokens a minute per client, up to `burst` saved; a request takes one. The
    least recently seen clients are forgotten beyond `max_clients` (they start full again)."""

    def __init__(
        self,
        per_minute: int,
        burst: int,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.max_clients = max_clients
        self.clock = clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> tuple[bool, float, float]:
        """(allowed, tokens left, seconds until one more token)."""
        now = self.clock()
        tokens, stamp = self.buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self.buckets[client] = (tokens, now)
        if len(self.buckets) > self.max_clients:
            self.buckets.popitem(last=False)
        return allowed, tokens, max(0.0, (1 - tokens) / self.rate)


class RateLimitMiddleware:
    """Answers 429 with Retry-After when a client is over its limit, and RateLimit-* headers on
    every limited response. Health checks are never limited."""

    def __init__(self, app: ASGIApp, *, per_minute: int, burst: int) -> None:
        self.app = app
        self.limit = str(per_minute)
        self.buckets = TokenBuckets(per_minute, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        allowed, left, wait = self.buckets.take(client)
        reset = str(int(wait) + 1)
        limit_headers = {
            "RateLimit-Limit": self.limit,
            "RateLimit-Remaining": str(int(left)),
            "RateLimit-Reset": reset,
        }
        if not allowed:
            error = TooManyRequests(
                f"Over {self.limit} requests a minute; retry in {reset} s",
                headers={"Retry-After": reset, **limit_headers},
            )
            request_id = scope.get("state", {}).get("request_id")
            response = problem_response(error, instance=scope["path"], request_id=request_id)
            await response(scope, receive, send)
            return
        extra = [(k.lower().encode(), v.encode()) for k, v in limit_headers.items()]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
