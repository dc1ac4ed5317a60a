"""The Dockerfile and docker-compose.yml, for real: the image is built (deploy/
build-local-images.sh, which makes its base images from Debian's packages where no registry is
reachable) and run in a Docker engine, alone on its /data volume and as the compose stack on
PostgreSQL. A few fast checks of the files themselves come first; they need no engine.

The engine: .ci/run starts one (deploy/start-dockerd.sh). Without one these tests are skipped,
with the reason; under CI=true they fail instead, unless .ci/run found that this machine cannot
run one at all (it then says why in DOCKER_UNAVAILABLE)."""

import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import threading
import time
import tomllib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from bench.proc import free_port
from tests.conftest import ROOT

ROLES_SQL = ROOT / "deploy" / "postgres-roles.sql"
BUILD_SCRIPT = ROOT / "deploy" / "build-local-images.sh"
IMAGE = "article-facts"
# The stand-ins deploy/build-local-images.sh makes for the official base images.
PYTHON_IMAGE = "local/python:3.11-slim"
POSTGRES_IMAGE = "local/postgres:15"
# The grace `docker stop` gives (the README's --stop-timeout, compose's stop_grace_period);
# the app lets in-flight requests finish for up to STATEMENT_TIMEOUT_MS + 1 s (30 s unlimited).
STOP_GRACE = 35
# The image stays small: no compilers, no caches. Measured: 272 MB on the local stand-in.
MAX_IMAGE_MB = 350


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    lines = [
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if not line.startswith("#")
    ]
    joined = re.sub(r"\\\n\s*", "", "\n".join(lines))
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in joined.splitlines()
        if line.strip()
    ]


def instructions(name: str) -> list[str]:
    return [args for instruction, args in dockerfile() if instruction == name]


def as_here(command: str) -> str:
    """A command of the image, run by this interpreter."""
    return re.sub(r"(^|&& )python ", rf"\g<1>{shlex.quote(sys.executable)} ", command)


def test_dependency_layer_is_pyproject_dependencies(tmp_path: Path) -> None:
    steps = dockerfile()
    first_run = next(i for i, (instruction, _) in enumerate(steps) if instruction == "RUN")
    copied = [args for instruction, args in steps[:first_run] if instruction == "COPY"]
    # Only pyproject.toml: a change to the code or README does not reinstall dependencies.
    assert copied == ["pyproject.toml ./"]
    listing, *rest = steps[first_run][1].split(" && ")
    assert rest[0].startswith("pip install -r /tmp/requirements.txt")
    assert "install ." not in steps[first_run][1], "the project itself must not be installed"
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    requirements = tmp_path / "requirements.txt"
    subprocess.run(
        ["sh", "-c", as_here(listing).replace("/tmp/requirements.txt", str(requirements))],
        cwd=tmp_path,
        check=True,
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert requirements.read_text().splitlines() == project["dependencies"]


def test_base_image_is_the_official_one_unless_told() -> None:
    """A user with a registry builds FROM python:3.11-slim; the local script passes its
    stand-in as BASE_IMAGE."""
    steps = dockerfile()
    assert steps[0] == ("ARG", "BASE_IMAGE=python:3.11-slim")
    assert steps[1] == ("FROM", "${BASE_IMAGE}")
    assert f"BASE_IMAGE={PYTHON_IMAGE}" in BUILD_SCRIPT.read_text().replace(
        "$PYTHON_IMAGE", PYTHON_IMAGE
    )


def test_build_context_is_what_the_image_copies() -> None:
    sources = {args.split()[0] for args in instructions("COPY")}
    allowed = {
        line[1:]
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    assert "*" in (ROOT / ".dockerignore").read_text().splitlines()
    assert sources == allowed


def compose_file() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_builds_once_migrates_as_owner_then_serves_as_reader() -> None:
    services = compose_file()["services"]
    db, migrate, api = services["db"], services["migrate"], services["api"]
    assert db["image"] == "${POSTGRES_IMAGE:-postgres:15}"
    assert f"./{ROLES_SQL.relative_to(ROOT)}:/docker-entrypoint-initdb.d/" in " ".join(
        db["volumes"]
    )
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["entrypoint"] == ["sh", "-c", "python -m app migrate && python -m app seed"]
    # One service builds the image, the first to start (compose v1 makes images in that
    # order); the other runs it.
    assert migrate["build"]["context"] == "."
    assert migrate["build"]["args"] == {"BASE_IMAGE": "${PYTHON_IMAGE:-python:3.11-slim}"}
    assert "build" not in api and migrate["image"] == api["image"] == IMAGE
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "entrypoint" not in api  # the image's: python -m app serve
    assert make_url(migrate["environment"]["DATABASE_URL"]).username == "articles_owner"
    assert make_url(api["environment"]["DATABASE_URL"]).username == "api_reader"
    # No default secret: compose refuses to start without one.
    assert api["environment"]["CURSOR_SECRET"].startswith("${CURSOR_SECRET:?")
    assert api["stop_grace_period"] == f"{STOP_GRACE}s"


# --- a Docker engine --------------------------------------------------------------------------


def docker(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    """`docker ARGS`, its output as text; with `check`, a failure shows what docker said."""
    done = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"docker {shlex.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


def engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def require(ready: bool, what: str) -> None:
    """Skip without `what`, saying why; under CI, fail unless .ci/run found that this machine
    cannot have it (DOCKER_UNAVAILABLE)."""
    if ready:
        return
    unavailable = os.environ.get("DOCKER_UNAVAILABLE")
    if unavailable:
        pytest.skip(f"{what}; this machine cannot run Docker: {unavailable}")
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what}, and CI must run these tests (.ci/run's output says why)")
    pytest.skip(f"{what} (as root, deploy/start-dockerd.sh installs and starts one)")


@pytest.fixture(scope="module")
def image(request: pytest.FixtureRequest) -> str:
    """The project's image, built as the README says to where no registry is reachable."""
    require(engine_answers(), "no Docker engine answers")
    started = time.monotonic()
    build = subprocess.run(
        [str(BUILD_SCRIPT)],
        cwd=ROOT,
        env={**os.environ, "IMAGE": IMAGE},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert build.returncode == 0, f"{BUILD_SCRIPT.name} failed:\n{build.stdout}\n{build.stderr}"
    size = int(docker("image", "inspect", "-f", "{{.Size}}", IMAGE).stdout)
    # What it took, in CI's log: the script's steps with their times, the image's size.
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        steps = [line for line in build.stderr.splitlines() if line.startswith("build-local")]
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in steps:
                reporter.write_line(line)
            reporter.write_line(
                f"docker: images ready in {time.monotonic() - started:.1f} s; "
                f"{IMAGE} is {size / 1e6:.0f} MB"
            )
    assert size < MAX_IMAGE_MB * 1e6
    return IMAGE


def wait_healthy(container: str, timeout: float = 90) -> None:
    """Until Docker reports the image's HEALTHCHECK passing (it runs every 15 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = docker("inspect", "-f", "{{.State.Status}} {{.State.Health.Status}}", container)
        status, health = state.stdout.split()
        if status != "running":
            logs = docker("logs", container, check=False)
            raise AssertionError(f"{container} is {status}:\n{logs.stdout}{logs.stderr}")
        if health == "healthy":
            return
        time.sleep(0.5)
    raise AssertionError(f"{container} not healthy after {timeout} s")


def published(container: str) -> str:
    """The base URL of the container's port 8000 on loopback."""
    address = docker("port", container, "8000/tcp").stdout.split()[0]
    assert address.startswith("127.0.0.1:")
    return f"http://{address}"


def logs(container: str) -> list[str]:
    out = docker("logs", container)
    return (out.stdout + out.stderr).splitlines()


def stop(container: str) -> float:
    """`docker stop` (SIGTERM, then SIGKILL after the grace); the seconds it took. The container
    must have exited by itself, with 0."""
    started = time.monotonic()
    docker("stop", "-t", str(STOP_GRACE), container, timeout=STOP_GRACE + 30)
    took = time.monotonic() - started
    state = docker("inspect", "-f", "{{.State.ExitCode}} {{.State.OOMKilled}}", container)
    assert state.stdout.split() == ["0", "false"], (state.stdout, logs(container))
    assert took < STOP_GRACE
    return took


def cli_lines(lines: list[str]) -> list[str]:
    """What `python -m app serve` prints of its own preparation (not logging): a migration,
    a seed."""
    return [line for line in lines if line.startswith(("migrated", "seed"))]


@pytest.mark.slow
def test_image_runs_read_only_as_non_root_and_keeps_its_volume(image: str) -> None:
    run = f"aftest-{uuid.uuid4().hex[:8]}"
    volume = f"{run}-data"
    containers = [f"{run}-1", f"{run}-2"]
    docker("volume", "create", volume)

    def start(name: str) -> str:
        docker(
            "run", "-d", "--name", name,
            "--read-only", "-v", f"{volume}:/data",
            "-p", "127.0.0.1::8000",
            "-e", f"CURSOR_SECRET={secrets.token_urlsafe(32)}",
            "--stop-timeout", str(STOP_GRACE),
            image,
        )  # fmt: skip
        wait_healthy(name)
        return published(name)

    try:
        # First start on an empty volume: migrate, seed, serve.
        first = containers[0]
        base = start(first)
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        version = ready.json()["data_version"]
        assert httpx.get(f"{base}/v1/countries/NE", timeout=10).json()["name"] == "Niger"

        # Not root: the image's user, in the container and for the server's own process.
        assert docker("inspect", "-f", "{{.Config.User}}", first).stdout.strip() == "api"
        assert docker("exec", first, "id", "-u").stdout.strip() == "10001"
        status = docker("exec", first, "cat", "/proc/1/status").stdout
        assert re.search(r"^Uid:\s+10001\s+10001\s+10001\s+10001$", status, re.M)
        # Read-only but for its volume.
        for path in ("/srv/probe", "/tmp/probe", "/probe"):
            assert docker("exec", first, "touch", path, check=False).returncode != 0
        docker("exec", first, "sh", "-c", "touch /data/probe && rm /data/probe")
        # Small: no compilers, no pip cache (looked for as root, who could have left one).
        leftovers = docker(
            "run", "--rm", "--user", "root", "--entrypoint", "sh", image, "-c",
            "command -v gcc cc c++ clang make; find / -xdev -path '*/.cache/pip' -print",
            check=False,
        )  # fmt: skip
        assert leftovers.stdout == "", leftovers.stdout

        lines = logs(first)
        assert cli_lines(lines)[0] == "migrated: schema is at head"
        assert cli_lines(lines)[1].startswith(f"seed loaded (data version {version})")
        # Everything else is JSON: uvicorn's lines and the access log, with request ids.
        entries = [json.loads(line) for line in lines if line not in cli_lines(lines)]
        assert any(e["logger"] == "uvicorn.error" for e in entries)
        access = [e for e in entries if e.get("path") == "/v1/countries/NE"]
        assert access and access[0]["status"] == 200 and access[0]["request_id"]
        stop(first)

        # Again on the same volume, as after an upgrade or a restart: the data is there, and
        # nothing is migrated or seeded again.
        second = containers[1]
        base = start(second)
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.json()["data_version"] == version
        assert httpx.get(f"{base}/v1/countries/NE", timeout=10).json()["name"] == "Niger"
        assert cli_lines(logs(second)) == []
        stop(second)
    finally:
        docker("rm", "-f", "-v", *containers, check=False)
        docker("volume", "rm", volume, check=False)


class Compose:
    """docker-compose.yml as a project of its own, run by Debian's docker-compose (1.29) on
    the stand-in images, with this test's settings (not a .env of the work tree's), and the
    api's statement timeout raised so that a request may wait on a lock without a 503."""

    def __init__(self, tmp_path: Path) -> None:
        self.project = f"aftest{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.settings = {
            "POSTGRES_IMAGE": POSTGRES_IMAGE,
            "PYTHON_IMAGE": PYTHON_IMAGE,
            "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
            "OWNER_PASSWORD": secrets.token_urlsafe(16),
            "API_READER_PASSWORD": secrets.token_urlsafe(16),
            "CURSOR_SECRET": secrets.token_urlsafe(32),
            "API_PORT": str(self.port),
        }
        env_file = tmp_path / "compose.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in self.settings.items()))
        override = tmp_path / "compose.override.yml"
        override.write_text(
            "services:\n  api:\n    environment:\n      STATEMENT_TIMEOUT_MS: 60000\n"
        )
        self.command = [
            "docker-compose", "-p", self.project, "--env-file", str(env_file),
            "-f", str(ROOT / "docker-compose.yml"), "-f", str(override),
        ]  # fmt: skip
        # The process's environment overrides an env file: leave these to the file.
        self.env = {k: v for k, v in os.environ.items() if k not in self.settings}
        self.base = f"http://127.0.0.1:{self.port}"

    def __call__(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [*self.command, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"docker-compose {shlex.join(args)} exited {done.returncode}:\n"
                f"{done.stdout}\n{done.stderr}"
            )
        return done.stdout + done.stderr

    def container(self, service: str) -> str:
        return self("ps", "-q", service).strip()

    def psql(self, sql: str, *, user: str = "postgres", check: bool = True) -> str:
        """One statement in the articles database, by psql in the db container."""
        db = self.container("db")
        out = docker(
            "exec", db, "psql", "-X", "-At", "-v", "ON_ERROR_STOP=1",
            "-U", user, "-d", "articles", "-c", sql,
            check=check,
        )  # fmt: skip
        return out.stdout.strip() if out.returncode == 0 else out.stderr


@pytest.fixture
def stack(image: str, tmp_path: Path) -> Iterator[Compose]:
    require(shutil.which("docker-compose") is not None, "docker-compose is not installed")
    compose = Compose(tmp_path)
    try:
        yield compose
    except BaseException:
        print(compose("logs", "--no-color", timeout=60))
        raise
    finally:
        compose("down", "-v", "--remove-orphans", "-t", "5", timeout=120)
        left = docker("volume", "ls", "-q", "--filter", f"name={compose.project}").stdout
        assert left == "", left


@pytest.mark.slow
def test_compose_stack_serves_as_reader_and_stops_gracefully(stack: Compose) -> None:
    # The image is built once, by the migrate service; the api service only runs it.
    built = stack("build")
    assert "Building migrate" in built and "Building api" not in built

    stack("up", "-d")
    migrate, api, db = (stack.container(s) for s in ("migrate", "api", "db"))
    assert docker("inspect", "-f", "{{.State.ExitCode}}", migrate).stdout.strip() == "0"
    migrated = cli_lines(logs(migrate))
    assert migrated[0] == "migrated: schema is at head" and migrated[1].startswith("seed loaded")
    wait_healthy(api)
    assert cli_lines(logs(api)) == []  # the store was ready: serve only read it

    # Through compose's published port.
    ready = httpx.get(f"{stack.base}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    countries = httpx.get(f"{stack.base}/v1/countries", timeout=10).json()["data"]
    assert "NE" in {c["code"] for c in countries}

    # The API is connected as the reader only, over the network, with its password; a wrong
    # password is refused.
    users = stack.psql(
        "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'articles' "
        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    assert users.split() == ["api_reader"]
    network = docker(
        "inspect", "-f", "{{range $name, $_ := .NetworkSettings.Networks}}{{$name}}{{end}}", api
    ).stdout.strip()
    wrong = docker(
        "run", "--rm", "--network", network, "--entrypoint", "python", IMAGE, "-c",
        "import psycopg; psycopg.connect('postgresql://api_reader:wrong@db/articles')",
        check=False,
    )  # fmt: skip
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr
    # The reader cannot write; a table the owner creates later, it can read.
    for write in ("DELETE FROM article", "CREATE TABLE mine (x int)"):
        assert "permission denied" in stack.psql(write, user="api_reader", check=False)
    stack.psql("CREATE TABLE later (x int)", user="articles_owner")
    assert stack.psql("SELECT count(*) FROM later", user="api_reader") == "0"

    # `docker stop` while a request is in flight: the request, held up by a lock on the table
    # records are read from, finishes once the lock goes, and the API then exits 0 by itself.
    code = next(c["code"] for c in countries if c["code"] != "NE")  # not in a worker's cache
    locker = subprocess.Popen(
        ["docker", "exec", "-i", db, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
         "-U", "postgres", "-d", "articles"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert locker.stdin is not None and locker.stdout is not None
    responses: list[httpx.Response] = []
    stopped: list[float] = []
    try:
        locker.stdin.write(
            "BEGIN;\nLOCK TABLE record_document IN ACCESS EXCLUSIVE MODE;\n\\echo locked\n"
        )
        locker.stdin.flush()
        assert locker.stdout.readline().strip() == "locked"
        request = threading.Thread(
            target=lambda: responses.append(
                httpx.get(f"{stack.base}/v1/countries/{code}", timeout=STOP_GRACE + 30)
            )
        )
        request.start()
        waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted"
        until(lambda: stack.psql(waiting) != "0", "the request to wait on the lock")
        stopper = threading.Thread(target=lambda: stopped.append(stop(api)))
        stopper.start()
        until(
            lambda: sum("Shutting down" in line for line in logs(api)) >= 2,
            "both workers to begin shutting down",
        )
        time.sleep(3)  # past the default 2 s statement timeout, which the stack here raises
        assert request.is_alive() and stopper.is_alive()
        locker.stdin.write("COMMIT;\n")
        locker.stdin.close()
        assert locker.wait(timeout=30) == 0
        request.join(timeout=30)
        stopper.join(timeout=STOP_GRACE + 30)
    finally:
        if locker.poll() is None:
            locker.kill()
            locker.wait()
    assert responses and responses[0].status_code == 200
    assert responses[0].json()["code"] == code
    assert stopped, "docker stop did not end in time, or the API did not exit 0"


def until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.2)
