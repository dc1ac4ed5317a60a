"""Hostile input: whatever a client sends, the answer is a clean status with a problem body (or
data), never a 5xx or a stack trace, and the store does not change."""

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db import write_engine
from app.loader import default_paths, seed, store_counts
from tests.conftest import SEED_DIR, app_client, engine_of


@pytest.fixture(scope="module")
def store_before(seeded_url: str) -> tuple[dict[str, int], str]:
    """The store's rows and data version before any hostile traffic."""
    return snapshot(seeded_url)


@pytest.fixture(scope="module")
def hostile(seeded_url: str, store_before: tuple[dict[str, int], str]) -> Iterator[TestClient]:
    """The app over each backend's seeded store: PostgreSQL refuses some input SQLite takes.
    Once every test of this module has sent its traffic, the store must be as it was."""
    with app_client(seeded_url) as client:
        yield client
    assert snapshot(seeded_url) == store_before, "hostile traffic changed the store"


def snapshot(url: str) -> tuple[dict[str, int], str]:
    with write_engine(url) as engine, engine.connect() as conn:
        version = conn.execute(
            text("SELECT value FROM store_meta WHERE key = 'data_version'")
        ).scalar_one()
        return store_counts(conn), version


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"].startswith("/problems/")
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


def cursor_of(client: TestClient, url: str, **params: Any) -> str:
    cursor = client.get(url, params={"limit": 1, **params}).json()["next_cursor"]
    assert cursor
    return str(cursor)


BAD_IDS = [
    "no-such-record",  # unknown
    "UPPER-Case",  # malformed slug
    "a b",
    "%00",
    "..%2F..%2Fetc%2Fpasswd",  # traversal
    "..",
    "' OR 1=1 --",
    "x" * 500,
    "\u00e9v\u00e9nement",
]


@pytest.mark.parametrize(
    "resource",
    ["people", "organizations", "places", "events", "quotes", "aid", "figures", "articles"],
)
@pytest.mark.parametrize("bad", BAD_IDS)
def test_unknown_and_malformed_ids(hostile: TestClient, resource: str, bad: str) -> None:
    response = hostile.get(f"/v1/{resource}/{bad}")
    assert response.status_code in (404, 422)
    problem(response, response.status_code)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("NE", 200),
        ("ne", 200),
        ("NER", 200),
        ("nEr", 200),
        ("XX", 404),
        ("XXX", 404),
        ("N", 422),
        ("NIGR", 422),
        ("N3", 422),
        ("%00", 422),
        ("..", 404),
    ],
)
def test_country_codes(hostile: TestClient, code: str, status: int) -> None:
    response = hostile.get(f"/v1/countries/{code}")
    if status == 200:
        assert response.status_code == 200 and response.json()["code"] == "NE"
    else:
        problem(response, status)


@pytest.mark.parametrize(
    "limit", ["0", "-1", "101", str(10**20), "1e3", "ten", "", "5.5", "NaN", "0x10"]
)
def test_limits(hostile: TestClient, limit: str) -> None:
    body = problem(hostile.get("/v1/events", params={"limit": limit}), 422)
    assert body["errors"][0]["name"] == "limit"


@pytest.mark.parametrize(
    "date",
    [
        "2023-13",
        "2023-02-30",
        "0000",
        "9999-99",
        "2023-7",
        "23",
        "2023-07-26T00:00",
        "July 2023",
        "2023-00",
        "2023-06-31",
    ],
)
@pytest.mark.parametrize("name", ["from", "to"])
def test_impossible_dates(hostile: TestClient, name: str, date: str) -> None:
    body = problem(hostile.get("/v1/events", params={name: date}), 422)
    assert body["errors"][0]["name"] == name


def test_cursors_garbage_truncated_foreign_and_of_another_sort(hostile: TestClient) -> None:
    events = cursor_of(hostile, "/v1/events")
    quotes = cursor_of(hostile, "/v1/quotes")
    descending = cursor_of(hostile, "/v1/events", sort="-date")
    forged = base64.urlsafe_b64encode(b"\x00" * 12 + b'["events","date",["2023-01-01","x"]]')
    for url, cursor, params in [
        ("/v1/events", "garbage", {}),
        ("/v1/events", "", {}),
        ("/v1/events", events[: len(events) // 2], {}),
        ("/v1/events", events + "AA", {}),
        ("/v1/events", quotes, {}),
        ("/v1/quotes", events, {}),
        ("/v1/events", descending, {}),
        ("/v1/events", events, {"sort": "-date"}),
        ("/v1/events", forged.decode().rstrip("="), {}),
        ("/v1/events", "\u00e9\u00e9\u00e9", {}),
        ("/v1/events", "%00", {}),
    ]:
        response = hostile.get(url, params={"cursor": cursor, **params})
        if cursor == "":  # an empty cursor is no cursor: the first page
            assert response.status_code == 200
            continue
        problem(response, 422)


@pytest.mark.parametrize(
    "query", ["limit=1&limit=2", "kind=coup&kind=picnic", "country=NE&country=RU", "q=a&q=b"]
)
def test_repeated_parameters_are_refused_not_guessed(hostile: TestClient, query: str) -> None:
    name = query.split("=")[0]
    body = problem(hostile.get(f"/v1/events?{query}"), 422)
    assert body["errors"][0]["name"] == name and "more than once" in body["detail"]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/v1/events?contry=NE", "contry"),
        ("/v1/countries/NE/events?country=RU", "country"),  # the path already says which
        ("/v1/people/olayinka-ajala/quotes?speaker=US", "speaker"),
        ("/v1/articles/niger-russia-military-ties?fields=id", "fields"),
        ("/v1/countries?include=events", "include"),
        ("/healthz?verbose=1", "verbose"),
    ],
)
def test_unknown_parameters_are_refused_not_ignored(
    hostile: TestClient, url: str, name: str
) -> None:
    body = problem(hostile.get(url), 422)
    assert body["errors"][0]["name"] == name and "unknown parameter" in body["detail"]


def test_a_10kb_query_string(hostile: TestClient) -> None:
    response = hostile.get("/v1/events?" + "&".join(f"x{i}=y" for i in range(1500)))
    assert problem(response, 422)["errors"][0]["name"] == "x0"
    problem(hostile.get("/v1/events", params={"q": "a" * 10_000}), 422)
    problem(hostile.get("/v1/events", params={"cursor": "a" * 10_000}), 422)


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "OR",
        "NEAR(",
        "NEAR(niger russia)",
        "'; DROP TABLE event; --",
        "niger OR 1=1",
        "a* b*",
        "^niger",
        "niger:",
        "col:niger",
        "\u202e\u0645\u0635\u0631",
        "\U0001f1f3\U0001f1ea",
        "%",
        "_",
        "\\",
        "niger AND NOT russia",
        "()",
        "{}",
        "[]",
    ],
)
@pytest.mark.parametrize("url", ["/v1/search", "/v1/events", "/v1/people", "/v1/quotes"])
def test_sql_and_fts_syntax_in_q_is_only_words(hostile: TestClient, url: str, q: str) -> None:
    response = hostile.get(url, params={"q": q})
    assert response.status_code == 200, response.text
    envelope = {"data", "total", "next_cursor"} | ({"fuzzy"} if url == "/v1/search" else set())
    assert set(response.json()) == envelope


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/v1/events", {"participant": "\u0000"}),
        ("/v1/quotes", {"speaker": "\u0000\u00e9"}),
        ("/v1/quotes", {"event": "\u0000"}),
        ("/v1/aid", {"currency": "\u0000US"}),
        ("/v1/search", {"q": "\u0000niger"}),
        ("/v1/events", {"q": "niger\u0000"}),
    ],
)
def test_nul_bytes_are_refused_by_name(
    hostile: TestClient, url: str, params: dict[str, str]
) -> None:
    body = problem(hostile.get(url, params=params), 422)
    assert body["errors"][0]["name"] == next(iter(params))


@pytest.mark.parametrize(
    ("url", "params", "status"),
    [
        ("/v1/figures", {"unit": "\U0001f4a3"}, 200),  # a unit nobody uses: no figures
        ("/v1/events", {"country": "\u00e9\u00e9"}, 422),  # not an ISO code
        ("/v1/events", {"participant": "\u00e9v\u00e9nement"}, 200),  # nobody: no events
        ("/v1/search", {"q": "\u202e\u0645\u0635\u0631"}, 200),  # words: none match
    ],
)
def test_unicode_everywhere(
    hostile: TestClient, url: str, params: dict[str, str], status: int
) -> None:
    response = hostile.get(url, params=params)
    if status == 422:
        assert problem(response, 422)["errors"][0]["name"] == next(iter(params))
        return
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 0


def test_huge_include_and_fields_lists(hostile: TestClient) -> None:
    problem(hostile.get("/v1/events", params={"fields": ",".join(["title"] * 2000)}), 422)
    problem(hostile.get("/v1/events", params={"include": ",".join(["participants"] * 500)}), 422)
    most = ",".join(["title", "date"] * 25)  # 50 values, the most a parameter takes
    assert hostile.get("/v1/events", params={"fields": most}).status_code == 200
    problem(hostile.get("/v1/events", params={"fields": f"{most},id"}), 422)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_are_405_with_allow(hostile: TestClient, method: str) -> None:
    response = hostile.request(method, "/v1/events", content=b"{}")
    problem(response, 405)
    assert "GET" in response.headers["allow"]


def test_request_bodies_over_the_limit_are_413(hostile: TestClient) -> None:
    problem(hostile.post("/v1/events", content=b"x" * 100_000), 413)


def test_hostile_traffic_changed_nothing(
    hostile: TestClient, seeded_url: str, store_before: tuple[dict[str, int], str]
) -> None:
    for url in ("/v1/events?q=';DROP TABLE event;--", "/v1/countries/NE'; DELETE FROM country"):
        assert hostile.get(url).status_code in (200, 404, 422)
    assert snapshot(seeded_url) == store_before
    assert store_before[0]["event"] == 18


@pytest.mark.parametrize("fresh_store", ["sqlite", "postgresql"], indirect=True)
def test_the_serving_connection_cannot_write(fresh_store: str) -> None:
    """The API's engine is read-only: SQLite query_only, PostgreSQL
    default_transaction_read_only. A write through it fails and changes nothing."""
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
    with app_client(fresh_store) as client:
        for statement in (
            "DELETE FROM event",
            "UPDATE country SET name = 'x'",
            "INSERT INTO store_meta (key, value) VALUES ('k', 'v')",
        ):
            with engine_of(client).connect() as conn, pytest.raises(Exception, match=r"read"):
                conn.execute(text(statement))
                conn.commit()
        with engine_of(client).connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM event")).scalar_one() == 18
