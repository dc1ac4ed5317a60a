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
from sqlalchemy import inspect, text

from app import cli
from app.config import SCHEMA_REVISION, Settings
from app.db import store_state, write_engine
from app.loader import SeedError, default_paths, seed, store_counts
from app.loader.checks import quotation_pairs, quotation_words
from app.migrate import head_revision, include_name
from app.models import metadata
from app.records import DOCUMENT_FORMAT, KINDS
from tests.conftest import ROOT, SEED_DIR

ARTICLE_SHA256 = "a06513f7868918e54a6ca56f1c43273b0c0d5dd8ea5d44d77bd8c91e54d5ba0a"
ARTICLE = "niger-russia-military-ties"
BOTH = pytest.mark.parametrize("fresh_store", ["sqlite", "postgresql"], indirect=True)
# The tables whose every row is served as a record document.
TYPED_TABLES = {kind.table.name for kind in KINDS.values()}


ARTICLE_TEXT = (SEED_DIR / f"{ARTICLE}.txt").read_text(encoding="utf-8")


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
# 1 aid figure (> $500 million cut) and 3 other figures (100 soldiers, $13 billion, 0 troops);
# 29 statements: the 9 quotations, 10 claims reported without quotation marks (5 of Ajala's,
# 2 of Russia's defense ministry or Russia, 1 of the ADF, France's and ECOWAS's threat) and 10
# of the article's own (among them the Burkina Faso coup and the photo caption).
EXPECTED_COUNTS = {
    "article": 1,
    "country": 9,
    "person": 3,
    "organization": 18,
    "place": 9,
    "event": 18,
    "quote": 9,
    "statement": 29,
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
                ("statement", "id", "statement"),
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
    flags = rows["cnsp-supporters-flags-niamey"]
    assert (flags.date, flags.date_precision, flags.date_text) == (
        "2023-08-26",
        "day",
        "Agust 26, 2023",
    )
    january = rows["russia-niger-military-cooperation"]
    assert january.date is None and january.date_text == "in January"


def _mutations() -> list[tuple[str, Any, str, str]]:
    """(name, how to break the annotation, what the refusal must mention, the record it names)."""

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

    def float_amount(d: dict[str, Any]) -> None:
        d["aid"][0]["amount"] = 5e8

    def string_amount(d: dict[str, Any]) -> None:
        d["aid"][0]["amount"] = "500000000"

    def float_value(d: dict[str, Any]) -> None:
        d["figures"][0]["value"] = 100.0

    def string_value(d: dict[str, Any]) -> None:
        d["figures"][0]["value"] = "100"

    def negative_value(d: dict[str, Any]) -> None:
        d["figures"][0]["value"] = -100

    def float_offset(d: dict[str, Any]) -> None:
        d["countries"][1]["evidence"][0]["start"] = 45.0

    def string_offset(d: dict[str, Any]) -> None:
        d["countries"][1]["evidence"][0]["end"] = "50"

    def boolean_offset(d: dict[str, Any]) -> None:
        d["countries"][0]["evidence"][0]["start"] = False

    def string_latitude(d: dict[str, Any]) -> None:
        d["places"][4]["lat"] = "16.9739"

    def donor_is_recipient(d: dict[str, Any]) -> None:
        d["aid"][0]["donor"] = d["aid"][0]["recipient"]

    def alias_not_in_article(d: dict[str, Any]) -> None:
        d["countries"][0]["aliases"].append("Kremlin")

    def alias_only_inside_a_word(d: dict[str, Any]) -> None:
        d["countries"][8]["aliases"].append("Nige")  # only in "Niger", "Nigeria"...

    def alias_with_an_edge_space(d: dict[str, Any]) -> None:
        d["countries"][0]["aliases"].append(" Moscow")

    def date_without_date_text(d: dict[str, Any]) -> None:
        d["events"][0]["date_text"] = None

    def date_text_not_in_article(d: dict[str, Any]) -> None:
        d["events"][0]["date_text"] = "on July 26, 2023"

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

    def set_quote(d: dict[str, Any], index: int, start: int, end: int, span: int = 0) -> None:
        """Point quote `index`'s span `span` at article[start:end], text and all."""
        words = ARTICLE_TEXT[start:end]
        d["quotes"][index]["text"] = words
        evidence = d["quotes"][index]["evidence"]
        evidence[span:] = [{"start": start, "end": end, "text": words}]

    def quote_is_narration_between_quotes(d: dict[str, Any]) -> None:
        # `readiness" of the country's military "Russia`: the marks either side close one
        # quotation and open the next, so the words between them are narration.
        set_quote(d, 0, 811, 836)

    def quote_spans_two_quotes(d: dict[str, Any]) -> None:
        set_quote(d, 0, 778, 943)

    def quote_keeps_a_trailing_space(d: dict[str, Any]) -> None:
        set_quote(d, 4, 2007, 2075)  # `...filled by Russia and China "`

    def quote_second_span_is_other_words(d: dict[str, Any]) -> None:
        d["quotes"][0]["evidence"].append({"start": 811, "end": 836, "text": ARTICLE_TEXT[811:836]})

    def quote_text_is_not_its_span(d: dict[str, Any]) -> None:
        d["quotes"][0]["text"] = "increasing the combat readiness of the country's military"

    def quote_quoted_twice(d: dict[str, Any]) -> None:
        twice = copy.deepcopy(d["quotes"][0])
        twice["id"] = "the-same-quotation-again"
        d["quotes"].append(twice)

    def unknown_field(d: dict[str, Any]) -> None:
        d["people"][0]["nickname"] = "x"

    def event(d: dict[str, Any], key: str) -> dict[str, Any]:
        return next(e for e in d["events"] if e["id"] == key)

    def relation_to_nothing(d: dict[str, Any]) -> None:
        event(d, "niger-expels-french-troops")["date_relation"] = {"after": "no-such-coup"}

    def relation_cycle(d: dict[str, Any]) -> None:
        coup = event(d, "niger-coup-2023")
        coup.update(date=None, date_precision=None, date_note="made circular")
        coup["date_relation"] = {"after": "niger-expels-french-troops"}

    def relation_cycle_of_three(d: dict[str, Any]) -> None:
        relation_cycle(d)
        coup = event(d, "niger-coup-2023")
        coup["date_relation"] = {"after": "us-calls-overthrow-seizure-of-power"}
        calls = event(d, "us-calls-overthrow-seizure-of-power")
        calls["date_relation"] = {"after": "niger-expels-french-troops"}

    def control_character_in_a_title(d: dict[str, Any]) -> None:
        event(d, "niger-coup-2023")["title"] = "Coup\u0000 in Niger"

    def control_character_in_a_key(d: dict[str, Any]) -> None:
        d["people"][0]["enrichment"] = {"name\u001b[2J": "escape codes"}

    def relation_contradicted(d: dict[str, Any]) -> None:
        event(d, "mali-coup-2021")["date_relation"] = {"after": "niger-coup-2023"}
        event(d, "mali-coup-2021")["date_note"] = "after a later coup"

    def start_after_end(d: dict[str, Any]) -> None:
        event(d, "ajala-tells-newsweek").update(
            date_start="2024", date_end="2023-06", date_note="backwards"
        )

    def bound_beside_a_date(d: dict[str, Any]) -> None:
        event(d, "niger-coup-2023")["date_start"] = "2023"

    def relation_without_a_note(d: dict[str, Any]) -> None:
        event(d, "niger-expels-french-troops")["date_note"] = None

    def direct_without_a_quote(d: dict[str, Any]) -> None:
        d["statements"][0]["quote"] = None

    def statement_text_not_its_span(d: dict[str, Any]) -> None:
        d["statements"][9]["text"] = "Russia is winning"

    def enrichment_of_no_field(d: dict[str, Any]) -> None:
        d["people"][0]["enrichment"] = {"nationality": "public knowledge"}

    def coordinates_unmarked(d: dict[str, Any]) -> None:
        d["places"][4]["enrichment"] = {}

    def former_id_in_use(d: dict[str, Any]) -> None:
        event(d, "niger-coup-2023")["formerly"] = ["mali-coup-2021"]

    event_where = "events[0] 'niger-coup-2023'"
    aid = "aid[0] 'us-aid-cut-niger'"
    figure = "figures[0] 'africa-corps-burkina-faso-troops'"
    quote = "quotes[0] 'russian-mod-increasing-combat-readiness'"
    return [
        ("wrong_offset", wrong_offset, "does not match article", f"{event_where}.evidence[0]"),
        ("dangling_reference", dangling_reference, "unknown", f"{event_where}.participants[0]"),
        ("bad_date", bad_date, "day must be 01 to 28", event_where),
        ("wrong_precision", wrong_precision, "month precision", event_where),
        ("negative_amount", negative_amount, "greater than or equal to 0", f"{aid}.amount"),
        ("float_amount", float_amount, "valid integer", f"{aid}.amount"),
        ("string_amount", string_amount, "valid integer", f"{aid}.amount"),
        ("float_value", float_value, "valid integer", f"{figure}.value"),
        ("string_value", string_value, "valid integer", f"{figure}.value"),
        ("negative_value", negative_value, "greater than or equal to 0", f"{figure}.value"),
        ("float_offset", float_offset, "valid integer", "countries[1] 'NE'.evidence[0].start"),
        ("string_offset", string_offset, "valid integer", "countries[1] 'NE'.evidence[0].end"),
        ("boolean_offset", boolean_offset, "valid integer", "countries[0] 'RU'.evidence[0].start"),
        ("string_latitude", string_latitude, "valid number", "places[4] 'agadez'.lat"),
        ("donor_is_recipient", donor_is_recipient, "donor and recipient are both 'NE'", aid),
        (
            "alias_not_in_article",
            alias_not_in_article,
            "alias 'Kremlin' does not occur in the article",
            "countries[0] 'RU'.aliases[1]",
        ),
        (
            "alias_only_inside_a_word",
            alias_only_inside_a_word,
            "alias 'Nige' does not occur in the article",
            "countries[8] 'NG'.aliases[0]",
        ),
        (
            "alias_with_an_edge_space",
            alias_with_an_edge_space,
            "should match pattern",
            "countries[0] 'RU'.aliases[1]",
        ),
        ("date_without_date_text", date_without_date_text, "needs date_text", event_where),
        (
            "date_text_not_in_article",
            date_text_not_in_article,
            "date_text 'on July 26, 2023' does not occur in the article",
            f"{event_where}.date_text",
        ),
        ("unknown_currency", unknown_currency, "ISO 4217", aid),
        ("duplicate_id", duplicate_id, "duplicate id", "quotes[9] "),
        ("bad_country_code", bad_country_code, "ISO 3166-1", "countries[0] 'QQ'"),
        (
            "quote_outside_marks",
            quote_outside_marks,
            "not the whole quotation between the quotation marks at 777 and 809",
            f"{quote}.evidence[0]",
        ),
        (
            "quote_is_narration_between_quotes",
            quote_is_narration_between_quotes,
            "811:836 is not between a pair of quotation marks",
            f"{quote}.evidence[0]",
        ),
        (
            "quote_spans_two_quotes",
            quote_spans_two_quotes,
            "778:943 contains the quotation mark at 809",
            f"{quote}.evidence[0]",
        ),
        (
            "quote_keeps_a_trailing_space",
            quote_keeps_a_trailing_space,
            "that is 2007:2074 (edge whitespace trimmed)",
            "quotes[4] 'ajala-void-filled-by-russia-and-china'.evidence[0]",
        ),
        (
            "quote_second_span_is_other_words",
            quote_second_span_is_other_words,
            "differs from the quote's text",
            f"{quote}.evidence[1]",
        ),
        (
            "quote_text_is_not_its_span",
            quote_text_is_not_its_span,
            "differs from the quote's text",
            f"{quote}.evidence[0]",
        ),
        (
            "quote_quoted_twice",
            quote_quoted_twice,
            "is already 'russian-mod-increasing-combat-readiness'",
            "quotes[9] 'the-same-quotation-again'.evidence[0]",
        ),
        ("unknown_field", unknown_field, "nickname", "people[0] 'abdourahamane-tiani'.nickname"),
        (
            "relation_to_nothing",
            relation_to_nothing,
            "unknown record 'no-such-coup'",
            "events[1] 'niger-expels-french-troops'.date_relation",
        ),
        (
            "relation_cycle",
            relation_cycle,
            "a cycle of relations",
            "events[",
        ),
        (
            "relation_cycle_of_three",
            relation_cycle_of_three,
            "a cycle of relations: niger-coup-2023 -> us-calls-overthrow-seizure-of-power -> "
            "niger-expels-french-troops -> niger-coup-2023",
            "events[1] 'niger-expels-french-troops'.date_relation",
        ),
        (
            "control_character_in_a_title",
            control_character_in_a_title,
            "control character U+0000 (only newline and tab are allowed)",
            "events[0] 'niger-coup-2023'.title",
        ),
        (
            "control_character_in_a_key",
            control_character_in_a_key,
            "control character U+001B",
            "people[0] 'abdourahamane-tiani'.enrichment",
        ),
        (
            "relation_contradicted",
            relation_contradicted,
            "cannot be earlier than 2023-07-01, but its own latest day is 2021-12-31",
            "events[7] 'mali-coup-2021'.date_relation",
        ),
        (
            "start_after_end",
            start_after_end,
            "its earliest day 2024-01-01 is after its latest 2023-06-30",
            "events[4] 'ajala-tells-newsweek'",
        ),
        ("bound_beside_a_date", bound_beside_a_date, "implied by date", event_where),
        (
            "relation_without_a_note",
            relation_without_a_note,
            "need a date_note",
            "events[1] 'niger-expels-french-troops'",
        ),
        (
            "direct_without_a_quote",
            direct_without_a_quote,
            "a direct statement names its quote",
            "statements[0] 'mod-says-increasing-combat-readiness'",
        ),
        (
            "statement_text_not_its_span",
            statement_text_not_its_span,
            "text must be the words of the first evidence span",
            "statements[9]",
        ),
        (
            "enrichment_of_no_field",
            enrichment_of_no_field,
            "enrichment names fields this record does not have: ['nationality']",
            "people[0] 'abdourahamane-tiani'",
        ),
        (
            "coordinates_unmarked",
            coordinates_unmarked,
            "mark them in enrichment",
            "places[4] 'agadez'",
        ),
        (
            "former_id_in_use",
            former_id_in_use,
            "formerly 'mali-coup-2021' is the id of a record now",
            "events 'niger-coup-2023'",
        ),
    ]


@pytest.mark.parametrize(
    ("name", "mutate", "reason", "record"), _mutations(), ids=[m[0] for m in _mutations()]
)
def test_a_wrong_record_refuses_the_whole_seed(
    fresh_store: str, tmp_path: Path, name: str, mutate: Any, reason: str, record: str
) -> None:
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
        before = counts(fresh_store)
        data = annotation()
        mutate(data)
        with pytest.raises(SeedError) as refused:
            seed(engine, [write_seed(tmp_path / "bad", data)])
    problems = refused.value.problems
    assert any(reason in problem and f": {record}" in problem for problem in problems), problems
    assert all(f"{ARTICLE}.json" in problem for problem in problems)
    assert counts(fresh_store) == before


@BOTH
@pytest.mark.parametrize("char", ["\u0000", "\u0007", "\r", "\u007f", "\u0085"])
def test_a_control_character_refuses_the_seed_on_both_stores(
    fresh_store: str, tmp_path: Path, char: str
) -> None:
    """PostgreSQL cannot store NUL in text (the load crashed there, and loaded on SQLite):
    every control character but newline and tab is refused the same on both, naming the
    record; newline and tab load."""
    data = annotation()
    data["events"][3]["title"] = f"Russia{char}Niger"
    path = write_seed(tmp_path / "bad", data)
    problems = refusal(fresh_store, path)
    assert problems == [
        f"{path}: events[3] 'russia-niger-military-cooperation'.title: control character "
        f"U+{ord(char):04X} (only newline and tab are allowed) in the text"
    ]
    data["events"][3]["title"] = "Russia\tand\nNiger"
    with write_engine(fresh_store) as engine:
        assert seed(engine, [write_seed(tmp_path / "good", data)]).changed


def test_a_control_character_in_the_article_text_refuses_the_seed(
    fresh_store: str, tmp_path: Path
) -> None:
    path = tiny_article(tmp_path / "bad", "Ann Lee\u0000 said nothing.", [])
    assert refusal(fresh_store, path) == [
        f"{path}: article text: control character U+0000 (only newline and tab are allowed) "
        "at character 7"
    ]


def test_a_key_given_twice_refuses_the_seed(fresh_store: str, tmp_path: Path) -> None:
    path = write_seed(tmp_path / "bad", annotation())
    text_ = path.read_text()
    path.write_text(text_.replace('"format": 2,', '"format": 3, "format": 2,', 1))
    assert '"format": 3, "format": 2' in path.read_text()
    assert refusal(fresh_store, path) == [
        f"{path}: cannot read annotation: the key 'format' appears twice in one object"
    ]


def tiny_article(folder: Path, text_: str, quotes: list[list[tuple[int, int]]]) -> Path:
    """A one-person article whose quotes (each a list of spans) that person says."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny-article.txt").write_text(text_, encoding="utf-8")
    path = folder / "tiny-article.json"
    span = lambda start, end: {"start": start, "end": end, "text": text_[start:end]}  # noqa: E731
    path.write_text(
        json.dumps(
            {
                "format": 1,
                "article": {
                    "id": "tiny-article",
                    "title": "Tiny",
                    "language": "en",
                    "text_file": "tiny-article.txt",
                    "sha256": hashlib.sha256(text_.encode()).hexdigest(),
                },
                "people": [{"id": "ann-lee", "name": "Ann Lee", "evidence": [span(0, 7)]}],
                "quotes": [
                    {
                        "id": f"quote-{index}",
                        "text": text_[spans[0][0] : spans[0][1]],
                        "speaker": {"type": "person", "id": "ann-lee"},
                        "evidence": [span(*s) for s in spans],
                    }
                    for index, spans in enumerate(quotes)
                ],
            }
        )
    )
    return path


def refusal(url: str, path: Path) -> list[str]:
    """Seed `path` into the store at `url`, which must refuse it and stay as it was."""
    before = counts(url)
    with write_engine(url) as engine, pytest.raises(SeedError) as refused:
        seed(engine, [path])
    assert counts(url) == before
    return refused.value.problems


def test_every_span_of_a_quote_must_be_a_whole_quotation(fresh_store: str, tmp_path: Path) -> None:
    text_ = 'Ann Lee said "yes" and then, later, said yes again "  and no  " twice.'
    yes = text_.index("yes")
    later = text_.index("yes", yes + 1)
    no = text_.index("and no")
    with write_engine(fresh_store) as engine:
        seed(engine, [tiny_article(tmp_path / "good", text_, [[(yes, yes + 3)], [(no, no + 6)]])])
    # The same words outside the marks are narration, even as a second span.
    problems = refusal(
        fresh_store, tiny_article(tmp_path / "bad", text_, [[(yes, yes + 3), (later, later + 3)]])
    )
    assert problems == [
        f"{tmp_path / 'bad' / 'tiny-article.json'}: quotes[0] 'quote-0'.evidence[1]: "
        f"{later}:{later + 3} is not between a pair of quotation marks "
        "(marks pair in order: 1st with 2nd, 3rd with 4th, ...), so it is narration"
    ]
    untrimmed = refusal(fresh_store, tiny_article(tmp_path / "edge", text_, [[(no - 1, no + 6)]]))
    assert len(untrimmed) == 1 and f"that is {no}:{no + 6}" in untrimmed[0], untrimmed


def test_an_odd_number_of_quotation_marks_refuses_every_quote(
    fresh_store: str, tmp_path: Path
) -> None:
    text_ = 'Ann Lee said "yes" and 5" of rain fell.'
    yes = text_.index("yes")
    problems = refusal(fresh_store, tiny_article(tmp_path / "odd", text_, [[(yes, yes + 3)]]))
    assert (
        len(problems) == 1
        and "quotes[0] 'quote-0': the article has an odd number (3)" in problems[0]
    )
    # Without quotes, the same article loads: the marks only matter to quotes.
    with write_engine(fresh_store) as engine:
        seed(engine, [tiny_article(tmp_path / "none", text_, [])])


def test_the_articles_quotation_pairs_are_its_quotes() -> None:
    """The Niger article's 18 marks pair up in order into 9 quotations, each quoted once."""
    pairs = quotation_pairs(ARTICLE_TEXT)
    assert pairs is not None and len(pairs) == 9
    # The mark after "China" closes a quotation: the one after it opens the next.
    assert ARTICLE_TEXT[pairs[4][1] - 6 : pairs[4][1] + 7] == 'China "Moscow'
    quoted = sorted(
        (q["evidence"][0]["start"], q["evidence"][0]["end"]) for q in annotation()["quotes"]
    )
    assert quoted == [quotation_words(ARTICLE_TEXT, *pair) for pair in pairs]


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


def test_document_format_stands_for_the_public_shapes() -> None:
    """Stores keep every record rendered in these shapes (format 3 added each record's CSV
    row, format 4 an article's enrichment and a figure's country and place, format 5 typed
    references in CSV rows). When one changes,
    or what is rendered, bump DOCUMENT_FORMAT (a store of another
    format is then re-seeded by `serve`, and is not ready until it is) and put the new digest
    here."""
    shapes = {kind.public.__name__: kind.public.model_json_schema() for kind in KINDS.values()}
    digest = hashlib.sha256(json.dumps(shapes, sort_keys=True).encode()).hexdigest()[:16]
    assert (DOCUMENT_FORMAT, digest) == ("5", "2cd54291897a28aa")


@BOTH
def test_a_store_rendered_by_another_version_is_reseeded_before_serving(
    fresh_store: str,
) -> None:
    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
        with engine.begin() as conn:  # what an older release, or migration 0003, leaves
            conn.execute(text("UPDATE store_meta SET value = '0' WHERE key = 'document_format'"))
            conn.execute(text("DELETE FROM record_document WHERE type = 'event'"))
    with write_engine(fresh_store) as engine, engine.connect() as conn:
        assert "another version" in (store_state(conn).problem(SCHEMA_REVISION, "1") or "")
    assert cli.prepare_store(Settings(database_url=fresh_store)) == 0
    with write_engine(fresh_store) as engine, engine.connect() as conn:
        assert store_state(conn).problem(SCHEMA_REVISION, DOCUMENT_FORMAT) is None
        documents = conn.execute(text("SELECT count(*) FROM record_document")).scalar_one()
    assert documents == sum(n for t, n in counts(fresh_store).items() if t in TYPED_TABLES)


@BOTH
def test_a_format_1_annotation_still_loads(fresh_store: str) -> None:
    """The seed article as format 1 had it: a quote's `event` becomes its `events`, a place's
    `coordinates_source` its coordinates' enrichment; there are no statements or bounds
    beyond stated dates."""
    with write_engine(fresh_store) as engine:
        report = seed(engine, default_paths(ROOT / "tests" / "data" / "v1"))
        with engine.connect() as conn:
            events = dict(conn.execute(text("SELECT quote_id, event_id FROM quote_event")).all())
            agadez = conn.execute(text("SELECT enrichment FROM place WHERE id = 'agadez'")).one()
    assert report.counts["quote"] == report.counts["quote_event"] == 9
    assert report.counts["statement"] == 0 and report.counts["event"] == 18
    assert events["ajala-niger-more-strategic"] == "ajala-tells-newsweek"
    enrichment = agadez[0] if isinstance(agadez[0], dict) else json.loads(agadez[0])
    assert set(enrichment) == {"lat", "lon"}


@BOTH
def test_migration_0004_moves_a_stored_version_1_store(fresh_store: str) -> None:
    """A store as version 1 left it (schema 0003, its article's format 1 annotation stored):
    `serve`'s preparation migrates it and rebuilds every table from the stored annotation."""
    from alembic import command

    from app.migrate import alembic_config

    command.downgrade(alembic_config(fresh_store), "0003")
    v1 = ROOT / "tests" / "data" / "v1"
    raw = json.loads((v1 / f"{ARTICLE}.json").read_text())
    article_text = (v1 / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    with write_engine(fresh_store) as engine, engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO article (id, title, language, sha256, text, annotation, "
                "annotation_sha256) VALUES (:id, :title, 'en', :sha, :text, :raw, 'x')"
            ),
            {
                "id": ARTICLE,
                "title": raw["article"]["title"],
                "sha": ARTICLE_SHA256,
                "text": article_text,
                "raw": json.dumps(raw),
            },
        )
        conn.execute(
            text(
                "INSERT INTO store_meta (key, value) VALUES ('data_version', 'v1'), "
                "('document_format', '1')"
            )
        )
    assert cli.prepare_store(Settings(database_url=fresh_store, seed_dir=v1 / "none")) == 0
    with write_engine(fresh_store) as engine, engine.connect() as conn:
        state = store_state(conn)
        quote_events = conn.execute(text("SELECT count(*) FROM quote_event")).scalar_one()
    assert state.problem(SCHEMA_REVISION, DOCUMENT_FORMAT) is None
    assert state.revision == SCHEMA_REVISION and quote_events == 9


@BOTH
def test_migration_0006_fills_a_seeded_0005_store(fresh_store: str) -> None:
    """A store seeded at schema 0005 (no article enrichment, no figure country or place) moves
    to 0006 on `serve`'s preparation, and the reseed fills the new columns from the annotation,
    so that sums split by country and place at once."""
    from alembic import command

    from app.migrate import alembic_config

    with write_engine(fresh_store) as engine:
        seed(engine, default_paths(SEED_DIR))
    command.downgrade(alembic_config(fresh_store), "0005")
    with write_engine(fresh_store) as engine, engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("figure")}
    assert "country" not in columns and "place" not in columns
    assert cli.prepare_store(Settings(database_url=fresh_store, seed_dir=SEED_DIR)) == 0
    with write_engine(fresh_store) as engine, engine.connect() as conn:
        state = store_state(conn)
        where = dict(conn.execute(text("SELECT id, coalesce(country, place) FROM figure")).all())
        enrichment = conn.execute(text("SELECT enrichment FROM article")).scalar_one()
    assert state.problem(SCHEMA_REVISION, DOCUMENT_FORMAT) is None
    assert where == {
        "africa-corps-burkina-faso-troops": "BF",
        "trans-saharan-pipeline-value": "trans-saharan-gas-pipeline",
        "russian-troops-in-niger": "NE",
    }
    marks = enrichment if isinstance(enrichment, dict) else json.loads(enrichment)
    assert set(marks) == {"title", "publisher"}
