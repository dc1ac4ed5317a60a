"""Data v2, black-box on both stores: time the way the article gives it, who claims what,
the corrections a fact-check asked for, and evidence as W3C Web Annotations. Expected values
come from reading the article (seed/niger-russia-military-ties.txt)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.annotations import CONTEXT, MEDIA_TYPE
from app.loader import default_paths
from tests.conftest import (
    SEED_DIR,
    app_client,
    seeded_client,
)

DATA = Path(__file__).parent / "data"
ARTICLE = "niger-russia-military-ties"
TEXT = (SEED_DIR / f"{ARTICLE}.txt").read_text(encoding="utf-8")


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [record.get("id") or record.get("code") for record in response.json()["data"]]


def everything(client: TestClient, url: str, **params: Any) -> list[dict[str, Any]]:
    body = client.get(url, params={"limit": 100, **params}).json()
    assert body["next_cursor"] is None
    return list(body["data"])


# --- 1. time -----------------------------------------------------------------------------------

# Every event the article places in time, as EDTF, from its own words.
PLACED = {
    "niger-coup-2023": "2023-07",  # "ousted President Mohamed Bazoum in July 2023"
    "burkina-faso-coup-2022": "2022-09",  # "a coup in September 2022"
    "mali-coup-2021": "2021",  # "a coup in 2021"
    "mali-welcomes-wagner": "2021/..",  # "after a coup in 2021"
    "adf-report-march-2023": "2023-03",  # "said in March 2023"
    "mali-burkina-faso-mining-concessions": "../2023-03",  # reported in March 2023
    "niger-expels-french-troops": "2023-07/..",  # "the junta": there is one since the coup
    "niger-cuts-european-security-pacts": "2023-07/..",
    "france-ecowas-threaten-force": "2023-07/..",  # "Following the coup"
    "cnsp-supporters-flags-niamey": "2023-08-26",  # the caption's "Agust 26, 2023"
}


def test_every_event_the_article_places_has_its_bounds(client: TestClient) -> None:
    events = {e["id"]: e for e in everything(client, "/v1/events")}
    for key, edtf in PLACED.items():
        assert events[key]["date_edtf"] == edtf, key
    coup = events["niger-coup-2023"]
    assert (coup["date"], coup["date_start"], coup["date_end"]) == (
        "2023-07",
        "2023-07-01",
        "2023-07-31",
    )
    wagner = events["mali-welcomes-wagner"]
    assert (wagner["date"], wagner["date_start"], wagner["date_end"]) == (None, "2021-01-01", None)
    assert wagner["date_relation"] == {"after": "mali-coup-2021"} and wagner["date_note"]
    offers = events["mali-burkina-faso-mining-concessions"]
    assert (offers["date_start"], offers["date_end"]) == (None, "2023-03-31")
    assert offers["date_relation"] == {"before": "adf-report-march-2023"}
    # "in January", with no year: unbounded, and says why
    january = events["russia-niger-military-cooperation"]
    assert (january["date_start"], january["date_end"], january["date_edtf"]) == (None,) * 3
    assert january["date_text"] == "in January" and "January" in january["date_note"]


def test_a_timeline_sorts_by_bounds_with_the_unbounded_last_both_ways(client: TestClient) -> None:
    events = everything(client, "/v1/events", sort="date")
    order = [e["id"] for e in events]
    assert order[:6] == [
        "mali-coup-2021",
        "mali-welcomes-wagner",
        "burkina-faso-coup-2022",
        "adf-report-march-2023",
        "mali-burkina-faso-mining-concessions",  # its latest day, 2023-03-31
        "niger-coup-2023",
    ]
    assert order.index("cnsp-supporters-flags-niamey") > order.index("niger-expels-french-troops")
    bounded = [e for e in events if e["date_start"] or e["date_end"]]
    assert len(bounded) == len(PLACED) + 2  # and the US remark and Russia's warning
    assert all(not (e["date_start"] or e["date_end"]) for e in events[len(bounded) :])
    descending = [e["id"] for e in everything(client, "/v1/events", sort="-date")]
    assert descending[: len(bounded)] == order[: len(bounded)][::-1]
    assert set(descending[len(bounded) :]) == set(order[len(bounded) :])


def test_from_and_to_find_what_may_have_happened_and_within_what_certainly_did(
    client: TestClient,
) -> None:
    window = {"from": "2023-08", "to": "2023-12"}
    possible = set(ids(client.get("/v1/events", params={**window, "limit": 100})))
    post_coup = {
        "niger-expels-french-troops",
        "niger-cuts-european-security-pacts",
        "france-ecowas-threaten-force",
        "cnsp-supporters-flags-niamey",
        "mali-welcomes-wagner",  # in 2021 or later: possibly in late 2023 too
    }
    assert post_coup <= possible
    assert "niger-coup-2023" not in possible and "adf-report-march-2023" not in possible
    assert "russia-niger-military-cooperation" not in possible  # no bound: matches neither
    certain = ids(client.get("/v1/events", params={**window, "date_match": "within"}))
    assert certain == ["cnsp-supporters-flags-niamey"]
    before = set(ids(client.get("/v1/events", params={"to": "2022", "limit": 100})))
    assert before == {
        "mali-coup-2021",
        "mali-welcomes-wagner",
        "burkina-faso-coup-2022",
        "mali-burkina-faso-mining-concessions",
    }
    empty = client.get("/v1/events", params={"from": "2024", "to": "2023"}).json()
    assert empty["total"] == 0


@pytest.mark.parametrize("url", ["/v1/statements", "/v1/aid", "/v1/figures"])
def test_statements_aid_and_figures_take_the_same_time_filters(
    client: TestClient, url: str
) -> None:
    response = client.get(url, params={"from": "2023", "sort": "date", "limit": 100})
    assert response.status_code == 200, response.text
    for record in response.json()["data"]:
        assert record["date_end"] is None or record["date_end"] >= "2023-01-01"
        assert record["date_start"] or record["date_end"]
    within = client.get(url, params={"from": "2023", "date_match": "within"}).json()["data"]
    assert all(r["date_start"] >= "2023-01-01" for r in within)


def test_the_adf_report_is_dated_and_ajala_spoke_after_the_coup(client: TestClient) -> None:
    adf = client.get("/v1/statements/adf-says-mali-burkina-faso-offered-concessions").json()
    assert (adf["date"], adf["date_edtf"]) == ("2023-03", "2023-03")
    leave = client.get("/v1/statements/ajala-says-washington-risks-leaving").json()
    assert leave["date_edtf"] == "2023-07/.." and leave["date_relation"] == {
        "after": "niger-coup-2023"
    }


# --- 2. who claims what --------------------------------------------------------------------------


def test_ajalas_reported_claims(client: TestClient) -> None:
    claims = everything(client, "/v1/statements", speaker="olayinka-ajala", mode="indirect")
    texts = {s["text"] for s in claims}
    assert "Russia does not have any troops on the ground in Niger at the moment" in texts
    assert any(t.startswith("if Washington labeled it a coup, it runs the risk") for t in texts)
    assert all(
        s["speaker"] == {"type": "person", "id": "olayinka-ajala", "name": "Olayinka Ajala"}
        for s in claims
    )
    assert all(s["quote"] is None and s["mode"] == "indirect" for s in claims)
    assert len(claims) == 5


def test_every_quotation_is_a_direct_statement_linked_to_its_quote(client: TestClient) -> None:
    quotes = {q["id"]: q for q in everything(client, "/v1/quotes")}
    direct = everything(client, "/v1/statements", mode="direct")
    assert sorted(s["quote"] for s in direct) == sorted(quotes)
    for statement in direct:
        quote = quotes[statement["quote"]]
        assert statement["text"] == quote["text"] and statement["speaker"] == quote["speaker"]


def test_narration_is_the_publishers_and_says_why_niger_matters(client: TestClient) -> None:
    narration = everything(client, "/v1/statements", mode="narration")
    assert {s["speaker"]["id"] for s in narration} == {"newsweek"}
    texts = " ".join(s["text"] for s in narration)
    for words in (
        "uranium and energy reserves make it strategically important for the West",
        "sparking fears that Moscow would step in to fill the void",
        "Moscow was also motivated to disrupt the $13 billion Trans-Saharan gas pipeline",
    ):
        assert words in texts


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"speaker": "US"}, {"us-says-effort-to-seize-power"}),
        ({"speaker": "USA"}, {"us-says-effort-to-seize-power"}),
        ({"speaker": "africa-defense-forum"}, {"adf-says-mali-burkina-faso-offered-concessions"}),
        ({"speaker": "RU", "mode": "indirect"}, {"russia-warning-against-military-action"}),
        ({"event": "niger-coup-2023", "speaker": "US"}, {"us-says-effort-to-seize-power"}),
        (
            {"about": "trans-saharan-gas-pipeline", "mode": "narration"},
            {"newsweek-moscow-motive-pipeline"},
        ),
        ({"q": "uranium"}, {"newsweek-niger-strategic-for-west"}),
    ],
)
def test_statement_filters(client: TestClient, params: dict[str, str], expected: set[str]) -> None:
    assert set(ids(client.get("/v1/statements", params={**params, "limit": 100}))) == expected


def test_the_significant_stake_and_the_former_colony_are_ajalas_claim(
    client: TestClient,
) -> None:
    (claim,) = everything(client, "/v1/statements", q="significant stake")
    assert "former French colony" in claim["text"] and claim["mode"] == "indirect"
    assert claim["speaker"]["id"] == "olayinka-ajala"
    assert {"NE", "US"} <= {ref["id"] for ref in claim["about"]}


def test_statements_hang_from_people_and_events(client: TestClient) -> None:
    by_ajala = ids(client.get("/v1/people/olayinka-ajala/statements", params={"limit": 100}))
    assert len(by_ajala) == 12  # 7 quotations and 5 reported claims
    said = ids(client.get("/v1/events/ajala-tells-newsweek/statements", params={"limit": 100}))
    assert "ajala-says-no-russian-troops-in-niger" in said
    coup = ids(client.get("/v1/events/niger-coup-2023/statements", params={"limit": 100}))
    assert "us-says-effort-to-seize-power" in coup
    assert client.get("/v1/people/nobody-here/statements").status_code == 404
    assert client.get("/v1/events/no-such-event/statements").status_code == 404


def test_search_covers_statements(client: TestClient) -> None:
    hits = client.get("/v1/search", params={"q": "significant stake"}).json()["data"]
    assert ("statement", "ajala-says-moscow-determined-in-west-africa") in {
        (h["type"], h["id"]) for h in hits
    }


# --- 3. corrections ------------------------------------------------------------------------------


def test_titles_and_kinds_say_no_more_than_the_article(client: TestClient) -> None:
    events = {e["id"]: e for e in everything(client, "/v1/events")}
    titles = " ".join(e["title"] for e in events.values()).lower()
    assert "condemn" not in titles and "deal" not in titles and "rally" not in titles
    assert "military coup" not in titles
    assert events["mali-burkina-faso-mining-concessions"]["kind"] == "offer"
    assert "offer" in events["mali-burkina-faso-mining-concessions"]["title"].lower()
    assert {e["kind"] for e in events.values()}.isdisjoint({"rally", "agreement"})
    assert events["cnsp-supporters-flags-niamey"]["kind"] == "gathering"
    assert "flag" in events["cnsp-supporters-flags-niamey"]["title"].lower()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/v1/events/us-condemns-niger-coup", "/v1/events/us-calls-overthrow-seizure-of-power"),
        ("/v1/events/cnsp-supporters-rally-niamey", "/v1/events/cnsp-supporters-flags-niamey"),
        (
            "/v1/events/us-condemns-niger-coup/quotes?limit=5",
            "/v1/events/us-calls-overthrow-seizure-of-power/quotes?limit=5",
        ),
    ],
)
def test_a_renamed_record_redirects_from_its_old_id(client: TestClient, old: str, new: str) -> None:
    moved = client.get(old, follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == new
    assert client.get(old).json() == client.get(new).json()


def test_aliases_are_names_not_adjectives(client: TestClient) -> None:
    countries = {c["code"]: c for c in everything(client, "/v1/countries")}
    assert "French" not in countries["FR"]["aliases"]
    assert "Russian" not in countries["RU"]["aliases"]
    assert "Moscow" in countries["RU"]["aliases"] and "Paris" in countries["FR"]["aliases"]


def test_outside_knowledge_is_marked_in_one_shape(client: TestClient) -> None:
    places = {p["id"]: p for p in everything(client, "/v1/places")}
    niamey = places["niamey"]
    assert niamey["description"] != "Capital of Niger" or "description" in niamey["enrichment"]
    for place in places.values():
        if place["lat"] is not None:
            assert {"lat", "lon"} <= set(place["enrichment"])
        assert "coordinates_source" not in place
    ecowas = client.get("/v1/organizations/ecowas").json()
    assert ecowas["name"] == "Economic Community of West African States"
    assert "name" in ecowas["enrichment"]  # the article writes only "ECOWAS"


def test_the_us_quote_concerns_the_coup(client: TestClient) -> None:
    quotes = everything(client, "/v1/events/niger-coup-2023/quotes")
    assert [q["id"] for q in quotes] == ["us-effort-to-seize-power"]
    assert quotes[0]["events"][0] == quotes[0]["event"]
    assert "niger-coup-2023" in quotes[0]["events"]
    assert ids(client.get("/v1/quotes", params={"event": "niger-coup-2023"})) == [
        "us-effort-to-seize-power"
    ]


# --- 4. evidence as W3C annotations --------------------------------------------------------------


def test_every_span_carries_its_context(client: TestClient) -> None:
    for url in ("/v1/events", "/v1/statements", "/v1/countries", "/v1/organizations"):
        for record in everything(client, url):
            for span in record["evidence"]:
                start, end = span["start"], span["end"]
                assert span["text"] == TEXT[start:end]
                assert span["prefix"] == TEXT[max(0, start - 32) : start]
                assert span["suffix"] == TEXT[end : end + 32]


def test_a_records_evidence_as_an_annotation_collection(client: TestClient) -> None:
    response = client.get("/v1/events/niger-coup-2023/annotations")
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPE
    collection = response.json()
    assert collection["@context"] == CONTEXT and collection["type"] == "AnnotationCollection"
    record = client.get("/v1/events/niger-coup-2023").json()
    items = collection["first"]["items"]
    assert collection["total"] == len(items) == len(record["evidence"])
    assert len({a["id"] for a in items}) == len(items)
    for annotation, span in zip(items, record["evidence"], strict=True):
        assert annotation["type"] == "Annotation" and annotation["id"].startswith("http")
        assert annotation["body"] == "http://testserver/v1/events/niger-coup-2023"
        target = annotation["target"]
        assert target["source"] == f"http://testserver/v1/articles/{ARTICLE}"
        position, quote = target["selector"]
        assert position == {
            "type": "TextPositionSelector",
            "start": span["start"],
            "end": span["end"],
        }
        assert quote == {
            "type": "TextQuoteSelector",
            "exact": span["text"],
            "prefix": span["prefix"],
            "suffix": span["suffix"],
        }


@pytest.mark.parametrize(
    "url",
    [
        "/v1/countries/NER/annotations",
        "/v1/people/olayinka-ajala/annotations",
        "/v1/organizations/ecowas/annotations",
        "/v1/places/agadez/annotations",
        "/v1/quotes/us-effort-to-seize-power/annotations",
        "/v1/statements/ajala-says-no-russian-troops-in-niger/annotations",
        "/v1/aid/us-aid-cut-niger/annotations",
        "/v1/figures/russian-troops-in-niger/annotations",
    ],
)
def test_every_kind_of_record_has_its_annotations(client: TestClient, url: str) -> None:
    collection = client.get(url).json()
    assert collection["type"] == "AnnotationCollection" and collection["total"] >= 1
    record_url = url.removesuffix("/annotations").replace("NER", "NE")
    assert collection["first"]["items"][0]["body"] == f"http://testserver{record_url}"
    assert client.get(url.replace("/annotations", "-nope/annotations")).status_code in (404, 422)


def test_lists_as_annotation_pages_link_the_next_page(client: TestClient) -> None:
    first = client.get("/v1/events", params={"format": "annotations", "limit": 2, "sort": "date"})
    assert first.headers["content-type"] == MEDIA_TYPE
    page = first.json()
    assert page["type"] == "AnnotationPage" and page["@context"] == CONTEXT
    bodies = {a["body"].rsplit("/", 1)[1] for a in page["items"]}
    assert bodies == {"mali-coup-2021", "mali-welcomes-wagner"}
    following = client.get(page["next"]).json()
    assert {a["body"].rsplit("/", 1)[1] for a in following["items"]} == {
        "burkina-faso-coup-2022",
        "adf-report-march-2023",
    }


def test_public_url_makes_links_absolute_and_hosts_are_never_mixed(seeded_url: str) -> None:
    with app_client(seeded_url) as client:
        one = client.get("http://one.example/v1/events/mali-coup-2021/annotations").json()
        two = client.get("http://two.example/v1/events/mali-coup-2021/annotations")
        assert one["id"].startswith("http://one.example/")
        assert two.json()["id"].startswith("http://two.example/")  # not one's, from the cache
        paged = client.get("http://two.example/v1/events?limit=1")
        assert paged.headers["link"].startswith("<http://two.example/v1/events?")
    with app_client(seeded_url, public_url="https://api.example.org") as client:
        fixed = client.get("http://internal:8000/v1/events/mali-coup-2021/annotations").json()
        assert fixed["id"] == "https://api.example.org/v1/events/mali-coup-2021/annotations"


# --- two articles: merging, offsets and bounds across them ---------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def two_articles(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The seed article and a small made-up one (tests/data/talks-in-niamey: a character
    outside the BMP, Niger and Niamey again, and a date relative to the first one's coup)."""
    paths = [*default_paths(SEED_DIR), DATA / "talks-in-niamey.json"]
    with seeded_client(request.param, tmp_path_factory.mktemp("two"), paths) as client:
        yield client


def test_utf16_offsets_count_astral_characters_twice(two_articles: TestClient) -> None:
    text = two_articles.get("/v1/articles/talks-in-niamey").json()["text"]
    niger = two_articles.get("/v1/countries/NE").json()
    (span,) = [s for s in niger["evidence"] if s["article"] == "talks-in-niamey"]
    assert text[span["start"] : span["end"]] == "Niger Republic"
    utf16 = two_articles.get("/v1/countries/NE", params={"offsets": "utf16"}).json()
    (shifted,) = [s for s in utf16["evidence"] if s["article"] == "talks-in-niamey"]
    units = text.encode("utf-16-le")
    start, end = shifted["start"], shifted["end"]
    assert units[2 * start : 2 * end].decode("utf-16-le") == "Niger Republic"
    assert (start, end) == (span["start"] + 2, span["end"] + 2)  # one flag: two astral chars
    same = [s for s in utf16["evidence"] if s["article"] == ARTICLE]
    assert same == [s for s in niger["evidence"] if s["article"] == ARTICLE]  # BMP only
    listed = two_articles.get("/v1/countries", params={"offsets": "utf16", "q": "Niger"})
    assert shifted in listed.json()["data"][0]["evidence"]
    # annotations count code points, always
    annotations = two_articles.get("/v1/countries/NE/annotations").json()["first"]["items"]
    starts = {a["target"]["selector"][0]["start"] for a in annotations}
    assert span["start"] in starts


def test_entities_merge_and_bounds_cross_articles(two_articles: TestClient) -> None:
    talks = two_articles.get("/v1/events/niger-france-talks").json()
    assert talks["date_relation"] == {"after": "niger-coup-2023"}
    assert (talks["date_start"], talks["date_edtf"]) == ("2023-07-01", "2023-07/..")
    said = two_articles.get("/v1/statements/france-says-talks-useful").json()
    assert said["date_edtf"] == "2023-07/.."  # after the talks, after the coup
    niger = two_articles.get("/v1/countries/NE").json()
    assert "Niger Republic" in niger["aliases"]
    assert {s["article"] for s in niger["evidence"]} == {ARTICLE, "talks-in-niamey"}
    niamey = two_articles.get("/v1/places/niamey/annotations").json()
    sources = {a["target"]["source"].rsplit("/", 1)[1] for a in niamey["first"]["items"]}
    assert sources == {ARTICLE, "talks-in-niamey"}
