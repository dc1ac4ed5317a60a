"""Examples for the OpenAPI document: real records of the seeded article (first evidence span
only), as the API serves them. tests/test_api.py fetches each one and compares."""

from typing import Any

EXAMPLES: dict[str, Any] = {
    "CountryPublic": {
        "code": "NE",
        "iso3": "NER",
        "name": "Niger",
        "aliases": [],
        "evidence": [
            {"article": "niger-russia-military-ties", "start": 45, "end": 50, "text": "Niger"}
        ],
    },
    "PersonPublic": {
        "id": "mohamed-bazoum",
        "name": "Mohamed Bazoum",
        "aliases": ["Bazoum", "Bazoumin"],
        "description": "President of Niger until he was deposed in the July 2023 coup",
        "country": "NE",
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 336,
                "end": 350,
                "text": "Mohamed Bazoum",
            }
        ],
    },
    "OrganizationPublic": {
        "id": "ecowas",
        "name": "Economic Community of West African States",
        "aliases": ["ECOWAS"],
        "description": "West Africa's regional economic bloc",
        "country": None,
        "kind": "bloc",
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 2489,
                "end": 2511,
                "text": "regional economic bloc",
            }
        ],
    },
    "PlacePublic": {
        "id": "agadez",
        "name": "Agadez",
        "aliases": ["Agedez"],
        "description": "City in central Niger near Niger Air Base 201",
        "country": "NE",
        "kind": "city",
        "lat": 16.9739,
        "lon": 7.9908,
        "coordinates_source": "public-knowledge enrichment, not article evidence",
        "evidence": [
            {"article": "niger-russia-military-ties", "start": 1677, "end": 1683, "text": "Agedez"}
        ],
    },
    "EventPublic": {
        "id": "niger-coup-2023",
        "article": "niger-russia-military-ties",
        "title": "Military coup in Niger",
        "kind": "coup",
        "summary": "General Abdourahamane Tiani ousted President Mohamed Bazoum, "
        "putting Niger under military rule.",
        "date": "2023-07",
        "date_precision": "month",
        "date_start": "2023-07-01",
        "date_end": "2023-07-31",
        "date_text": "in July 2023",
        "date_note": None,
        "countries": ["NE"],
        "participants": [
            {
                "type": "person",
                "id": "abdourahamane-tiani",
                "name": "Abdourahamane Tiani",
                "role": "instigator",
            },
            {"type": "country", "id": "NE", "name": "Niger", "role": "location"},
            {"type": "person", "id": "mohamed-bazoum", "name": "Mohamed Bazoum", "role": "target"},
        ],
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 291,
                "end": 362,
                "text": "General Abdourahamane Tiani ousted President Mohamed Bazoumin July 2023",
            }
        ],
    },
    "QuotePublic": {
        "id": "ajala-niger-more-strategic",
        "article": "niger-russia-military-ties",
        "text": "But Niger is more strategic for Russia,",
        "event": "ajala-tells-newsweek",
        "speaker": {"type": "person", "id": "olayinka-ajala", "name": "Olayinka Ajala"},
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 1565,
                "end": 1604,
                "text": "But Niger is more strategic for Russia,",
            }
        ],
    },
    "AidPublic": {
        "id": "us-aid-cut-niger",
        "article": "niger-russia-military-ties",
        "donor": "US",
        "recipient": "NE",
        "amount": 500000000,
        "currency": "USD",
        "qualifier": "more_than",
        "kind": "cut",
        "description": "Aid to Niger the United States cut after the coup",
        "event": "us-cuts-aid-to-niger",
        "date": None,
        "date_precision": None,
        "date_start": None,
        "date_end": None,
        "date_text": None,
        "date_note": None,
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 1821,
                "end": 1863,
                "text": "cut aid to Niger by more than $500 million",
            }
        ],
    },
    "FigurePublic": {
        "id": "africa-corps-burkina-faso-troops",
        "article": "niger-russia-military-ties",
        "value": 100,
        "unit": "soldiers",
        "qualifier": "exact",
        "kind": "troops",
        "description": "Soldiers Russia deployed to Burkina Faso as part of its Africa Corps",
        "event": "russia-deploys-africa-corps-burkina-faso",
        "date": None,
        "date_precision": None,
        "date_start": None,
        "date_end": None,
        "date_text": None,
        "date_note": None,
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 1136,
                "end": 1148,
                "text": "100 soldiers",
            }
        ],
    },
    "ArticleSummary": {
        "id": "niger-russia-military-ties",
        "title": "Russia's drive for closer military ties with Niger",
        "publisher": "Newsweek",
        "url": None,
        "published": None,
        "published_precision": None,
        "language": "en",
        "sha256": "a06513f7868918e54a6ca56f1c43273b0c0d5dd8ea5d44d77bd8c91e54d5ba0a",
        "length": 3303,
    },
    "SearchHit": {
        "type": "place",
        "id": "agadez",
        "label": "Agadez",
        "snippet": "<mark>Agedez</mark> · Agadez · City in central Niger near Niger Air Base 201"
        " · city",
        "rank": 104.4641,
    },
}
EXAMPLES["ArticlePublic"] = {**EXAMPLES["ArticleSummary"], "text": "Russia's drive for closer..."}
# Operations outside /v1 that answer plain JSON.
META_EXAMPLES: dict[str, Any] = {
    "/healthz": {"status": "ok"},
    "/readyz": {
        "status": "ready",
        "data_version": "ccd4758b10ecfdd3664208db7f649c46",
        "articles": 1,
    },
    "/problems/{slug}": {
        "type": "/problems/not-found",
        "description": "No resource lives at this path, or no record has this id.",
    },
}
PROBLEM_EXAMPLES: dict[str, dict[str, Any]] = {
    "404": {
        "type": "/problems/not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "No event has the id 'niger-coup-2024'",
        "instance": "/v1/events/niger-coup-2024",
        "request_id": "5f1c0d3e9b2a4c7d8e6f1a2b3c4d5e6f",
    },
    "422": {
        "type": "/problems/invalid-parameter",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "limit: Input should be less than or equal to 100",
        "instance": "/v1/events",
        "request_id": "5f1c0d3e9b2a4c7d8e6f1a2b3c4d5e6f",
        "errors": [
            {"name": "limit", "in": "query", "reason": "Input should be less than or equal to 100"}
        ],
    },
    "503": {
        "type": "/problems/query-timeout",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The query took longer than the time limit; narrow it and retry",
        "instance": "/v1/search",
        "request_id": "5f1c0d3e9b2a4c7d8e6f1a2b3c4d5e6f",
    },
}
