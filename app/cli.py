"""`python -m app migrate | seed [PATH ...] | serve`: the commands a deployment needs."""

import argparse
import fcntl
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import SCHEMA_REVISION, Settings
from app.db import StoreState, is_sqlite, make_engine, store_state, write_engine
from app.records import DOCUMENT_FORMAT

# The PostgreSQL advisory lock that `migrate`, `seed` and `serve`'s preparation hold. Any fixed
# 64-bit key does; advisory locks are per database, so only processes preparing the same store
# wait for each other.
PG_LOCK_KEY = int.from_bytes(b"artfacts", "big")
WAITING = "waiting for another process that is migrating or seeding this store"


@contextmanager
def store_lock(url: str) -> Iterator[None]:
    """Let one process at a time migrate or seed the store at `url`; the others wait, then
    find the work done. PostgreSQL: a session-level advisory lock, held by a connection of its
    own (so the migration's and the seed's transactions are not tied to it). SQLite: an
    exclusive `flock` on `<database file>.lock`, next to the database file."""
    if is_sqlite(url):
        database = make_url(url).database
        if not database or database == ":memory:":
            yield  # a private in-memory store: nobody else can prepare it
            return
        lock_path = Path(f"{database}.lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("a") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(WAITING, file=sys.stderr)
                fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    # Autocommit: the connection holds the lock, not an open transaction, while it waits.
    with write_engine(url) as engine, engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        key = {"key": PG_LOCK_KEY}
        if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar_one():
            print(WAITING, file=sys.stderr)
            conn.execute(text("SELECT pg_advisory_lock(:key)"), key)
        try:
            yield
        finally:
            # Closing the connection would release it too; unlock before it returns to a pool.
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), key)


def migrate(settings: Settings) -> None:
    from app.migrate import upgrade

    upgrade(settings.database_url)
    print("migrated: schema is at head")


def seed(settings: Settings, paths: Sequence[Path]) -> int:
    from app.loader import SeedError, default_paths
    from app.loader import seed as load

    paths = list(paths) or default_paths(settings.seed_dir)
    with write_engine(settings.database_url) as engine:
        if not paths and not current_state(settings.database_url).articles:
            print(f"seed: no annotation files found in {settings.seed_dir}", file=sys.stderr)
            return 2
        try:
            report = load(engine, paths)
        except SeedError as exc:
            if len(exc.problems) == 1:
                print(f"seed refused, nothing was written: {exc.problems[0]}", file=sys.stderr)
                return 1
            print(
                f"seed refused, nothing was written ({len(exc.problems)} problems):",
                file=sys.stderr,
            )
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
            return 1
    state = "loaded" if report.changed else "unchanged"
    counts = ", ".join(f"{n} {t}" for t, n in report.counts.items() if t != "search_document")
    print(f"seed {state} (data version {report.data_version}): {counts}")
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    with store_lock(settings.database_url):
        migrate(settings)
    return 0


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    with store_lock(settings.database_url):
        return seed(settings, args.paths)


def current_state(url: str) -> StoreState:
    with write_engine(url) as engine, engine.connect() as conn:
        return store_state(conn)


def prepare_store(settings: Settings) -> int:
    """Migrate if the schema is behind and seed if the store is not seeded (or its records were
    rendered by another version), under the store lock and deciding again once it is held, so
    processes starting together do the work once. A ready store only reads (a read-only role
    can start the API): no lock, no Alembic import."""
    url = settings.database_url
    reader = make_engine(url, readonly=True)
    try:
        with reader.connect() as conn:
            if store_state(conn).problem(SCHEMA_REVISION, DOCUMENT_FORMAT) is None:
                return 0
    finally:
        reader.dispose()
    with store_lock(url):
        state = current_state(url)
        if state.revision != SCHEMA_REVISION:
            migrate(settings)
            state = current_state(url)
        if state.problem(SCHEMA_REVISION, DOCUMENT_FORMAT) is not None:
            return seed(settings, [])
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    """Every resource to a file of its own in `args.out`, as NDJSON or CSV."""
    from sqlalchemy import func, select

    from app import csvrows, exports
    from app.api.dump import DUMPED
    from app.db import serving_engine
    from app.pagination import CursorSigner
    from app.query import Paging, PerVersion

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    engine = serving_engine(settings.model_copy(update={"statement_timeout_ms": 0}))
    try:
        with engine.connect() as conn:
            state = store_state(conn)
            problem = state.problem(SCHEMA_REVISION, DOCUMENT_FORMAT)
            if problem is not None or state.data_version is None:
                print(f"export: {problem}", file=sys.stderr)
                return 1
            version = state.data_version
            totals = {
                r.listing.name: conn.execute(
                    select(func.count()).select_from(r.kind.table)
                ).scalar_one()
                for r, _ in DUMPED
            }
        paging = Paging(CursorSigner("export"), PerVersion(), version)
        for resource, everything in DUMPED:
            name, kind = resource.listing.name, resource.kind
            path = out / f"{name}.{args.format}"
            bar = Progress(name, totals[name])
            header = csvrows.columns(kind.fields)
            reader = exports.chunks(
                engine,
                resource.listing,
                kind,
                everything,
                kind.key,
                paging,
                exports.Shaping(),
                stored=exports.STORED[args.format],
            )
            with path.open("wb") as file:
                for index, batch in enumerate(reader):
                    file.write(exports.encode(args.format, header, batch, first=index == 0))
                    bar.add(len(batch))
                if args.format == "csv" and not totals[name]:
                    file.write(exports.encode("csv", header, [], first=True))
            bar.done()
        print(f"exported {sum(totals.values())} records to {out}")
    finally:
        engine.dispose()
    return 0


class Progress:
    """A progress bar on stderr: `name [#####     ] done/total`."""

    def __init__(self, name: str, total: int) -> None:
        self.name, self.total, self.count = name, total, 0

    def add(self, n: int) -> None:
        self.count += n
        self.show()

    def show(self, end: str = "\r") -> None:
        width = 30
        filled = width if not self.total else width * self.count // self.total
        bar = "#" * filled + " " * (width - filled)
        print(f"{self.name:<14} [{bar}] {self.count:>9,}/{self.total:,}", end=end, file=sys.stderr)

    def done(self) -> None:
        self.show(end="\n")


def _stopped(signum: int, frame: object) -> None:
    """uvicorn shuts down gracefully on SIGTERM/SIGINT (in-flight requests finish), then raises
    the signal again for its previous handler: this one, so a requested stop exits 0 instead of
    dying by the signal."""


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    host = args.host or settings.host
    if settings.pool_size < 3:
        print(
            f"serve: POOL_SIZE is {settings.pool_size}; it must be at least 3 (slow routes "
            "use all but 2 connections, kept for /readyz and reads of one record)",
            file=sys.stderr,
        )
        return 2
    refused = settings.secret_problem(host)
    if refused:
        print(f"serve: {refused}", file=sys.stderr)
        return 2
    warning = settings.host_problem(host)
    if warning:
        from app import logs

        logs.configure(settings.log_level, settings.log_format)
        logging.getLogger("app.cli").warning("serve: %s", warning)
    if prepare_store(settings):
        return 1
    import uvicorn

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stopped)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        log_config=None,
        server_header=False,
        # In-flight requests end within their time limit (a stream's chunk too): then stop.
        timeout_graceful_shutdown=(
            -(-settings.statement_timeout_ms // 1000) + 1 if settings.statement_timeout_ms else 30
        ),
        # Behind a load balancer, trust its X-Forwarded-For so limits and logs see clients.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        ws="none",  # no websockets here; skipping their import speeds up start
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument(
        "--debug", action="store_true", help="on failure, the full trace (so does LOG_LEVEL=DEBUG)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade the schema at DATABASE_URL to head")
    seed_parser = commands.add_parser("seed", help="load annotated articles (default: seed/)")
    seed_parser.add_argument("paths", nargs="*", type=Path, help="annotation files or folders")
    serve = commands.add_parser("serve", help="migrate, seed if empty, then serve the API")
    serve.add_argument("--host", help="default: HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: PORT or 8000")
    serve.add_argument("--workers", type=int, help="default: WORKERS or 1")
    export = commands.add_parser("export", help="write every resource to a file of its own")
    export.add_argument("--format", choices=["ndjson", "csv"], default="ndjson")
    export.add_argument("--out", type=Path, required=True, help="folder for the files")
    args = parser.parse_args(argv)
    handler = {
        "migrate": cmd_migrate,
        "seed": cmd_seed,
        "serve": cmd_serve,
        "export": cmd_export,
    }[args.command]
    debug = args.debug or os.environ.get("LOG_LEVEL", "").upper() == "DEBUG"
    settings: Settings | None = None
    try:
        settings = Settings()
        debug = debug or settings.log_level.upper() == "DEBUG"
        return handler(settings, args)
    except Exception as exc:
        if debug:
            raise
        from app.failures import explain

        url = settings.database_url if settings else os.environ.get("DATABASE_URL", "")
        print(f"{args.command}: {explain(exc, url)}", file=sys.stderr)
        return 1
