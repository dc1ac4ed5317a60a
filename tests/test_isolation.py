"""Two apps in one process, over two stores holding different data and signing cursors with
different secrets: each serves its own data, totals and cursors, and refuses the other's."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.db import write_engine
from app.loader import seed
from app.migrate import upgrade
from tests.conftest import (
    SEED_DIR,
    app_client,
    create_pg_database,
    drop_pg_database,
    postgres_available,
)

ARTICLE = "niger-russia-military-ties"


def edited_article(folder: Path) -> Path:
    """The seed article with its first event retitled and its last one left out (with the
    narration of it: the photo caption's statement)."""
    data = json.loads((SEED_DIR / f"{ARTICLE}.json").read_text())
    data["events"][0]["title"] = "Coup d'etat in Niger"
    dropped = data["events"].pop()["id"]
    data["statements"] = [s for s in data["statements"] if dropped not in s["events"]]
    for collection in ("quotes", "aid", "figures"):
        for record in data[collection]:
            assert record.get("event") != dropped
    folder.mkdir()
    shutil.copy(SEED_DIR / f"{ARTICLE}.txt", folder)
    (folder / f"{ARTICLE}.json").write_text(json.dumps(data))
    return folder


@pytest.fixture
def other_store(tmp_path: Path) -> Iterator[str]:
    """A PostgreSQL database when a server answers (else a second SQLite file) holding the
    edited article."""
    if postgres_available():
        name, url = create_pg_database()
    else:
        name, url = "", f"sqlite:///{tmp_path / 'other.db'}"
    try:
        upgrade(url)
        with write_engine(url) as engine:
            seed(engine, [edited_article(tmp_path / "edited")])
        yield url
    finally:
        if name:
            drop_pg_database(name)


def first_page(client: TestClient) -> tuple[int, str, str]:
    body = client.get("/v1/events", params={"limit": 2, "sort": "title"}).json()
    title = client.get("/v1/events/niger-coup-2023").json()["title"]
    return body["total"], title, body["next_cursor"]


def test_two_apps_in_one_process_share_nothing(seeded_sqlite_url: str, other_store: str) -> None:
    with (
        app_client(seeded_sqlite_url, cursor_secret="secret-of-a") as a,
        app_client(other_store, cursor_secret="secret-of-b") as b,
    ):
        for _ in range(2):  # and again, from their caches
            total_a, title_a, cursor_a = first_page(a)
            total_b, title_b, cursor_b = first_page(b)
            assert (total_a, title_a) == (18, "Coup in Niger")
            assert (total_b, title_b) == (17, "Coup d'etat in Niger")
        assert a.get("/readyz").json()["data_version"] != b.get("/readyz").json()["data_version"]
        params = {"limit": 2, "sort": "title"}
        assert a.get("/v1/events", params={**params, "cursor": cursor_a}).status_code == 200
        assert b.get("/v1/events", params={**params, "cursor": cursor_b}).status_code == 200
        for client, foreign in ((a, cursor_b), (b, cursor_a)):
            refused = client.get("/v1/events", params={**params, "cursor": foreign})
            assert refused.status_code == 422
            assert refused.json()["errors"][0]["name"] == "cursor"
