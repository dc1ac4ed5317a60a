"""What an operator meets: each failure of `python -m app` is one line on stderr saying what is
wrong and what to do, with a non-zero exit (the trace only with `--debug` or LOG_LEVEL=DEBUG),
and a ready store on read-only media is served read-only. Full and read-only disks are small
tmpfs mounts (root only)."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    PG_BASE,
    ROOT,
    SEED_DIR,
    create_pg_database,
    drop_pg_database,
    require_postgres,
    running_server,
)

ARTICLE = "niger-russia-military-ties"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LOG_LEVEL": "INFO", **env}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The one line a failed command wrote; it must name each of `words`."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in lines[0] and "[SQL:" not in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def ready_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated and seeded SQLite file, copied by the tests that damage it."""
    path = tmp_path_factory.mktemp("ready") / "store.db"
    assert run("seed", DATABASE_URL=f"sqlite:///{path}").returncode != 0  # not migrated
    assert run("migrate", DATABASE_URL=f"sqlite:///{path}").returncode == 0
    assert run("seed", DATABASE_URL=f"sqlite:///{path}").returncode == 0
    return path


def damaged(kind: str, folder: Path, ready: Path) -> Path:
    path = folder / "store.db"
    if kind == "random bytes":
        path.write_bytes(os.urandom(8192))
    elif kind == "text":
        path.write_text("name,value\nNiger,1\n")
    else:  # truncated
        path.write_bytes(ready.read_bytes()[: ready.stat().st_size // 3])
    return path


@pytest.mark.parametrize("kind", ["random bytes", "text", "truncated"])
@pytest.mark.parametrize("command", ["serve", "seed", "migrate"])
def test_a_file_that_is_not_a_sound_database_is_one_line(
    tmp_path: Path, ready_store: Path, kind: str, command: str
) -> None:
    path = damaged(kind, tmp_path, ready_store)
    result = run(command, DATABASE_URL=f"sqlite:///{path}")
    line = one_line(result, str(path), "restore it from a backup")
    assert "not a SQLite database, or is damaged" in line


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("foo://somewhere/db", ["'foo://somewhere/db' is not a store", "sqlite:///"]),
        ("postgresql+nodriver://u@h/d", ["is not a store", "postgresql+psycopg://"]),
        ("not a url", ["'not a url' is not a store"]),
        ("mysql://db/articles", ["is not a store", "no driver: No module named"]),
    ],
)
def test_an_unknown_url_scheme_is_one_line(url: str, words: list[str]) -> None:
    one_line(run("serve", DATABASE_URL=url), *words)


def test_a_missing_postgresql_database_is_one_line() -> None:
    require_postgres()
    url = f"{PG_BASE}/no_such_database_here"
    one_line(run("serve", DATABASE_URL=url), "'no_such_database_here' does not exist", "createdb")


def test_a_wrong_port_is_one_line_without_the_password() -> None:
    require_postgres()
    url = PG_BASE.replace("://postgres@", "://postgres:hunter2@").rsplit(":", 1)[0] + ":1/x"
    line = one_line(run("migrate", DATABASE_URL=url), "Connection refused", "port in DATABASE_URL")
    assert "hunter2" not in line


def test_an_invalid_setting_is_one_line() -> None:
    one_line(run("serve", POOL_SIZE="many"), "POOL_SIZE", "fix the environment")


@pytest.mark.parametrize("how", [["--debug"], []], ids=["flag", "LOG_LEVEL"])
def test_debug_shows_the_whole_trace(tmp_path: Path, how: list[str]) -> None:
    path = tmp_path / "store.db"
    path.write_text("not a database")
    env = {"DATABASE_URL": f"sqlite:///{path}"} | ({} if how else {"LOG_LEVEL": "DEBUG"})
    result = run(*how, "serve", **env)
    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr
    assert "file is not a database" in result.stderr


def test_a_seed_nested_too_deeply_is_a_one_line_refusal(tmp_path: Path) -> None:
    shutil.copy(SEED_DIR / f"{ARTICLE}.txt", tmp_path / f"{ARTICLE}.txt")
    path = tmp_path / f"{ARTICLE}.json"
    path.write_text("[" * 100_000)
    store = tmp_path / "store.db"
    assert run("migrate", DATABASE_URL=f"sqlite:///{store}").returncode == 0
    result = run("seed", str(path), DATABASE_URL=f"sqlite:///{store}")
    assert result.returncode == 1
    one_line(result, "seed refused, nothing was written", str(path), "nested too deeply")


def require_mounts() -> None:
    if os.geteuid() == 0 and shutil.which("mount"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("these tests mount a small tmpfs: CI must run them as root")
    pytest.skip("mounting a tmpfs needs root")


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` at `folder`, unmounted afterwards."""
    require_mounts()
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


def test_a_full_disk_while_starting_is_one_line(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "200k") as disk:
        store = disk / "store.db"
        line = one_line(run("serve", DATABASE_URL=f"sqlite:///{store}"), "no space left")
        assert str(store) in line


def test_a_full_disk_while_seeding_is_one_line_and_writes_nothing(
    tmp_path: Path, ready_store: Path
) -> None:
    migrated = tmp_path / "migrated.db"
    assert run("migrate", DATABASE_URL=f"sqlite:///{migrated}").returncode == 0
    with tmpfs(tmp_path / "disk", "600k") as disk:
        store = disk / "store.db"
        shutil.copy(migrated, store)
        url = f"sqlite:///{store}"
        one_line(run("seed", DATABASE_URL=url), "no space left", str(store), "rolled back")
        assert run("export", "--out", str(tmp_path / "out"), DATABASE_URL=url).returncode == 1


def test_a_ready_store_on_read_only_media_is_served_read_only(
    tmp_path: Path, ready_store: Path
) -> None:
    with tmpfs(tmp_path / "media", "4m") as media:
        store = media / "store.db"
        shutil.copy(ready_store, store)
        remount(media, "ro")
        with pytest.raises(OSError):
            (media / "probe").write_text("x")
        url = f"sqlite:///{store}"
        with running_server(url) as (base, _):
            assert httpx.get(f"{base}/readyz").status_code == 200
            assert httpx.get(f"{base}/v1/countries/NE").json()["name"] == "Niger"
            assert httpx.get(f"{base}/v1/events", params={"limit": 2}).status_code == 200
            assert httpx.get(f"{base}/v1/search", params={"q": "coup"}).status_code == 200
        # What needs writing says so, in a line.
        one_line(run("seed", DATABASE_URL=url), str(store), "read-only file system")
        remount(media, "rw")
        (media / "store.db").unlink()
        remount(media, "ro")
        one_line(run("serve", DATABASE_URL=url), str(store), "read-only file system")


def test_postgresql_operator_errors_keep_the_store(tmp_path: Path) -> None:
    """A seed refused on PostgreSQL is one line too, and the database is left as it was."""
    require_postgres()
    name, url = create_pg_database()
    try:
        shutil.copy(SEED_DIR / f"{ARTICLE}.txt", tmp_path / f"{ARTICLE}.txt")
        path = tmp_path / f"{ARTICLE}.json"
        path.write_text(
            (SEED_DIR / f"{ARTICLE}.json").read_text().replace("Coup", "Co\\u0000up", 1)
        )
        assert run("migrate", DATABASE_URL=url).returncode == 0
        result = run("seed", str(path), DATABASE_URL=url)
        one_line(result, "seed refused, nothing was written", "control character U+0000")
    finally:
        drop_pg_database(name)


def test_an_unknown_postgresql_role_is_one_line_with_what_to_do() -> None:
    require_postgres()
    url = PG_BASE.replace("postgres@", "no_such_role@") + "/postgres"
    line = one_line(run("migrate", DATABASE_URL=url), "no_such_role", "createuser", "DATABASE_URL")
    assert "OperationalError" not in line


def test_export_of_a_damaged_store_says_it_is_damaged(tmp_path: Path, ready_store: Path) -> None:
    store = damaged("random bytes", tmp_path, ready_store)
    result = run("export", "--out", str(tmp_path / "out"), DATABASE_URL=f"sqlite:///{store}")
    assert "migrate" not in one_line(result, "damaged", str(store))
