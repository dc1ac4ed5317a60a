"""Every example in the OpenAPI document is what the API really serves for that record or
request (app/openapi/examples.py is data: this keeps it true)."""

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from app.errors import TIME_LIMIT_DETAIL, QueryTimeout, problem_body
from app.openapi import annotation_examples
from app.openapi.examples import ANNOTATION_BASE, EXAMPLES, META_EXAMPLES, PROBLEM_EXAMPLES

RECORD_URLS = {
    "CountryPublic": "/v1/countries/{code}",
    "PersonPublic": "/v1/people/{id}",
    "OrganizationPublic": "/v1/organizations/{id}",
    "PlacePublic": "/v1/places/{id}",
    "EventPublic": "/v1/events/{id}",
    "QuotePublic": "/v1/quotes/{id}",
    "StatementPublic": "/v1/statements/{id}",
    "AidPublic": "/v1/aid/{id}",
    "FigurePublic": "/v1/figures/{id}",
    "ArticlePublic": "/v1/articles/{id}",
}


SERVED_URLS = {
    "AidSummary": "/v1/aid/summary?group_by=donor",
    "FigureSummary": "/v1/figures/summary?group_by=unit",
    "Suggestions": "/v1/autocomplete?q=Bazum",
}


def test_every_example_is_checked() -> None:
    checked = {*RECORD_URLS, *SERVED_URLS, "ArticleSummary", "SearchHit", "Mentions"}
    assert set(EXAMPLES) == checked
    assert set(META_EXAMPLES) == {"/healthz", "/readyz", "/problems/{slug}"}
    assert set(PROBLEM_EXAMPLES) == {"404", "422", "503"}


@pytest.mark.parametrize("shape", sorted(RECORD_URLS))
def test_record_examples_are_what_the_api_serves(client: TestClient, shape: str) -> None:
    example = dict(EXAMPLES[shape])
    served = client.get(RECORD_URLS[shape].format(**example)).json()
    if "evidence" in served:
        served["evidence"] = served["evidence"][:1]  # examples show the first span only
    if shape == "ArticlePublic":  # the text is long: the example shows its beginning
        beginning = example.pop("text").removesuffix("...")
        assert served.pop("text").startswith(beginning)
    assert served == example


@pytest.mark.parametrize("shape", sorted(SERVED_URLS))
def test_summary_and_suggestion_examples_are_what_the_api_serves(
    client: TestClient, shape: str
) -> None:
    assert client.get(SERVED_URLS[shape]).json() == EXAMPLES[shape]


def test_the_mentions_example_begins_what_the_api_serves(client: TestClient) -> None:
    example = EXAMPLES["Mentions"]
    served = client.get(
        "/v1/articles/niger-russia-military-ties/mentions", params={"segments": "true"}
    ).json()
    assert served["data"][: len(example["data"])] == example["data"]
    assert served["segments"][: len(example["segments"])] == example["segments"]
    assert {k: served[k] for k in ("article", "length")} == {
        k: example[k] for k in ("article", "length")
    }


def test_the_article_summary_example_is_a_list_item(client: TestClient) -> None:
    assert client.get("/v1/articles").json()["data"] == [EXAMPLES["ArticleSummary"]]


def test_the_search_hit_example_is_the_first_hit(client: TestClient, seeded_url: str) -> None:
    example = EXAMPLES["SearchHit"]
    hit = client.get("/v1/search", params={"q": "Agedez"}).json()["data"][0]
    assert {k: hit[k] for k in ("type", "id", "label")} == {
        k: example[k] for k in ("type", "id", "label")
    }
    if seeded_url.startswith("sqlite"):  # ranks and snippets are each backend's own
        assert hit["snippet"] == example["snippet"]
        assert round(hit["rank"], 4) == example["rank"]


def test_the_annotation_examples_are_what_the_api_serves(client: TestClient) -> None:
    """The examples show the coup's first evidence span, served at ANNOTATION_BASE."""
    collection, page = annotation_examples()
    served = client.get(f"{ANNOTATION_BASE}/v1/events/niger-coup-2023/annotations").json()
    first = served["first"]["items"][0]
    assert first == collection["first"]["items"][0] == page["items"][0]
    assert {**served, "total": 1, "first": {**served["first"], "items": [first]}} == collection
    listed = client.get(f"{ANNOTATION_BASE}/v1/events?format=annotations").json()
    assert first in listed["items"] and listed["type"] == page["type"] == "AnnotationPage"


@pytest.mark.parametrize("path", sorted(META_EXAMPLES))
def test_meta_examples_are_what_the_api_serves(client: TestClient, path: str) -> None:
    served = client.get(path.replace("{slug}", "not-found")).json()
    assert served == META_EXAMPLES[path]


def without_request_id(problem: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in problem.items() if k != "request_id"}


@pytest.mark.parametrize(
    ("status", "url"), [("404", "/v1/events/niger-coup-2024"), ("422", "/v1/events?limit=101")]
)
def test_problem_examples_are_what_the_api_serves(
    client: TestClient, status: str, url: str
) -> None:
    served = client.get(url).json()
    assert without_request_id(served) == without_request_id(PROBLEM_EXAMPLES[status])


def test_the_503_example_is_the_time_limit_problem() -> None:
    """What a query over the time limit answers (tests/test_seeding_safety.py provokes one)."""
    example = PROBLEM_EXAMPLES["503"]
    body = problem_body(503, QueryTimeout.slug, TIME_LIMIT_DETAIL, instance=example["instance"])
    assert without_request_id(orjson.loads(body)) == without_request_id(example)
