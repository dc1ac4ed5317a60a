"""Every query is bounded on a large store: one article of 118,000 events (bench.generate),
generated once and kept between runs (tmp/bounds/, keyed by a hash of the generator and the
schema; on PostgreSQL a database of that name, with 4 articles: see PG_ARTICLES). With
STATEMENT_TIMEOUT_MS the broad search and the segments of the whole article answer within
it; ten slow requests at once leave /readyz and reads of one record their connections; a
client that leaves stops its query; SIGTERM with slow requests in flight exits within the
limit + 2 s."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import text

from app.config import SCHEMA_REVISION
from app.db import make_engine
from app.loader import default_paths, seed
from app.migrate import upgrade
from app.records import DOCUMENT_FORMAT
from bench.generate import generate
from bench.proc import free_port
from tests.conftest import (
    PG_ADMIN,
    PG_BASE,
    ROOT,
    SEED_DIR,
    require_postgres,
    running_server,
    start_server,
    wait_ready,
)

EVENTS = 118_000
ARTICLE = "bench-article-00000"
# PostgreSQL indexes an article's words in a tsvector of at most 1 MB, which the text of all
# 118,000 events' spans overflows: there they are spread over 4 articles (29,500 each).
PG_ARTICLES = 4
LIMIT_MS = 5000
BROAD_SEARCH = "/v1/search?q=in"  # a word of every event's title
SEGMENTS = f"/v1/articles/{ARTICLE}/mentions?segments=true"
# Counting every match exactly with three facets: over a second here, whatever the caches.
SLOW = "/v1/events?q=in&count=exact&facet=kind,country,year&limit=1"
ONE_RECORD = "/v1/events/bench-event-0000001?fields=id,title"  # through the router and pool
KEY = hashlib.sha256(
    (ROOT / "bench" / "generate.py").read_bytes()
    + f"|{EVENTS}|{PG_ARTICLES}|{SCHEMA_REVISION}|{DOCUMENT_FORMAT}".encode()
).hexdigest()[:12]

pytestmark = pytest.mark.slow


def fill(url: str, articles: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        seed(engine, default_paths(SEED_DIR))
        generate(engine, EVENTS, articles=articles)
    finally:
        engine.dispose()


def sqlite_store() -> str:
    path = ROOT / "tmp" / "bounds" / f"{KEY}.db"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("*.db*"):
            old.unlink()
        building = path.with_suffix(".building")
        for leftover in path.parent.glob(f"{building.name}*"):
            leftover.unlink()
        fill(f"sqlite:///{building}", 1)
        building.rename(path)
    return f"sqlite:///{path}"


def postgres_store() -> str:
    require_postgres()
    name = f"bounds_{KEY}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database")]
        for old in names:
            if old.startswith("bounds_") and old not in (name, f"{name}_building"):
                conn.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
        if name in names:
            return f"{PG_BASE}/{name}"
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_building" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}_building"')
    fill(f"{PG_BASE}/{name}_building", PG_ARTICLES)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}_building" RENAME TO "{name}"')
    return f"{PG_BASE}/{name}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def big_store(request: pytest.FixtureRequest) -> str:
    url = sqlite_store() if request.param == "sqlite" else postgres_store()
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM event")).scalar_one() > EVENTS
    engine.dispose()
    return url


def timed(base: str, path: str, timeout: float = 60) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = httpx.get(base + path, timeout=timeout)
    return time.monotonic() - started, response


def assert_bounded(response: httpx.Response) -> None:
    """A bounded answer: the data, or a 503 problem to retry; never a 500."""
    assert response.status_code in (200, 503), response.text[:300]
    if response.status_code == 503:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"]


@pytest.fixture(scope="module")
def server(big_store: str) -> Iterator[str]:
    env = {"STATEMENT_TIMEOUT_MS": str(LIMIT_MS), "RESPONSE_CACHE_BYTES": "0"}
    with running_server(big_store, **env, STATS_CACHE_SIZE="0", POOL_SIZE="10") as (base, _):
        yield base


def test_broad_search_and_segments_answer_within_the_time_limit(
    server: str, big_store: str
) -> None:
    searched, search = timed(server, BROAD_SEARCH)
    cut, segments = timed(server, SEGMENTS)
    print(f"\n{big_store.split(':')[0]}: search {searched:.2f} s, segments {cut:.2f} s")
    for response in (search, segments):
        assert_bounded(response)
    assert searched < LIMIT_MS / 1000 + 2
    assert cut < LIMIT_MS / 1000 + 2
    if search.status_code == 200:
        assert len(search.json()["data"]) == 20
    if segments.status_code == 200:
        body = segments.json()
        assert sum(len(s["text"]) for s in body["segments"]) == body["length"]


def test_ten_slow_requests_leave_readyz_and_one_record_a_connection(
    server: str, big_store: str
) -> None:
    with ThreadPoolExecutor(12) as pool:
        slow = [pool.submit(timed, server, SLOW) for _ in range(5)]
        slow += [pool.submit(timed, server, BROAD_SEARCH) for _ in range(5)]
        time.sleep(0.5)
        ready_time, ready = timed(server, "/readyz", timeout=10)
        one_time, one = timed(server, ONE_RECORD, timeout=10)
        answers = [f.result() for f in slow]
    print(
        f"\n{big_store.split(':')[0]}: /readyz during ten {ready_time:.2f} s, one record "
        f"{one_time:.2f} s, slowest of the ten {max(t for t, _ in answers):.2f} s"
    )
    assert ready.status_code == 200 and one.status_code == 200
    assert ready_time < 2 and one_time < 2
    for _, response in answers:
        assert_bounded(response)


def test_the_time_limit_stops_a_slow_query(big_store: str) -> None:
    env = {"STATEMENT_TIMEOUT_MS": "300", "RESPONSE_CACHE_BYTES": "0", "STATS_CACHE_SIZE": "0"}
    with running_server(big_store, **env) as (base, _):
        took, response = timed(base, SLOW)
    assert response.status_code == 503, response.text[:300]
    assert response.json()["type"] == "/problems/query-timeout"
    assert response.headers["retry-after"]
    assert took < 0.3 + 1.5


def test_a_client_that_leaves_stops_its_query(big_store: str) -> None:
    """One slot for slow routes (POOL_SIZE=3) and no time limit: a client that gives up on a
    slow request after 0.2 s frees the slot for the next one at once; had its query run on,
    the next would first wait for the rest of it. Five more that give up while waiting for
    the slot do not hold it either."""
    env = {"STATEMENT_TIMEOUT_MS": "0", "RESPONSE_CACHE_BYTES": "0", "STATS_CACHE_SIZE": "0"}
    with running_server(big_store, **env, POOL_SIZE="3", POOL_TIMEOUT="60") as (base, _):
        timed(base, SLOW)  # warm
        alone, first = timed(base, SLOW)
        assert first.status_code == 200
        assert alone > 0.8, "the slow request is not slow enough to tell"
        with ThreadPoolExecutor(6) as pool:
            leaving = [pool.submit(httpx.get, base + SLOW, timeout=0.2) for _ in range(6)]
            for future in leaving:
                with pytest.raises(httpx.TimeoutException):
                    future.result()
        after, response = timed(base, SLOW)
    assert response.status_code == 200
    assert after < 1.5 * alone, (after, alone)


def test_sigterm_with_slow_requests_in_flight_exits_within_the_limit(big_store: str) -> None:
    port = free_port()
    env = {"STATEMENT_TIMEOUT_MS": "1000", "RESPONSE_CACHE_BYTES": "0", "STATS_CACHE_SIZE": "0"}
    process = start_server(big_store, port, **env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        with ThreadPoolExecutor(10) as pool:
            for _ in range(10):
                pool.submit(httpx.get, base + SLOW, timeout=30)
            time.sleep(0.3)
            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert process.wait(timeout=30) == 0
            assert time.monotonic() - started < 1.0 + 2
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_refuses_a_pool_of_fewer_than_three(tmp_path: Path) -> None:
    """Slow routes use all but two connections: with fewer than three there is none for them."""
    for size in ("1", "2"):
        environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
        done = subprocess.run(
            [sys.executable, "-m", "app", "serve", "--port", str(free_port())],
            cwd=ROOT,
            env={**environment, "POOL_SIZE": size},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert done.stderr.strip().count("\n") == 0 and "POOL_SIZE" in done.stderr
