"""Amounts as intervals: each stated amount is what its qualifier allows (app.summaries.BOUNDS),
`min_*`/`max_*` match the amounts whose interval overlaps the range and `*_match=within` those
certainly inside it, and the summaries add up exactly the records the lists return. On an
edited article whose aid and figures state 100 once with each qualifier, on both stores."""

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import (
    SEED_DIR,
    seeded_client,
)

ARTICLE = "niger-russia-military-ties"
QUALIFIERS = ["exact", "more_than", "less_than", "up_to", "about"]
# Whether 100 stated with each qualifier matches each range, by how it must match.
# exact [100, 100]; more_than (100, no limit); less_than [0, 100); up_to [0, 100]; about [0, ...).
RANGES: list[tuple[int | None, int | None]] = [
    (100, None),
    (None, 100),
    (101, None),
    (None, 99),
    (0, 100),
    (0, None),
    (100, 100),
    (5, 1),
]
EXPECTED: dict[str, dict[str, list[bool]]] = {
    "overlaps": {
        "exact": [True, True, False, False, True, True, True, False],
        "more_than": [True, False, True, False, False, True, False, False],
        "less_than": [False, True, False, True, True, True, False, False],
        "up_to": [True, True, False, True, True, True, True, False],
        "about": [True, True, True, True, True, True, True, False],
    },
    "within": {
        "exact": [True, True, False, False, True, True, True, False],
        "more_than": [True, False, False, False, False, True, False, False],
        "less_than": [False, True, False, False, True, True, False, False],
        "up_to": [False, True, False, False, True, True, False, False],
        "about": [False, False, False, False, False, True, False, False],
    },
}
# (list path, the amount's name in its parameters, a group_by of its summary)
RESOURCES = {"aid": ("/v1/aid", "amount", "kind"), "figures": ("/v1/figures", "value", "kind")}


def edited_article(folder: Path) -> Path:
    """The article with its aid and figures replaced by 100 stated once per qualifier."""
    data = json.loads((SEED_DIR / f"{ARTICLE}.json").read_text())
    aid, figure = data["aid"][0], data["figures"][0]
    data["aid"] = [
        {**copy.deepcopy(aid), "id": f"aid-{q.replace('_', '-')}", "amount": 100, "qualifier": q}
        for q in QUALIFIERS
    ]
    data["figures"] = [
        {**copy.deepcopy(figure), "id": f"fig-{q.replace('_', '-')}", "value": 100, "qualifier": q}
        for q in QUALIFIERS
    ]
    folder.mkdir()
    shutil.copy(SEED_DIR / f"{ARTICLE}.txt", folder)
    (folder / f"{ARTICLE}.json").write_text(json.dumps(data))
    return folder


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    folder = edited_article(tmp_path_factory.mktemp("amounts") / "article")
    with seeded_client(request.param, folder.parent, [folder]) as test_client:
        yield test_client


def params(name: str, low: int | None, high: int | None, match: str) -> dict[str, Any]:
    out: dict[str, Any] = {f"{name}_match": match} if match != "overlaps" else {}
    if low is not None:
        out[f"min_{name}"] = low
    if high is not None:
        out[f"max_{name}"] = high
    return out


@pytest.mark.parametrize("match", ["overlaps", "within"])
@pytest.mark.parametrize("qualifier", QUALIFIERS)
@pytest.mark.parametrize("resource", list(RESOURCES))
def test_an_amount_matches_the_ranges_its_qualifier_allows_in_lists_and_summaries(
    client: TestClient, resource: str, qualifier: str, match: str
) -> None:
    path, name, group_by = RESOURCES[resource]
    record = f"{'aid' if resource == 'aid' else 'fig'}-{qualifier.replace('_', '-')}"
    for (low, high), expected in zip(RANGES, EXPECTED[match][qualifier], strict=True):
        given = params(name, low, high, match)
        listed = client.get(path, params={**given, "limit": 100})
        assert listed.status_code == 200, listed.text
        ids = {r["id"] for r in listed.json()["data"]}
        assert (record in ids) is expected, (given, ids)
        summary = client.get(f"{path}/summary", params={**given, "group_by": group_by})
        assert summary.status_code == 200, summary.text
        total = sum(g["count"] for g in summary.json()["groups"])
        assert total == len(ids), (given, summary.json())  # the summary adds what the list lists
        stated = sum(t["total_stated"] for g in summary.json()["groups"] for t in g["totals"])
        assert stated == 100 * len(ids)


def test_an_unknown_amount_match_is_refused(client: TestClient) -> None:
    for path, name, _ in RESOURCES.values():
        answer = client.get(path, params={f"{name}_match": "inside"})
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert f"{name}_match" in answer.text
