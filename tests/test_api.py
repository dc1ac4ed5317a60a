"""The read API, black-box over HTTP, on a seeded SQLite file and a seeded PostgreSQL database."""

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.conftest import SEED_DIR, app_client, engine_of

LISTS = [
    "/v1/articles",
    "/v1/countries",
    "/v1/people",
    "/v1/organizations",
    "/v1/places",
    "/v1/events",
    "/v1/quotes",
    "/v1/aid",
    "/v1/figures",
]
KEY = {"/v1/countries": "code"}


def walk(client: TestClient, url: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every record of a list, following next_cursor; checks the envelope on the way."""
    records: list[dict[str, Any]] = []
    cursor = None
    total = None
    for _ in range(1000):
        response = client.get(url, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        envelope = {"data", "total", "next_cursor"} | ({"fuzzy"} if url == "/v1/search" else set())
        assert set(body) == envelope
        total = body["total"] if total is None else total
        assert body["total"] == total
        records += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            break
        assert response.headers["link"].endswith('>; rel="next"')
        assert f"cursor={cursor}" in response.headers["link"]
    assert total is not None
    return records, total


def article_text(client: TestClient) -> str:
    return client.get("/v1/articles/niger-russia-military-ties").json()["text"]


@pytest.mark.parametrize("url", LISTS)
def test_lists_walk_to_the_end_without_duplicates_or_gaps(client: TestClient, url: str) -> None:
    whole, total = walk(client, url, limit=100)
    paged, _ = walk(client, url, limit=2)
    key = KEY.get(url, "id")
    assert [r[key] for r in paged] == [r[key] for r in whole]
    assert len({r[key] for r in paged}) == total == len(whole) > 0


@pytest.mark.parametrize("url", LISTS[1:])
def test_every_record_served_carries_valid_evidence(client: TestClient, url: str) -> None:
    text = article_text(client)
    records, _ = walk(client, url, limit=100)
    for record in records:
        assert record["evidence"], record
        for span in record["evidence"]:
            assert span["article"] == "niger-russia-military-ties"
            assert text[span["start"] : span["end"]] == span["text"]


@pytest.mark.parametrize("url", LISTS)
def test_every_record_can_be_fetched_by_its_id(client: TestClient, url: str) -> None:
    key = KEY.get(url, "id")
    for record in walk(client, url, limit=100)[0]:
        one = client.get(f"{url}/{record[key]}")
        assert one.status_code == 200
        detail = one.json()
        if url == "/v1/articles":
            assert detail.pop("text")
        assert detail == record


@pytest.mark.parametrize("url", LISTS)
def test_unknown_ids_are_404_problems(client: TestClient, url: str) -> None:
    unknown = "zz" if url == "/v1/countries" else "no-such-record"
    response = client.get(f"{url}/{unknown}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and problem["type"] == "/problems/not-found"
    assert unknown in problem["detail"]


def test_article_text_is_verbatim(client: TestClient) -> None:
    expected = (SEED_DIR / "niger-russia-military-ties.txt").read_text()
    body = client.get("/v1/articles/niger-russia-military-ties").json()
    assert body["text"] == expected and body["length"] == 3303
    assert "text" not in client.get("/v1/articles").json()["data"][0]


@pytest.mark.parametrize("code", ["NE", "ne", "NER", "ner", "Ner"])
def test_country_accepts_alpha2_and_alpha3_in_any_case(client: TestClient, code: str) -> None:
    body = client.get(f"/v1/countries/{code}").json()
    assert (body["code"], body["iso3"], body["name"]) == ("NE", "NER", "Niger")


def test_united_states_keeps_the_articles_spellings(client: TestClient) -> None:
    us = client.get("/v1/countries/us").json()
    assert {"U S", "Washington"} <= set(us["aliases"])


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return {r.get("id") or r.get("code") for r in response.json()["data"]}


def test_events_filter_by_country(client: TestClient) -> None:
    ne = ids(client.get("/v1/events", params={"country": "NE", "limit": 100}))
    assert {"niger-coup-2023", "us-cuts-aid-to-niger"} <= ne
    assert "mali-coup-2021" not in ne
    assert ne == ids(client.get("/v1/events", params={"country": "ner", "limit": 100}))
    assert ids(client.get("/v1/events", params={"country": "ZW"})) == set()


def test_events_filter_by_kind_and_participant(client: TestClient) -> None:
    coups = ids(client.get("/v1/events", params={"kind": "coup"}))
    assert coups == {"niger-coup-2023", "burkina-faso-coup-2022", "mali-coup-2021"}
    tiani = ids(client.get("/v1/events", params={"participant": "abdourahamane-tiani"}))
    assert tiani == {"niger-coup-2023"}
    by_us = ids(client.get("/v1/events", params={"participant": "us", "limit": 100}))
    assert "us-cuts-aid-to-niger" in by_us and "niger-coup-2023" not in by_us


@pytest.mark.parametrize(
    ("params", "included", "excluded"),
    [
        # A coup known only to the month (July 2023) overlaps any range touching July.
        (
            {"from": "2023-07-20", "to": "2023-07-21"},
            {"niger-coup-2023"},
            {"cnsp-supporters-flags-niamey"},
        ),
        (
            {"from": "2023-07"},
            {"niger-coup-2023", "cnsp-supporters-flags-niamey"},
            {"mali-coup-2021"},
        ),
        ({"from": "2023-08"}, {"cnsp-supporters-flags-niamey"}, {"niger-coup-2023"}),
        ({"to": "2022"}, {"mali-coup-2021", "burkina-faso-coup-2022"}, {"niger-coup-2023"}),
        (
            {"from": "2022-09-30", "to": "2022-09-30"},
            {"burkina-faso-coup-2022"},
            {"mali-coup-2021"},
        ),
        ({"from": "2021-06-01", "to": "2021-06-01"}, {"mali-coup-2021"}, set()),
        (
            {"from": "2023-08-26", "to": "2023-08-26"},
            {"cnsp-supporters-flags-niamey"},
            {"niger-coup-2023"},
        ),
    ],
)
def test_events_filter_by_partial_dates_overlapping_their_precision(
    client: TestClient, params: dict[str, str], included: set[str], excluded: set[str]
) -> None:
    found = ids(client.get("/v1/events", params={**params, "limit": 100}))
    assert included <= found
    assert not (excluded & found)
    assert "russia-niger-military-cooperation" not in found  # undated: no range matches it


def test_events_sort_by_date_puts_undated_last_both_ways(client: TestClient) -> None:
    ascending, _ = walk(client, "/v1/events", sort="date", limit=7)
    descending, _ = walk(client, "/v1/events", sort="-date", limit=7)
    dated_up = [e["date_start"] for e in ascending if e["date_start"]]
    dated_down = [e["date_start"] for e in descending if e["date_start"]]
    assert dated_up == sorted(dated_up) and dated_down == sorted(dated_down, reverse=True)
    assert (
        ascending[0]["id"] == "mali-coup-2021"
        and descending[0]["id"] == "cnsp-supporters-flags-niamey"
    )
    assert ascending[-1]["date"] is None and descending[-1]["date"] is None


def test_events_carry_participants_countries_and_precision(client: TestClient) -> None:
    coup = client.get("/v1/events/niger-coup-2023").json()
    assert (coup["kind"], coup["date"], coup["date_precision"]) == ("coup", "2023-07", "month")
    assert coup["countries"] == ["NE"]
    roles = {(p["type"], p["id"], p["role"]) for p in coup["participants"]}
    assert ("person", "abdourahamane-tiani", "instigator") in roles
    assert ("person", "mohamed-bazoum", "target") in roles
    assert all(p["name"] for p in coup["participants"])


def test_quotes_are_verbatim_and_filterable(client: TestClient) -> None:
    text = article_text(client)
    quotes, total = walk(client, "/v1/quotes", limit=100)
    assert total == 9
    for quote in quotes:
        span = quote["evidence"][0]
        assert quote["text"] == span["text"]
        assert text[: span["start"]].rstrip()[-1] == '"' and text[span["end"] :].lstrip()[0] == '"'
    ajala = ids(client.get("/v1/quotes", params={"speaker": "olayinka-ajala", "limit": 100}))
    assert len(ajala) == 7
    us = client.get("/v1/quotes", params={"speaker": "USA"}).json()["data"]
    assert [q["text"] for q in us] == ["an effort to seize power by force"]
    assert us[0]["speaker"] == {"type": "country", "id": "US", "name": "United States"}
    found = client.get("/v1/quotes", params={"q": "heavy machinery"}).json()["data"]
    assert len(found) == 1 and found[0]["text"].startswith("They probably will start")


def test_aid_filters_and_money_fields(client: TestClient) -> None:
    aid = client.get("/v1/aid", params={"donor": "US", "recipient": "ne"}).json()["data"]
    assert len(aid) == 1
    cut = aid[0]
    assert (cut["amount"], cut["currency"], cut["qualifier"], cut["kind"]) == (
        500_000_000,
        "USD",
        "more_than",
        "cut",
    )
    # "more than $500 million" may be 600 million, cannot be 500 million or less
    assert ids(client.get("/v1/aid", params={"min_amount": 600_000_000})) == {cut["id"]}
    assert ids(client.get("/v1/aid", params={"max_amount": 500_000_000})) == set()
    assert ids(client.get("/v1/aid", params={"max_amount": 500_000_001, "currency": "usd"})) == {
        cut["id"]
    }
    within = {"min_amount": 600_000_000, "amount_match": "within"}
    assert ids(client.get("/v1/aid", params=within)) == set()
    assert ids(client.get("/v1/aid", params={"donor": "RU"})) == set()


def test_figures_keep_numbers_with_units(client: TestClient) -> None:
    figures = {f["id"]: f for f in client.get("/v1/figures").json()["data"]}
    assert figures["africa-corps-burkina-faso-troops"]["value"] == 100
    assert figures["africa-corps-burkina-faso-troops"]["unit"] == "soldiers"
    assert figures["trans-saharan-pipeline-value"]["value"] == 13_000_000_000
    assert figures["trans-saharan-pipeline-value"]["unit"] == "USD"
    soldiers = ids(client.get("/v1/figures", params={"unit": "soldiers"}))
    assert "trans-saharan-pipeline-value" not in soldiers and len(soldiers) == 2


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        ("/v1/places", {"q": "Agedez"}, {"agadez"}),
        ("/v1/people", {"q": "Bazoumin"}, {"mohamed-bazoum"}),
        ("/v1/people", {"q": "ajala"}, {"olayinka-ajala"}),
        ("/v1/countries", {"q": "U S"}, {"US"}),
        ("/v1/countries", {"q": "Washington"}, {"US"}),
        # the magazine by its abbreviation, and its publisher, described by it
        ("/v1/organizations", {"q": "ADF"}, {"africa-defense-forum", "us-africa-command"}),
        ("/v1/organizations", {"q": "ECOWAS"}, {"ecowas"}),
    ],
)
def test_q_matches_names_aliases_and_the_articles_spellings(
    client: TestClient, url: str, params: dict[str, str], expected: set[str]
) -> None:
    assert ids(client.get(url, params=params)) == expected


def test_places_and_organizations_filter_by_country_and_kind(client: TestClient) -> None:
    cities = client.get("/v1/places", params={"kind": "city", "country": "NE"}).json()["data"]
    assert {p["id"] for p in cities} == {"agadez", "niamey"}
    # coordinates are never the article's: always marked as enrichment
    assert all(p["lat"] is not None and {"lat", "lon"} <= set(p["enrichment"]) for p in cities)
    russian = ids(client.get("/v1/organizations", params={"country": "RUS", "limit": 100}))
    assert {"wagner-group", "africa-corps", "russian-defense-ministry"} <= russian
    assert ids(client.get("/v1/organizations", params={"kind": "bloc", "limit": 100})) >= {
        "ecowas",
        "european-union",
    }


def test_sub_resources(client: TestClient) -> None:
    niger_events = ids(client.get("/v1/countries/ner/events", params={"limit": 100}))
    assert niger_events == ids(client.get("/v1/events", params={"country": "NE", "limit": 100}))
    coups_in_niger = ids(client.get("/v1/countries/NE/events", params={"kind": "coup"}))
    assert coups_in_niger == {"niger-coup-2023"}
    assert len(ids(client.get("/v1/countries/US/aid"))) == 1
    assert len(ids(client.get("/v1/countries/NE/aid"))) == 1
    assert ids(client.get("/v1/countries/RU/aid")) == set()
    assert len(ids(client.get("/v1/people/olayinka-ajala/quotes", params={"limit": 100}))) == 7
    condemn = client.get("/v1/events/us-calls-overthrow-seizure-of-power/quotes").json()["data"]
    assert [q["text"] for q in condemn] == ["an effort to seize power by force"]


@pytest.mark.parametrize(
    "url",
    [
        "/v1/countries/ZZ/events",
        "/v1/countries/zzz/aid",
        "/v1/people/nobody-here/quotes",
        "/v1/events/no-such-event/quotes",
    ],
)
def test_sub_resources_of_missing_parents_are_404(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_search_ranks_across_resources_and_marks_matches(client: TestClient) -> None:
    body = client.get("/v1/search", params={"q": "Agedez"}).json()
    top = body["data"][0]
    assert (top["type"], top["id"], top["label"]) == ("place", "agadez", "Agadez")
    assert "<mark>Agedez</mark>" in top["snippet"]
    coup = client.get("/v1/search", params={"q": "coup", "limit": 100}).json()
    assert {"event"} <= {hit["type"] for hit in coup["data"]}
    ranks = [hit["rank"] for hit in coup["data"]]
    assert ranks == sorted(ranks, reverse=True)
    assert coup["total"] == len(coup["data"])
    walked, total = walk(client, "/v1/search", q="niger", limit=3)
    assert len({(h["type"], h["id"]) for h in walked}) == total == len(walked) > 3


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("Niger", ("country", "NE")),  # the name itself, before Nigeria
        ("niger", ("country", "NE")),
        ("US", ("country", "US")),  # an alpha-2 code, before "USD" and "use"
        ("U S", ("country", "US")),  # the article's spelling
        ("Bazoumin", ("person", "mohamed-bazoum")),
        ("ECOWAS", ("organization", "ecowas")),
        # only the article's own claim about why Niger matters to the West says it
        ("uranium", ("statement", "newsweek-niger-strategic-for-west")),
    ],
)
def test_search_puts_the_record_named_first(
    client: TestClient, q: str, first: tuple[str, str]
) -> None:
    hit = client.get("/v1/search", params={"q": q}).json()["data"][0]
    assert (hit["type"], hit["id"]) == first


def test_search_snippets_are_html_with_only_the_marks_as_markup() -> None:
    from app.fulltext import _CLOSE, _OPEN, marked

    snippet = marked(f"<b>Niger</b> & {_OPEN}Agedez{_CLOSE}\ncity")
    assert snippet == "&lt;b&gt;Niger&lt;/b&gt; &amp; <mark>Agedez</mark> · city"


def test_a_search_cursor_pages_only_its_own_query(client: TestClient) -> None:
    cursor = client.get("/v1/search", params={"q": "niger", "limit": 2}).json()["next_cursor"]
    other = client.get("/v1/search", params={"q": "russia", "cursor": cursor})
    assert other.status_code == 422 and "other filters" in other.json()["detail"]
    same = client.get("/v1/search", params={"q": "niger", "limit": 2, "cursor": cursor})
    assert same.status_code == 200 and same.json()["data"]


def test_sparse_fields_and_includes(client: TestClient) -> None:
    sparse = client.get("/v1/events", params={"fields": "title,date"}).json()["data"]
    assert all(set(e) == {"id", "title", "date"} for e in sparse)
    with_people = client.get(
        "/v1/events/niger-coup-2023", params={"include": "participants"}
    ).json()
    embedded = with_people["included"]["participants"]
    assert {r["type"] for r in embedded} == {"person", "country"}  # mixed, so each says
    records = {r["id"]: r for r in embedded if "id" in r}
    assert records["mohamed-bazoum"]["aliases"] and records["mohamed-bazoum"]["evidence"]
    quote = client.get("/v1/quotes", params={"include": "speaker,event", "speaker": "US"}).json()
    included = quote["data"][0]["included"]
    assert (
        included["speaker"]["code"] == "US"
        and included["event"]["id"] == "us-calls-overthrow-seizure-of-power"
    )


def test_a_page_of_events_costs_a_constant_number_of_queries(seeded_url: str) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        if args[2] != "BEGIN" and "store_meta" not in args[2]:  # the version is cached apart
            statements.append(args[2])

    # No response cache: every request below runs its queries.
    with app_client(seeded_url, response_cache_bytes=0) as client:
        engine = engine_of(client)
        event.listen(engine, "before_cursor_execute", count)

        def queries(**params: Any) -> int:
            statements.clear()
            assert client.get("/v1/events", params=params).status_code == 200
            return len(statements)

        first, small, large = queries(limit=3), queries(limit=3), queries(limit=99)
        embedded = queries(limit=99, include="participants")
    # A page is one query for its stored documents, whatever its size; the first page of a
    # filter set also counts the total, once per data version (on PostgreSQL, within a
    # savepoint that bounds its time: two statements more).
    counting = 2 if seeded_url.startswith("sqlite") else 4
    assert (first, small, large) == (counting, 1, 1)
    # include= adds one query per type of record embedded (at most 4 participant types)
    assert embedded <= large + 4


# --- errors ----------------------------------------------------------------------------------


def assert_problem(response: Any, status: int, parameter: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    if parameter is not None:
        assert parameter in {e["name"] for e in body["errors"]}, body
    return body


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        ("/v1/events", {"limit": "0"}, "limit"),
        ("/v1/events", {"limit": "101"}, "limit"),
        ("/v1/events", {"limit": "ten"}, "limit"),
        ("/v1/events", {"sort": "population"}, "sort"),
        ("/v1/events", {"from": "2023-13"}, "from"),
        ("/v1/events", {"to": "2023-02-30"}, "to"),
        ("/v1/events", {"kind": "picnic"}, "kind"),
        ("/v1/events", {"country": "N1"}, "country"),
        ("/v1/events", {"fields": "title,secret"}, "fields"),
        ("/v1/events", {"include": "everything"}, "include"),
        ("/v1/aid", {"min_amount": "-1"}, "min_amount"),
        ("/v1/search", {}, "q"),
        ("/v1/countries/N1", {}, "code"),
        ("/v1/people/Mohamed-Bazoum", {}, "id"),
        ("/v1/aid", {"currency": "US"}, "currency"),
    ],
)
def test_bad_parameters_are_422_problems_naming_the_parameter(
    client: TestClient, url: str, params: dict[str, str], parameter: str
) -> None:
    detail = assert_problem(client.get(url, params=params), 422, parameter)["detail"]
    assert "^" not in detail and "$" not in detail, detail  # words, not the regex


@pytest.mark.parametrize(
    ("url", "params", "reason"),
    [
        ("/v1/people/Mohamed-Bazoum", {}, "ids are lower-case letters and digits joined by"),
        ("/v1/countries/N1", {}, "must be an ISO 3166-1 alpha-2 or alpha-3 code"),
        ("/v1/events", {"to": "2023-02-30"}, "must be a date on the calendar as YYYY, YYYY-MM"),
        ("/v1/events", {"country": "N1"}, "must be ISO 3166-1 alpha-2 or alpha-3 codes"),
        ("/v1/people", {"id": "a,,b"}, "must be ids, none empty"),
        ("/v1/aid", {"currency": "US"}, "must be ISO 4217 currency codes"),
        ("/v1/events", {"fields": "title,secret"}, "comma-separated values of: id, article"),
        ("/v1/events", {"facet": "mood"}, "comma-separated values of: kind"),
    ],
)
def test_a_refused_pattern_names_the_reason_declared_with_its_parameter(
    client: TestClient, url: str, params: dict[str, str], reason: str
) -> None:
    (error,) = assert_problem(client.get(url, params=params), 422)["errors"]
    assert reason in error["reason"], error


def test_a_refusal_says_what_its_own_declaration_says_not_what_a_table_says() -> None:
    """Two parameters with one regex and different words, and one with the regex alone: each
    refusal says what its own declaration says (nothing is looked up by the regex)."""
    from typing import Annotated

    from fastapi import FastAPI, Path, Query

    from app import errors
    from app.api.params import SLUG

    app = FastAPI()
    errors.install(app)

    @app.get("/things/{key}")
    def thing(
        key: Annotated[str, Path(pattern=errors.Explained(SLUG, "a thing's key is a slug"))],
        tag: Annotated[str | None, Query(pattern=errors.Explained(SLUG, "tags are slugs"))] = None,
        plain: Annotated[str | None, Query(pattern=str(SLUG))] = None,
    ) -> None:
        """A route of the test's own."""

    with TestClient(app) as local:
        response = local.get("/things/Not_A_Slug", params={"tag": "No Tag", "plain": "No!"})
    reasons = {e["name"]: e["reason"] for e in assert_problem(response, 422)["errors"]}
    assert reasons["key"] == "a thing's key is a slug"
    assert reasons["tag"] == "tags are slugs"
    assert reasons["plain"].startswith("String should match pattern"), reasons  # no reason given
    assert SLUG.reason == "ids are lower-case letters and digits joined by hyphens"


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/v1/events", {"from": "2024", "to": "2023"}),
        ("/v1/aid", {"min_amount": "5", "max_amount": "1"}),
        ("/v1/search", {"q": '"*" ()'}),
        ("/v1/events", {"q": "( OR *"}),
        ("/v1/countries", {"q": "--"}),
    ],
)
def test_empty_ranges_and_wordless_queries_match_nothing(
    client: TestClient, url: str, params: dict[str, str]
) -> None:
    response = client.get(url, params=params)
    assert response.status_code == 200
    nothing = {"data": [], "total": 0, "next_cursor": None}
    assert response.json() == nothing | ({"fuzzy": False} if url == "/v1/search" else {})


def test_cursors_that_are_tampered_or_foreign_are_refused(client: TestClient) -> None:
    cursor = client.get("/v1/events", params={"limit": 1}).json()["next_cursor"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-3] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    for bad, where in [
        (tampered, "/v1/events"),
        (cursor[:-4], "/v1/events"),
        ("not-a-cursor!", "/v1/events"),
        (cursor, "/v1/quotes"),
    ]:
        assert_problem(client.get(where, params={"cursor": bad}), 422, "cursor")
    other_sort = client.get("/v1/events", params={"cursor": cursor, "sort": "-date"})
    assert "sort=date" in assert_problem(other_sort, 422, "cursor")["detail"]


def test_unknown_paths_and_methods_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/v2/everything"), 404)
    assert_problem(client.post("/v1/events"), 405)
    assert_problem(client.delete("/v1/countries/NE"), 405)


def test_problem_types_are_explained(client: TestClient) -> None:
    problem = client.get("/v1/events", params={"limit": 0}).json()
    explained = client.get(problem["type"])
    assert explained.status_code == 200 and explained.json()["description"]


# --- caching, CORS, health -------------------------------------------------------------------


def test_etag_and_conditional_get(client: TestClient) -> None:
    first = client.get("/v1/countries/NE")
    etag = first.headers["etag"]
    assert etag.startswith('"') and "max-age" in first.headers["cache-control"]
    assert client.get("/v1/countries/NE").headers["etag"] == etag
    assert client.get("/v1/countries/FR").headers["etag"] != etag
    for sent in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        again = client.get("/v1/countries/NE", headers={"If-None-Match": sent})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
    assert client.get("/v1/countries/NE", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_cors_preflight_and_exposed_headers(client: TestClient) -> None:
    preflight = client.options(
        "/v1/events",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    response = client.get("/v1/events", headers={"Origin": "https://example.org"})
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "link"} <= exposed


def test_request_ids_are_echoed_or_made(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["articles"] == 1 and ready["data_version"]


# --- docs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_without_external_urls(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    assert "http://" not in html.text and "https://" not in html.text
    for asset in ("/static/docs/swagger-ui-bundle.js", "/static/docs/redoc.standalone.js"):
        if asset in html.text:
            assert client.get(asset).status_code == 200


def test_openapi_documents_every_operation_and_parameter(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary") and operation.get("description"), where
            assert operation.get("tags"), where
            ok = operation["responses"]["200"]
            assert ok["content"], where
            for media in ok["content"].values():  # JSON, and W3C annotations where offered
                assert "example" in media, where
            assert "X-Request-ID" in ok["headers"], where
            if path.startswith("/v1"):
                assert {"ETag", "Cache-Control"} <= set(ok["headers"]), where
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):  # what the API sends, and only that
                    media = response["content"]
                    assert list(media) == ["application/problem+json"], (where, status)
                    problem = media["application/problem+json"]
                    assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
                    assert problem["example"]["status"] == int(status), (where, status)
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{where} {parameter['name']}"
    lists = spec["paths"]["/v1/events"]["get"]["responses"]["200"]
    assert "Link" in lists["headers"]
    included = spec["components"]["schemas"]["EventPublic"]["properties"]["included"]
    assert included["$ref"] == "#/components/schemas/EventIncluded"
