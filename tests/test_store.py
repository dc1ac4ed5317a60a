"""The store: migrations match the models, the seed is exact, idempotent and atomic."""

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from app.config import SCHEMA_REVISION
from app.db import write_engine
from app.loader import SeedError, default_paths, seed, store_counts
from app.migrate import head_revision, include_name
from app.models import metadata
from tests.conftest import ROOT, SEED_DIR

ARTICLE_SHA256 = "a06513f7868918e54a6ca56f1c43273b0c0d5dd8ea5d44d77bd8c91e54d5ba0a"
ARTICLE = "niger-russia-military-ties"
BOTH = pytest.mark.parametrize("fresh_store", ["sqlite", "postgresql"], indirect=True)


def annotation() -> dict[str, Any]:
    return json.loads((SEED_DIR / f"{ARTICLE}.json").read_text())


def write_seed(folder: Path, data: dict[str, Any]) -> Path:
    """An annotation file (and its article text) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED_DIR / f"{ARTICLE}.txt", folder / f"{ARTICLE}.txt")
    path = folder / f"{ARTICLE}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def counts(url: str) -> dict[str, int]:
    with write_engine(url) as engine, engine.connect() as conn:
        return store_counts(conn)


def test_seed_text_is_the_article_byte_for_byte() -> None:
    data = (SEED_DIR / f"{ARTICLE}.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == ARTICLE_SHA256
    shared = ROOT.parent / "shared" / "seed" / "article.txt"
    if shared.exists():
        assert data == shared.read_bytes()


def test_schema_revision_constant_is_alembics_head() -> None:
    assert head_revision() == SCHEMA_REVISION


@BOTH
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_produce_exactly_the_models_schema(fresh_store: str) -> None:
    with write_engine(fresh_store) as engine, engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": include_name, "compare_type": True}
        )
        assert compare_metadata(context, metadata) == []


@BOTH
def test_seeding_twice_leaves_the_same_rows_and_version(fresh_store: str) -> None:
    with write_engine(fresh_store) as engine:
        first = seed(engine, default_paths(SEED_DIR))
        second = seed(engine, default_paths(SEED_DIR))
    assert first.changed and not second.changed
    assert first.counts == second.counts == counts(fresh_store)
    assert first.data_version == second.data_version


def test_article_counts_from_a_careful_reading(fresh_store: str) -> None:
    with write_engine(fresh_store) as engine:
        report = seed(engine, default_paths(SEED_DIR))
    found = {k: v for k, v in report.counts.items() if k in EXPECTED_COUNTS}
    assert found == EXPECTED_COUNTS


# Read from the article: 9 countries (Russia, Niger, US, France, UK, Burkina Faso, Mali, China,
# Nigeria), 3 people (Tiani, Bazoum, Ajala), 9 places, 18 events, 9 pairs of quotation marks,
# 1 aid figure (> $500 million cut) and 3 other figures (100 soldiers, $13 billion, 0 troops).
EXPECTED_COUNTS = {
    "article": 1,
    "country": 9,
    "person": 3,
    "organization": 18,
    "place": 9,
    "event": 18,
    "quote": 9,
    "aid": 1,
    "figure": 3,
}


@BOTH
def test_every_evidence_span_is_the_article_text_at_its_offsets(fresh_store: str) -> None:
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
        with engine.connect() as conn:
            article_text = conn.execute(text("SELECT text FROM article")).scalar_one()
            spans = conn.execute(text('SELECT start, "end", text FROM evidence')).all()
    assert len(spans) > 100
    for start, end, span_text in spans:
        assert article_text[start:end] == span_text


def test_every_record_has_evidence(fresh_store: str) -> None:
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
        with engine.connect() as conn:
            for table, key, subject in [
                ("country", "code", "country"),
                ("person", "id", "person"),
                ("organization", "id", "organization"),
                ("place", "id", "place"),
                ("event", "id", "event"),
                ("quote", "id", "quote"),
                ("aid", "id", "aid"),
                ("figure", "id", "figure"),
            ]:
                missing = conn.execute(
                    text(
                        f"SELECT {key} FROM {table} WHERE {key} NOT IN "
                        f"(SELECT subject_id FROM evidence WHERE subject_type = '{subject}')"
                    )
                ).all()
                assert missing == [], f"{table} without evidence: {missing}"


def test_dates_keep_their_precision(fresh_store: str) -> None:
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
        with engine.connect() as conn:
            rows = {
                r.id: r
                for r in conn.execute(
                    text(
                        "SELECT id, date, date_precision, date_start, date_end, date_text "
                        "FROM event"
                    )
                )
            }
    coup = rows["niger-coup-2023"]
    assert (coup.date, coup.date_precision) == ("2023-07", "month")
    assert (str(coup.date_start), str(coup.date_end)) == ("2023-07-01", "2023-07-31")
    assert (rows["mali-coup-2021"].date, rows["mali-coup-2021"].date_precision) == ("2021", "year")
    rally = rows["cnsp-supporters-rally-niamey"]
    assert (rally.date, rally.date_precision, rally.date_text) == (
        "2023-08-26",
        "day",
        "Agust 26, 2023",
    )
    january = rows["russia-niger-military-cooperation"]
    assert january.date is None and january.date_text == "in January"


def _mutations() -> list[tuple[str, Any, str]]:
    """(name, how to break the annotation, what the refusal must mention)."""

    def wrong_offset(d: dict[str, Any]) -> None:
        d["events"][0]["evidence"][0]["start"] += 1

    def dangling_reference(d: dict[str, Any]) -> None:
        d["events"][0]["participants"][0]["id"] = "nobody-at-all"

    def bad_date(d: dict[str, Any]) -> None:
        d["events"][0]["date"] = "2023-02-30"
        d["events"][0]["date_precision"] = "day"

    def wrong_precision(d: dict[str, Any]) -> None:
        d["events"][0]["date_precision"] = "day"

    def negative_amount(d: dict[str, Any]) -> None:
        d["aid"][0]["amount"] = -5

    def unknown_currency(d: dict[str, Any]) -> None:
        d["aid"][0]["currency"] = "XYZ"

    def duplicate_id(d: dict[str, Any]) -> None:
        d["quotes"].append(copy.deepcopy(d["quotes"][0]))

    def bad_country_code(d: dict[str, Any]) -> None:
        d["countries"][0]["code"] = "QQ"

    def quote_outside_marks(d: dict[str, Any]) -> None:
        span = d["quotes"][0]["evidence"][0]
        d["quotes"][0]["text"] = span["text"] = span["text"][1:]
        span["start"] += 1

    def unknown_field(d: dict[str, Any]) -> None:
        d["people"][0]["nickname"] = "x"

    return [
        ("wrong_offset", wrong_offset, "does not match article"),
        ("dangling_reference", dangling_reference, "unknown"),
        ("bad_date", bad_date, "day must be 01 to 28"),
        ("wrong_precision", wrong_precision, "month precision"),
        ("negative_amount", negative_amount, "greater than or equal to 0"),
        ("unknown_currency", unknown_currency, "ISO 4217"),
        ("duplicate_id", duplicate_id, "duplicate id"),
        ("bad_country_code", bad_country_code, "ISO 3166-1"),
        ("quote_outside_marks", quote_outside_marks, "quotation marks"),
        ("unknown_field", unknown_field, "nickname"),
    ]


@pytest.mark.parametrize(
    ("name", "mutate", "reason"), _mutations(), ids=[m[0] for m in _mutations()]
)
def test_a_wrong_record_refuses_the_whole_seed(
    fresh_store: str, tmp_path: Path, name: str, mutate: Any, reason: str
) -> None:
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
        before = counts(fresh_store)
        data = annotation()
        mutate(data)
        with pytest.raises(SeedError) as refused:
            seed(engine, [write_seed(tmp_path / "bad", data)])
    assert any(reason in problem for problem in refused.value.problems), refused.value.problems
    assert all(f"{ARTICLE}.json" in problem for problem in refused.value.problems)
    assert counts(fresh_store) == before


@BOTH
def test_refused_seed_into_an_empty_store_leaves_it_empty(fresh_store: str, tmp_path: Path) -> None:
    data = annotation()
    data["events"][0]["evidence"][0]["end"] += 2
    with write_engine(fresh_store) as engine, pytest.raises(SeedError):
        seed(engine, [write_seed(tmp_path / "bad", data)])
    assert set(counts(fresh_store).values()) == {0}


def test_cli_seed_names_the_bad_record_and_exits_nonzero(fresh_store: str, tmp_path: Path) -> None:
    data = annotation()
    event = data["events"][2]
    event["participants"][0]["id"] = "ghost-entity"
    path = write_seed(tmp_path / "bad", data)
    env = {**os.environ, "DATABASE_URL": fresh_store}
    result = subprocess.run(
        [sys.executable, "-m", "app", "seed", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert f"events[2] {event['id']!r}.participants[0]" in result.stderr
    assert "ghost-entity" in result.stderr
    assert set(counts(fresh_store).values()) == {0}


def test_a_second_article_is_one_more_file(fresh_store: str, tmp_path: Path) -> None:
    second_text = "Niger Republic and France talked in Niamey in 2024."
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "second-article.txt").write_text(second_text)
    (folder / "second-article.json").write_text(
        json.dumps(
            {
                "format": 1,
                "article": {
                    "id": "second-article",
                    "title": "Talks",
                    "publisher": None,
                    "url": None,
                    "published": "2024",
                    "published_precision": "year",
                    "language": "en",
                    "text_file": "second-article.txt",
                    "sha256": hashlib.sha256(second_text.encode()).hexdigest(),
                },
                "countries": [
                    {
                        "code": "NE",
                        "iso3": "NER",
                        "name": "Niger",
                        "aliases": ["Niger Republic"],
                        "evidence": [{"start": 0, "end": 14, "text": "Niger Republic"}],
                    },
                    {
                        "code": "FR",
                        "iso3": "FRA",
                        "name": "France",
                        "aliases": [],
                        "evidence": [{"start": 19, "end": 25, "text": "France"}],
                    },
                ],
                "places": [
                    {
                        "id": "niamey",
                        "name": "Niamey",
                        "aliases": [],
                        "kind": "city",
                        "description": None,
                        "country": "NE",
                        "lat": 13.5137,
                        "lon": 2.1098,
                        "evidence": [{"start": 36, "end": 42, "text": "Niamey"}],
                    },
                ],
                "events": [
                    {
                        "id": "niger-france-talks-2024",
                        "title": "Talks",
                        "kind": "agreement",
                        "date": "2024",
                        "date_precision": "year",
                        "date_text": "in 2024",
                        "date_note": None,
                        "summary": "Niger and France talked.",
                        "participants": [
                            {"type": "country", "id": "NE", "role": "partner"},
                            {"type": "country", "id": "FR", "role": "partner"},
                        ],
                        "evidence": [{"start": 0, "end": 50, "text": second_text[:50]}],
                    },
                ],
            }
        )
    )
    with write_engine(fresh_store) as engine:
        first = seed(engine, default_paths(SEED_DIR))
        both = seed(engine, [folder])
        again = seed(engine, default_paths(SEED_DIR))  # reloading the first keeps the second
        with engine.connect() as conn:
            aliases = conn.execute(
                text("SELECT aliases FROM country WHERE code = 'NE'")
            ).scalar_one()
            spans = conn.execute(
                text("SELECT count(*) FROM evidence WHERE subject_id = 'niamey'")
            ).scalar_one()
    assert both.counts["article"] == 2
    assert both.counts["event"] == first.counts["event"] + 1
    assert both.counts["country"] == first.counts["country"]
    assert again.counts == both.counts and not again.changed
    assert "Niger Republic" in (aliases if isinstance(aliases, list) else json.loads(aliases))
    assert spans >= 2


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_a_countrys_events_page_walks_the_date_index(fresh_store: str, sort: str) -> None:
    """The hot query (a page of one country's events by date) must walk the expression index
    of migration 0002, not sort every event of the country."""
    from app.api.events import LISTING
    from app.query import page_statement

    with write_engine(fresh_store) as engine, engine.connect() as conn:
        stmt, _, _ = page_statement(
            conn, LISTING, {"country": "NE"}, sort=sort, limit=50, cursor=None
        )
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " | ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    suffix = "asc" if sort == "date" else "desc"
    assert f"ix_event_sort_date_{suffix}" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
