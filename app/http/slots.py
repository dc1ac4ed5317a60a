"""Slow routes share fewer connections than the pool has, so health checks and reads of one
record always find one: lists, search, segments, counts, facets, summaries and exports hold at
most `max(1, POOL_SIZE - 2)` at once. The others wait here, on the event loop (holding no
thread and no connection), for up to POOL_TIMEOUT seconds, then answer a 503 to retry.

While one runs, its client is watched: when it disconnects, the queries it started stop."""

import asyncio
import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import REQUEST, Request
from app.errors import Unavailable, problem_response

# Paths of one record that are not lists: `/v1/aid/summary` sums, it reads no one record.
NOT_ONE_RECORD = frozenset({"summary"})


def slow_slots(pool_size: int) -> int:
    """How many requests of slow routes may hold a connection at once."""
    return max(1, pool_size - 2)


def is_slow(path: str) -> bool:
    """Whether `path` is a slow route: anything under /v1 but one record (and its
    annotations)."""
    parts = path.split("/")
    if len(parts) < 3 or parts[1] != "v1":
        return False
    if len(parts) == 4:
        return parts[3] in NOT_ONE_RECORD
    return not (len(parts) == 5 and parts[4] == "annotations")


class SlowRouteSlots:
    """At most `slots` slow requests run at once; one waits `timeout` seconds for its turn."""

    def __init__(self, app: ASGIApp, *, slots: int, timeout: float) -> None:
        self.app = app
        self.timeout = timeout
        self.slots = asyncio.Semaphore(slots)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_slow(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request()
        pending: list[Message] = []
        gone = asyncio.Event()

        async def watch() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    gone.set()
                    await asyncio.to_thread(request.stop)  # a PostgreSQL cancel is a round trip
                    return
                pending.append(message)

        async def passed_on() -> Message:
            return pending.pop(0) if pending else await receive()

        watcher = asyncio.create_task(watch())
        try:
            if await self._turn(gone):
                token = REQUEST.set(request)
                try:
                    await self.app(scope, passed_on, send)
                finally:
                    REQUEST.reset(token)
                    self.slots.release()
            elif not gone.is_set():
                busy = Unavailable("Every connection for searches and lists is busy; retry shortly")
                request_id = scope.get("state", {}).get("request_id")
                response = problem_response(busy, instance=scope["path"], request_id=request_id)
                await response(scope, passed_on, send)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _turn(self, gone: asyncio.Event) -> bool:
        """Wait for a slot, for `timeout` seconds at most and while the client is there;
        whether one was taken."""
        taking = asyncio.ensure_future(self.slots.acquire())
        leaving = asyncio.ensure_future(gone.wait())
        await asyncio.wait({taking, leaving}, timeout=self.timeout, return_when="FIRST_COMPLETED")
        leaving.cancel()
        if taking.done() and not taking.cancelled():
            if gone.is_set():  # taken as the client left: give it back
                self.slots.release()
                return False
            return True
        taking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await taking
        if taking.done() and not taking.cancelled():  # taken while being cancelled
            self.slots.release()
        return False
