"""The HTTP edge: HEAD, conditional requests, errors that escape the app, CORS refusals, and a
server that keeps answering (and finishes what it started) while queries wait."""

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from bench.proc import free_port
from tests.conftest import (
    ROOT,
    app_client,
    create_pg_database,
    drop_pg_database,
    engine_of,
    require_postgres,
    running_server,
    wait_ready,
)


@pytest.fixture(scope="module")
def http(seeded_sqlite_url: str) -> Iterator[TestClient]:
    with app_client(seeded_sqlite_url) as client:
        yield client


def problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] and response.headers["x-content-type-options"]
    body = response.json()
    assert body["type"] == f"/problems/{slug}" and body["request_id"]
    return body


@pytest.mark.parametrize(
    "path",
    ["/v1/figures", "/v1/people/mohamed-bazoum?fields=name", "/healthz", "/docs", "/openapi.json"],
)
@pytest.mark.parametrize("coding", ["identity", "gzip"])
def test_head_is_get_without_a_body_everywhere(http: TestClient, path: str, coding: str) -> None:
    asked = {"Accept-Encoding": coding}
    head = http.head(path, headers=asked)
    get = http.get(path, headers=asked)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers.get("content-encoding") == get.headers.get("content-encoding")
    if coding == "identity":
        assert head.headers["content-length"] == str(len(get.content))
    assert head.headers.get("etag") == get.headers.get("etag")


def test_if_none_match_star_matches_only_what_exists(http: TestClient) -> None:
    star = {"If-None-Match": "*"}
    assert http.get("/v1/countries/NE", headers=star).status_code == 304
    problem(http.get("/v1/people/no-such-person", headers=star), 404, "not-found")
    problem(http.get("/v1/nothing-here", headers=star), 404, "not-found")
    problem(http.get("/v1/events?limit=0", headers=star), 422, "invalid-parameter")


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/redoc", "/problems/not-found"])
def test_documentation_has_etags_and_revalidates(http: TestClient, path: str) -> None:
    first = http.get(path)
    assert first.status_code == 200 and first.headers["etag"].startswith('"')
    again = http.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_health_checks_are_never_cached(http: TestClient) -> None:
    for path in ("/healthz", "/readyz"):
        response = http.get(path)
        assert "etag" not in response.headers
        assert response.headers["cache-control"] == "no-cache"


def test_an_unexpected_error_is_a_logged_500_problem_with_the_edge_headers(
    seeded_sqlite_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    async def broken_read(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("app.api.lists.get_document", broken)
    monkeypatch.setattr("app.http.hot.DocumentReader.read", broken_read)
    with app_client(seeded_sqlite_url, response_cache_bytes=0) as client:
        response = client.get("/v1/countries/NE", headers={"X-Request-ID": "trace-me"})
    body = problem(response, 500, "internal-error")
    assert response.headers["x-request-id"] == body["request_id"] == "trace-me"
    assert "secret" not in response.text and "Traceback" not in response.text
    logged = [r for r in caplog.records if r.name == "app.errors"]
    assert len(logged) == 1 and getattr(logged[0], "request_id", None) == "trace-me"


def test_an_unreachable_store_is_503_not_500() -> None:
    with app_client("postgresql+psycopg://postgres@127.0.0.1:9/nowhere") as client:
        problem(client.get("/v1/countries/NE"), 503, "unavailable")
        problem(client.get("/readyz"), 503, "unavailable")
        assert client.get("/healthz").status_code == 200


def test_a_refused_cors_preflight_is_a_problem(http: TestClient) -> None:
    response = http.options(
        "/v1/events",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    body = problem(response, 400, "cors-refused")
    assert "method" in body["detail"]
    assert body["instance"] == "/v1/events"
    assert body["request_id"] == response.headers["x-request-id"]


def test_a_plain_options_lists_every_method_a_path_answers(http: TestClient) -> None:
    for path in ("/v1/events", "/v1/countries/NE", "/", "/docs", "/static/explorer/main.js"):
        response = http.options(path)
        assert response.status_code == 204, path
        assert response.headers["allow"] == "GET, HEAD, OPTIONS", path
    refused = http.post("/v1/events")
    assert refused.headers["allow"] == "GET, HEAD, OPTIONS"
    problem(http.options("/nowhere"), 404, "not-found")


@pytest.mark.parametrize(
    ("range_", "status"),
    [
        ("bytes=99999999-", 416),
        ("garbage", 400),
        ("bytes=50-10", 400),
        ("items=0-10", 400),
        ("bytes=", 400),
    ],
)
def test_a_bad_range_on_a_static_file_is_a_problem(
    http: TestClient, range_: str, status: int
) -> None:
    for path in ("/static/explorer/main.js", "/static/docs/swagger-ui.css"):
        response = http.get(path, headers={"Range": range_})
        body = problem(response, status, "invalid-range")
        assert body["instance"] == path and body["detail"]
        if status == 416:
            size = len(http.get(path).content)
            assert response.headers["content-range"] == f"bytes */{size}"
            assert str(size) in body["detail"]
    whole = http.get("/static/explorer/main.js").content
    part = http.get("/static/explorer/main.js", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == whole[:10]


@pytest.mark.parametrize("path", ["/v1/events", "/v1/countries/NE", "/openapi.json", "/docs"])
@pytest.mark.parametrize(
    "headers",
    [{}, {"Accept-Encoding": "gzip"}, {"Origin": "https://news.example"}, {"Accept": "text/csv"}],
    ids=["plain", "gzip", "origin", "csv"],
)
def test_a_304_varies_on_what_its_200_varies_on(
    http: TestClient, path: str, headers: dict[str, str]
) -> None:
    full = http.get(path, headers=headers)
    assert full.status_code == 200
    unchanged = http.get(path, headers={**headers, "If-None-Match": full.headers["etag"]})
    assert unchanged.status_code == 304
    assert unchanged.headers["vary"] == full.headers["vary"]
    assert "Accept-Encoding" in full.headers["vary"] and "Origin" in full.headers["vary"]


def test_typescript_declarations_are_served_as_text(http: TestClient) -> None:
    response = http.get("/static/explorer/types.d.ts")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_only_allowed_hosts_are_answered(seeded_sqlite_url: str) -> None:
    with app_client(seeded_sqlite_url, allowed_hosts=["api.example.org", "*.example.net"]) as c:
        for host in ("api.example.org", "eu.example.net"):
            response = c.get("/v1/events?limit=1", headers={"Host": host})
            assert response.status_code == 200, host
            assert f"://{host}/" in response.headers["link"]
        for path in ("/v1/events", "/static/explorer", "/v1/countries/NE", "/healthz"):
            refused = c.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
            body = problem(refused, 400, "host-not-allowed")
            assert "evil.example" in body["detail"] and body["instance"] == path
            assert "link" not in refused.headers and "location" not in refused.headers
    with app_client(seeded_sqlite_url) as anyone:  # the default: ALLOWED_HOSTS=["*"]
        assert anyone.get("/v1/events", headers={"Host": "evil.example"}).status_code == 200


def test_method_not_allowed_says_what_is(http: TestClient) -> None:
    response = http.post("/v1/events")
    body = problem(response, 405, "method-not-allowed")
    assert "GET" in body["detail"] and "read-only" in body["detail"]


# --- a real server whose queries wait on a lock ------------------------------------------------


@pytest.fixture
def locked_server() -> Iterator[tuple[str, subprocess.Popen[bytes], str]]:
    """`python -m app serve` on a seeded PostgreSQL database, reading the data version on
    every request, with a long time limit; yields its URL, process and database URL."""
    require_postgres()
    name, url = create_pg_database()
    settings = {"DATA_VERSION_TTL": "0", "STATEMENT_TIMEOUT_MS": "30000", "LOG_LEVEL": "WARNING"}
    try:
        with running_server(url, **settings) as (base, process):
            yield base, process, url
    finally:
        drop_pg_database(name)


def waiting_queries(database_url: str) -> int:
    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
        return int(row[0]) if row else 0


def hold_lock(database_url: str) -> psycopg.Connection[Any]:
    """Block every reader of the store (the data version is read first) until released."""
    conn = psycopg.connect(database_url.replace("+psycopg", ""))
    conn.execute("LOCK TABLE store_meta IN ACCESS EXCLUSIVE MODE")
    return conn


def wait_for(condition: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def test_health_answers_while_queries_wait(
    locked_server: tuple[str, subprocess.Popen[bytes], str],
) -> None:
    base, _, url = locked_server
    lock = hold_lock(url)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        slow = [pool.submit(httpx.get, f"{base}/v1/countries/NE", timeout=60) for _ in range(3)]
        wait_for(lambda: waiting_queries(url) >= 3)
        health = httpx.get(f"{base}/healthz", timeout=10)
        assert health.status_code == 200
        assert not any(f.done() for f in slow)  # the health check did not wait for them
        lock.rollback()
        lock.close()
        assert [f.result().status_code for f in slow] == [200] * 3


def test_sigterm_lets_in_flight_requests_finish(
    locked_server: tuple[str, subprocess.Popen[bytes], str],
) -> None:
    base, process, url = locked_server
    lock = hold_lock(url)
    paths = ["/v1/countries/NE", "/v1/events?limit=3", "/v1/people", "/v1/search?q=niger"] * 2
    with concurrent.futures.ThreadPoolExecutor(len(paths)) as pool:
        futures = [pool.submit(httpx.get, f"{base}{p}", timeout=60) for p in paths]
        wait_for(lambda: waiting_queries(url) >= len(paths))
        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # the server is shutting down with every request still waiting
        assert process.poll() is None
        lock.rollback()
        lock.close()
        assert [f.result().status_code for f in futures] == [200] * len(paths)
    assert process.wait(timeout=30) == 0


def test_behind_a_trusted_proxy_limits_count_per_forwarded_client(tmp_path: Any) -> None:
    limits = {"RATE_LIMIT_PER_MINUTE": "60", "RATE_LIMIT_BURST": "2"}
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with running_server(url, FORWARDED_ALLOW_IPS="127.0.0.1", **limits) as (base, _):

        def get(client_ip: str) -> int:
            headers = {"X-Forwarded-For": client_ip}
            return httpx.get(f"{base}/v1/countries/NE", headers=headers).status_code

        assert [get("203.0.113.7") for _ in range(3)] == [200, 200, 429]
        assert get("198.51.100.9") == 200  # another client behind the same proxy


@pytest.mark.parametrize(
    "path", ["/readyz", "/v1/events?fields=id&limit=1", "/v1/search?q=niger", "/v1/aid/summary"]
)
def test_an_exhausted_pool_answers_503_with_retry_after_never_500(
    seeded_url: str, path: str
) -> None:
    """Every pooled connection taken (by whatever): a request that cannot get one within
    POOL_TIMEOUT is told to come back, /readyz included."""
    with app_client(
        seeded_url, pool_size=3, pool_timeout=0.3, response_cache_bytes=0, stats_cache_size=0
    ) as client:
        assert client.get("/readyz").status_code == 200
        held = [engine_of(client).connect() for _ in range(3)]
        try:
            response = client.get(path)
        finally:
            for conn in held:
                conn.close()
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "2"
        assert response.json()["type"] == "/problems/unavailable"
        assert client.get(path).status_code == 200


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_request_cannot_forge_a_log_line(seeded_sqlite_url: str, log_format: str) -> None:
    """A newline sent as %0a (or any control character) is escaped in what is logged, so a
    path cannot end its access line and write a fake ERROR line of its own."""
    forged = "2026-12-04 03:00:00,000 ERROR app.errors FAKE"
    path = "/v1/events/x%0a" + forged.replace(" ", "%20") + "%0d%1b[2J%e2%80%a8"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": seeded_sqlite_url,
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": log_format,
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve"], cwd=ROOT, env=env, stderr=log
        )
        try:
            wait_ready(f"http://127.0.0.1:{port}", process)
            response = httpx.get(f"http://127.0.0.1:{port}{path}?q=%0aFAKE")
            assert response.status_code in (404, 422)
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        log.seek(0)
        lines = log.read().decode().splitlines()
    assert not any(line.startswith(forged) for line in lines), lines
    access = [line for line in lines if "/v1/events/x" in line]
    assert len(access) == 1, lines
    if log_format == "json":
        assert json.loads(access[0])["path"].startswith("/v1/events/x\n2026")
    else:
        assert (
            "/v1/events/x\\n2026-12-04 03:00:00,000 ERROR app.errors FAKE\\r\\x1b[2J" in (access[0])
        )
        assert "\\u2028" in access[0]
