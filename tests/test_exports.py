"""Exports and compression: whole lists as CSV and NDJSON that say what the JSON says, a dump
of the store, streams that behave when a chunk fails or the client leaves, constant memory on
a large store, and compressed bodies with ETags and 304s of their own."""

import asyncio
import csv
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tracemalloc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app import csvrows, exports
from app.api.lists import _after
from app.config import Settings
from app.db import make_engine, write_engine
from app.loader import seed
from app.main import create_app
from app.migrate import upgrade
from app.records import KINDS
from bench.generate import generate
from tests.conftest import ROOT, app_client

# Each top-level list and its record type.
TYPES = {
    "/v1/countries": "country",
    "/v1/people": "person",
    "/v1/organizations": "organization",
    "/v1/places": "place",
    "/v1/events": "event",
    "/v1/quotes": "quote",
    "/v1/statements": "statement",
    "/v1/aid": "aid",
    "/v1/figures": "figure",
}
LISTS = list(TYPES)


def everything(client: TestClient, url: str, **params: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get(
            url, params={"limit": 100, **params, **({"cursor": cursor} if cursor else {})}
        )
        records += page.json()["data"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return records


def flat(record: dict[str, Any]) -> dict[str, str]:
    """What the CSV says of a JSON record, by the documented rules."""
    return {
        column: ""
        if value is None
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
        for column, value in csvrows.cells(record).items()
    }


@pytest.mark.parametrize("url", LISTS)
def test_csv_has_one_row_per_record_saying_what_the_json_says(client: TestClient, url: str) -> None:
    response = client.get(
        url, params={"format": "csv", "sort": "id" if "countr" not in url else "code"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    name = url.rsplit("/", 1)[1]
    assert response.headers["content-disposition"] == f'attachment; filename="{name}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    records = everything(client, url, sort="id" if "countr" not in url else "code")
    assert len(rows) == len(records) > 0
    for row, record in zip(rows, records, strict=True):
        expected = flat(record)
        assert set(row) == set(expected) or set(expected) <= set(row)
        for column, value in expected.items():
            shown = row[column]
            assert shown == value or shown == "'" + value, (column, shown, value)


@pytest.mark.parametrize("url", LISTS)
def test_stored_csv_rows_are_the_rows_rendered_per_request(client: TestClient, url: str) -> None:
    """Whole records come from the rows rendered at seed time; `fields` renders them per
    request. Asking for every field must give the same bytes."""
    kind = KINDS[TYPES[url]]
    stored = client.get(url, params={"format": "csv"})
    rendered = client.get(url, params={"format": "csv", "fields": ",".join(kind.fields)})
    assert stored.status_code == rendered.status_code == 200
    assert stored.content == rendered.content
    rows = list(csv.reader(io.StringIO(stored.text)))
    assert len(rows) == 1 + client.get(url).json()["total"]


def test_csv_spreads_speakers_and_evidence_and_joins_lists(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/v1/quotes?format=csv").text)))
    us = next(r for r in rows if r["id"] == "us-effort-to-seize-power")
    assert (us["speaker_type"], us["speaker_id"], us["speaker_name"]) == (
        "country",
        "US",
        "United States",
    )
    assert us["events"].split(";") == ["us-calls-overthrow-seizure-of-power", "niger-coup-2023"]
    assert (us["evidence_count"], us["evidence_start"], us["evidence_text"]) == (
        "1",
        "1782",
        "an effort to seize power by force",
    )
    events = list(csv.DictReader(io.StringIO(client.get("/v1/events?format=csv").text)))
    coup = next(r for r in events if r["id"] == "niger-coup-2023")
    assert coup["participants"].split(";") == [
        "person:abdourahamane-tiani (instigator)",
        "country:NE (location)",
        "person:mohamed-bazoum (target)",
    ]
    assert coup["countries"] == "country:NE"


def test_csv_references_say_their_type_and_the_speaker_id_stays_bare(client: TestClient) -> None:
    rows = csv.DictReader(io.StringIO(client.get("/v1/statements?format=csv").text))
    adf = next(r for r in rows if r["id"] == "adf-says-mali-burkina-faso-offered-concessions")
    assert adf["about"] == "country:ML;country:BF"
    assert (adf["speaker_type"], adf["speaker_id"]) == ("organization", "africa-defense-forum")
    people = client.get("/v1/statements?format=csv&about=olayinka-ajala,mohamed-bazoum").text
    abouts = {ref for row in csv.DictReader(io.StringIO(people)) for ref in row["about"].split(";")}
    assert "person:mohamed-bazoum" in abouts


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/v1/events?format=csv", "events.csv"),
        ("/v1/events?country=NE&kind=coup&format=csv", "events-country-NE-kind-coup.csv"),
        ("/v1/events?kind=coup&country=NE&format=ndjson", "events-kind-coup-country-NE.ndjson"),
        (
            "/v1/events?kind=coup,offer&country=!NE&format=csv",
            "events-kind-coup+offer-country-not-NE.csv",
        ),
        ("/v1/events?q=Niger%20coup&format=csv&sort=-date&fields=id,title", "events.csv"),
        (
            "/v1/events?from=2023-08&to=2023-12&date_match=within&format=csv",
            "events-from-2023-08-to-2023-12-date_match-within.csv",
        ),
        ("/v1/people/olayinka-ajala/quotes?format=csv", "people-olayinka-ajala-quotes.csv"),
    ],
)
def test_a_download_is_named_by_its_filters_in_url_order(
    client: TestClient, url: str, name: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'


def test_a_download_name_is_safe_and_at_most_100_characters(client: TestClient) -> None:
    many = ",".join(f"!{c}" for c in ["NE", "RU", "US", "FR", "ML", "BF", "DZ", "CN"] * 6)
    response = client.get(f"/v1/events?country={many}&format=csv")
    name = response.headers["content-disposition"].split('filename="')[1].rstrip('"')
    assert name.startswith("events-country-not-NE+not-RU+") and name.endswith(".csv")
    assert len(name) == 100
    odd = client.get(
        "/v1/places", params={"q": "x", "kind": "city", "country": "NE", "format": "csv"}
    )
    assert (
        odd.headers["content-disposition"]
        == 'attachment; filename="places-kind-city-country-NE.csv"'
    )
    spaced = client.get(
        "/v1/statements", params={"from": "2023", "format": "csv", "speaker": "olayinka-ajala"}
    )
    assert (
        "statements-from-2023-speaker-olayinka-ajala.csv" in spaced.headers["content-disposition"]
    )


def test_bom_begins_a_csv_for_spreadsheets_and_is_refused_elsewhere(client: TestClient) -> None:
    plain = client.get("/v1/people?format=csv")
    marked = client.get("/v1/people?format=csv&bom=true")
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    assert marked.content == b"\xef\xbb\xbf" + plain.content
    accepted = client.get("/v1/people?bom=true", headers={"Accept": "text/csv"})
    assert accepted.content.startswith(b"\xef\xbb\xbfid,")
    for refused in (
        "/v1/people?bom=true",
        "/v1/people?bom=true&format=ndjson",
        "/v1/people?bom=true&format=annotations",
    ):
        response = client.get(refused)
        assert response.status_code == 422, refused
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["name"] == "bom"


def test_fields_choose_the_columns_and_include_is_refused(client: TestClient) -> None:
    text = client.get("/v1/events", params={"format": "csv", "fields": "title,evidence"}).text
    header = next(csv.reader(io.StringIO(text)))
    assert header == [
        "id",
        "title",
        "evidence_count",
        "evidence_article",
        "evidence_start",
        "evidence_end",
        "evidence_text",
    ]
    refused = client.get("/v1/events", params={"format": "csv", "include": "participants"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["name"] == "include"
    assert client.get("/v1/events", params={"format": "xml"}).status_code == 422


@pytest.mark.parametrize("url", LISTS)
def test_ndjson_is_every_record_a_line(client: TestClient, url: str) -> None:
    response = client.get(url, params={"format": "ndjson", "limit": 1, "sort": "-position"})
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines()]
    total = client.get(url).json()["total"]
    assert len(lines) == total  # limit does not apply to an export
    assert lines == everything(client, url, sort="-position")


def test_accept_headers_ask_for_exports(client: TestClient) -> None:
    csv_response = client.get("/v1/events", headers={"Accept": "text/csv"})
    assert csv_response.headers["content-type"].startswith("text/csv")
    ndjson = client.get("/v1/events", headers={"Accept": "application/x-ndjson"})
    assert ndjson.headers["content-type"] == "application/x-ndjson"
    json_wins = client.get("/v1/events", headers={"Accept": "application/json, text/csv;q=0.5"})
    assert json_wins.headers["content-type"] == "application/json"
    assert client.get("/v1/events", headers={"Accept": "*/*"}).json()["total"] == 18
    filtered = client.get("/v1/events", params={"kind": "coup"}, headers={"Accept": "text/csv"})
    assert len(list(csv.DictReader(io.StringIO(filtered.text)))) == 3


def test_pandas_reads_exports_as_readme_says(client: TestClient) -> None:
    """README's notes for pandas: read_json turns the `date` column into days unless told not
    to; a date column empty in every row reads as numbers (NaN) unless read as text."""
    ndjson = client.get("/v1/events?format=ndjson&sort=date").text
    events = pd.read_json(io.StringIO(ndjson), lines=True).set_index("id")
    assert events.loc["mali-coup-2021", "date"] == pd.Timestamp("2021-01-01")
    assert events.loc["burkina-faso-coup-2022", "date"] == pd.Timestamp("2022-09-01")
    assert events.loc["mali-coup-2021", "date_start"] == "2021-01-01"  # the bounds stay text
    kept = pd.read_json(io.StringIO(ndjson), lines=True, dtype=False).set_index("id")
    assert kept.loc["mali-coup-2021", "date"] == "2021"
    offers = io.StringIO(client.get("/v1/events?format=csv&kind=offer").text)
    assert pd.read_csv(offers)["date"].dtype == "float64"
    offers.seek(0)
    assert pd.read_csv(offers, keep_default_na=False)["date"].tolist() == [""]


def test_ndjson_carries_includes_and_utf16(client: TestClient) -> None:
    lines = client.get("/v1/events?format=ndjson&include=participants").text.splitlines()
    assert all("included" in json.loads(line) for line in lines)


def spreadsheet_store(tmp_path: Path) -> str:
    """A tiny article whose words a spreadsheet would run as formulas."""
    text = "=HYPERLINK(evil) and +cmd and -5 degrees and @SUM(1) said Dr Who in 2024."
    folder = tmp_path / "seed"
    folder.mkdir()
    (folder / "formulas.txt").write_text(text)
    person = {
        "id": "dr-who",
        "name": "Dr Who",
        "aliases": [],
        "description": "=HYPERLINK(evil)",
        "country": None,
        "evidence": [{"start": 58, "end": 64, "text": "Dr Who"}],
    }
    annotation = {
        "format": 2,
        "article": {
            "id": "formulas",
            "title": "@SUM(1)",
            "language": "en",
            "text_file": "formulas.txt",
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        },
        "people": [person],
        "figures": [
            {
                "id": "minus-five",
                "value": 5,
                "unit": "degrees",
                "qualifier": "exact",
                "kind": "other",
                "description": "-5 degrees",
                "evidence": [{"start": 30, "end": 39, "text": "-5 degree"}],
            }
        ],
    }
    (folder / "formulas.json").write_text(json.dumps(annotation))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    with write_engine(url) as engine:
        seed(engine, [folder])
    return url


def test_text_a_spreadsheet_would_run_is_escaped_numbers_never(tmp_path: Path) -> None:
    with app_client(spreadsheet_store(tmp_path)) as client:
        (person,) = csv.DictReader(io.StringIO(client.get("/v1/people?format=csv").text))
        (figure,) = csv.DictReader(io.StringIO(client.get("/v1/figures?format=csv").text))
    assert person["description"] == "'=HYPERLINK(evil)"
    assert figure["description"] == "'-5 degrees" and figure["value"] == "5"
    assert figure["evidence_text"] == "'-5 degree" and figure["evidence_start"] == "30"


# --- the dump -----------------------------------------------------------------------------------


def test_the_store_as_one_stream_with_types(client: TestClient) -> None:
    response = client.get("/v1/export.ndjson")
    assert response.headers["content-type"] == "application/x-ndjson"
    records = [json.loads(line) for line in response.text.splitlines()]
    counted: dict[str, int] = {}
    for record in records:
        counted[record["type"]] = counted.get(record["type"], 0) + 1
    expected = {"article": 1}
    for url, kind in TYPES.items():
        expected[kind] = client.get(url).json()["total"]
    assert counted == expected
    coup = next(r for r in records if r.get("id") == "niger-coup-2023")
    assert coup == {"type": "event", **client.get("/v1/events/niger-coup-2023").json()}


@pytest.mark.parametrize("form", ["ndjson", "csv"])
def test_the_export_command_writes_every_resource(
    seeded_sqlite_url: str, tmp_path: Path, form: str
) -> None:
    out = tmp_path / "dump"
    result = subprocess.run(
        [sys.executable, "-m", "app", "export", "--format", form, "--out", str(out)],
        cwd=ROOT,
        env={"DATABASE_URL": seeded_sqlite_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "[####" in result.stderr  # the progress bars
    files = {p.name for p in out.iterdir()}
    names = ["articles", *(url.rsplit("/", 1)[1] for url in LISTS)]
    assert files == {f"{name}.{form}" for name in names}
    events = (out / f"events.{form}").read_text().splitlines()
    assert len(events) == 18 + (form == "csv")


def test_the_export_command_refuses_a_store_rendered_by_another_version(
    tmp_path: Path,
) -> None:
    """Its stored rows would be another version's (or, just after a migration, empty)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    with write_engine(url) as engine:
        seed(engine, [ROOT / "seed"])
        with engine.begin() as conn:
            conn.execute(text("UPDATE store_meta SET value = '2' WHERE key = 'document_format'"))
    result = subprocess.run(
        [sys.executable, "-m", "app", "export", "--format", "csv", "--out", str(tmp_path / "x")],
        cwd=ROOT,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "rendered by another version" in result.stderr
    assert not list((tmp_path / "x").glob("*.csv"))


def test_the_first_chunk_is_held_only_until_it_is_sent() -> None:
    """The first chunk is read before the response starts; afterwards it is held no longer
    than any other (a whole export's life, with itertools.chain)."""

    class Chunk(list[int]):
        pass

    first = Chunk([1])
    alive = weakref.ref(first)
    batches = _after(first, iter([Chunk([2])]))
    del first
    assert next(batches) == [1]  # taken, sent, dropped
    assert alive() is None
    assert list(batches) == [[2]]


# --- streams that behave -----------------------------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "CHUNK", 4)


def test_a_failure_mid_stream_ends_ndjson_with_a_problem_and_csv_early(
    seeded_sqlite_url: str,
    small_chunks: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    real = exports.fetch_page
    calls = [0]

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 3:
            raise RuntimeError("the disk went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "fetch_page", failing)
    with app_client(seeded_sqlite_url, response_cache_bytes=0) as client:
        lines = client.get(
            "/v1/events?format=ndjson", headers={"X-Request-ID": "export-1"}
        ).text.splitlines()
        calls[0] = 0
        rows = client.get("/v1/events?format=csv").text.splitlines()
    assert len(lines) == 2 * 4 + 1
    problem = json.loads(lines[-1])
    assert problem["status"] == 500 and problem["request_id"] == "export-1"
    assert "disk" not in lines[-1]
    assert len(rows) == 1 + 2 * 4  # the header and two chunks, then it stopped
    logged = [r for r in caplog.records if "ended early" in r.getMessage()]
    assert logged and getattr(logged[0], "request_id", None) == "export-1"


def test_a_reseed_during_an_export_is_not_mixed_into_it(
    seeded_sqlite_url: str, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = exports.data_version
    calls = [0]

    def changing(conn: Any) -> Any:
        calls[0] += 1
        return real(conn) if calls[0] < 3 else "another-version"

    monkeypatch.setattr(exports, "data_version", changing)
    with app_client(seeded_sqlite_url, response_cache_bytes=0) as client:
        lines = client.get("/v1/events?format=ndjson").text.splitlines()
    assert json.loads(lines[-1])["type"] == "/problems/unavailable"


def asgi_get(
    app: Any, path: str, query: bytes, disconnect_after: int | None = None
) -> tuple[int, int]:
    """GET through the app as a server would, discarding the body as it comes: (status, bytes
    received). With `disconnect_after`, the client leaves after that many body messages."""
    status, received, messages = 0, 0, 0
    left = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if disconnect_after is None:
            await asyncio.Event().wait()  # never: the client stays
        await left.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, received, messages
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            received += len(message.get("body", b""))
            messages += 1
            if disconnect_after is not None and messages >= disconnect_after:
                left.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }

    async def run() -> None:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    asyncio.run(run())
    return status, received


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The benchmark's generator at 20,000 events."""
    url = f"sqlite:///{tmp_path_factory.mktemp('bigexport') / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    generate(engine, 20_000)
    engine.dispose()
    yield url


def test_an_export_of_a_large_store_stays_in_constant_memory(big_store: str) -> None:
    app = create_app(Settings(database_url=big_store, log_level="WARNING"))
    asgi_get(app, "/v1/events", b"format=ndjson&limit=1")  # warm: imports, caches, statements
    tracemalloc.start()
    status, size = asgi_get(app, "/v1/events", b"format=ndjson")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    chunk = exports.CHUNK * size / 20_000  # bytes a chunk of records takes, as sent
    assert status == 200 and size >= 10 * chunk  # holding the export would be 10 chunks
    assert peak < 6 * chunk, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB export"


def test_a_client_that_leaves_stops_the_export(
    big_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = exports.fetch_page
    read = [0]

    def counted(*args: Any, **kwargs: Any) -> Any:
        read[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "fetch_page", counted)
    monkeypatch.setattr(exports, "CHUNK", 100)
    app = create_app(Settings(database_url=big_store, log_level="WARNING"))
    status, _ = asgi_get(app, "/v1/events", b"format=ndjson", disconnect_after=3)
    assert status == 200
    assert read[0] < 20_000 // 100 // 2, read[0]  # far from all 200 chunks


# --- compression -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coding", "unpack"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_compressed_bodies_are_the_uncompressed_ones(
    client: TestClient, coding: str, unpack: Any
) -> None:
    url = "/v1/events?include=participants&limit=100"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    with client.stream("GET", url, headers={"Accept-Encoding": coding}) as packed:
        raw = b"".join(packed.iter_raw())
        headers = packed.headers
    assert headers["content-encoding"] == coding
    assert "accept-encoding" in headers["vary"].lower()
    assert unpack(raw) == plain.content and len(raw) < len(plain.content) / 3
    assert headers["etag"] != plain.headers["etag"]
    assert int(headers["content-length"]) == len(raw)


def test_a_gzip_etag_revalidates_with_a_304(client: TestClient) -> None:
    asked = {"Accept-Encoding": "gzip"}
    first = client.get("/v1/events?limit=50", headers=asked)
    etag = first.headers["etag"]
    again = client.get("/v1/events?limit=50", headers={**asked, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    other = client.get(
        "/v1/events?limit=50", headers={"If-None-Match": etag, "Accept-Encoding": "identity"}
    )
    assert other.status_code == 200  # another representation, another ETag


def test_small_bodies_are_not_compressed(client: TestClient) -> None:
    small = client.get("/v1/countries/NE?fields=code", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


@pytest.mark.parametrize(
    ("coding", "unpack"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_exports_stream_compressed(
    seeded_sqlite_url: str, small_chunks: None, coding: str, unpack: Any
) -> None:
    with app_client(seeded_sqlite_url) as client:
        plain = client.get("/v1/events?format=ndjson", headers={"Accept-Encoding": "identity"})
        with client.stream(
            "GET", "/v1/events?format=ndjson", headers={"Accept-Encoding": coding}
        ) as packed:
            raw = b"".join(packed.iter_raw())
            assert packed.headers["content-encoding"] == coding
    assert unpack(raw) == plain.content  # five chunks, each compressed as it came
    assert len(plain.content.splitlines()) == 18
