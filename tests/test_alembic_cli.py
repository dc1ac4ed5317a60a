"""The `alembic` command works from the repository root, as contributors expect: it migrates
DATABASE_URL, `check` finds the models and the migrations in agreement (quietly, whatever the
migrations create by hand), and new revisions continue the dated, numbered scheme."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

ALEMBIC = [sys.executable, "-m", "alembic"]


def alembic(*args: str, url: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [*ALEMBIC, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_upgrade_check_and_autogenerate_from_the_repository_root(empty_store: str) -> None:
    upgraded = alembic("upgrade", "head", url=empty_store)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Running upgrade 0002 -> 0003" in upgraded.stderr
    checked = alembic("check", url=empty_store)
    assert checked.returncode == 0, checked.stderr
    assert "No new upgrade operations detected" in checked.stdout
    assert "Warning" not in checked.stderr and "Skipped" not in checked.stderr, checked.stderr
    before = sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py"))
    nothing = alembic("revision", "--autogenerate", "-m", "nothing to do", url=empty_store)
    assert nothing.returncode == 0, nothing.stderr
    assert "no revision written" in nothing.stdout
    assert sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py")) == before


def test_a_new_revision_is_dated_and_numbered(tmp_path: Path) -> None:
    project = tmp_path / "project"  # a copy: the repository's migrations stay as they are
    project.mkdir()
    shutil.copy(ROOT / "pyproject.toml", project)
    shutil.copytree(
        ROOT / "migrations", project / "migrations", ignore=shutil.ignore_patterns("__pycache__")
    )
    versions = project / "migrations" / "versions"
    existing = set(versions.glob("*.py"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert alembic("upgrade", "head", url=url, cwd=project).returncode == 0
    made = alembic("revision", "-m", "Add a table", url=url, cwd=project)
    assert made.returncode == 0, made.stderr
    (new,) = set(versions.glob("*.py")) - existing
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_add_a_table\.py", new.name), new.name
    head = max(re.findall(r'^revision: str = "(\d{4})"', p.read_text(), re.M)[0] for p in existing)
    assert f'revision: str = "{int(head) + 1:04d}"' in new.read_text()
    assert f'down_revision: str | None = "{head}"' in new.read_text()
