"""Preparing one store from several processes at once (`docker compose up --scale api=3`, or
hosts starting together): one migrates and seeds, the others wait for the store lock and find
the work done. A store that is ready takes neither the lock nor Alembic's import."""

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from app import config, db
from app.cli import WAITING, store_lock
from tests.conftest import ROOT, SEED_DIR

# What the compose file's one-shot `migrate` service runs, and what `serve` runs before uvicorn.
MIGRATE_THEN_SEED = "python -m app migrate && python -m app seed"
PREPARE = [
    sys.executable,
    "-c",
    "from app.cli import prepare_store; from app.config import Settings;"
    " exit(prepare_store(Settings()))",
]
SEED_FILES = len(list(SEED_DIR.glob("*.json")))


def env_for(url: str) -> dict[str, str]:
    # The venv's python first on PATH, so `sh -c "python -m app ..."` runs this interpreter.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "DATABASE_URL": url, "PATH": path}


def start(command: list[str] | str, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command,
        shell=isinstance(command, str),
        cwd=ROOT,
        env=env_for(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run_together(command: list[str] | str, url: str, n: int = 3) -> list[str]:
    processes = [start(command, url) for _ in range(n)]
    outputs = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0, out
        outputs.append(out)
    return outputs


def store_rows(url: str) -> tuple[list[str], int]:
    with db.write_engine(url) as engine, engine.connect() as conn:
        revisions = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        articles = conn.execute(text("SELECT count(*) FROM article")).scalar_one()
    return revisions, articles


def test_concurrent_migrate_then_seed_commands_all_succeed(empty_store: str) -> None:
    outputs = run_together(MIGRATE_THEN_SEED, empty_store)
    assert all("migrated: schema is at head" in out for out in outputs)
    assert sum("seed loaded" in out for out in outputs) == 1, outputs
    assert sum("seed unchanged" in out for out in outputs) == 2, outputs
    assert store_rows(empty_store) == ([config.SCHEMA_REVISION], SEED_FILES)


def test_concurrent_serve_preparations_migrate_and_seed_once(empty_store: str) -> None:
    outputs = run_together(PREPARE, empty_store)
    # The one that took the lock first did everything; the others, deciding again under the
    # lock, found a current, seeded store and did nothing.
    assert sum("migrated: schema is at head" in out for out in outputs) == 1, outputs
    assert sum("seed loaded" in out for out in outputs) == 1, outputs
    assert not any("seed unchanged" in out for out in outputs), outputs
    assert store_rows(empty_store) == ([config.SCHEMA_REVISION], SEED_FILES)


def test_a_held_lock_makes_migrate_wait(empty_store: str) -> None:
    with store_lock(empty_store):
        process = start([sys.executable, "-m", "app", "migrate"], empty_store)
        time.sleep(3)
        assert process.poll() is None, process.communicate()[0]
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    assert WAITING in out and "migrated: schema is at head" in out


def test_a_ready_store_starts_without_the_lock_or_alembic(empty_store: str) -> None:
    run_together(MIGRATE_THEN_SEED, empty_store, n=1)
    check = (
        "import sys; from app.cli import prepare_store; from app.config import Settings;"
        " code = prepare_store(Settings());"
        " exit(code or 'alembic' in sys.modules)"
    )
    with store_lock(empty_store):  # held here: a preparation that wanted it would hang
        out, _ = start([sys.executable, "-c", check], empty_store).communicate(timeout=20)
    assert out == ""
