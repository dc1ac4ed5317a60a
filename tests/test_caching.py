"""Per-data-version caching: responses are replayed without queries, and a new seed (a new
data version) is served at once, with new ETags."""

import json
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import event

from app.db import write_engine
from app.loader import default_paths, seed
from tests.conftest import SEED_DIR, app_client, engine_of

ARTICLE = "niger-russia-military-ties"


def test_responses_are_replayed_and_a_reseed_replaces_them(
    fresh_store: str, tmp_path: Path
) -> None:
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
    with app_client(fresh_store, data_version_ttl=0) as client:
        first = client.get("/v1/events/niger-coup-2023")
        statements: list[str] = []

        def count(*args: Any) -> None:
            if args[2] != "BEGIN":
                statements.append(args[2])

        event.listen(engine_of(client), "before_cursor_execute", count)
        again = client.get("/v1/events/niger-coup-2023")
        event.remove(engine_of(client), "before_cursor_execute", count)
        assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
        assert again.headers["x-request-id"] != first.headers["x-request-id"]
        assert all("store_meta" in s for s in statements), statements  # no data queries

        data = json.loads((SEED_DIR / f"{ARTICLE}.json").read_text())
        data["events"][0]["title"] = "Coup d'etat in Niger"
        folder = tmp_path / "edited"
        folder.mkdir()
        shutil.copy(SEED_DIR / f"{ARTICLE}.txt", folder)
        (folder / f"{ARTICLE}.json").write_text(json.dumps(data))
        with write_engine(fresh_store) as engine:
            assert seed(engine, [folder]).changed

        after = client.get("/v1/events/niger-coup-2023")
        assert after.json()["title"] == "Coup d'etat in Niger"
        assert after.headers["etag"] != first.headers["etag"]
        stale = client.get(
            "/v1/events/niger-coup-2023", headers={"If-None-Match": first.headers["etag"]}
        )
        assert stale.status_code == 200
