"""The hot read (one record by its id, no query string) answers what the router answers, and
costs one primary-key read: no router, no statement built by SQLAlchemy."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.http.hot import SERVED, HotReadMiddleware
from app.main import create_app
from tests.conftest import app_client, engine_of, settings_for

ONE_OF_EACH = [
    "/v1/countries/NE",
    "/v1/people/olayinka-ajala",
    "/v1/organizations/ecowas",
    "/v1/places/agadez",
    "/v1/events/niger-coup-2023",
    "/v1/quotes/us-effort-to-seize-power",
    "/v1/statements/ajala-says-no-russian-troops-in-niger",
    "/v1/aid/us-aid-cut-niger",
    "/v1/figures/russian-troops-in-niger",
]


@pytest.mark.parametrize("url", ONE_OF_EACH)
def test_the_hot_read_answers_what_the_router_does(client: TestClient, url: str) -> None:
    hot = client.get(url)
    routed = client.get(url, params={"offsets": "codepoints"})  # a query: the router
    assert hot.status_code == routed.status_code == 200
    assert hot.json() == routed.json()
    for name in (
        "content-type",
        "cache-control",
        "x-content-type-options",
        "content-security-policy",
        "vary",
    ):
        assert hot.headers.get(name) == routed.headers.get(name), name
    assert hot.headers["etag"] and hot.headers["x-request-id"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/v1/events/no-such-event", 404),
        ("/v1/countries/XX", 404),
        ("/v1/countries/ner", 200),  # not plainly an alpha-2 key: the router resolves it
        ("/v1/events/us-condemns-niger-coup", 301),
        ("/v1/events/Not_A_Slug", 422),
        ("/v1/aid/summary", 200),
    ],
)
def test_what_the_hot_read_is_not_sure_of_goes_to_the_router(
    client: TestClient, url: str, status: int
) -> None:
    assert client.get(url, follow_redirects=False).status_code == status


def test_one_record_costs_one_primary_key_read_and_no_engine_statement(seeded_url: str) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    with app_client(seeded_url, response_cache_bytes=0, data_version_ttl=3600) as client:
        client.get("/v1/events/niger-coup-2023")  # the data version is read once
        engine = engine_of(client)
        event.listen(engine, "before_cursor_execute", count)
        for _ in range(5):
            assert client.get("/v1/events/niger-coup-2023").status_code == 200
        event.remove(engine, "before_cursor_execute", count)
        inline = client.app.state.context.documents.inline  # type: ignore[attr-defined]
    if inline:  # SQLite: on the event loop's own connection, not through the engine
        assert statements == []
    else:  # PostgreSQL: one plain statement a request, in the thread pool
        assert len(statements) == 5 and all("record_document" in s for s in statements)


def test_the_hot_read_serves_every_kind_with_a_stored_document() -> None:
    assert {url.split("/")[2] for url in ONE_OF_EACH} == set(SERVED)


def _declined(collection: str) -> list[dict[str, str]]:
    """The queries the hot read declines: each parameter a record takes, and one it does not."""
    kind = SERVED[collection][0]
    out = [{"offsets": "codepoints"}, {"offsets": "utf16"}, {"fields": kind.key}, {"nope": "1"}]
    return out + [{"include": name} for name in kind.includes]


@pytest.fixture(scope="module")
def unhurried(seeded_url: str) -> Any:
    """The same app with no hot read: every request goes through the router."""
    app = create_app(settings_for(seeded_url))
    app.user_middleware = [m for m in app.user_middleware if m.cls is not HotReadMiddleware]
    with TestClient(app, raise_server_exceptions=False) as routed:
        assert routed.get("/v1/events/niger-coup-2023").status_code == 200
        layer, layers = app.middleware_stack, []
        while layer is not None:
            layers.append(type(layer))
            layer = getattr(layer, "app", None)
        assert HotReadMiddleware not in layers and len(layers) > 5, layers
        yield routed


@pytest.mark.parametrize("url", ONE_OF_EACH)
def test_the_hot_read_and_the_router_send_the_same_bytes_and_headers(
    client: TestClient, unhurried: TestClient, url: str
) -> None:
    for params in [{}, *_declined(url.split("/")[2])]:
        for headers in ({}, {"accept-encoding": "gzip"}):
            hot, routed = (
                client.get(url, params=params, headers=headers),
                unhurried.get(url, params=params, headers=headers),
            )
            assert hot.status_code == routed.status_code, params
            if hot.status_code == 200:
                assert hot.content == routed.content, params
            else:  # a problem names its own request
                assert {**hot.json(), "request_id": ""} == {**routed.json(), "request_id": ""}
            seen = {k: v for k, v in hot.headers.items() if k != "x-request-id"}
            assert seen == {k: v for k, v in routed.headers.items() if k != "x-request-id"}
            assert hot.status_code != 200 or hot.headers["etag"], params
