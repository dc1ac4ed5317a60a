"""Real servers: the README's curl examples against `python -m app serve`, and a fresh clone
running the README's run command, stopped with SIGTERM."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.proc import descendants
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def start_server(store: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{store}", "PORT": str(port)}
    return subprocess.Popen([sys.executable, "-m", "app", "serve"], cwd=ROOT, env=env)


@pytest.fixture(scope="module")
def served_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("served") / "store.db"


@pytest.fixture(scope="module")
def server(served_store: Path) -> Iterator[str]:
    """`python -m app serve` on a new SQLite store: it migrates and seeds it itself."""
    port = free_port()
    process = start_server(served_store, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        yield base
    finally:
        assert stop(process) == 0


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
    assert result.stdout.rstrip().endswith("304")


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
    process = start_server(served_store, port)  # a ready store: the fast path
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
    except BaseException:
        process.kill()
        process.wait()
        raise
    process.send_signal(signum)
    assert process.wait(timeout=30) == 0


@pytest.mark.slow
def test_fresh_clone_runs_with_the_readme_command(tmp_path: Path) -> None:
    """A newcomer's `make run` in a clean copy of the tracked files: installs, migrates, seeds,
    serves, and stops cleanly on SIGTERM."""
    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.skip("make and git are needed")
    run_command = re.search(r"^(make run)\b", README, re.M)
    assert run_command, "README shows no run command"
    files = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    clone = tmp_path / "clone"
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VIRTUAL_ENV")}
    env["PORT"] = str(port)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    process = subprocess.Popen(
        run_command.group(1).split(), cwd=clone, env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process, timeout=600)
        niger = httpx.get(f"{base}/v1/countries/NE").json()
        assert niger["name"] == "Niger"
        assert (clone / "data" / "articles.db").exists()
    finally:
        # Signal the server itself (make's child), as a process manager would; make then exits
        # with the server's status, which must be a clean 0.
        for child in descendants(process.pid)[:1]:
            os.kill(child, signal.SIGTERM)
        assert process.wait(timeout=60) == 0
