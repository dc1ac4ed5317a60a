"""Pure table tests for the pieces with logic of their own: the response cache's eviction, the
rate limiter's refill, ETag matching and the secret check."""

from typing import Any

import pytest

from app.config import Settings, is_loopback
from app.http.caching import ResponseCache, etag_matches
from app.http.ratelimit import TokenBuckets


def entry(n: int) -> bytes:
    return b"x" * n


def test_the_response_cache_evicts_the_least_recently_used_first() -> None:
    cache = ResponseCache(max_bytes=8000)
    key = {name: ("h", f"/v1/{name}", b"", "gzip", "application/json") for name in "abcdefghi"}
    assert cache.get("v1", key["a"]) is None  # the first look sets the version
    for name in "abcdefgh":
        cache.put("v1", key[name], [], entry(700))  # each costs 700 + 1 + 5 + 4 + 16 + 200 = 926
    assert cache.size == 8 * 926
    assert cache.get("v1", key["a"]) is not None  # a is now the most recently used
    cache.put("v1", key["i"], [], entry(700))  # over 8,000: the least recent one goes
    kept = {name for name in "abcdefghi" if cache.get("v1", key[name]) is not None}
    assert kept == set("acdefghi")
    assert cache.size == 8 * 926 <= cache.max_bytes


def test_the_response_cache_refuses_an_entry_over_an_eighth_of_it() -> None:
    cache = ResponseCache(max_bytes=8000)
    cache.get("v1", ("h", "/", b"", "identity", ""))
    cache.put("v1", ("h", "/big", b"", "identity", ""), [], entry(1000))  # costs more than 1000
    cache.put("v1", ("h", "/small", b"", "identity", ""), [], entry(10))
    assert cache.get("v1", ("h", "/big", b"", "identity", "")) is None
    assert cache.get("v1", ("h", "/small", b"", "identity", "")) is not None


def test_a_new_data_version_empties_the_response_cache() -> None:
    cache = ResponseCache(max_bytes=8000)
    cache.get("v1", ("h", "/a", b"", "identity", ""))
    cache.put("v1", ("h", "/a", b"", "identity", ""), [], entry(10))
    assert cache.get("v2", ("h", "/a", b"", "identity", "")) is None
    assert cache.size == 0 and not cache.entries
    cache.put(
        "v1", ("h", "/a", b"", "identity", ""), [], entry(10)
    )  # a late answer of the old version: dropped
    assert cache.get("v2", ("h", "/a", b"", "identity", "")) is None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("wait", "allowed"),
    [(0.0, False), (0.5, False), (1.0, True), (30.0, True)],
)
def test_the_rate_limit_refills_a_token_a_second_at_60_a_minute(wait: float, allowed: bool) -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=3, clock=clock)
    assert [buckets.take("c")[0] for _ in range(4)] == [True, True, True, False]
    clock.now += wait
    assert buckets.take("c")[0] is allowed


def test_the_rate_limit_saves_at_most_the_burst_and_counts_clients_apart() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=2, clock=clock)
    buckets.take("a")
    clock.now += 3600  # an hour idle saves 2 tokens, not 3,600
    assert [buckets.take("a")[0] for _ in range(3)] == [True, True, False]
    assert buckets.take("b")[0]  # another client has its own bucket
    allowed, left, wait = buckets.take("a")
    assert (allowed, round(wait, 3)) == (False, 1.0) and left < 1


def test_the_rate_limit_forgets_the_least_recent_clients_beyond_its_bound() -> None:
    buckets = TokenBuckets(per_minute=60, burst=1, max_clients=2, clock=Clock())
    for client in ("a", "b", "c"):
        buckets.take(client)
    assert list(buckets.buckets) == ["b", "c"]
    assert buckets.take("a")[0]  # forgotten: it starts full again


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"abcd"', False),
        ("abc", False),
        ("", False),
    ],
)
def test_if_none_match_uses_weak_comparison(header: str, matches: bool) -> None:
    assert etag_matches(header, '"abc"') is matches


@pytest.mark.parametrize(
    ("host", "env", "secret", "refused"),
    [
        ("127.0.0.1", "development", "change-me", False),
        ("localhost", "development", "change-me", False),
        ("::1", "development", "change-me", False),
        ("0.0.0.0", "development", "change-me", True),
        ("::", "development", "change-me", True),
        ("192.0.2.10", "development", "change-me", True),
        ("127.0.0.1", "production", "change-me", True),
        ("0.0.0.0", "production", "a-real-secret-of-32-characters-!", False),
        ("0.0.0.0", "development", "", True),
        ("0.0.0.0", "development", "x", True),
        ("0.0.0.0", "development", "CHANGE-ME", True),
        ("0.0.0.0", "development", "a-real-secret-of-31-characters!", True),
        ("127.0.0.1", "production", "a-real-secret-of-31-characters!", True),
        ("127.0.0.1", "development", "x", False),
    ],
)
def test_a_default_or_short_secret_serves_only_loopback_outside_production(
    host: str, env: str, secret: str, refused: bool
) -> None:
    settings = Settings(env=env, cursor_secret=secret)  # type: ignore[arg-type]
    problem = settings.secret_problem(host)
    assert (problem is not None) is refused
    if problem:
        assert "CURSOR_SECRET" in problem
    assert is_loopback(host) is (host in ("127.0.0.1", "localhost", "::1"))


def test_segments_cut_matches_the_spans_that_cover_each_piece() -> None:
    """`cut` (a sweep) gives what the definition says: the text cut at every span's start and
    end, each piece with the records whose spans cover it, in the order of their spans."""
    import itertools
    import random

    from app.api.articles import cut

    def by_definition(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
        bounds = sorted({0, len(text), *(s["start"] for s in spans), *(s["end"] for s in spans)})
        out = []
        for start, end in itertools.pairwise(bounds):
            covering = {
                (s["type"], s["id"]): {"type": s["type"], "id": s["id"], "label": s["label"]}
                for s in spans
                if s["start"] <= start and end <= s["end"]
            }
            out.append(
                {
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "records": [*covering.values()],
                }
            )
        return out

    rng = random.Random(23)
    for _ in range(2000):
        text = "x" * rng.randint(0, 60)
        spans = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randint(0, len(text))
            end = rng.randint(start, len(text))
            kind, key = rng.choice("ab"), str(rng.randint(0, 4))
            spans.append({"type": kind, "id": key, "label": key, "start": start, "end": end})
        spans.sort(key=lambda s: (s["start"], s["end"], s["type"], s["id"]))
        assert cut(text, spans) == by_definition(text, spans)


def test_every_table_is_reached_through_the_one_typed_table_of() -> None:
    """`table_of(model)` is the model's table, and app/ reads `__table__` nowhere else (so no
    `# type: ignore` stands in for a type)."""
    from pathlib import Path

    from sqlmodel import SQLModel

    from app.models import table_of

    models = [mapper.class_ for mapper in SQLModel._sa_registry.mappers]
    assert len(models) >= 15
    for model in models:
        assert table_of(model) is model.__table__, model
    app = Path(__file__).resolve().parent.parent / "app"
    readers = [str(p.relative_to(app)) for p in app.rglob("*.py") if "__table__" in p.read_text()]
    assert readers == ["models.py"]
