"""Build a large synthetic store for the benchmark, through the app's own tables.

    python -m bench.generate --events 1000000 --database-url sqlite:///bench/out/bench.db

Realistic shape: every ISO country (with the Niger article loaded first, so its records are
there too), people, organizations and places spread over countries, events with 2-4
participants and 1-3 countries each (skewed: a few countries have many events) and dates as
articles give them (most stated, some only after or before another event, a few unbounded),
quotes of one or two events, statements reported and narrated, aid rows, and an evidence span
for every record that really is the text of a synthetic article at its offsets. Writes in
batches in one transaction per table, then the search index and the data version, like `seed`
does.
"""

import argparse
import datetime as dt
import hashlib
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.engine import make_url

from app.cli import current_state
from app.config import ROOT, SCHEMA_REVISION
from app.dates import parse_partial_date
from app.db import make_engine
from app.loader import default_paths, finish, seed
from app.migrate import upgrade
from app.models import (
    Aid,
    Article,
    Country,
    DateSortKeys,
    Event,
    EventCountry,
    EventParticipant,
    Evidence,
    Organization,
    Person,
    Place,
    Quote,
    QuoteEvent,
    SearchDocument,
    Statement,
    StatementAbout,
    StatementEvent,
)
from app.records import DOCUMENT_FORMAT
from app.records import KINDS as RECORD_KINDS

BATCH = 20_000
START_DAY = dt.date(1990, 1, 1).toordinal()
EVENT_KINDS = [
    "coup",
    "deployment",
    "expulsion",
    "statement",
    "sanction",
    "aid_cut",
    "threat",
    "rally",
    "agreement",
    "report",
]
ROLES = ["instigator", "target", "location", "deployer", "supporter", "speaker", "subject"]
WORDS = [
    "military",
    "junta",
    "government",
    "border",
    "rebels",
    "talks",
    "mission",
    "troops",
    "aid",
    "sanctions",
    "ministry",
    "pipeline",
    "uranium",
    "election",
    "protest",
    "ceasefire",
    "embassy",
]


class Progress:
    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = self.shown = time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.shown > 0.5 or self.done >= self.total:
            self.shown = now
            rate = self.done / max(now - self.started, 1e-9)
            bar = "#" * int(30 * self.done / self.total)
            sys.stderr.write(
                f"\r{self.label:<14} [{bar:<30}] {self.done:>10,}/{self.total:,} {rate:>9,.0f}/s"
            )
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def batches(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Corpus:
    """Synthetic articles: each record's sentence is appended to an article's text, so its
    evidence span is exactly the article's characters at its offsets."""

    def __init__(self, articles: int) -> None:
        self.texts: list[list[str]] = [[] for _ in range(articles)]
        self.lengths = [0] * articles

    def span(self, article: int, sentence: str) -> tuple[str, int, int]:
        start = self.lengths[article]
        self.texts[article].append(sentence + " ")
        self.lengths[article] += len(sentence) + 1
        return f"bench-article-{article:05d}", start, start + len(sentence)

    def rows(self) -> Iterator[dict[str, Any]]:
        for index, parts in enumerate(self.texts):
            body = "".join(parts)
            yield {
                "id": f"bench-article-{index:05d}",
                "title": f"Synthetic article {index}",
                "publisher": "bench",
                "url": None,
                "published": None,
                "published_precision": None,
                "language": "en",
                "text": body,
                "sha256": hashlib.sha256(body.encode()).hexdigest(),
                "annotation": {"synthetic": True},
                "annotation_sha256": "0" * 64,
            }


def generate(
    engine: Engine, events: int, seed_value: int = 7, articles: int | None = None
) -> dict[str, int]:
    """`events` events and the records around them, over `articles` synthetic articles (by
    default one per 1,000 events; one article holds them all when 1)."""
    rng = random.Random(seed_value)
    articles = articles or max(1, events // 1000)
    corpus = Corpus(articles)
    with engine.connect() as conn:
        known = {r[0] for r in conn.execute(text("SELECT code FROM country"))}
    countries = [c for c in pycountry.countries if c.alpha_2 not in known and c.alpha_2 != "XK"]
    all_codes = sorted(known | {c.alpha_2 for c in countries})
    # A few countries get most events (Zipf-like), as news coverage does.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(all_codes))]
    rng.shuffle(all_codes)
    for favourite in ("NE", "RU", "US", "FR"):
        all_codes.remove(favourite)
        all_codes.insert(0, favourite)
    people = [f"bench-person-{i:06d}" for i in range(max(100, events // 50))]
    orgs = [f"bench-org-{i:06d}" for i in range(max(50, events // 200))]
    places = [f"bench-place-{i:06d}" for i in range(max(50, events // 200))]
    entity_country = {e: rng.choice(all_codes) for e in people + orgs + places}
    evidence: list[dict[str, Any]] = []
    search: list[dict[str, Any]] = []
    counts: dict[str, int] = {}

    def add_evidence(subject_type: str, subject_id: str, sentence: str) -> int:
        """Evidence for a record: `sentence` in a random article; returns where it starts."""
        article, start, end = corpus.span(rng.randrange(articles), sentence)
        evidence.append(
            {
                "article": article,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "start": start,
                "end": end,
                "text": sentence,
            }
        )
        return start

    def write(conn: Any, table: Any, rows: Iterator[dict[str, Any]], total: int) -> None:
        progress = Progress(table.__tablename__, total)
        for batch in batches(rows):
            conn.execute(insert(table), batch)
            progress.add(len(batch))
        counts[table.__tablename__] = total

    def country_rows() -> Iterator[dict[str, Any]]:
        for c in countries:
            search.append(
                {
                    "type": "country",
                    "id": c.alpha_2,
                    "label": c.name,
                    "names": f"{c.name}\n{c.alpha_2}\n{c.alpha_3}",
                    "body": f"{c.name}\n{c.alpha_2}\n{c.alpha_3}",
                }
            )
            position = add_evidence("country", c.alpha_2, c.name)
            yield {
                "code": c.alpha_2,
                "iso3": c.alpha_3,
                "name": c.name,
                "aliases": [],
                "enrichment": {},
                "position": position,
            }

    def entity_rows(kind: str, ids: list[str]) -> Iterator[dict[str, Any]]:
        for entity_id in ids:
            name = f"{kind.title()} {entity_id.rsplit('-', 1)[1]} {rng.choice(WORDS).title()}"
            position = add_evidence(kind, entity_id, name)
            search.append(
                {"type": kind, "id": entity_id, "label": name, "names": name, "body": name}
            )
            row = {
                "id": entity_id,
                "name": name,
                "aliases": [],
                "description": None,
                "country": entity_country[entity_id],
                "enrichment": {},
                "position": position,
            }
            if kind == "organization":
                row["kind"] = rng.choice(["government_body", "military", "armed_group", "media"])
            if kind == "place":
                row.update(kind=rng.choice(["city", "region", "venue"]), lat=None, lon=None)
            yield row

    participants: list[dict[str, Any]] = []
    event_countries: list[dict[str, Any]] = []

    dated: list[tuple[str, dict[str, Any]]] = []  # events with a stated date, for relations

    def when(i: int) -> dict[str, Any]:
        """An event's date columns: 90% a stated date (day, month or year), 4% after and 2%
        before an earlier event with one (a bound taken from it), 4% nothing at all."""
        roll = rng.random()
        columns: dict[str, Any] = dict.fromkeys(
            ("date", "date_precision", "date_start", "date_end", "date_edtf", "date_relation")
        )
        if roll < 0.9:
            day = dt.date.fromordinal(START_DAY + rng.randrange(365 * 35))
            date = day.isoformat()[: 4 if roll < 0.08 else 7 if roll < 0.27 else 10]
            parsed = parse_partial_date(date)
            columns.update(
                date=date,
                date_precision=parsed.precision.value,
                date_start=parsed.start,
                date_end=parsed.end,
                date_edtf=date,
            )
            dated.append((f"bench-event-{i:07d}", columns))
        elif roll < 0.96 and dated:
            other_id, other = rng.choice(dated)
            if roll < 0.94:
                columns.update(
                    date_start=other["date_start"],
                    date_edtf=f"{other['date']}/..",
                    date_relation={"after": other_id},
                )
            else:
                columns.update(
                    date_end=other["date_end"],
                    date_edtf=f"../{other['date']}",
                    date_relation={"before": other_id},
                )
        return columns | DateSortKeys.of(columns["date_start"], columns["date_end"])

    def event_rows() -> Iterator[dict[str, Any]]:
        for i in range(events):
            event_id = f"bench-event-{i:07d}"
            kind = rng.choice(EVENT_KINDS)
            dates = when(i)
            codes = dict.fromkeys(rng.choices(all_codes, weights, k=rng.randint(1, 3)))
            refs = {("country", code) for code in codes}
            for _ in range(rng.randint(1, 3)):
                pool, kind_name = rng.choice(
                    [(people, "person"), (orgs, "organization"), (places, "place")]
                )
                entity = rng.choice(pool)
                refs.add((kind_name, entity))
                codes[entity_country[entity]] = None
            for ref_type, ref_id in sorted(refs):
                participants.append(
                    {
                        "event_id": event_id,
                        "entity_type": ref_type,
                        "entity_id": ref_id,
                        "role": rng.choice(ROLES),
                    }
                )
            title = f"{kind.replace('_', ' ').title()} in {next(iter(codes))} #{i}"
            summary = f"{title}: {' '.join(rng.choices(WORDS, k=8))}."
            position = add_evidence("event", event_id, summary)
            repeated = {k: dates[k] for k in (*DateSortKeys.model_fields, "date_start", "date_end")}
            event_countries.extend(
                {"event_id": event_id, "country": c, "kind": kind, "position": position, **repeated}
                for c in codes
            )
            search.append(
                {"type": "event", "id": event_id, "label": title, "names": title, "body": summary}
            )
            yield {
                "id": event_id,
                "article": f"bench-article-{i % articles:05d}",
                "title": title,
                "kind": kind,
                "summary": summary,
                **dates,
                "date_text": dates["date"],
                "date_note": "after or before another event" if dates["date_relation"] else None,
                "enrichment": {},
                "position": position,
            }

    quote_events: list[dict[str, Any]] = []

    def quote_rows(n: int) -> Iterator[dict[str, Any]]:
        for i in range(n):
            quote_id = f"bench-quote-{i:06d}"
            words = " ".join(rng.choices(WORDS, k=10))
            position = add_evidence("quote", quote_id, words)
            concerned = list(
                dict.fromkeys(f"bench-event-{rng.randrange(events):07d}" for _ in range(2))
            )[: rng.randint(1, 2)]
            quote_events.extend(
                {"quote_id": quote_id, "event_id": e, "ordinal": k} for k, e in enumerate(concerned)
            )
            yield {
                "id": quote_id,
                "article": f"bench-article-{i % articles:05d}",
                "text": words,
                "event": concerned[0],
                "speaker_type": "person",
                "speaker_id": rng.choice(people),
                "enrichment": {},
                "position": position,
            }

    statement_about: list[dict[str, Any]] = []
    statement_events: list[dict[str, Any]] = []

    def statement_rows(n: int) -> Iterator[dict[str, Any]]:
        """Statements reported (indirect) or the article's own (narration); direct ones would
        need their quotes' words, which the seed article shows."""
        for i in range(n):
            statement_id = f"bench-statement-{i:06d}"
            words = " ".join(rng.choices(WORDS, k=12))
            position = add_evidence("statement", statement_id, words)
            narration = rng.random() < 0.3
            speaker_type, speaker = (
                ("organization", rng.choice(orgs)) if narration else ("person", rng.choice(people))
            )
            statement_about.extend(
                {
                    "statement_id": statement_id,
                    "entity_type": "country",
                    "entity_id": c,
                    "ordinal": k,
                }
                for k, c in enumerate(dict.fromkeys(rng.choices(all_codes, weights, k=2)))
            )
            statement_events.append(
                {
                    "statement_id": statement_id,
                    "event_id": f"bench-event-{rng.randrange(events):07d}",
                    "ordinal": 0,
                }
            )
            yield {
                "id": statement_id,
                "article": f"bench-article-{i % articles:05d}",
                "text": words,
                "mode": "narration" if narration else "indirect",
                "quote": None,
                "speaker_type": speaker_type,
                "speaker_id": speaker,
                **when(events + i),
                "date_text": None,
                "date_note": None,
                "enrichment": {},
                "position": position,
            }

    def aid_rows(n: int) -> Iterator[dict[str, Any]]:
        for i in range(n):
            amount = rng.randrange(1, 10_000) * 100_000
            sentence = f"aid of {amount} USD"
            position = add_evidence("aid", f"bench-aid-{i:06d}", sentence)
            yield {
                "id": f"bench-aid-{i:06d}",
                "article": f"bench-article-{i % articles:05d}",
                "donor": rng.choice(all_codes),
                "recipient": rng.choice(all_codes),
                "amount": amount,
                "currency": "USD",
                "qualifier": "exact",
                "kind": "pledge",
                "description": sentence,
                "event": None,
                "date": None,
                "date_precision": None,
                "date_start": None,
                "date_end": None,
                "date_edtf": None,
                "date_relation": None,
                "date_text": None,
                "date_note": None,
                "enrichment": {},
                "position": position,
                **DateSortKeys.of(None, None),
            }

    def article_rows() -> Iterator[dict[str, Any]]:
        for row in corpus.rows():
            title = row["title"]
            search.append(
                {
                    "type": "article",
                    "id": row["id"],
                    "label": title,
                    "names": title,
                    "body": row["text"],
                }
            )
            yield row

    quotes, aid = max(10, events // 20), max(10, events // 50)
    statements = max(10, events // 20)
    with engine.begin() as conn:
        write(conn, Country, country_rows(), len(countries))
        write(conn, Person, entity_rows("person", people), len(people))
        write(conn, Organization, entity_rows("organization", orgs), len(orgs))
        write(conn, Place, entity_rows("place", places), len(places))
        # Articles first (evidence and events point at them): generate records, then write.
        event_list = list(event_rows())
        quote_list, aid_list = list(quote_rows(quotes)), list(aid_rows(aid))
        statement_list = list(statement_rows(statements))
        write(conn, Article, article_rows(), articles)
        write(conn, Event, iter(event_list), len(event_list))
        del event_list
        write(conn, EventParticipant, iter(participants), len(participants))
        write(conn, EventCountry, iter(event_countries), len(event_countries))
        write(conn, Quote, iter(quote_list), quotes)
        write(conn, QuoteEvent, iter(quote_events), len(quote_events))
        write(conn, Statement, iter(statement_list), statements)
        write(conn, StatementAbout, iter(statement_about), len(statement_about))
        write(conn, StatementEvent, iter(statement_events), len(statement_events))
        write(conn, Aid, iter(aid_list), aid)
        write(conn, Evidence, iter(evidence), len(evidence))
        write(conn, SearchDocument, iter(search), len(search))
        version = hashlib.sha256(f"bench|{events}|{seed_value}".encode()).hexdigest()[:32]
        sys.stderr.write("search index, then every record's document (as `seed` does)\n")
        bars: dict[str, Progress] = {}

        def rendered(kind: str, n: int) -> None:
            if kind not in bars:
                table = RECORD_KINDS[kind].table
                total = conn.execute(select(func.count()).select_from(table)).scalar_one()
                bars[kind] = Progress(f"doc {kind}", total)
            bars[kind].add(n)

        finish(conn, version, rendered)
        counts["record_document"] = sum(bar.done for bar in bars.values())
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return counts


def stale(url: str) -> bool:
    """Whether the SQLite store at `url` is missing, or was made by another schema or document
    format (then its files are removed, to be generated again)."""
    path = Path(make_url(url).database or "")
    if not path.is_file():
        return True
    if current_state(url).problem(SCHEMA_REVISION, DOCUMENT_FORMAT) is None:
        return False
    for leftover in path.parent.glob(f"{path.name}*"):
        leftover.unlink()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same store)")
    parser.add_argument("--articles", type=int, help="articles (default: one per 1,000 events)")
    parser.add_argument(
        "--if-stale",
        action="store_true",
        help="keep a SQLite store this version can serve as it is (`serve` would re-seed one "
        "of another schema or document format with the article alone); make it otherwise",
    )
    args = parser.parse_args(argv)
    if args.if_stale and not stale(args.database_url):
        print(f"{args.database_url}: generated by this version, kept")
        return 0
    started = time.monotonic()
    upgrade(args.database_url)
    engine = make_engine(args.database_url)

    seed(engine, default_paths(ROOT / "seed"))
    counts = generate(engine, args.events, args.seed, args.articles)
    engine.dispose()
    print(f"generated in {time.monotonic() - started:.0f}s: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
