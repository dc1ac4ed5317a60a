"""`python -m app migrate | seed [PATH ...] | serve`: the commands a deployment needs."""

import argparse
import signal
import sys
from pathlib import Path

from sqlalchemy import text

from app.config import SCHEMA_REVISION, get_settings
from app.db import write_engine


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.migrate import upgrade

    upgrade()
    print("migrated: schema is at head")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from app.loader import SeedError, default_paths, seed

    settings = get_settings()
    paths = args.paths or default_paths(settings.seed_dir)
    if not paths:
        print(f"seed: no annotation files found in {settings.seed_dir}", file=sys.stderr)
        return 2
    with write_engine() as engine:
        try:
            report = seed(engine, paths)
        except SeedError as exc:
            print(
                f"seed refused, nothing was written ({len(exc.problems)} problem(s)):",
                file=sys.stderr,
            )
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
            return 1
    state = "loaded" if report.changed else "unchanged"
    counts = ", ".join(f"{n} {t}" for t, n in report.counts.items() if t != "search_document")
    print(f"seed {state} (data version {report.data_version}): {counts}")
    return 0


def store_state() -> tuple[str | None, int]:
    """The store's schema revision and article count (None, 0 for a new store)."""
    with write_engine() as engine, engine.connect() as conn:
        try:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            articles = conn.execute(text("SELECT count(*) FROM article")).scalar_one()
        except Exception:
            return None, 0
    return revision, articles


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    # A store already at the current schema skips importing Alembic: a second start is fast.
    revision, articles = store_state()
    if revision != SCHEMA_REVISION and cmd_migrate(args):
        return 1
    if not articles and cmd_seed(argparse.Namespace(paths=[])):
        return 1
    # uvicorn shuts down gracefully on SIGTERM/SIGINT (in-flight requests finish), then
    # re-raises the signal; this handler receives it, so a requested stop exits 0.
    stopped: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: stopped.append(number))
    uvicorn.run(
        "app.main:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=30,
        proxy_headers=False,
        ws="none",  # no websockets here; skipping their import speeds up start
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade the schema at DATABASE_URL to head")
    seed_parser = commands.add_parser("seed", help="load annotated articles (default: seed/)")
    seed_parser.add_argument("paths", nargs="*", type=Path, help="annotation files or folders")
    serve = commands.add_parser("serve", help="migrate, seed if empty, then serve the API")
    serve.add_argument("--host", help="default: HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: PORT or 8000")
    serve.add_argument("--workers", type=int, help="default: WORKERS or 1")
    args = parser.parse_args(argv)
    handler = {"migrate": cmd_migrate, "seed": cmd_seed, "serve": cmd_serve}[args.command]
    return handler(args)
