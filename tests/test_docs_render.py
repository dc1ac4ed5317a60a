"""The documentation pages render in a real browser with no network: Chromium, headless, its
background networking off, loads /docs and /redoc from a running server under the pages' own
Content-Security-Policy, and the operations appear."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.main import create_app
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, require_chromium, running_server

FLAGS = ["--headless", *CHROMIUM_FLAGS, "--virtual-time-budget=10000", "--dump-dom"]


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium("render the docs")
    with running_server(f"sqlite:///{tmp_path_factory.mktemp('docs') / 'store.db'}") as (base, _):
        yield base


def rendered(url: str, profile: Path) -> str:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_swagger_ui_renders_every_operation(docs_server: str, tmp_path: Path) -> None:
    dom = rendered(f"{docs_server}/docs", tmp_path)
    paths = {path for path in create_app().openapi()["paths"] if path.startswith("/v1")}
    assert 'class="title">Article facts API' in dom
    for path in paths:
        assert f'data-path="{path}"' in dom, path


def test_redoc_renders_every_tag(docs_server: str, tmp_path: Path) -> None:
    dom = rendered(f"{docs_server}/redoc", tmp_path)
    assert "Article facts API" in dom
    for tag in ("countries", "events", "quotes", "search"):
        assert f'data-section-id="tag/{tag}"' in dom, tag
