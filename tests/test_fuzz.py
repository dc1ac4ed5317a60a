"""Schemathesis against the app's own OpenAPI document: every operation, positive and negative
cases, every built-in check.

CI runs FUZZ_EXAMPLES cases per operation (default 120: over 2,000 in all); `make fuzz` runs
2,000 per operation."""

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import response_schema_conformance

from app.dates import parse_partial_date
from app.main import create_app
from tests.conftest import app_client

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, methods in create_app().openapi()["paths"].items()
    for method in methods
]


@pytest.fixture(scope="module")
def generated() -> Iterator[dict[str, int]]:
    """Cases run per operation. Once every operation has run (in whatever order, but not in
    a run that selects only some), the total must reach the budget: CI's (120 a operation)
    must reach 2,000 cases in all; a smaller local run, half of what it asked for."""
    counts: dict[str, int] = {}
    yield counts
    if len(counts) == len(OPERATIONS):
        wanted = 2000 if EXAMPLES >= 120 else len(OPERATIONS) * EXAMPLES // 2
        total = sum(counts.values())
        assert total >= wanted, f"fuzzing ran {total} cases, fewer than {wanted}"


@pytest.fixture(scope="module")
def operations(seeded_sqlite_url: str) -> Iterator[dict[str, Any]]:
    with app_client(seeded_sqlite_url) as client:
        schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
        yield {
            f"{op.method.upper()} {op.path}": op
            for op in (result.ok() for result in schema.get_all_operations())
        }


def _on_the_calendar(value: object) -> bool:
    try:
        parse_partial_date(str(value))
        return True
    except ValueError:
        return False


def valid_beyond_the_schema(case: Any) -> bool:
    """Three things are valid that a schema cannot say: a cursor is one this API issued
    (anything else is refused with 422, as it must be), a date is on the calendar (the pattern
    lets 2023-02-30 through), and `include` goes with no CSV. Positive cases breaking them are
    not positive cases."""
    query = case.query or {}
    if "cursor" in query:
        return False
    if query.get("format") == "csv" and query.get("include"):
        return False  # CSV is flat: embedded records need NDJSON (the format parameter says so)
    return all(_on_the_calendar(query[name]) for name in ("from", "to") if name in query)


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_conforms_to_the_openapi_document(
    operations: dict[str, Any], generated: dict[str, int], label: str
) -> None:
    operation = operations[label]
    generated[label] = 0
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
        # `fields=` trims records below the whole record the schema shows (as its description
        # says): their shape is checked by tests of their own.
        trimmed = "fields" in (case.query or {})
        response = case.call_and_validate(
            excluded_checks=[response_schema_conformance] if trimmed else None
        )
        generated[label] += 1
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert response.headers["content-type"] == ["application/problem+json"]
        assert not re.search(r"Traceback|File \"/", response.text)

    run()
