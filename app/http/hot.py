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

from sqlalchemy import Engine
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.params import SLUG
from app.db import is_sqlite, sqlite_read_uri
from app.records import ARTICLE_DETAIL, DOCUMENT, KINDS, Kind, get_document

# The form a key takes when the hot read is sure of it: an id as the router takes it, or a
# country's stored alpha-2 code (alpha-3 and lower case the router resolves).
KEY_FORMS = {"id": re.compile(SLUG), "code": re.compile(r"^[A-Z]{2}$")}
# What the hot read answers: one record of every kind by its key (an article comes with its
# text, which is not its stored document: the router answers for it).
SERVED: dict[str, tuple[Kind, re.Pattern[str]]] = {
    kind.collection: (kind, KEY_FORMS[kind.key])
    for kind in KINDS.values()
    if kind.type != ARTICLE_DETAIL.type
}
# records.DOCUMENT as sqlite3 takes it, for the event loop's own connection.
SQLITE_DOCUMENT = str(DOCUMENT.compile(dialect=sqlite.dialect(paramstyle="named")))
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

    def _read_pooled(self, kind: Kind, key: str) -> str | None:
        # One statement needs no transaction: autocommit saves the BEGIN and the ROLLBACK
        # (two round trips of three); the role and default_transaction_read_only still hold.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return get_document(conn, kind, key)

    async def read(self, kind: Kind, key: str) -> str | None:
        if not self.inline:
            return await run_in_threadpool(self._read_pooled, kind, key)
        found = self._sqlite().execute(SQLITE_DOCUMENT, {"type": kind.type, "id": key}).fetchone()
        return found[0] if found else None

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
    ) -> None:
        self.app = app
        self.reader = reader

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
        served = SERVED.get(parts[2])
        if served is None or not served[1].match(parts[3]):
            return None
        return await self.reader().read(served[0], parts[3])
