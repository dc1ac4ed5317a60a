"""The OpenAPI document states what the API takes and sends: dates on the calendar, fixed
vocabularies as typed lists, sparse and included answers, facets per resource."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.dates import parse_partial_date
from app.main import create_app

DOCUMENT = create_app().openapi()


def parameter(path: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        p for p in DOCUMENT["paths"][path]["get"]["parameters"] if p["name"] == name
    )
    return found


def given(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without its `null` branch (an optional parameter's)."""
    branches = [b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"]
    assert len(branches) == 1, schema
    return branches[0]


def on_the_calendar(value: str) -> bool:
    try:
        parse_partial_date(value)
        return True
    except ValueError:
        return False


YEARS = ["0000", "0001", "0004", "0100", "0400", "1900", "2000", "2023", "2024", "8037", "9999"]
DATES = [
    f"{year}{month}{day}"
    for year in YEARS
    for month in ["", *(f"-{m:02d}" for m in range(0, 14))]
    for day in ([""] if not month else ["", *(f"-{d:02d}" for d in range(0, 33))])
]


@pytest.mark.parametrize("name", ["from", "to"])
def test_the_date_pattern_matches_exactly_the_dates_the_parser_takes(name: str) -> None:
    pattern = re.compile(given(parameter("/v1/events", name)["schema"])["pattern"])
    wrong = [d for d in DATES if bool(pattern.match(d)) is not on_the_calendar(d)]
    assert not wrong, wrong[:20]
    assert not pattern.match("8037-02-31") and not pattern.match("0000")
    assert pattern.match("2024-02-29") and not pattern.match("2023-02-29")
    assert pattern.match("2000-02-29") and not pattern.match("1900-02-29")


def test_dates_off_the_calendar_are_refused_naming_the_parameter(client: TestClient) -> None:
    for name, value in [("from", "8037-02-31"), ("to", "0000"), ("from", "2023-02-29")]:
        answer = client.get("/v1/events", params={name: value})
        assert answer.status_code == 422, (name, value)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"][0]["name"] == name
    assert client.get("/v1/events", params={"from": "2024-02-29"}).status_code == 200


VOCABULARIES = [
    ("/v1/events", "kind", "coup", True),
    ("/v1/aid", "kind", "cut", True),
    ("/v1/figures", "kind", "troops", True),
    ("/v1/organizations", "kind", "military", True),
    ("/v1/statements", "mode", "direct", True),
    ("/v1/events", "facet", "kind", False),
    ("/v1/events", "fields", "title", False),
    ("/v1/events", "include", "participants", False),
    ("/v1/autocomplete", "type", "person", False),
]


@pytest.mark.parametrize(("path", "name", "value", "negatable"), VOCABULARIES)
def test_fixed_vocabularies_are_typed_lists_sent_comma_separated(
    client: TestClient, path: str, name: str, value: str, negatable: bool
) -> None:
    declared = parameter(path, name)
    assert (declared["style"], declared["explode"]) == ("form", False)
    schema = declared["schema"]
    assert schema["type"] == "array" and schema["maxItems"] == 50 and schema["minItems"] == 1
    values = schema["items"]["enum"]
    assert value in values and (f"!{value}" in values) is negatable
    base = {"q": "niger"} if path == "/v1/autocomplete" else {}
    # the wire format is unchanged: the values joined by commas
    two = ",".join(values[:2])
    assert client.get(path, params={**base, name: two}).status_code == 200
    fifty = ",".join([value] * 50)
    assert client.get(path, params={**base, name: fifty}).status_code == 200
    for wrong in [f"{value}p", ",".join([value] * 51), "", f"{value},"]:
        answer = client.get(path, params={**base, name: wrong})
        assert answer.status_code == 422, (name, wrong[:40])
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"][0]["name"] == name


@pytest.mark.parametrize("name", ["country", "id", "participant", "article"])
def test_data_valued_filters_stay_patterns(name: str) -> None:
    schema = given(parameter("/v1/events", name)["schema"])
    assert schema["type"] == "string" and "pattern" in schema
