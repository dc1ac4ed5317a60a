"""Schemathesis against the app's own OpenAPI document: every operation, positive and negative
cases, every built-in check (responses to `fields=` and `include=` too), on both stores.

CI runs FUZZ_EXAMPLES cases per operation (default 120: over 2,000 in all); `make fuzz` runs
2,000 per operation."""

import os
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from app.main import create_app
from tests.conftest import app_client

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, methods in create_app().openapi()["paths"].items()
    for method in methods
]


@pytest.fixture(scope="module")
def generated() -> Iterator[dict[str, dict[str, int]]]:
    """Cases run per operation, by store. Once every operation has run on a store (in whatever
    order, but not in a run that selects only some), its total must reach the budget: CI's
    (120 a operation) must reach 2,000 cases in all; a smaller local run, half of what it
    asked for."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    yield counts
    for store, ran in counts.items():
        if len(ran) == len(OPERATIONS):
            wanted = 2000 if EXAMPLES >= 120 else len(OPERATIONS) * EXAMPLES // 2
            total = sum(ran.values())
            assert total >= wanted, f"fuzzing {store} ran {total} cases, fewer than {wanted}"


@pytest.fixture(scope="module")
def operations(seeded_url: str) -> Iterator[dict[str, Any]]:
    with app_client(seeded_url) as client:
        schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
        yield {
            f"{op.method.upper()} {op.path}": op
            for op in (result.ok() for result in schema.get_all_operations())
        }


def valid_beyond_the_schema(case: Any) -> bool:
    """Three things are valid that a schema cannot say: a cursor is one this API issued
    (anything else is refused with 422, as it must be), `include` goes with no CSV, and `bom`
    with CSV only. Positive cases breaking them are not positive cases."""
    query = case.query or {}
    if "cursor" in query:
        return False
    csv = query.get("format") == "csv"
    # CSV is flat: embedded records need NDJSON (the format parameter says so); a byte order
    # mark is for spreadsheets reading CSV (the bom parameter says so)
    return not (csv and query.get("include")) and (
        csv or query.get("bom") in (None, False, "false")
    )


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_conforms_to_the_openapi_document(
    operations: dict[str, Any], generated: dict[str, dict[str, int]], seeded_url: str, label: str
) -> None:
    operation = operations[label]
    counts = generated[seeded_url.split(":", 1)[0]]
    counts[label] = 0
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    if operation.query or operation.path_parameters:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        if case.meta.generation.mode.is_positive and not valid_beyond_the_schema(case):
            reject()
        response = case.call_and_validate()
        counts[label] += 1
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert response.headers["content-type"] == ["application/problem+json"]
        assert not re.search(r"Traceback|File \"/", response.text)

    run()


# Answers the document once did not describe (sparse and included records, facets), each
# checked by the same checks as the generated cases. Array parameters as they go on the wire
# (`style: form`, `explode: false`): joined by commas.
DESCRIBED = [
    ("GET /v1/countries", {}, {"fields": ["code"]}),
    ("GET /v1/aid/{id}", {"id": "us-aid-cut-niger"}, {"fields": ["id"], "include": ["donor"]}),
    ("GET /v1/aid/{id}", {"id": "us-aid-cut-niger"}, {"include": ["donor", "recipient", "event"]}),
    ("GET /v1/events", {}, {"include": ["participants"], "facet": ["kind", "year", "country"]}),
    ("GET /v1/statements", {}, {"fields": ["text"], "include": ["about", "speaker", "quote"]}),
    ("GET /v1/quotes", {}, {"include": ["speaker", "events"], "facet": ["speaker"]}),
    ("GET /v1/figures", {}, {"include": ["country", "place", "event"], "facet": ["unit"]}),
    ("GET /v1/people/{id}/quotes", {"id": "olayinka-ajala"}, {"fields": ["text"]}),
]


@pytest.mark.parametrize(("label", "path", "query"), DESCRIBED)
def test_sparse_included_and_faceted_answers_conform(
    operations: dict[str, Any], label: str, path: dict[str, str], query: dict[str, Any]
) -> None:
    wire = {name: ",".join(values) for name, values in query.items()}
    case = operations[label].Case(path_parameters=path, query=wire)
    response = case.call_and_validate()
    assert response.status_code == 200, response.text
    body = response.json()
    records = body.get("data", [body])
    assert records, label
    if "fields" in query:
        assert all(set(r) - {"included"} <= {*query["fields"], "id", "code"} for r in records)
    if "include" in query:
        assert all(set(r["included"]) == set(query["include"]) for r in records)
    if "facet" in query:
        assert set(body["facets"]) == set(query["facet"])
