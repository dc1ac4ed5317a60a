"""A seed is one transaction: killed half-way it leaves the store as it was, and readers never
see a half-loaded store while it runs. A slow query cannot pin a worker."""

import hashlib
import json
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
