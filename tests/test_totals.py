"""What `total` is: exact when counting it fits the count budget (always, on the article's small
store: the envelope is as it was), else null with `total_at_least` a lower bound; `count=exact`
waits for the exact number. Paging is the same either way. On a generated store of 20,000
events, on SQLite and PostgreSQL."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app import db
from app.db import OverBudget, within
from app.migrate import upgrade
from bench.generate import generate
from tests.conftest import app_client, create_pg_database, drop_pg_database, require_postgres

# A statement that counts to ten million: far more than any budget below.
SLOW = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1e7) "
    "SELECT count(*) FROM c",
    "postgresql": "SELECT count(*) FROM generate_series(1, 10000000)",
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('totals') / 'store.db'}"
        name = None
    else:
        require_postgres()
        name, url = create_pg_database()
    try:
        upgrade(url)
        with db.write_engine(url) as engine:
            generate(engine, 20_000)
        yield url
    finally:
        if name is not None:
            drop_pg_database(name)


def exact_count(url: str, kinds: str) -> int:
    with db.write_engine(url) as engine, engine.connect() as conn:
        names = kinds.split(",")
        marks = ", ".join(f":k{i}" for i in range(len(names)))
        found = conn.execute(
            text(f"SELECT count(*) FROM event WHERE kind IN ({marks})"),
            {f"k{i}": k for i, k in enumerate(names)},
        )
        return int(found.scalar_one())


def body(client: TestClient, url: str, **params: Any) -> dict[str, Any]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_a_statement_past_its_budget_stops_and_leaves_the_connection_usable(
    generated: str,
) -> None:
    dialect = "sqlite" if generated.startswith("sqlite") else "postgresql"
    engine = db.make_engine(generated, readonly=True, time_limit_ms=60_000)
    try:
        with engine.connect() as conn:
            before = conn.execute(text("SELECT count(*) FROM event")).scalar_one()
            with pytest.raises(OverBudget), within(conn, 20):
                conn.execute(text(SLOW[dialect])).scalar_one()
            # Same connection, same transaction: it still answers, and without the budget.
            assert conn.execute(text("SELECT count(*) FROM event")).scalar_one() == before
            with within(conn, 0):
                assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_total_too_slow_to_count_is_null_with_a_lower_bound(generated: str) -> None:
    with db.write_engine(generated) as engine, engine.connect() as conn:
        expected = conn.execute(
            text(
                "SELECT count(*) FROM event WHERE id NOT IN "
                "(SELECT event_id FROM event_country WHERE country = 'FR')"
            )
        ).scalar_one()
    assert expected > 1000
    # A budget of 1 ms: counting the events not concerning France probes each of 20,000.
    with app_client(generated, count_budget_ms=1, response_cache_bytes=0) as client:
        page = body(client, "/v1/events", country="!FR", limit=50)
        assert page["total"] is None
        assert 51 <= page["total_at_least"] <= min(1000, expected)
        assert len(page["data"]) == 50 and page["next_cursor"]
        # Asked for, the exact count; from then on the store's total is known.
        exact = body(client, "/v1/events", country="!FR", limit=50, count="exact")
        assert exact["total"] == expected and "total_at_least" not in exact
        assert exact["data"] == page["data"]
        again = body(client, "/v1/events", country="!FR", limit=50)
        assert again["total"] == expected


def test_paging_without_a_total_reaches_every_match_once(generated: str) -> None:
    kinds = "coup,rally"
    with app_client(generated, count_budget_ms=1, response_cache_bytes=0) as client:
        seen: list[str] = []
        cursor = None
        while True:
            params = {"kind": kinds, "limit": 100, "fields": "id", "sort": "-date"}
            page = body(client, "/v1/events", **params, **({"cursor": cursor} if cursor else {}))
            seen += [record["id"] for record in page["data"]]
            assert page["total"] is None or page["total"] == exact_count(generated, kinds)
            cursor = page["next_cursor"]
            if cursor is None:
                break
    assert len(seen) == len(set(seen)) == exact_count(generated, kinds)


def test_the_default_budget_counts_a_country_exactly(generated: str) -> None:
    with app_client(generated, response_cache_bytes=0) as client:
        page = body(client, "/v1/events", country="FR", limit=1)
        with db.write_engine(generated) as engine, engine.connect() as conn:
            expected = conn.execute(
                text("SELECT count(*) FROM event_country WHERE country = 'FR'")
            ).scalar_one()
        assert page["total"] == expected and "total_at_least" not in page


@pytest.mark.parametrize("value", ["EXACT", "planned", "", "1"])
def test_count_takes_auto_or_exact(generated: str, value: str) -> None:
    with app_client(generated) as client:
        response = client.get("/v1/events", params={"count": value})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["name"] for e in response.json()["errors"]] == ["count"]


def test_the_articles_totals_are_exact(client: TestClient) -> None:
    for path in ("/v1/events", "/v1/quotes", "/v1/statements", "/v1/countries", "/v1/search"):
        params = {"q": "Niger"} if path == "/v1/search" else {}
        page = body(client, path, limit=1, **params)
        assert isinstance(page["total"], int) and page["total"] > 0
        assert set(page) == {"data", "total", "next_cursor"} | (
            {"fuzzy"} if "q" in params else set()
        )
