"""Stores for the tests: a migrated, seeded SQLite file and PostgreSQL database, shared by the
read tests; tests that write make their own with `fresh_store`."""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app import db
from app.config import Settings
from app.loader import default_paths, seed
from app.main import create_app
from app.migrate import upgrade
from bench.proc import free_port

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("LOG_LEVEL", "WARNING")  # the access log of thousands of requests is noise
SEED_DIR = ROOT / "seed"
PG_ADMIN = os.environ.get("TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_BASE = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")


def postgres_available() -> bool:
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


def require_postgres() -> None:
    if postgres_available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL at {PG_ADMIN} does not answer, and CI must run these tests")
    pytest.skip(f"no PostgreSQL server answers at {PG_ADMIN}")


def create_pg_database() -> tuple[str, str]:
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"{PG_BASE}/{name}"


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated store of the backend in `request.param` (default sqlite)."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        upgrade(url)
        yield url
        return
    require_postgres()
    name, url = create_pg_database()
    try:
        upgrade(url)
        yield url
    finally:
        drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store nobody has migrated yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'store.db'}"
        return
    require_postgres()
    name, url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(name)


def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.db'}"
    upgrade(url)
    with db.write_engine(url) as engine:
        seed(engine, default_paths(SEED_DIR))
    return url


@pytest.fixture(scope="session")
def seeded_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A seeded SQLite store for tests that need only one backend."""
    return seeded_sqlite(tmp_path_factory)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def seeded_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One seeded store per backend, shared by every read test."""
    if request.param == "sqlite":
        yield seeded_sqlite(tmp_path_factory)
        return
    require_postgres()
    name, url = create_pg_database()
    try:
        upgrade(url)
        with db.write_engine(url) as engine:
            seed(engine, default_paths(SEED_DIR))
        yield url
    finally:
        drop_pg_database(name)


def settings_for(url: str, **overrides: Any) -> Settings:
    """Settings of an app serving the store at `url`: the defaults (and the environment),
    with `overrides` on top."""
    return Settings(database_url=url, **overrides)


@contextmanager
def app_client(url: str, **overrides: Any) -> Iterator[TestClient]:
    """A client of an app of its own serving the store at `url`, with setting `overrides`
    (e.g. `response_cache_bytes=0`). Its engine is disposed of when the client closes."""
    app = create_app(settings_for(url, **overrides))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@contextmanager
def seeded_client(backend: str, folder: Path, paths: list[Path]) -> Iterator[TestClient]:
    """A client of an app over a store of its own on `backend` ("sqlite": a file in `folder`;
    "postgresql": a database dropped afterwards), migrated and seeded with `paths`."""
    name = None
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'store.db'}"
    else:
        require_postgres()
        name, url = create_pg_database()
    try:
        upgrade(url)
        with db.write_engine(url) as engine:
            seed(engine, paths)
        with app_client(url) as test_client:
            yield test_client
    finally:
        if name is not None:
            drop_pg_database(name)


def engine_of(client: TestClient) -> Engine:
    """The engine the app behind `client` serves through."""
    engine: Engine = client.app.state.context.engine  # type: ignore[attr-defined]
    return engine


@pytest.fixture(scope="session")
def client(seeded_url: str) -> Iterator[TestClient]:
    """The app over the seeded store of the current backend."""
    with app_client(seeded_url) as test_client:
        yield test_client


# --- real servers ------------------------------------------------------------------------------


@contextmanager
def running_server(database_url: str, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A ready `python -m app serve` on `database_url` (it migrates and seeds it itself): its
    base URL and process. Unless the test stopped it, it is stopped with SIGTERM and must
    exit 0."""
    port = free_port()
    process = start_server(database_url, port, **env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        yield base, process
    finally:
        if process.poll() is None:
            assert stop(process) == 0


def start_server(database_url: str, port: int, **env: str) -> subprocess.Popen[bytes]:
    """`python -m app serve` on `database_url` at `port`, settings `env` on top of ours."""
    environment = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port), **env}
    return subprocess.Popen([sys.executable, "-m", "app", "serve"], cwd=ROOT, env=environment)


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{base} not ready after {timeout}s")


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, as a process manager stops it; its exit code."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


CHROMIUM = shutil.which("chromium")
# What every headless Chromium run here needs: no sandbox (a container), no GPU, nothing of its
# own reaching for the network.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium(purpose: str) -> str:
    """Chromium's path: without one, a skip here and a failure under CI=true (CI must
    `purpose`)."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"chromium is not installed, and CI must {purpose} (apt chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return CHROMIUM
