"""The hot read: one record by its id, with no query string, the commonest request of a
frontend, answered from its stored document without the router, its dependency solving and
(on SQLite) the thread pool.

It sits inside every other middleware, so the response gets exactly what any other does
(request id, security headers, ETag, response cache, compression, CORS, the access log).
Anything it is not sure of (a query string, an id that is not plainly one, a record that is
not there or was renamed) goes on to the router, which answers as it always does.

On SQLite the lookup is a primary-key read of one row on a connection of the event loop's
own: it cannot be slow (readers never wait for a seed, under WAL), so it costs less than
the hop to a worker thread. On PostgreSQL, where a lock could hold it, it runs in the thread
pool, so a slow store never stalls health checks or shutdown.
"""

import re
import sqlite3
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from app.db import is_sqlite, sqlite_read_uri

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ALPHA2 = re.compile(r"^[A-Z]{2}$")
DOCUMENT = "SELECT body FROM record_document WHERE type = ? AND id = ?"
HEADERS = [(b"content-type", b"application/json")]


class DocumentReader:
    """Reads one stored document by (type, id): inline on SQLite, in a worker on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.inline = is_sqlite(engine)
        self._connection: sqlite3.Connection | None = None

    def _sqlite(self) -> sqlite3.Connection:
        if self._connection is None:
            uri = sqlite_read_uri(make_url(str(self.engine.url)).database or "")
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            connection.execute("PRAGMA query_only=ON")
            self._connection = connection
        return self._connection

    def _read_pooled(self, type_: str, key: str) -> str | None:
        # One statement needs no transaction: autocommit saves the BEGIN and the ROLLBACK
        # (two round trips of three); the role and default_transaction_read_only still hold.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            found: str | None = conn.execute(
                text("SELECT body FROM record_document WHERE type = :type AND id = :id"),
                {"type": type_, "id": key},
            ).scalar_one_or_none()
        return found

    async def read(self, type_: str, key: str) -> str | None:
        if not self.inline:
            return await run_in_threadpool(self._read_pooled, type_, key)
        row = self._sqlite().execute(DOCUMENT, (type_, key)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class HotReadMiddleware:
    """`GET /v1/{collection}/{id}` with no query string, from the stored document."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        reader: Callable[[], DocumentReader],
        collections: dict[str, tuple[str, re.Pattern[str]]],
    ) -> None:
        self.app = app
        self.reader = reader
        # collection -> (record type, the form its ids take)
        self.collections = collections

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = await self._document(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        body = found.encode()
        headers = [*HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _document(self, scope: Scope) -> str | None:
        if scope["method"] != "GET" or scope.get("query_string"):
            return None
        parts = scope["path"].split("/")
        if len(parts) != 4 or parts[1] != "v1":
            return None
        known: Any = self.collections.get(parts[2])
        if known is None or not known[1].match(parts[3]):
            return None
        return await self.reader().read(known[0], parts[3])
