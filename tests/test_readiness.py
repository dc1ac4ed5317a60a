"""/readyz tells a load balancer the truth about the store; /healthz only about the process."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import app_client


@pytest.fixture
def app_on(fresh_store: str) -> Iterator[TestClient]:
    with app_client(fresh_store) as client:
        yield client


def test_an_empty_store_is_alive_but_not_ready(app_on: TestClient) -> None:
    assert app_on.get("/healthz").status_code == 200
    ready = app_on.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert "seed" in ready.json()["detail"]
    # The API answers 503 too, never a 500, before the store is seeded.
    events = app_on.get("/v1/events")
    assert events.status_code == 503 and events.json()["type"] == "/problems/unavailable"


def test_an_unmigrated_store_is_not_ready(tmp_path: Path) -> None:
    with app_client(f"sqlite:///{tmp_path}/nothing.db") as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "migrate" in ready.json()["detail"]
        assert client.get("/v1/countries").status_code == 503
