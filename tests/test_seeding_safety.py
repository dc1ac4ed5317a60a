"""A seed is one transaction: killed half-way it leaves the store as it was, and readers never
see a half-loaded store while it runs. A slow query cannot pin a worker."""

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.db import make_engine, write_engine
from app.loader import default_paths, seed
from tests.conftest import ROOT, SEED_DIR, app_client

BOTH = pytest.mark.parametrize("fresh_store", ["sqlite", "postgresql"], indirect=True)


def big_article(folder: Path, events: int) -> Path:
    """A synthetic article with `events` events, each with a span, to make a seed slow."""
    sentences = [f"Event number {i} happened in Niger." for i in range(events)]
    body = " ".join(sentences)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "big-article.txt").write_text(body)
    records, offset = [], 0
    for i, sentence in enumerate(sentences):
        records.append(
            {
                "id": f"big-event-{i:06d}",
                "title": f"Event {i}",
                "kind": "report",
                "date": None,
                "date_precision": None,
                "summary": sentence,
                "participants": [{"type": "country", "id": "NE", "role": "location"}],
                "evidence": [{"start": offset, "end": offset + len(sentence), "text": sentence}],
            }
        )
        offset += len(sentence) + 1
    first = body.index("Niger")
    (folder / "big-article.json").write_text(
        json.dumps(
            {
                "format": 1,
                "article": {
                    "id": "big-article",
                    "title": "Big",
                    "language": "en",
                    "text_file": "big-article.txt",
                    "sha256": hashlib.sha256(body.encode()).hexdigest(),
                },
                "countries": [
                    {
                        "code": "NE",
                        "iso3": "NER",
                        "name": "Niger",
                        "evidence": [{"start": first, "end": first + 5, "text": "Niger"}],
                    }
                ],
                "events": records,
            }
        )
    )
    return folder


def state(url: str) -> tuple[int, int, int, str]:
    with write_engine(url) as engine, engine.connect() as conn:
        return (
            conn.execute(text("SELECT count(*) FROM event")).scalar_one(),
            conn.execute(text("SELECT count(*) FROM evidence")).scalar_one(),
            conn.execute(text("SELECT count(*) FROM search_document")).scalar_one(),
            conn.execute(
                text("SELECT value FROM store_meta WHERE key = 'data_version'")
            ).scalar_one(),
        )


@BOTH
def test_a_seed_killed_half_way_leaves_the_store_as_it_was(
    fresh_store: str, tmp_path: Path
) -> None:
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
    before = state(fresh_store)
    folder = big_article(tmp_path / "big", 30_000)
    env = {**os.environ, "DATABASE_URL": fresh_store}
    outcomes = set()
    for delay in (0.5, 1.5, 3.0):
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "seed", str(folder)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = state(fresh_store)
        if finished:
            outcomes.add("finished")
            break
        outcomes.add("killed")
        assert after == before, f"killed after {delay}s, the store changed"
    assert "killed" in outcomes


@BOTH
def test_readers_never_see_a_half_loaded_store(fresh_store: str, tmp_path: Path) -> None:
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
    old = state(fresh_store)[:3]
    folder = big_article(tmp_path / "big", 5_000)
    seen: set[tuple[int, int, int]] = set()
    stop = threading.Event()
    reader = make_engine(fresh_store, readonly=True)

    def read() -> None:
        while not stop.is_set():
            with reader.connect() as conn:
                seen.add(
                    (
                        conn.execute(text("SELECT count(*) FROM event")).scalar_one(),
                        conn.execute(text("SELECT count(*) FROM evidence")).scalar_one(),
                        conn.execute(text("SELECT count(*) FROM search_document")).scalar_one(),
                    )
                )

    thread = threading.Thread(target=read)
    thread.start()
    try:
        with write_engine(fresh_store) as engine:
            seed(engine, [folder])
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
        reader.dispose()
    new = state(fresh_store)[:3]
    assert seen <= {old, new}, seen - {old, new}
    assert old in seen and new in seen


def test_a_slow_query_answers_503_instead_of_pinning_a_worker(
    fresh_store: str, tmp_path: Path
) -> None:
    """The per-request time limit (STATEMENT_TIMEOUT_MS) interrupts a query that runs too
    long; the worker answers 503 and serves the next request normally."""
    with write_engine(fresh_store) as engine:
        seed(engine, [big_article(tmp_path / "big", 20_000)])
    with app_client(fresh_store, statement_timeout_ms=1, response_cache_bytes=0) as client:
        slow: Any = client.get("/v1/search", params={"q": "event number happened niger"})
        assert slow.status_code == 503
        assert slow.headers["content-type"] == "application/problem+json"
        assert slow.json()["type"] == "/problems/query-timeout"
        assert client.get("/healthz").status_code == 200


# --- exports across a seed ---------------------------------------------------------------------

ARTICLE = "niger-russia-military-ties"


def retitled(folder: Path, title: str) -> Path:
    """The seed's annotation with its fourth event retitled, and the article beside it."""
    data = json.loads((SEED_DIR / f"{ARTICLE}.json").read_text())
    data["events"][3]["title"] = title
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{ARTICLE}.txt").write_bytes((SEED_DIR / f"{ARTICLE}.txt").read_bytes())
    path = folder / f"{ARTICLE}.json"
    path.write_text(json.dumps(data))
    return path


@BOTH
def test_an_export_begun_just_after_a_seed_reads_the_new_data(
    fresh_store: str, tmp_path: Path
) -> None:
    """The data version a worker trusts for DATA_VERSION_TTL is not what an export reads
    against: one begun right after a seed commits serves the new data (it was a 503)."""
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
    with app_client(fresh_store, data_version_ttl=3600) as client:
        assert client.get("/v1/events", params={"format": "ndjson"}).status_code == 200
        with write_engine(fresh_store) as engine:
            assert seed(engine, [retitled(tmp_path / "new", "Retitled by a seed")]).changed
        for path, params in [("/v1/events", {"format": "ndjson"}), ("/v1/export.ndjson", {})]:
            response = client.get(path, params=params)
            assert response.status_code == 200, response.text
            assert "Retitled by a seed" in response.text
            lines = [json.loads(line) for line in response.text.splitlines()]
            assert all("status" not in line for line in lines)


@BOTH
@pytest.mark.parametrize("path", ["/v1/events?format=ndjson", "/v1/export.ndjson"])
def test_a_seed_during_an_export_ends_it_with_a_problem_and_a_warning(
    fresh_store: str,
    tmp_path: Path,
    path: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A seed committing between two chunks: the export cannot go on with the version it
    began on (gone), nor mix in the new one. Its last line is a 503 problem; the log has a
    WARNING line saying so, and no ERROR or traceback."""
    from app import exports

    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
    new_seed = retitled(tmp_path / "new", "Retitled by a seed")
    real = exports.fetch_page
    calls = [0]

    def then_seed(*args: Any, **kwargs: Any) -> Any:
        page = real(*args, **kwargs)
        calls[0] += 1
        if calls[0] == 1:  # a seed commits while the first chunk is read
            with write_engine(fresh_store) as engine:
                assert seed(engine, [new_seed]).changed
        return page

    monkeypatch.setattr(exports, "CHUNK", 4)
    monkeypatch.setattr(exports, "fetch_page", then_seed)
    with app_client(fresh_store, response_cache_bytes=0) as client:
        response = client.get(path, headers={"X-Request-ID": "across-a-seed"})
    assert response.status_code == 200
    lines = response.text.splitlines()
    # The first chunk (of events; of the dump, its one article), then the problem.
    assert len(lines) == (5 if path.startswith("/v1/events") else 2)
    problem = json.loads(lines[-1])
    assert problem["status"] == 503 and problem["type"] == "/problems/unavailable"
    assert problem["request_id"] == "across-a-seed" and "start it again" in problem["detail"]
    assert "Retitled by a seed" not in response.text
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and r.name == "app.exports"]
    assert len(warnings) == 1 and "the data changed" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
