"""Exploring the data, black-box on both stores: facets, sums with honest bounds, multi-value
filters, mentions and segments, positions, autocomplete with typos, CORS. Expected counts come
from reading the article (seed/niger-russia-military-ties.txt)."""

import itertools
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SEED_DIR, app_client

ARTICLE = "niger-russia-military-ties"
TEXT = (SEED_DIR / f"{ARTICLE}.txt").read_text(encoding="utf-8")


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [r.get("id") or r.get("code") for r in response.json()["data"]]


def facet(client: TestClient, url: str, name: str, **params: Any) -> dict[Any, int]:
    body = client.get(url, params={"facet": name, "limit": 1, **params}).json()
    return {item["value"]: item["count"] for item in body["facets"][name]}


def problem_names(response: Any) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {e["name"] for e in response.json()["errors"]}


# --- facets --------------------------------------------------------------------------------------

# 18 events: four statements (Russia's defense ministry, Ajala to Newsweek, the US on the
# overthrow, Russia's warning), three coups (Niger, Burkina Faso, Mali), two deployments
# (Africa Corps, Wagner), and one each of the rest.
EVENT_KINDS = {
    "statement": 4,
    "coup": 3,
    "deployment": 2,
    "agreement_termination": 1,
    "aid_cut": 1,
    "expulsion": 1,
    "gathering": 1,
    "offer": 1,
    "report": 1,
    "request_for_comment": 1,
    "sanction": 1,
    "threat": 1,
}


def test_events_per_kind(client: TestClient) -> None:
    body = client.get("/v1/events", params={"facet": "kind", "limit": 1}).json()
    kinds = body["facets"]["kind"]
    assert {k["value"]: k["count"] for k in kinds} == EVENT_KINDS
    assert kinds[0] == {"value": "statement", "label": "Statement", "count": 4}
    assert [k["count"] for k in kinds] == sorted((k["count"] for k in kinds), reverse=True)
    tied = [k["value"] for k in kinds if k["count"] == 1]
    assert tied == sorted(tied)  # by count, then value
    assert body["total"] == 18 and len(body["data"]) == 1


def test_events_per_country_and_per_year(client: TestClient) -> None:
    countries = facet(client, "/v1/events", "country")
    # Niger: the coup, the junta's two moves, Russia's pledge, Ajala's remarks, the US
    # remark, aid cut and duty-free removal, the threat, Russia's warning, the flags in
    # Niamey and the request to its consulate.
    assert countries["NE"] == 12 and countries["ML"] == 4 and countries["FR"] == 2
    years = facet(client, "/v1/events", "year")
    assert years == {2023: 3, 2021: 1, 2022: 1, None: 13}
    labelled = client.get("/v1/events", params={"facet": "country", "limit": 1}).json()
    assert {"value": "NE", "label": "Niger", "count": 12} in labelled["facets"]["country"]


def test_a_facet_counts_over_every_filter_but_its_own(client: TestClient) -> None:
    coups = client.get("/v1/events", params={"kind": "coup", "facet": "kind,country"}).json()
    assert coups["total"] == 3
    kinds = {k["value"]: k["count"] for k in coups["facets"]["kind"]}
    assert kinds == EVENT_KINDS  # the other choices stay, with their counts
    countries = {c["value"]: c["count"] for c in coups["facets"]["country"]}
    assert countries == {"NE": 1, "ML": 1, "BF": 1}  # over the coups only


def test_who_is_quoted_most(client: TestClient) -> None:
    body = client.get("/v1/quotes", params={"facet": "speaker", "limit": 1}).json()
    speakers = body["facets"]["speaker"]
    assert speakers[0] == {"value": "olayinka-ajala", "label": "Olayinka Ajala", "count": 7}
    assert {s["value"]: s["count"] for s in speakers} == {
        "olayinka-ajala": 7,
        "US": 1,
        "russian-defense-ministry": 1,
    }
    modes = facet(client, "/v1/statements", "mode")
    assert modes == {"direct": 9, "indirect": 10, "narration": 10}


@pytest.mark.parametrize(
    ("url", "name", "expected"),
    [
        ("/v1/aid", "donor", {"US": 1}),
        ("/v1/aid", "currency", {"USD": 1}),
        ("/v1/organizations", "kind", None),
        ("/v1/places", "country", None),
        ("/v1/people", "article", {ARTICLE: 3}),
        ("/v1/countries", "article", {ARTICLE: 9}),
        ("/v1/figures", "unit", {"soldiers": 2, "USD": 1}),
    ],
)
def test_every_list_has_its_facets(
    client: TestClient, url: str, name: str, expected: dict[str, int] | None
) -> None:
    counts = facet(client, url, name)
    total = client.get(url, params={"limit": 1}).json()["total"]
    if expected is not None:
        assert counts == expected
    if name != "country":  # places without a country count under null
        assert sum(counts.values()) >= total


@pytest.mark.parametrize(
    ("url", "facet_name"),
    [("/v1/events", "speaker"), ("/v1/quotes", "kind"), ("/v1/aid", "nonsense")],
)
def test_an_unknown_facet_is_a_422_naming_the_allowed(
    client: TestClient, url: str, facet_name: str
) -> None:
    response = client.get(url, params={"facet": facet_name})
    assert problem_names(response) == {"facet"}
    assert "comma-separated values of:" in response.json()["detail"]


# --- sums with honest bounds ---------------------------------------------------------------------


def test_aid_by_donor_is_a_lower_bound(client: TestClient) -> None:
    body = client.get("/v1/aid/summary", params={"group_by": "donor"}).json()
    assert body["group_by"] == "donor"
    (us,) = body["groups"]
    assert (us["value"], us["label"], us["count"]) == ("US", "United States", 1)
    assert us["totals"] == [
        {
            "kind": "cut",
            "currency": "USD",
            "count": 1,
            "total_min": 500_000_000,  # "more than $500 million"
            "total_max": None,
            "exact": False,
            "total_stated": 500_000_000,
        }
    ]


@pytest.mark.parametrize("group_by", ["donor", "recipient", "kind", "currency", "year"])
def test_aid_groups_every_way(client: TestClient, group_by: str) -> None:
    groups = client.get("/v1/aid/summary", params={"group_by": group_by}).json()["groups"]
    assert sum(g["count"] for g in groups) == 1
    assert (
        client.get("/v1/aid/summary", params={"group_by": group_by, "donor": "FR"}).json()["groups"]
        == []
    )


def test_figures_are_summed_by_unit_never_across_units_or_places(client: TestClient) -> None:
    groups = client.get("/v1/figures/summary", params={"group_by": "unit"}).json()["groups"]
    by_unit = {g["value"]: g for g in groups}
    soldiers = by_unit["soldiers"]["totals"]
    # 100 in Burkina Faso and none in Niger count different places: two totals, not one of 100
    assert soldiers == [
        {
            "kind": "troops",
            "unit": "soldiers",
            "country": country,
            "place": None,
            "count": 1,
            "total_min": value,
            "total_max": value,
            "exact": True,
            "total_stated": value,
        }
        for country, value in (("BF", 100), ("NE", 0))
    ]
    assert by_unit["soldiers"]["count"] == 2
    assert by_unit["USD"]["totals"][0]["total_min"] == 13_000_000_000
    assert by_unit["USD"]["totals"][0]["place"] == "trans-saharan-gas-pipeline"
    kinds = client.get("/v1/figures/summary", params={"group_by": "kind"}).json()["groups"]
    assert {g["value"] for g in kinds} == {"troops", "project_value"}
    troops = next(g for g in kinds if g["value"] == "troops")["totals"]
    assert [(t["country"], t["total_stated"]) for t in troops] == [("BF", 100), ("NE", 0)]


@pytest.mark.parametrize(
    ("group_by", "values"),
    [
        ("country", {"BF": "Burkina Faso", "NE": "Niger", None: None}),
        ("place", {"trans-saharan-gas-pipeline": "Trans-Saharan gas pipeline", None: None}),
    ],
)
def test_figures_group_by_where_they_count(
    client: TestClient, group_by: str, values: dict[str | None, str | None]
) -> None:
    groups = client.get("/v1/figures/summary", params={"group_by": group_by}).json()["groups"]
    assert {g["value"]: g["label"] for g in groups} == values
    for group in groups:
        assert {t[group_by] for t in group["totals"]} == {group["value"]}


@pytest.mark.parametrize(
    ("params", "ids"),
    [
        ({"country": "BF"}, {"africa-corps-burkina-faso-troops"}),
        ({"country": "NE,BF"}, {"africa-corps-burkina-faso-troops", "russian-troops-in-niger"}),
        ({"country": "!BF"}, {"trans-saharan-pipeline-value", "russian-troops-in-niger"}),
        ({"place": "trans-saharan-gas-pipeline"}, {"trans-saharan-pipeline-value"}),
        ({"country": "FR"}, set()),
    ],
)
def test_figures_filter_by_where_they_count(
    client: TestClient, params: dict[str, str], ids: set[str]
) -> None:
    body = client.get("/v1/figures", params=params).json()
    assert {f["id"] for f in body["data"]} == ids
    summary = client.get("/v1/figures/summary", params=params).json()["groups"]
    assert sum(g["count"] for g in summary) == len(ids)


def test_figures_facet_and_include_where_they_count(client: TestClient) -> None:
    body = client.get(
        "/v1/figures", params={"facet": "country,place", "include": "country,place"}
    ).json()
    assert {f["value"]: f["count"] for f in body["facets"]["country"]} == {
        "BF": 1,
        "NE": 1,
        None: 1,
    }
    assert body["facets"]["place"][0]["label"] in ("Trans-Saharan gas pipeline", None)
    by_id = {f["id"]: f for f in body["data"]}
    assert by_id["africa-corps-burkina-faso-troops"]["included"]["country"]["name"] == (
        "Burkina Faso"
    )
    assert by_id["trans-saharan-pipeline-value"]["included"]["place"]["id"] == (
        "trans-saharan-gas-pipeline"
    )
    assert by_id["trans-saharan-pipeline-value"]["included"]["country"] is None


@pytest.mark.parametrize(
    ("url", "params", "name"),
    [
        ("/v1/aid/summary", {"group_by": "nonsense"}, "group_by"),
        ("/v1/figures/summary", {"group_by": "donor"}, "group_by"),
        ("/v1/aid/summary", {"kind": "gift"}, "kind"),
    ],
)
def test_bad_summaries_are_422(
    client: TestClient, url: str, params: dict[str, str], name: str
) -> None:
    assert problem_names(client.get(url, params=params)) == {name}


def test_summary_routes_come_before_ids(client: TestClient) -> None:
    assert client.get("/v1/aid/summary").status_code == 200
    assert client.get("/v1/figures/summary").status_code == 200


# --- multi-value filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        (
            "/v1/events",
            {"kind": "coup,offer"},
            {
                "niger-coup-2023",
                "burkina-faso-coup-2022",
                "mali-coup-2021",
                "mali-burkina-faso-mining-concessions",
            },
        ),
        (
            "/v1/events",
            {"kind": "coup,!gathering"},
            {"niger-coup-2023", "burkina-faso-coup-2022", "mali-coup-2021"},
        ),
        (
            "/v1/events",
            {"country": "ML,BF", "kind": "coup"},
            {"burkina-faso-coup-2022", "mali-coup-2021"},
        ),
        (
            "/v1/quotes",
            {"speaker": "US,russian-defense-ministry"},
            {"us-effort-to-seize-power", "russian-mod-increasing-combat-readiness"},
        ),
        (
            "/v1/statements",
            {"speaker": "FR,ecowas"},
            {
                "france-threatens-force-to-reinstate-bazoum",
                "ecowas-threatens-force-to-reinstate-bazoum",
            },
        ),
        (
            "/v1/organizations",
            {"country": "US,GB", "kind": "media,university"},
            {"africa-defense-forum", "leeds-beckett-university"},
        ),
    ],
)
def test_a_comma_means_or_within_a_parameter(
    client: TestClient, url: str, params: dict[str, str], expected: set[str]
) -> None:
    assert set(ids(client.get(url, params={**params, "limit": 100}))) == expected


def test_an_exclamation_mark_excludes(client: TestClient) -> None:
    not_niger = ids(client.get("/v1/events", params={"country": "!NE", "limit": 100}))
    assert len(not_niger) == 18 - 12
    for key in not_niger:
        assert "NE" not in client.get(f"/v1/events/{key}").json()["countries"]
    no_statements = client.get("/v1/events", params={"kind": "!statement"}).json()
    assert no_statements["total"] == 14
    both = client.get("/v1/events", params={"kind": "coup,!rally"}).json()
    assert both["total"] == client.get("/v1/events", params={"kind": "coup"}).json()["total"]
    not_ajala = client.get("/v1/quotes", params={"speaker": "!olayinka-ajala"}).json()
    assert not_ajala["total"] == 2


def test_ids_fetch_several_records_in_one_call(client: TestClient) -> None:
    response = client.get(
        "/v1/events", params={"id": "niger-coup-2023,mali-coup-2021,no-such-event"}
    )
    assert set(ids(response)) == {"niger-coup-2023", "mali-coup-2021"}
    assert response.json()["total"] == 2
    countries = client.get("/v1/countries", params={"code": "NE,usa,xx"})
    assert set(ids(countries)) == {"NE", "US"}
    people = client.get("/v1/people", params={"id": "olayinka-ajala"})
    assert ids(people) == ["olayinka-ajala"]


@pytest.mark.parametrize(
    ("url", "params", "name"),
    [
        ("/v1/events", {"kind": ",".join(["coup"] * 51)}, "kind"),
        ("/v1/events", {"country": ",".join(["NE"] * 51)}, "country"),
        ("/v1/events", {"id": ",".join(f"e{i}" for i in range(101))}, "id"),
        ("/v1/events", {"kind": "!"}, "kind"),
        ("/v1/events", {"participant": "!"}, "participant"),
        ("/v1/events", {"country": "NE,"}, "country"),
        ("/v1/events", {"kind": "coup,,offer"}, "kind"),
        ("/v1/quotes", {"speaker": "US,!"}, "speaker"),
        ("/v1/events", {"kind": "picnic,coup"}, "kind"),
    ],
)
def test_bad_multi_values_are_422_naming_the_parameter(
    client: TestClient, url: str, params: dict[str, str], name: str
) -> None:
    assert problem_names(client.get(url, params=params)) == {name}


def test_fifty_values_are_fine(client: TestClient) -> None:
    response = client.get("/v1/events", params={"kind": ",".join(["coup"] * 50)})
    assert response.status_code == 200 and response.json()["total"] == 3
    many = client.get("/v1/events", params={"id": ",".join(f"e{i}" for i in range(100))})
    assert many.status_code == 200 and many.json()["total"] == 0


# --- every record by article, mentions, positions ------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/v1/countries",
        "/v1/people",
        "/v1/organizations",
        "/v1/places",
        "/v1/events",
        "/v1/quotes",
        "/v1/statements",
        "/v1/aid",
        "/v1/figures",
    ],
)
def test_every_list_filters_by_article_and_sorts_by_position(client: TestClient, url: str) -> None:
    everything = client.get(url, params={"limit": 100}).json()
    mine = client.get(url, params={"limit": 100, "article": ARTICLE}).json()
    assert mine["total"] == everything["total"] > 0
    assert client.get(url, params={"article": "another-article"}).json()["total"] == 0
    ordered = client.get(url, params={"limit": 100, "sort": "position"}).json()["data"]
    firsts = [min(s["start"] for s in r["evidence"]) for r in ordered]
    assert firsts == sorted(firsts)


def test_countries_in_order_of_first_mention(client: TestClient) -> None:
    first = ids(client.get("/v1/countries", params={"sort": "position", "limit": 3}))
    assert first == ["RU", "NE", "US"]  # "Russia's drive ... with Niger ... the U S"


def test_every_mention_of_an_article_in_one_response(client: TestClient) -> None:
    body = client.get(f"/v1/articles/{ARTICLE}/mentions").json()
    mentions = body["data"]
    assert body["length"] == len(TEXT) and body["segments"] is None
    assert [m["start"] for m in mentions] == sorted(m["start"] for m in mentions)
    for mention in mentions:
        assert TEXT[mention["start"] : mention["end"]] == mention["text"]
        assert mention["label"]
    spans = sum(
        len(r["evidence"])
        for url in (
            "/v1/countries",
            "/v1/people",
            "/v1/organizations",
            "/v1/places",
            "/v1/events",
            "/v1/quotes",
            "/v1/statements",
            "/v1/aid",
            "/v1/figures",
        )
        for r in client.get(url, params={"limit": 100}).json()["data"]
    )
    assert len(mentions) == spans
    bazoum = [m for m in mentions if m["id"] == "mohamed-bazoum"]
    assert {m["text"] for m in bazoum} >= {"Mohamed Bazoum", "Bazoum", "the deposed president"}
    assert all(m["label"] == "Mohamed Bazoum" and m["type"] == "person" for m in bazoum)
    people = client.get(f"/v1/articles/{ARTICLE}/mentions", params={"type": "person"}).json()
    assert {m["type"] for m in people["data"]} == {"person"}


def test_segments_cover_the_text_and_say_what_covers_them(client: TestClient) -> None:
    body = client.get(f"/v1/articles/{ARTICLE}/mentions", params={"segments": "true"}).json()
    segments = body["segments"]
    assert "".join(s["text"] for s in segments) == TEXT
    assert segments[0]["start"] == 0 and segments[-1]["end"] == len(TEXT)
    for before, after in itertools.pairwise(segments):
        assert before["end"] == after["start"]
    for segment in segments:
        covering = {
            (m["type"], m["id"])
            for m in body["data"]
            if m["start"] <= segment["start"] and segment["end"] <= m["end"]
        }
        assert {(r["type"], r["id"]) for r in segment["records"]} == covering
    agadez = next(s for s in segments if s["text"] == "Agedez")
    assert ("place", "agadez") in {(r["type"], r["id"]) for r in agadez["records"]}
    assert client.get("/v1/articles/no-such-article/mentions").status_code == 404


# --- autocomplete with typos ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Bazum", ("person", "mohamed-bazoum")),
        ("Ajalla", ("person", "olayinka-ajala")),
        ("Niamei", ("place", "niamey")),
        ("Niam", ("place", "niamey")),
        ("bazoumin", ("person", "mohamed-bazoum")),  # the article's own spelling
        ("Agedez", ("place", "agadez")),
        ("ecowas", ("organization", "ecowas")),
        ("Burkina", ("country", "BF")),
        ("Nigr", ("country", "NE")),
    ],
)
def test_autocomplete_finds_names_typos_included(
    client: TestClient, typed: str, expected: tuple[str, str]
) -> None:
    found = client.get("/v1/autocomplete", params={"q": typed}).json()["data"]
    assert (found[0]["type"], found[0]["id"]) == expected, found
    assert set(found[0]) == {"type", "id", "label", "hint", "fuzzy"}
    assert len(found) <= 10


TYPE_NAMES = {
    "country": "Country",
    "person": "Person",
    "organization": "Organization",
    "place": "Place",
}


@pytest.mark.parametrize("typed", ["Ni", "Ba", "A", "Ru", "Ma", "U", "Ec"])
def test_autocomplete_hints_end_between_words_and_do_not_repeat_the_type(
    client: TestClient, typed: str
) -> None:
    found = client.get("/v1/autocomplete", params={"q": typed, "limit": 10}).json()["data"]
    assert found
    for suggestion in found:
        hint = suggestion["hint"]
        if hint is None:
            continue
        assert not hint.startswith(TYPE_NAMES[suggestion["type"]]), suggestion
        assert TYPE_NAMES[suggestion["type"]] + " ·" not in hint, suggestion
        assert len(hint) <= 80 + len("Military unit · "), suggestion
        kind = (
            "/v1/"
            + {
                "country": "countries",
                "person": "people",
                "organization": "organizations",
                "place": "places",
            }[suggestion["type"]]
        )
        record = client.get(f"{kind}/{suggestion['id']}").json()
        described = record.get("description") or ""
        told = hint.split(" · ")[-1]
        if told.endswith("…"):  # cut: a whole-word start of the description
            start = told[:-1]
            assert described.startswith(start), (told, described)
            assert described[len(start)] in " ,;:·-", (told, described)
        elif described:
            assert told == described


def test_prefix_matches_come_before_typos_and_types_filter(client: TestClient) -> None:
    found = client.get("/v1/autocomplete", params={"q": "Niger"}).json()["data"]
    assert found[0]["id"] == "NE" and not found[0]["fuzzy"]
    assert [f["fuzzy"] for f in found] == sorted(f["fuzzy"] for f in found)
    places = client.get("/v1/autocomplete", params={"q": "Niger", "type": "place"}).json()
    assert {f["type"] for f in places["data"]} == {"place"}
    assert client.get("/v1/autocomplete", params={"q": "Nig", "limit": 2}).json()["data"][1:]
    assert problem_names(client.get("/v1/autocomplete", params={"q": "x", "type": "event"})) == {
        "type"
    }


def test_search_falls_back_to_near_names_and_says_so(client: TestClient) -> None:
    fuzzy = client.get("/v1/search", params={"q": "Bazum"}).json()
    assert fuzzy["fuzzy"] is True
    assert (fuzzy["data"][0]["type"], fuzzy["data"][0]["id"]) == ("person", "mohamed-bazoum")
    exact = client.get("/v1/search", params={"q": "Bazoum"}).json()
    assert exact["fuzzy"] is False and exact["total"] >= 1
    nothing = client.get("/v1/search", params={"q": "zzzzqqq"}).json()
    assert (nothing["fuzzy"], nothing["total"]) == (False, 0)


# --- CORS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        "Authorization",
        "Cache-Control",
        "traceparent",
        "X-Requested-With",
        "Authorization, Cache-Control, traceparent, X-Requested-With, If-None-Match",
    ],
)
def test_a_preflight_from_an_allowed_origin_passes_any_request_header(
    seeded_url: str, headers: str
) -> None:
    with app_client(seeded_url, cors_origins=["https://news.example"]) as client:
        response = client.options(
            "/v1/events",
            headers={
                "Origin": "https://news.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": headers,
            },
        )
        assert response.status_code in (200, 204)
        assert response.headers["access-control-allow-origin"] == "https://news.example"
        allowed = response.headers["access-control-allow-headers"].lower()
        assert all(h.strip().lower() in allowed for h in headers.split(","))
        assert "access-control-allow-credentials" not in response.headers
        refused = client.options(
            "/v1/events",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert refused.status_code == 400
        assert refused.headers["content-type"] == "application/problem+json"
