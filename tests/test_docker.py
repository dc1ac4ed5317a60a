"""The Dockerfile without a Docker engine: its steps are run as the same commands outside a
container (the dependency list the image installs, the image's layout, entrypoint, healthcheck
and stop signal)."""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.test_serving import free_port, wait_ready


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
