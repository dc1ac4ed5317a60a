"""Autocomplete with typos: names and aliases of countries, people, organizations, places and
articles, found by prefix first, then within a small edit distance ("Bazum" is Bazoum).

One index per data version, built in memory from the store, serves both backends the same:
ranking does not depend on the database's own text search."""

import bisect
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection, select

from app.models import RecordDocument, SearchDocument, table_of

# What autocomplete finds, in the order equally good matches are listed.
TYPES = ("country", "person", "organization", "place", "article")
LIMIT = 10


def normalize(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces single: "Kountché" is "kountche"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (" " if not c.isalnum() else c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(kept).split())


def trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def distance(a: str, b: str, limit: int) -> int:
    """Edit distance (insertions, deletions, substitutions and swaps of neighbours), or more
    than `limit` as soon as it is sure to be."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@dataclass(frozen=True)
class Entry:
    type: str
    id: str
    label: str
    hint: str | None
    names: tuple[str, ...]  # normalized
    words: frozenset[str]


@dataclass
class Index:
    entries: list[Entry] = field(default_factory=list)
    names: list[tuple[str, int]] = field(default_factory=list)  # (name, entry), sorted
    words: list[tuple[str, int]] = field(default_factory=list)  # (word, entry), sorted
    vocabulary: list[str] = field(default_factory=list)
    by_trigram: dict[str, list[int]] = field(default_factory=dict)  # trigram -> vocabulary
    entries_of_word: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, records: Iterable[tuple[str, str, str, str | None, Sequence[str]]]) -> "Index":
        """From (type, id, label, hint, names) of every record to find."""
        index = cls()
        for type_, key, label, hint, names in records:
            normalized = tuple(dict.fromkeys(n for n in map(normalize, names) if n))
            words = frozenset(w for name in normalized for w in name.split())
            index.entries.append(Entry(type_, key, label, hint, normalized, words))
        for i, entry in enumerate(index.entries):
            index.names.extend((name, i) for name in entry.names)
            index.words.extend((word, i) for word in entry.words)
            for word in entry.words:
                index.entries_of_word.setdefault(word, []).append(i)
        index.names.sort()
        index.words.sort()
        index.vocabulary = sorted(index.entries_of_word)
        for w, word in enumerate(index.vocabulary):
            for gram in trigrams(word):
                index.by_trigram.setdefault(gram, []).append(w)
        return index

    def _prefixed(self, keys: list[tuple[str, int]], prefix: str) -> set[int]:
        found: set[int] = set()
        at = bisect.bisect_left(keys, (prefix, -1))
        while at < len(keys) and keys[at][0].startswith(prefix):
            found.add(keys[at][1])
            at += 1
        return found

    def _near(self, word: str) -> dict[int, int]:
        """Entries with a word within the allowed edit distance of `word` (or of which `word`
        is a prefix within it), with that distance."""
        limit = 1 if len(word) <= 5 else 2
        shared = Counter(w for gram in trigrams(word) for w in self.by_trigram.get(gram, ()))
        out: dict[int, int] = {}
        for w, _ in shared.most_common(200):
            candidate = self.vocabulary[w]
            near = min(
                distance(word, candidate, limit),
                distance(word, candidate[: len(word)], limit) + (len(candidate) < len(word)),
            )
            if near <= limit:
                for entry in self.entries_of_word[candidate]:
                    out[entry] = min(out.get(entry, near), near)
        return out

    def find(self, query: str, types: Sequence[str], limit: int = LIMIT) -> list[tuple[Entry, int]]:
        """The best entries for `query` of `types`, with a score (0: a name starts with it;
        1: its words start names' words; 2 and more: within an edit distance)."""
        text = normalize(query)
        if not text:
            return []
        scored: dict[int, int] = {i: 0 for i in self._prefixed(self.names, text)}
        words = text.split()
        prefixed = [self._prefixed(self.words, word) for word in words]
        for i in set.intersection(*prefixed) if prefixed else set():
            scored.setdefault(i, 1)
        if len(scored) < limit:
            near_all: dict[int, int] | None = None
            for word, exact in zip(words, prefixed, strict=True):
                near = {i: 0 for i in exact}
                if len(word) >= 3:
                    for i, d in self._near(word).items():
                        near[i] = min(near.get(i, d), d)
                near_all = (
                    near
                    if near_all is None
                    else {i: near_all[i] + d for i, d in near.items() if i in near_all}
                )
            for i, d in (near_all or {}).items():
                scored.setdefault(i, 2 + d)
        allowed = set(types)
        ranked = sorted(
            (
                (score, len(self.entries[i].label), TYPES.index(self.entries[i].type), i)
                for i, score in scored.items()
                if self.entries[i].type in allowed
            )
        )
        return [(self.entries[i], score) for score, _, _, i in ranked[:limit]]


HINT_MOST = 80


def hint_of(type_: str, record: dict[str, object]) -> str | None:
    """A few words that tell a record from others of the same name: its kind and the start of
    its description, cut between words. Not its type: suggestions show that already."""
    kind = record.get("kind") if type_ != "country" else None
    described = record.get("description")
    parts = [str(kind).replace("_", " ").capitalize()] if kind else []
    if described:
        parts.append(shorten(str(described), HINT_MOST))
    return " · ".join(parts) or None


def shorten(text: str, most: int) -> str:
    """`text` up to `most` characters, cut after a whole word and marked with an ellipsis."""
    if len(text) <= most:
        return text
    cut = text[: most - 1]
    if text[most - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:·-") + "…"


def build_index(conn: Connection) -> Index:
    """The index of everything autocomplete finds, from the store's search documents and
    record documents."""
    docs = table_of(SearchDocument)
    bodies = table_of(RecordDocument)
    rows = conn.execute(
        select(docs.c.type, docs.c.id, docs.c.label, docs.c.names, bodies.c.body)
        .select_from(
            docs.outerjoin(bodies, (bodies.c.type == docs.c.type) & (bodies.c.id == docs.c.id))
        )
        .where(docs.c.type.in_(TYPES))
    )
    return Index.build(
        (type_, key, label, hint_of(type_, orjson.loads(body) if body else {}), names.split("\n"))
        for type_, key, label, names, body in rows
    )
