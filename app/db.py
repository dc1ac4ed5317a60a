"""Engines and connections. SQLite gets WAL, foreign keys and a per-statement time limit."""

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, LargeBinary, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.config import Settings


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


@dataclass(frozen=True)
class Pool:
    """Connections per process: `size` kept, `overflow` more under load (PostgreSQL only),
    `timeout` seconds a request waits for one."""

    size: int = 5
    overflow: int = 10
    timeout: float = 10.0


def interrupt(dbapi_conn: Any) -> None:
    """Stop what `dbapi_conn` is running now (SQLite: interrupt; PostgreSQL: a cancel
    request), from any thread; the statement fails, the connection stays usable."""
    stop = getattr(dbapi_conn, "interrupt", None) or getattr(dbapi_conn, "cancel", None)
    if stop is not None:
        # Already closed or gone: nothing runs on it any more.
        with contextlib.suppress(Exception):
            stop()


class Request:
    """The connections one HTTP request holds, so they can be stopped when its client goes
    (`stop`). Routes reach it through `REQUEST`, which the slow-route middleware sets."""

    def __init__(self) -> None:
        self.stopped = False
        self.connections: set[Any] = set()
        self.lock = threading.Lock()

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            held = list(self.connections)
        for dbapi_conn in held:
            interrupt(dbapi_conn)

    def hold(self, dbapi_conn: Any) -> None:
        with self.lock:
            self.connections.add(dbapi_conn)
            stopped = self.stopped
        if stopped:
            interrupt(dbapi_conn)

    def release(self, dbapi_conn: Any) -> None:
        with self.lock:
            self.connections.discard(dbapi_conn)


REQUEST: ContextVar[Request | None] = ContextVar("request", default=None)


class Watchdog:
    """Interrupts each checked-out connection when its time limit has passed, whatever it is
    doing (a statement PostgreSQL's statement_timeout allows, one C function SQLite's progress
    handler never sees run), checking every 50 ms in one daemon thread."""

    def __init__(self, limit_ms: int) -> None:
        self.limit = limit_ms / 1000
        self.armed: dict[int, tuple[float, Any]] = {}
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def arm(self, dbapi_conn: Any) -> None:
        with self.lock:
            self.armed[id(dbapi_conn)] = (time.monotonic() + self.limit, dbapi_conn)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="watchdog", daemon=True)
                self.thread.start()

    def disarm(self, dbapi_conn: Any) -> None:
        with self.lock:
            self.armed.pop(id(dbapi_conn), None)

    def _run(self) -> None:
        while True:
            time.sleep(0.05)
            now = time.monotonic()
            with self.lock:
                late = [key for key, (deadline, _) in self.armed.items() if deadline < now]
                due = [self.armed.pop(key)[1] for key in late]
            for dbapi_conn in due:
                interrupt(dbapi_conn)


def _watch(engine: Engine, time_limit_ms: int) -> None:
    """Bound each checkout of `engine` by `time_limit_ms` (0: no limit) and tie it to the
    HTTP request it serves, so a client that leaves stops its queries."""
    watchdog = Watchdog(time_limit_ms) if time_limit_ms else None

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        if watchdog is not None:
            watchdog.arm(dbapi_conn)
        request = REQUEST.get()
        if request is not None:
            record.info["request"] = request
            request.hold(dbapi_conn)

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_when_gone(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # A cancel stops only a statement that is running: one that would start after its
        # client left (it left while the route was reaching the store) does not start.
        request = REQUEST.get()
        if request is not None and request.stopped:
            gone = sqlite3.OperationalError("interrupted: the client left")
            raise OperationalError(statement, None, gone)

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn: Any, record: Any) -> None:
        if watchdog is not None:
            watchdog.disarm(dbapi_conn)
        request = record.info.pop("request", None)
        if request is not None:
            request.release(dbapi_conn)


def make_engine(
    url: str, *, readonly: bool = False, time_limit_ms: int = 0, pool: Pool = Pool()
) -> Engine:
    """An engine for `url`. `readonly` engines cannot write: the API serves through one.
    `time_limit_ms` bounds database time: on SQLite, all the statements run on one checked-out
    connection (one request) together; on PostgreSQL, each statement (statement_timeout)."""
    if is_sqlite(url):
        engine = _sqlite_engine(url, readonly=readonly, time_limit_ms=time_limit_ms, pool=pool)
    else:
        engine = _postgres_engine(url, readonly=readonly, time_limit_ms=time_limit_ms, pool=pool)
    if readonly:
        _watch(engine, time_limit_ms)
    return engine


def _postgres_engine(url: str, *, readonly: bool, time_limit_ms: int, pool: Pool) -> Engine:
    options = []
    if time_limit_ms:
        options.append(f"-c statement_timeout={time_limit_ms}")
    if readonly:
        options.append("-c default_transaction_read_only=on")
    return create_engine(
        url,
        # A request runs several statements; REPEATABLE READ gives them one snapshot, so a
        # seed committing meanwhile is seen entirely or not at all (SQLite: WAL transactions).
        isolation_level="REPEATABLE READ" if readonly else "READ COMMITTED",
        pool_size=pool.size,
        max_overflow=pool.overflow,
        pool_timeout=pool.timeout,
        pool_pre_ping=True,
        connect_args={"options": " ".join(options), "connect_timeout": 10},
    )


def _sqlite_engine(url: str, *, readonly: bool, time_limit_ms: int, pool: Pool) -> Engine:
    parsed = make_url(url)
    sizes: dict[str, Any] = {}
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # In-process, connections beyond the threads that can use them only add page caches
        # (memory); requests beyond POOL_SIZE wait for one.
        sizes = {"pool_size": pool.size, "max_overflow": 0, "pool_timeout": pool.timeout}
        if readonly and on_read_only_media(Path(parsed.database)):
            uri = sqlite_read_uri(parsed.database)
            url = parsed.set(database=uri, query={"uri": "true"}).render_as_string(False)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **sizes)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
        # Let SQLAlchemy's BEGIN reach SQLite so a seed is one real transaction.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not readonly:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        if readonly:
            cur.execute("PRAGMA query_only=ON")
        cur.close()
        # Two limits, 0 when off: the request's (time_limit_ms) and a count's (budget).
        deadline: list[float] = [0.0]
        budget: list[float] = [0.0]
        record.info["deadline"], record.info["budget"] = deadline, budget

        def over() -> int:
            if deadline[0] == 0 and budget[0] == 0:
                return 0
            now = time.monotonic()
            return int(0 < deadline[0] < now or 0 < budget[0] < now)

        dbapi_conn.set_progress_handler(over, 20_000)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    if time_limit_ms:
        # A request takes one connection for all its statements: they share one budget.
        @event.listens_for(engine, "checkout")
        def _arm(dbapi_conn: Any, record: Any, proxy: Any) -> None:
            deadline = record.info.get("deadline")
            if deadline is not None:
                deadline[0] = time.monotonic() + time_limit_ms / 1000

    return engine


def on_read_only_media(path: Path) -> bool:
    """Whether `path` (or, when it does not exist, its folder) is on a file system mounted
    read-only."""
    for place in (path, path.parent):
        try:
            return bool(os.statvfs(place).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False


def sqlite_read_uri(database: str) -> str:
    """The URI that opens the SQLite file `database` read-only. On read-only media a WAL
    store's readers cannot make its -shm file, and nothing can change the store: SQLite reads
    it as immutable (no locks, no -shm)."""
    if database.startswith("file:"):
        return database  # already one
    uri = f"file:{quote(database)}?mode=ro"
    return f"{uri}&immutable=1" if on_read_only_media(Path(database)) else uri


class OverBudget(Exception):
    """A statement run `within` a budget took longer."""


@contextmanager
def within(conn: Connection, budget_ms: int) -> Iterator[None]:
    """Run the statements of the block for at most `budget_ms` (0: no limit), else raise
    OverBudget, leaving `conn` usable: on SQLite, the progress handler interrupts them; on
    PostgreSQL, a statement_timeout set in a savepoint, rolled back to after (so, for reads).
    Two statements more on PostgreSQL, none on SQLite."""
    if not budget_ms:
        yield
        return
    if conn.dialect.name == "sqlite":
        budget: list[float] = conn.info["budget"]
        budget[0] = time.monotonic() + budget_ms / 1000
        try:
            yield
        except OperationalError as exc:
            if 0 < budget[0] < time.monotonic():
                raise OverBudget from exc
            raise
        finally:
            budget[0] = 0.0
        return
    # Read-only statements: rolling back to the savepoint loses nothing and undoes the SET.
    conn.exec_driver_sql(f"SAVEPOINT budget; SET LOCAL statement_timeout = {int(budget_ms)}")
    try:
        yield
    except OperationalError as exc:
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        # query_canceled by this timeout (not by the watchdog or a client that left)
        if code == "57014" and "statement timeout" in str(exc.orig):
            raise OverBudget from exc
        raise
    finally:
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT budget; RELEASE SAVEPOINT budget")


def serving_engine(settings: Settings) -> Engine:
    """The read-only engine the API serves through, with the request time limit."""
    pool = Pool(settings.pool_size, settings.max_overflow, settings.pool_timeout)
    return make_engine(
        settings.database_url,
        readonly=True,
        time_limit_ms=settings.statement_timeout_ms,
        pool=pool,
    )


@contextmanager
def write_engine(url: str) -> Iterator[Engine]:
    """An engine that may write (migrate, seed), disposed of afterwards."""
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@dataclass(frozen=True)
class StoreState:
    revision: str | None  # Alembic's, None before the first migration
    articles: int
    data_version: str | None  # None until seeded
    document_format: str | None  # of the stored record documents

    def problem(self, schema_revision: str, document_format: str) -> str | None:
        """Why this store cannot serve the current code, or None when it can."""
        if self.revision != schema_revision:
            return f"The store is at schema {self.revision}, not {schema_revision}; run migrate"
        if not self.articles or self.data_version is None:
            return "The store is not seeded; run `python -m app seed`"
        if self.document_format != document_format:
            return "The store's records were rendered by another version; run seed"
        return None


def store_state(conn: Connection) -> StoreState:
    """What the store at `conn` holds; a store without the tables reads as empty (one that
    cannot be reached fails earlier, when connecting, and a damaged one raises here)."""
    try:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        articles = conn.execute(text("SELECT count(*) FROM article")).scalar_one()
        rows = conn.execute(text("SELECT key, value FROM store_meta")).all()
        meta: dict[str, str] = {key: value for key, value in rows}
    except DBAPIError as exc:
        conn.rollback()
        if not missing_table(exc):
            raise
        return StoreState(None, 0, None, None)
    return StoreState(revision, articles, meta.get("data_version"), meta.get("document_format"))


def missing_table(exc: DBAPIError) -> bool:
    """The statement named a table the store does not have (it is not migrated yet)."""
    return getattr(exc.orig, "sqlstate", None) == "42P01" or "no such table" in str(exc.orig)


def data_version(conn: Connection) -> str | None:
    """The store's data version, or None when it was never seeded (or not migrated)."""
    try:
        return conn.execute(
            text("SELECT value FROM store_meta WHERE key = 'data_version'")
        ).scalar_one_or_none()
    except Exception:
        conn.rollback()
        return None


class utf8_bytes(FunctionElement[bytes]):
    """A text column read as its UTF-8 bytes: stored JSON and CSV are sent as they are, with
    no decoding by the driver and no encoding again for the response. SQLite: a cast to BLOB
    (the same bytes); PostgreSQL: convert_to (a cast to bytea would read backslashes as
    escapes)."""

    type = LargeBinary()
    inherit_cache = True


@compiles(utf8_bytes, "sqlite")
def _utf8_bytes_sqlite(element: utf8_bytes, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS BLOB)"


@compiles(utf8_bytes, "postgresql")
def _utf8_bytes_postgresql(element: utf8_bytes, compiler: Any, **kw: Any) -> str:
    return f"convert_to({compiler.process(element.clauses, **kw)}, 'UTF8')"
