"""The documentation pages render in a real browser with no network: Chromium, headless, its
background networking off, loads /docs and /redoc from a running server under the pages' own
Content-Security-Policy, and the operations appear."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

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


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_log_no_console_error_and_ask_nothing_of_another_host(
    docs_server: str, path: str
) -> None:
    """ReDoc's bundle loads Redocly's logo from their CDN, which the page's policy refuses
    with a console error: it is served without it."""
    errors: list[str] = []
    foreign: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: foreign.append(r.url) if "//127.0.0.1:" not in r.url else None)
        page.goto(f"{docs_server}{path}")
        page.get_by_text("/v1/countries/{code}").first.wait_for()
        page.wait_for_load_state("networkidle")
        browser.close()
    assert errors == [] and foreign == []
