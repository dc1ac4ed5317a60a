"""Real servers: the README's curl examples against `python -m app serve`, and a fresh clone
running the README's run command, stopped with SIGTERM: each exits 0."""

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from bench.proc import descendants, free_port
from tests.conftest import ROOT, running_server, start_server, wait_ready

README = (ROOT / "README.md").read_text()


@pytest.fixture(scope="module")
def served_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("served") / "store.db"


@pytest.fixture(scope="module")
def server(served_store: Path) -> Iterator[str]:
    """`python -m app serve` on a new SQLite store: it migrates and seeds it itself."""
    with running_server(f"sqlite:///{served_store}") as (base, _):
        yield base


def readme_curls() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [
        line.split("  #")[0].strip()
        for block in blocks
        for line in block.splitlines()
        if line.startswith(("curl ", "etag="))
    ]


def test_readme_has_curl_examples() -> None:
    assert len(readme_curls()) >= 10


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_curl_examples_work(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    script = "set -euo pipefail\n" + "\n".join(
        line.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace("curl -s", "curl -sf")
        for line in readme_curls()
    )
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert '"code":"NE"' in result.stdout and "<mark>Agedez</mark>" in result.stdout
    assert '"id":"mohamed-bazoum"' in result.stdout and '"fuzzy":true' in result.stdout
    assert '"type":"AnnotationCollection"' in result.stdout
    assert '"total_min":500000000,"total_max":null' in result.stdout
    assert re.search(r"(^|\})304$", result.stdout, re.M)  # the revalidation with the ETag


def test_serve_answers_with_request_ids_and_security_headers(server: str) -> None:
    response = httpx.get(f"{server}/v1/countries/NE", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-42"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "server" not in response.headers


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_requested_stop_exits_0(server: str, served_store: Path, signum: int) -> None:
    """uvicorn raises the signal again after its graceful shutdown; `serve` takes it as the
    requested stop it is, so a process manager sees a clean exit, not a death by signal."""
    port = free_port()
    process = start_server(f"sqlite:///{served_store}", port)  # a ready store: the fast path
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
    except BaseException:
        process.kill()
        process.wait()
        raise
    process.send_signal(signum)
    assert process.wait(timeout=30) == 0


@pytest.mark.parametrize(
    ("env", "args"),
    [
        ({}, ["--host", "0.0.0.0"]),
        ({"HOST": "0.0.0.0"}, []),
        ({"ENV": "production"}, []),
        ({"HOST": "0.0.0.0", "CURSOR_SECRET": "x"}, []),
        ({"ENV": "production", "CURSOR_SECRET": "CHANGE-ME"}, []),
        ({"HOST": "0.0.0.0", "CURSOR_SECRET": ""}, []),
    ],
    ids=["flag", "HOST", "production", "short", "short-in-production", "empty"],
)
def test_a_default_or_short_cursor_secret_is_refused_off_loopback(
    tmp_path: Path, env: dict[str, str], args: list[str]
) -> None:
    store = tmp_path / "store.db"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{store}"}
    environment.pop("CURSOR_SECRET", None)
    environment.update(env)
    refused = subprocess.run(
        [sys.executable, "-m", "app", "serve", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert "CURSOR_SECRET" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert not store.exists()  # refused before touching the store


def test_a_real_secret_serves_on_every_interface(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    secret = secrets.token_urlsafe(32)
    with running_server(url, HOST="0.0.0.0", CURSOR_SECRET=secret) as (base, _):
        assert httpx.get(f"{base}/v1/countries/NE").status_code == 200


@pytest.mark.parametrize(
    ("env", "warned"),
    [
        ({"HOST": "0.0.0.0"}, True),
        ({"ENV": "production"}, True),
        ({"HOST": "0.0.0.0", "ALLOWED_HOSTS": '["api.example.org", "127.0.0.1"]'}, False),
        ({"HOST": "0.0.0.0", "PUBLIC_URL": "https://api.example.org"}, False),
        ({}, False),
    ],
    ids=["exposed", "production", "allowed-hosts", "public-url", "loopback"],
)
def test_serving_exposed_without_allowed_hosts_or_public_url_warns(
    tmp_path: Path, env: dict[str, str], warned: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    log = tmp_path / "serve.log"
    environment = {**os.environ, "DATABASE_URL": url, "PORT": str(free_port())}
    environment.update(env, CURSOR_SECRET=secrets.token_urlsafe(32), LOG_LEVEL="INFO")
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve"], cwd=ROOT, env=environment, stderr=stderr
        )
        try:
            wait_ready(f"http://127.0.0.1:{environment['PORT']}", process)
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
    warnings = [line for line in log.read_text().splitlines() if " WARNING " in line]
    expected = "neither ALLOWED_HOSTS nor PUBLIC_URL is set"
    assert any(expected in line for line in warnings) is warned, warnings


def require_commands(*names: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{', '.join(missing)} not installed, and CI must run this test")
    pytest.skip(f"{', '.join(missing)} not installed")


def serving_child(pid: int) -> int:
    """The `python -m app serve` process below `pid` (make runs it as its child)."""
    for child in descendants(pid):
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"app" in argv and b"serve" in argv:
            return child
    raise AssertionError(f"no `python -m app serve` below process {pid}")


def readme_run_command() -> str:
    """The README's run command, exactly as it states it (without its comment)."""
    command = re.search(r"^(make run\b[^#\n]*)", README, re.M)
    assert command, "README shows no `make run`"
    return command.group(1).strip()


@pytest.mark.slow
def test_fresh_clone_runs_with_the_readme_command(tmp_path: Path) -> None:
    """A newcomer's `git clone` and `make run` (of what is committed): installs, migrates,
    seeds, serves; `curl` gets an answer; SIGTERM stops it with exit code 0. A second
    `make run` reuses the store without migrating or seeding."""
    require_commands("git", "make", "curl")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{ROOT}", str(clone)], check=True
    )
    # A newcomer's environment: no settings of ours (the clone has no .env), pip's own cache.
    settings = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k not in settings and k != "VIRTUAL_ENV"}
    env.pop("PIP_NO_CACHE_DIR", None)
    for attempt in ("first", "second"):
        port = free_port()
        env["PORT"] = str(port)
        log = tmp_path / f"{attempt}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                shlex.split(readme_run_command()),
                cwd=clone,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, process, timeout=600 if attempt == "first" else 30)
            answer = subprocess.run(
                ["curl", "-sf", f"{base}/v1/countries/NE"], capture_output=True, check=True
            )
            assert json.loads(answer.stdout)["name"] == "Niger"
            # As a process manager would: SIGTERM to the server, make's child. make then
            # exits with the server's status, which must be a clean 0.
            os.kill(serving_child(process.pid), signal.SIGTERM)
            assert process.wait(timeout=60) == 0, log.read_text()
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        output = log.read_text()
        prepared = "migrated: schema is at head" in output, "seed loaded" in output
        assert prepared == ((True, True) if attempt == "first" else (False, False)), output
    assert (clone / "data" / "articles.db").exists()
