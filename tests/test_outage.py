"""A database outage under load: while PostgreSQL is down every answer is a 503 problem that
says when to come back (Retry-After), never a 500 or a dropped connection, and the API
recovers as soon as the database is back.

The test runs its own throwaway PostgreSQL (initdb into a temporary folder, on a free port),
never the shared server, and stops and restarts it."""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import RETRY_AFTER_SECONDS
from bench.proc import free_port
from tests.conftest import running_server


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL's {name} is not installed, and CI must run this test")
        pytest.skip(f"PostgreSQL's {name} is not installed")
    return found[-1]


class ThrowawayPostgres:
    """A PostgreSQL server of this test's own, in a temporary folder: as root (CI) it runs as
    the `postgres` user, which PostgreSQL requires."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data = folder / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *command: str) -> None:
        subprocess.run(
            [*self.as_user, *command], check=True, capture_output=True, text=True, timeout=120
        )

    def init(self) -> None:
        self.run(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "server.log")  # not our pipes: the server outlives pg_ctl
        self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    folder = Path(tempfile.mkdtemp(prefix="outage-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = ThrowawayPostgres(folder, free_port())
    try:
        server.init()
        server.start()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


PATHS = ["/v1/countries/NE", "/v1/events?limit=5", "/v1/people/olayinka-ajala", "/readyz"]


def load(base: str, stop: threading.Event, answers: list[tuple[float, int, Any]]) -> None:
    """Requests one after another until `stop`; (time, status, response or exception)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        i = 0
        while not stop.is_set():
            path = PATHS[i % len(PATHS)]
            i += 1
            try:
                response = client.get(path)
                answers.append((time.monotonic(), response.status_code, response))
            except httpx.HTTPError as exc:
                answers.append((time.monotonic(), 0, exc))


@pytest.mark.slow
def test_a_database_outage_is_503_with_retry_after_and_recovers() -> None:
    pg_bin("initdb")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("runuser is not installed")
    with throwaway_postgres() as database:
        settings = {
            "RESPONSE_CACHE_BYTES": "0",  # every request reaches the database
            "DATA_VERSION_TTL": "0",
            "POOL_TIMEOUT": "2",
            "LOG_LEVEL": "ERROR",
        }
        with running_server(database.url, **settings) as (base, _):
            answers: list[tuple[float, int, Any]] = []
            stop = threading.Event()
            workers = [threading.Thread(target=load, args=(base, stop, answers)) for _ in range(6)]
            for worker in workers:
                worker.start()
            try:
                time.sleep(2)
                down_at = time.monotonic()
                database.stop()
                time.sleep(4)
                database.start()
                up_at = time.monotonic()
                time.sleep(4)
            finally:
                stop.set()
                for worker in workers:
                    worker.join(timeout=60)
    statuses = Counter(status for _, status, _ in answers)
    assert set(statuses) <= {200, 503}, statuses  # no 500, no dropped connection (0)
    outage = [r for t, status, r in answers if status == 503]
    assert outage, "no request saw the outage"
    assert all(t >= down_at for t, status, _ in answers if status == 503)
    for response in outage:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert response.json()["type"] in ("/problems/unavailable", "/problems/query-timeout")
    # Back at once: within a second of the restart, everything answers again.
    after = [status for t, status, _ in answers if t > up_at + 1]
    assert after and set(after) == {200}, Counter(after)
