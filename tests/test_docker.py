"""The Dockerfile and docker-compose.yml, without a Docker engine: their steps are run as the
same commands outside a container (the dependency list the image installs, the image's layout,
entrypoint, healthcheck and stop signal; compose's init script, migrate step and read-only API
role on a real PostgreSQL)."""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from bench.proc import free_port
from tests.conftest import (
    PG_ADMIN,
    ROOT,
    create_pg_database,
    drop_pg_database,
    require_postgres,
    wait_ready,
)

ROLES_SQL = ROOT / "deploy" / "postgres-roles.sql"


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


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for args in instructions("ENV"):
        env.update(pair.split("=", 1) for pair in shlex.split(args))
    return env


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


def test_build_context_is_what_the_image_copies() -> None:
    sources = {args.split()[0] for args in instructions("COPY")}
    allowed = {
        line[1:]
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    assert "*" in (ROOT / ".dockerignore").read_text().splitlines()
    assert sources == allowed


def test_image_serves_the_code_it_copied(tmp_path: Path) -> None:
    """/srv as the image builds it (WORKDIR, COPY), then its ENTRYPOINT with its ENV, its
    HEALTHCHECK, and its STOPSIGNAL: the code, migrations and seed come from /srv."""
    (workdir,) = instructions("WORKDIR")
    srv = tmp_path / workdir.strip("/")
    for args in instructions("COPY"):
        source, target = args.split()
        destination = srv / target
        if (ROOT / source).is_dir():
            shutil.copytree(
                ROOT / source, destination, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / source, destination)
    volume = tmp_path / "data"
    port = free_port()
    image = image_env()
    assert image["PYTHONPATH"] == workdir
    assert image["DATABASE_URL"] == "sqlite:////data/articles.db"
    env = {
        **os.environ,
        **image,
        "PYTHONPATH": str(srv),
        "DATABASE_URL": f"sqlite:///{volume}/articles.db",
        "HOST": "127.0.0.1",  # the image listens on 0.0.0.0; here loopback is enough
        "PORT": str(port),
    }
    where = subprocess.run(
        [sys.executable, "-c", "import app.config as c; print(c.__file__, c.ROOT)"],
        cwd=srv,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.split() == [str(srv / "app" / "config.py"), str(srv)]

    (entrypoint,) = instructions("ENTRYPOINT")
    command = json.loads(entrypoint)
    assert command == ["python", "-m", "app", "serve"]
    process = subprocess.Popen([sys.executable, *command[1:]], cwd=srv, env=env)
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
        (healthcheck,) = instructions("HEALTHCHECK")
        check = healthcheck.split(" CMD ", 1)[1]
        subprocess.run(["sh", "-c", as_here(check)], cwd=srv, env=env, check=True, timeout=10)
        assert httpx.get(f"http://127.0.0.1:{port}/v1/countries/NE").json()["name"] == "Niger"
        assert (volume / "articles.db").exists()
    except BaseException:
        process.kill()
        process.wait()
        raise
    (stop_signal,) = instructions("STOPSIGNAL")
    process.send_signal(getattr(signal, stop_signal))
    assert process.wait(timeout=40) == 0


def compose() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_builds_once_migrates_as_owner_then_serves_as_reader() -> None:
    services = compose()["services"]
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
    assert "build" not in api and migrate["image"] == api["image"] == "article-facts"
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "entrypoint" not in api  # the image's: python -m app serve
    assert make_url(migrate["environment"]["DATABASE_URL"]).username == "articles_owner"
    assert make_url(api["environment"]["DATABASE_URL"]).username == "api_reader"
    # No default secret: compose refuses to start without one.
    assert api["environment"]["CURSOR_SECRET"].startswith("${CURSOR_SECRET:?")
    assert api["stop_grace_period"] == "35s"  # longer than the 30 s graceful shutdown


@pytest.fixture
def roles_database() -> Iterator[tuple[str, str, str]]:
    """A fresh database prepared by deploy/postgres-roles.sql, as the postgres image runs it
    (psql, as the superuser, in the new database), its roles renamed for this test (roles are
    shared by the whole server). Yields the database URL and the owner and reader roles."""
    require_postgres()
    if shutil.which("psql") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("psql is not installed, and CI must run this test")
        pytest.skip("psql is not installed")
    suffix = uuid.uuid4().hex[:8]
    owner, reader = f"articles_owner_{suffix}", f"api_reader_{suffix}"
    script = ROLES_SQL.read_text().replace("articles_owner", owner).replace("api_reader", reader)
    name, url = create_pg_database()
    try:
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"],
            input=script,
            text=True,
            env={**os.environ, "OWNER_PASSWORD": "o-secret", "API_READER_PASSWORD": "r-secret"},
            check=True,
        )
        yield url, owner, reader
    finally:
        drop_pg_database(name)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for role in (owner, reader):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_reader_role_serves_and_cannot_write(roles_database: tuple[str, str, str]) -> None:
    url, owner, reader = roles_database
    as_owner = make_url(url).set(username=owner).render_as_string(hide_password=False)
    as_reader = make_url(url).set(username=reader).render_as_string(hide_password=False)
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

    # compose's migrate service
    migrate = compose()["services"]["migrate"]["entrypoint"]
    subprocess.run(
        migrate, cwd=ROOT, env={**os.environ, "DATABASE_URL": as_owner, "PATH": path}, check=True
    )

    # compose's api service: the image's entrypoint, as the reader, on a ready store
    port = free_port()
    env = {**os.environ, "DATABASE_URL": as_reader, "PORT": str(port), "WORKERS": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
        assert httpx.get(f"http://127.0.0.1:{port}/v1/countries/NE").json()["name"] == "Niger"
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=40)
    assert process.returncode == 0, out
    assert "migrated" not in out and "seed" not in out, out

    libpq = make_url(url).set(drivername="postgresql")
    owner_dsn = libpq.set(username=owner).render_as_string(hide_password=False)
    reader_dsn = libpq.set(username=reader).render_as_string(hide_password=False)
    with psycopg.connect(reader_dsn, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM article").fetchone() == (1,)
        for write in (
            "DELETE FROM article",
            "UPDATE country SET name = 'x'",
            "INSERT INTO store_meta (key, value) VALUES ('k', 'v')",
            "CREATE TABLE mine (x int)",
            "CREATE TEMP TABLE mine (x int)",
            "ALTER TABLE article ADD COLUMN x int",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(write)
    # A table a later migration creates is readable too (default privileges of the owner).
    with psycopg.connect(owner_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE later (x int)")
    with psycopg.connect(reader_dsn, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM later").fetchone() == (0,)
