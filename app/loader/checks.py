"""Checking annotations: what one file can get wrong on its own (text hash, spans, ids,
references, quotations), and what only shows across files."""

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ValidationError,
)

from app.loader.schema import (
    COLLECTIONS,
    DATED_COLLECTIONS,
    ENTITY_COLLECTIONS,
    QUOTE_MARKS,
    AnnotationFile,
    QuoteIn,
    SeedError,
    SpanIn,
    record_key,
    upgrade_v1,
)
from app.models import (
    EntityType,
    RecordType,
    Role,
    StatementMode,
)


@dataclass
class Source:
    """One article's annotation and text, and where they came from (for messages)."""

    origin: str
    raw: dict[str, Any]
    text: str
    file: AnnotationFile | None = None
    problems: list[str] = field(default_factory=list)

    def problem(self, where: str, why: str) -> None:
        self.problems.append(f"{self.origin}: {where}: {why}")

    @property
    def annotation_sha256(self) -> str:
        return hashlib.sha256(canonical_json(self.raw)).hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# Control characters other than newline and tab: nothing an article or its annotation
# means, and PostgreSQL cannot store NUL in text. Refused in every string of a seed.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object with each key once: `{"format": 3, "format": 2}` is a mistake, not the
    last value."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def read_file(path: Path) -> Source:
    """Read an annotation file and the article text it names (beside it)."""
    origin = str(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_unique_keys)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, DuplicateKey) as exc:
        raise SeedError([f"{origin}: cannot read annotation: {exc}"]) from exc
    except RecursionError as exc:
        raise SeedError([f"{origin}: cannot read annotation: nested too deeply"]) from exc
    text_file = (raw.get("article") or {}).get("text_file") if isinstance(raw, dict) else None
    if not isinstance(text_file, str) or Path(text_file).name != text_file:
        raise SeedError([f"{origin}: article.text_file must name a file beside the annotation"])
    try:
        article_text = (path.parent / text_file).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError([f"{origin}: cannot read article text {text_file!r}: {exc}"]) from exc
    return Source(origin, raw, article_text)


def _where(raw: Any, loc: tuple[int | str, ...]) -> str:
    """`events[3] 'mali-coup-2021' date` from a pydantic error location."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            parts[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            key = node.get("id") or node.get("code") if isinstance(node, dict) else None
            if key:
                parts[-1] += f" {key!r}"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "file"


def _controls(node: Any, loc: tuple[int | str, ...]) -> Iterator[tuple[tuple[int | str, ...], str]]:
    """Where a string (a value or a key) of `node` holds a control character, and which."""
    if isinstance(node, str):
        found = CONTROL.search(node)
        if found:
            yield loc, found.group()
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _controls(item, (*loc, index))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _controls(key, loc)
            yield from _controls(value, (*loc, key))


def _refuse_controls(source: Source) -> bool:
    """Name each string with a control character in it; whether there was one."""
    found = False
    for loc, char in _controls(source.raw, ()):
        source.problem(_where(source.raw, loc), f"{_control_words(char)} in the text")
        found = True
    in_text = CONTROL.search(source.text)
    if in_text:
        at = in_text.start()
        source.problem("article text", f"{_control_words(in_text.group())} at character {at}")
        found = True
    return found


def _control_words(char: str) -> str:
    return f"control character U+{ord(char):04X} (only newline and tab are allowed)"


def parse(source: Source) -> None:
    if _refuse_controls(source):
        return
    try:
        source.file = AnnotationFile.model_validate(upgrade_v1(source.raw))
    except ValidationError as exc:
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            source.problem(_where(source.raw, error["loc"]), message)


def check_source(source: Source) -> None:
    """Everything one file can get wrong on its own: text hash, spans, ids, references."""
    annotation = source.file
    assert annotation is not None
    article_text = source.text
    digest = hashlib.sha256(article_text.encode("utf-8")).hexdigest()
    if digest != annotation.article.sha256:
        source.problem("article.sha256", f"text file hashes to {digest}")

    declared: dict[EntityType, set[str]] = {kind: set() for kind in ENTITY_COLLECTIONS}
    entity_ids: dict[str, str] = {}
    for collection, subject in COLLECTIONS.items():
        seen: set[str] = set()
        for index, record in enumerate(getattr(annotation, collection)):
            key = record_key(record)
            where = f"{collection}[{index}] {key!r}"
            if key in seen:
                source.problem(where, f"duplicate id {key!r} in {collection}")
            seen.add(key)
            if subject in (RecordType.person, RecordType.organization, RecordType.place):
                if key in entity_ids and entity_ids[key] != collection:
                    source.problem(where, f"id {key!r} is also used in {entity_ids[key]}")
                entity_ids[key] = collection
            if subject.value in EntityType.__members__:
                declared[EntityType(subject.value)].add(key)
            _check_spans(source, where, record.evidence, article_text)
            _check_own_words(source, where, record, article_text)
    if iso3s := [c.iso3 for c in annotation.countries]:
        for dup in {i for i in iso3s if iso3s.count(i) > 1}:
            source.problem("countries", f"iso3 {dup!r} is used by more than one country")

    def must_exist(where: str, kind: EntityType, key: str | None) -> None:
        if key is not None and key not in declared[kind]:
            source.problem(where, f"unknown {kind.value} {key!r}: declare it in this file")

    events = {e.id for e in annotation.events}
    mentions = {
        (kind, record_key(r)): list(r.evidence)
        for kind, collection in ENTITY_COLLECTIONS.items()
        for r in getattr(annotation, collection)
    }

    def must_be_event(where: str, key: str | None) -> None:
        if key is not None and key not in events:
            source.problem(where, f"unknown event {key!r}")

    for collection in ("people", "organizations", "places"):
        for index, entity in enumerate(getattr(annotation, collection)):
            must_exist(
                f"{collection}[{index}] {entity.id!r}.country", EntityType.country, entity.country
            )
    for index, event in enumerate(annotation.events):
        for p_index, participant in enumerate(event.participants):
            where = f"events[{index}] {event.id!r}.participants[{p_index}]"
            must_exist(where, participant.type, participant.id)
            if participant.role is Role.speaker and "participants" not in event.enrichment:
                _check_names_speaker(
                    source, where, event.evidence, (participant.type, participant.id), mentions
                )
        roles = [(p.type, p.id, p.role) for p in event.participants]
        if len(roles) != len(set(roles)):
            source.problem(f"events[{index}] {event.id!r}", "a participant is listed twice")

    def must_be_events(where: str, keys: list[str]) -> None:
        for e_index, key in enumerate(keys):
            must_be_event(f"{where}[{e_index}]", key)
        if len(keys) != len(set(keys)):
            source.problem(where, "an event is listed twice")

    pairs = quotation_pairs(article_text)
    quoted: dict[tuple[int, int], str] = {}
    quotes = {quote.id: quote for quote in annotation.quotes}
    for index, quote in enumerate(annotation.quotes):
        where = f"quotes[{index}] {quote.id!r}"
        must_exist(f"{where}.speaker", quote.speaker.type, quote.speaker.id)
        must_be_events(f"{where}.events", quote.events)
        _check_quote(source, where, quote, article_text, pairs, quoted)
    for index, statement in enumerate(annotation.statements):
        where = f"statements[{index}] {statement.id!r}"
        speaker = EntityType(statement.speaker.type.value)
        must_exist(f"{where}.speaker", speaker, statement.speaker.id)
        for a_index, ref in enumerate(statement.about):
            must_exist(f"{where}.about[{a_index}]", ref.type, ref.id)
        if len({(ref.type, ref.id) for ref in statement.about}) != len(statement.about):
            source.problem(f"{where}.about", "a record is listed twice")
        must_be_events(f"{where}.events", statement.events)
        if statement.mode is not StatementMode.narration and "speaker" not in statement.enrichment:
            _check_names_speaker(
                source,
                f"{where}.speaker",
                statement.evidence,
                (speaker, statement.speaker.id),
                mentions,
            )
        if statement.quote is not None:
            said = quotes.get(statement.quote)
            if said is None:
                source.problem(f"{where}.quote", f"unknown quote {statement.quote!r}")
            elif said.text != statement.text:
                source.problem(f"{where}.text", f"differs from its quote's text {said.text!r}")
            elif (said.speaker.type.value, said.speaker.id) != (
                speaker.value,
                statement.speaker.id,
            ):
                source.problem(f"{where}.speaker", "differs from its quote's speaker")
    for index, aid in enumerate(annotation.aid):
        where = f"aid[{index}] {aid.id!r}"
        must_exist(f"{where}.donor", EntityType.country, aid.donor)
        must_exist(f"{where}.recipient", EntityType.country, aid.recipient)
        must_be_event(f"{where}.event", aid.event)
    for index, figure in enumerate(annotation.figures):
        where = f"figures[{index}] {figure.id!r}"
        must_be_event(f"{where}.event", figure.event)
        must_exist(f"{where}.country", EntityType.country, figure.country)
        must_exist(f"{where}.place", EntityType.place, figure.place)


def _check_spans(source: Source, where: str, spans: Iterable[SpanIn], article_text: str) -> None:
    seen: set[tuple[int, int]] = set()
    for index, span in enumerate(spans):
        here = f"{where}.evidence[{index}]"
        if span.end > len(article_text):
            source.problem(here, f"end {span.end} is past the article's end ({len(article_text)})")
            continue
        actual = article_text[span.start : span.end]
        if actual != span.text:
            source.problem(
                here,
                f"text {span.text!r} does not match article[{span.start}:{span.end}] = {actual!r}",
            )
        if (span.start, span.end) in seen:
            source.problem(here, f"span {span.start}:{span.end} is listed twice")
        seen.add((span.start, span.end))


def _check_own_words(source: Source, where: str, record: BaseModel, article_text: str) -> None:
    """Aliases are the article's own spellings, and `date_text` its own words for a date."""
    for index, alias in enumerate(getattr(record, "aliases", ())):
        if not re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", article_text):
            source.problem(
                f"{where}.aliases[{index}]",
                f"alias {alias!r} does not occur in the article as a whole word or phrase: "
                "aliases are the article's own spellings",
            )
    date_text = getattr(record, "date_text", None)
    if date_text is not None and date_text not in article_text:
        source.problem(
            f"{where}.date_text",
            f"date_text {date_text!r} does not occur in the article: keep its own words",
        )
    elif date_text is not None and not any(
        date_text in span.text for span in getattr(record, "evidence", ())
    ):
        source.problem(
            f"{where}.date_text",
            f"date_text {date_text!r} is in none of the record's own evidence spans: add the "
            "span that holds it",
        )


def _check_names_speaker(
    source: Source,
    where: str,
    spans: Sequence[SpanIn],
    speaker: tuple[EntityType, str],
    mentions: dict[tuple[EntityType, str], list[SpanIn]],
) -> None:
    """A claim's evidence covers the words that name its speaker: one of its spans holds one
    of the speaker's own evidence spans (a name, or a reference read as the speaker)."""
    if not any(
        span.start <= named.start and named.end <= span.end
        for span in spans
        for named in mentions.get(speaker, ())
    ):
        source.problem(
            where,
            f"no evidence span covers a mention of the speaker {speaker[1]!r}: add the span "
            "where the article names them, or mark the reading in enrichment when it does not",
        )


def quotation_pairs(article_text: str) -> list[tuple[int, int]] | None:
    """Offsets of each pair's opening and closing quotation marks, or None if the marks do not
    pair up (an odd number): then no quotation can be told from narration."""
    marks = [index for index, char in enumerate(article_text) if char in QUOTE_MARKS]
    if len(marks) % 2:
        return None
    return list(zip(marks[::2], marks[1::2], strict=True))


def quotation_words(article_text: str, opening: int, closing: int) -> tuple[int, int]:
    """The span of the words between two paired marks, edge whitespace trimmed."""
    inner = article_text[opening + 1 : closing]
    start = opening + 1 + len(inner) - len(inner.lstrip())
    return start, max(start, closing - (len(inner) - len(inner.rstrip())))


def _check_quote(
    source: Source,
    where: str,
    quote: QuoteIn,
    article_text: str,
    pairs: list[tuple[int, int]] | None,
    quoted: dict[tuple[int, int], str],
) -> None:
    """Every span of a quote is exactly the words inside one pair of quotation marks (edge
    whitespace trimmed), and the quote's text is those words; no pair is quoted twice."""
    if pairs is None:
        marks = sum(article_text.count(mark) for mark in QUOTE_MARKS)
        source.problem(
            where,
            f"the article has an odd number ({marks}) of quotation marks, so they cannot be "
            "paired and no quote can be checked against them",
        )
        return
    for index, span in enumerate(quote.evidence):
        here = f"{where}.evidence[{index}]"
        if span.text != quote.text:
            source.problem(here, f"text {span.text!r} differs from the quote's text {quote.text!r}")
            continue
        crossed = [m for pair in pairs for m in pair if span.start <= m < span.end]
        if crossed:
            source.problem(
                here,
                f"{span.start}:{span.end} contains the quotation mark at {crossed[0]}: "
                "a quote is the words inside one pair of quotation marks",
            )
            continue
        inside = [(o, c) for o, c in pairs if o < span.start and span.end <= c]
        if not inside:
            source.problem(
                here,
                f"{span.start}:{span.end} is not between a pair of quotation marks "
                "(marks pair in order: 1st with 2nd, 3rd with 4th, ...), so it is narration",
            )
            continue
        opening, closing = inside[0]
        words = quotation_words(article_text, opening, closing)
        if (span.start, span.end) != words:
            source.problem(
                here,
                f"{span.start}:{span.end} is not the whole quotation between the quotation "
                f"marks at {opening} and {closing}: that is {words[0]}:{words[1]} "
                f"(edge whitespace trimmed) = {article_text[words[0] : words[1]]!r}",
            )
            continue
        other = quoted.setdefault(words, quote.id)
        if other != quote.id:
            source.problem(here, f"the quotation at {words[0]}:{words[1]} is already {other!r}")


def check_together(sources: Sequence[Source]) -> list[str]:
    """What only shows across files: repeated ids, old ids that clash, and entities described
    two different ways. Dated records share one namespace: a date_relation names an id alone."""
    problems: list[str] = []
    owners: dict[tuple[str, str], str] = {}
    for source in sources:
        assert source.file is not None
        records = [("article", source.file.article)] + [
            ("dated" if collection in DATED_COLLECTIONS else collection, record)
            for collection in ("events", "quotes", "statements", "aid", "figures")
            for record in getattr(source.file, collection)
        ]
        for collection, record in records:
            key = (collection, record.id)
            if key in owners:
                what = "an event, statement, aid or figure" if collection == "dated" else collection
                problems.append(
                    f"{source.origin}: id {record.id!r} of {what} is also in {owners[key]}"
                )
            owners[key] = source.origin
    problems += _check_former_ids(sources)
    definitions: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for source in sources:
        assert source.file is not None
        for collection in ENTITY_COLLECTIONS.values():
            for record in getattr(source.file, collection):
                facts = record.model_dump(
                    exclude={"aliases", "evidence", "description", "enrichment", "formerly"}
                )
                key = (collection, record_key(record))
                if key in definitions and definitions[key][1] != facts:
                    other, theirs = definitions[key]
                    problems.append(
                        f"{source.origin}: {collection} {key[1]!r} is {facts}, "
                        f"but {other} has {theirs}"
                    )
                definitions.setdefault(key, (source.origin, facts))
    return problems


def _check_former_ids(sources: Sequence[Source]) -> list[str]:
    """An old id (`formerly`) names one record, and no record has it as its id now."""
    problems: list[str] = []
    current: set[tuple[str, str]] = set()
    former: dict[tuple[str, str], str] = {}
    for source in sources:
        assert source.file is not None
        for collection, subject in COLLECTIONS.items():
            for record in getattr(source.file, collection):
                current.add((subject.value, record_key(record)))
    for source in sources:
        assert source.file is not None
        for collection, subject in COLLECTIONS.items():
            for record in getattr(source.file, collection):
                for old in record.formerly:
                    key = (subject.value, old)
                    new = record_key(record)
                    if key in current:
                        problems.append(
                            f"{source.origin}: {collection} {new!r}: formerly {old!r} is the "
                            "id of a record now"
                        )
                    elif former.setdefault(key, new) != new:
                        problems.append(
                            f"{source.origin}: {collection} {new!r}: formerly {old!r} is also "
                            f"claimed by {former[key]!r}"
                        )
    return problems
