"""The data says no more than the article (issue 21): each finding of the independent
fact-check, served as the article has it, and the loader rules that keep it so."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.db import write_engine
from app.loader import SeedError, seed
from tests.test_store import ARTICLE, ARTICLE_TEXT, annotation, write_seed


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(client: TestClient, path: str, **params: Any) -> set[str]:
    return {r["id"] for r in get(client, path, limit=100, **params)["data"]}


def covered(record: dict[str, Any], words: str) -> bool:
    return any(words in span["text"] for span in record["evidence"])


# 1. "an analyst of the region" is read as Ajala: a reading, marked as such.
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/statements/ajala-says-moscow-determined-in-west-africa", "speaker"),
        ("/v1/people/olayinka-ajala", "evidence"),
        ("/v1/events/ajala-tells-newsweek", "evidence"),
    ],
)
def test_the_unnamed_analyst_read_as_ajala_is_marked(
    client: TestClient, path: str, field: str
) -> None:
    record = get(client, path)
    assert "an analyst of the region" in record["enrichment"][field]
    assert "West Africa analyst" in record["enrichment"][field]


# 2. The article's title is not a headline of its text.
def test_the_article_marks_its_title_and_publisher_as_not_in_the_text(
    client: TestClient,
) -> None:
    article = get(client, f"/v1/articles/{ARTICLE}")
    assert ARTICLE_TEXT.startswith(article["title"])
    assert "headline" in article["enrichment"]["title"]
    assert "publisher" in article["enrichment"]
    listed = get(client, "/v1/articles")["data"][0]
    assert listed["enrichment"] == article["enrichment"]


def test_an_article_enrichment_naming_no_field_of_it_is_refused(
    fresh_store: str, tmp_path: Path
) -> None:
    data = annotation()
    data["article"]["enrichment"] = {"headline": "there is none"}
    with write_engine(fresh_store) as engine, pytest.raises(SeedError) as refused:
        seed(engine, [write_seed(tmp_path / "bad", data)])
    assert any(
        ": article: enrichment names fields" in p and "headline" in p
        for p in refused.value.problems
    ), refused.value.problems


# 3. The Africa Corps deployment is Ajala's claim, in the organization's description too.
def test_the_africa_corps_deployment_is_attributed_to_ajala(client: TestClient) -> None:
    corps = get(client, "/v1/organizations/africa-corps")
    assert "according to Olayinka Ajala" in corps["description"]


# 4. Each record's evidence carries its own words.
@pytest.mark.parametrize(
    ("statement", "speaker"),
    [
        ("france-threatens-force-to-reinstate-bazoum", "France"),
        ("ecowas-threatens-force-to-reinstate-bazoum", "ECOWAS"),
    ],
)
def test_a_threat_s_evidence_covers_its_speaker_s_name(
    client: TestClient, statement: str, speaker: str
) -> None:
    assert covered(get(client, f"/v1/statements/{statement}"), speaker)


@pytest.mark.parametrize("collection", ["events", "statements", "aid", "figures"])
def test_every_date_text_lies_inside_the_record_s_own_evidence(
    client: TestClient, collection: str
) -> None:
    records = get(client, f"/v1/{collection}", limit=100)["data"]
    dated = [r for r in records if r["date_text"]]
    assert dated or collection == "aid"
    for record in dated:
        assert covered(record, record["date_text"]), record["id"]


def test_the_named_records_now_cover_their_date_text(client: TestClient) -> None:
    for path, words in (
        ("/v1/events/russia-warns-against-military-action", "Following the coup"),
        ("/v1/statements/russia-warning-against-military-action", "Following the coup"),
        ("/v1/statements/mod-says-increasing-combat-readiness", "in January"),
    ):
        assert covered(get(client, path), words), path


def find(data: dict[str, Any], collection: str, key: str) -> dict[str, Any]:
    record: dict[str, Any] = next(r for r in data[collection] if r["id"] == key)
    return record


def drop_span(record: dict[str, Any], words: str) -> None:
    record["evidence"] = [s for s in record["evidence"] if words not in s["text"]]


def date_outside(data: dict[str, Any]) -> None:
    drop_span(find(data, "statements", "russia-warning-against-military-action"), "Following")


def event_date_outside(data: dict[str, Any]) -> None:
    drop_span(find(data, "events", "russia-warns-against-military-action"), "Following")


def figure_date_elsewhere(data: dict[str, Any]) -> None:
    find(data, "figures", "russian-troops-in-niger")["date_text"] = "in January"


def speaker_unnamed(data: dict[str, Any]) -> None:
    drop_span(find(data, "statements", "france-threatens-force-to-reinstate-bazoum"), "France")


def pronoun_unmarked(data: dict[str, Any]) -> None:
    del find(data, "statements", "ajala-says-training-and-reconnaissance")["enrichment"]["speaker"]


def speaker_participant_unnamed(data: dict[str, Any]) -> None:
    event = find(data, "events", "russia-niger-military-cooperation")
    event["evidence"] = [{"start": 717, "end": 765, "text": ARTICLE_TEXT[717:765]}]


@pytest.mark.parametrize(
    ("mutate", "record", "reason"),
    [
        (
            date_outside,
            "statements[15] 'russia-warning-against-military-action'.date_text",
            "is in none of the record's own evidence spans",
        ),
        (
            event_date_outside,
            "events[15] 'russia-warns-against-military-action'.date_text",
            "is in none of the record's own evidence spans",
        ),
        (
            figure_date_elsewhere,
            "figures[2] 'russian-troops-in-niger'.date_text",
            "is in none of the record's own evidence spans",
        ),
        (
            speaker_unnamed,
            "statements[24] 'france-threatens-force-to-reinstate-bazoum'.speaker",
            "no evidence span covers a mention of the speaker 'FR'",
        ),
        (
            pronoun_unmarked,
            "statements[8] 'ajala-says-training-and-reconnaissance'.speaker",
            "no evidence span covers a mention of the speaker 'olayinka-ajala'",
        ),
        (
            speaker_participant_unnamed,
            "events[3] 'russia-niger-military-cooperation'.participants[0]",
            "no evidence span covers a mention of the speaker 'russian-defense-ministry'",
        ),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_a_record_whose_evidence_misses_its_own_words_refuses_the_seed(
    fresh_store: str, tmp_path: Path, mutate: Any, record: str, reason: str
) -> None:
    data = annotation()
    mutate(data)
    with write_engine(fresh_store) as engine, pytest.raises(SeedError) as refused:
        seed(engine, [write_seed(tmp_path / "bad", data)])
    problems = refused.value.problems
    assert any(f": {record}: " in p and reason in p for p in problems), problems


def test_a_speaker_reading_marked_as_enrichment_is_accepted(
    fresh_store: str, tmp_path: Path
) -> None:
    data = annotation()
    speaker_participant_unnamed(data)
    event = find(data, "events", "russia-niger-military-cooperation")
    event["enrichment"] = {"participants": "the speaker is read from the sentence before"}
    event["date_text"] = None
    with write_engine(fresh_store) as engine:
        assert seed(engine, [write_seed(tmp_path / "ok", data)]).changed


# 5. The Burkina Faso coup and the photo caption are narration, like the Mali and Niger coups.
@pytest.mark.parametrize(
    ("event", "words"),
    [
        ("burkina-faso-coup-2022", "where there was a coup in September 2022"),
        ("mali-coup-2021", "after a coup in 2021"),
        ("niger-coup-2023", "July 2023"),
        ("cnsp-supporters-flags-niamey", "hold up Niger's and Russia's flag"),
    ],
)
def test_the_article_narrates_each_coup_and_its_caption(
    client: TestClient, event: str, words: str
) -> None:
    narrated = get(client, "/v1/statements", mode="narration", event=event, limit=100)["data"]
    assert any(words in s["text"] and s["speaker"]["id"] == "newsweek" for s in narrated)


# 6. A flag held up is depicted, not a participant.
def test_a_flag_is_depicted_and_gives_the_event_no_country(client: TestClient) -> None:
    caption = get(client, "/v1/events/cnsp-supporters-flags-niamey")
    roles = {(p["id"], p["role"]) for p in caption["participants"]}
    assert ("RU", "depicted") in roles and ("RU", "subject") not in roles
    assert "RU" not in caption["countries"] and "NE" in caption["countries"]
    assert "flags" not in caption["summary"] and "Russia's flag" in caption["summary"]
    assert "cnsp-supporters-flags-niamey" not in ids(client, "/v1/countries/RU/events")
    assert "cnsp-supporters-flags-niamey" not in ids(client, "/v1/events", country="RU")
    assert "cnsp-supporters-flags-niamey" in ids(client, "/v1/events", participant="RU")
    assert "cnsp-supporters-flags-niamey" in ids(client, "/v1/events", country="NE")
    on_ru = get(client, "/v1/events", country="RU", limit=1, facet="country")["total"]
    counted = get(client, "/v1/events", facet="country", limit=1)["facets"]["country"]
    assert {f["value"]: f["count"] for f in counted}["RU"] == on_ru


def test_depicted_is_a_role_the_api_documents(client: TestClient) -> None:
    schema = get(client, "/openapi.json")["components"]["schemas"]["Role"]
    assert "depicted" in schema["enum"]


# 7. The Africa Defense Forum's country is not in the article.
def test_the_adf_country_is_marked_as_enrichment(client: TestClient) -> None:
    adf = get(client, "/v1/organizations/africa-defense-forum")
    assert adf["country"] == "US"
    assert "published by U S  Africa Command" in adf["enrichment"]["country"]


# 8. Figures say where they count, in every shape they are served in.
def test_figures_csv_has_where_they_count(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/v1/figures?format=csv").text)))
    where = {r["id"]: (r["country"], r["place"]) for r in rows}
    assert where == {
        "africa-corps-burkina-faso-troops": ("BF", ""),
        "russian-troops-in-niger": ("NE", ""),
        "trans-saharan-pipeline-value": ("", "trans-saharan-gas-pipeline"),
    }


def test_a_figure_counting_in_an_unknown_place_refuses_the_seed(
    fresh_store: str, tmp_path: Path
) -> None:
    data = annotation()
    find(data, "figures", "russian-troops-in-niger")["place"] = "timbuktu"
    with write_engine(fresh_store) as engine, pytest.raises(SeedError) as refused:
        seed(engine, [write_seed(tmp_path / "bad", data)])
    assert any(
        ": figures[2] 'russian-troops-in-niger'.place: unknown place 'timbuktu'" in p
        for p in refused.value.problems
    ), refused.value.problems
