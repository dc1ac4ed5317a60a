"""Examples for the OpenAPI document: real records of the seeded article (first evidence span
only), as the API serves them. tests/test_api.py fetches each one and compares."""

from typing import Any

EXAMPLES: dict[str, Any] = {
    "CountryPublic": {
        "code": "NE",
        "iso3": "NER",
        "name": "Niger",
        "aliases": [],
        "enrichment": {},
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 45,
                "end": 50,
                "text": "Niger",
                "prefix": "e for closer military ties with ",
                "suffix": " shows Moscow's determination to",
            }
        ],
    },
    "PersonPublic": {
        "id": "mohamed-bazoum",
        "name": "Mohamed Bazoum",
        "aliases": ["Bazoum", "Bazoumin"],
        "description": "President of Niger ousted by General Abdourahamane Tiani in July 2023; France and ECOWAS threatened to use force to reinstate him",
        "country": "NE",
        "enrichment": {},
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 336,
                "end": 350,
                "text": "Mohamed Bazoum",
                "prefix": "rahamane Tiani ousted President ",
                "suffix": "in July 2023  In a pivot away fr",
            }
        ],
    },
    "OrganizationPublic": {
        "id": "ecowas",
        "name": "Economic Community of West African States",
        "aliases": ["ECOWAS"],
        "description": "Regional economic bloc that, with France, threatened to use force to reinstate Niger's deposed president",
        "country": None,
        "kind": "bloc",
        "enrichment": {"name": "public knowledge: the article writes only the acronym ECOWAS"},
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 2489,
                "end": 2511,
                "text": "regional economic bloc",
                "prefix": "lowing the coup, France and the ",
                "suffix": " ECOWAS threatened to use force ",
            }
        ],
    },
    "PlacePublic": {
        "id": "agadez",
        "name": "Agadez",
        "aliases": ["Agedez"],
        "description": "Place in central Niger near which Niger Air Base 201 lies",
        "country": "NE",
        "kind": "city",
        "lat": 16.9739,
        "lon": 7.9908,
        "enrichment": {
            "name": "usual spelling: the article writes 'Agedez'",
            "kind": "public knowledge: the article does not say Agadez is a city",
            "lat": "public knowledge",
            "lon": "public knowledge",
        },
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 1677,
                "end": 1683,
                "text": "Agedez",
                "prefix": "of the Niger Air Base 201, near ",
                "suffix": " in central Niger, which is oper",
            }
        ],
    },
    "EventPublic": {
        "id": "niger-coup-2023",
        "article": "niger-russia-military-ties",
        "title": "Coup in Niger",
        "kind": "coup",
        "summary": "General Abdourahamane Tiani ousted President Mohamed Bazoum in July 2023; Niger has been under military rule since.",
        "date": "2023-07",
        "date_precision": "month",
        "date_start": "2023-07-01",
        "date_end": "2023-07-31",
        "date_edtf": "2023-07",
        "date_relation": None,
        "date_text": "July 2023",
        "date_note": None,
        "enrichment": {},
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
                "start": 244,
                "end": 290,
                "text": "The country has been under military rule since",
                "prefix": " analyst of the region has said ",
                "suffix": " General Abdourahamane Tiani ous",
            }
        ],
    },
    "QuotePublic": {
        "id": "ajala-niger-more-strategic",
        "article": "niger-russia-military-ties",
        "text": "But Niger is more strategic for Russia,",
        "event": "ajala-tells-newsweek",
        "enrichment": {},
        "speaker": {"type": "person", "id": "olayinka-ajala", "name": "Olayinka Ajala"},
        "events": ["ajala-tells-newsweek"],
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 1565,
                "end": 1604,
                "text": "But Niger is more strategic for Russia,",
                "prefix": 'ica Command, said in March 2023"',
                "suffix": '" said Ajala, noting that it is ',
            }
        ],
    },
    "StatementPublic": {
        "id": "ajala-says-no-russian-troops-in-niger",
        "article": "niger-russia-military-ties",
        "text": "Russia does not have any troops on the ground in Niger at the moment",
        "mode": "indirect",
        "quote": None,
        "date": None,
        "date_precision": None,
        "date_start": None,
        "date_end": None,
        "date_edtf": None,
        "date_relation": None,
        "date_text": "at the moment",
        "date_note": "'at the moment' is when Ajala spoke, which the article does not date and does not tie to any dated record, so it is left unbounded.",
        "enrichment": {},
        "speaker": {"type": "person", "id": "olayinka-ajala", "name": "Olayinka Ajala"},
        "events": ["ajala-tells-newsweek"],
        "about": [
            {"type": "country", "id": "RU", "name": "Russia"},
            {"type": "country", "id": "NE", "name": "Niger"},
        ],
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 2660,
                "end": 2675,
                "text": "Ajala said that",
                "prefix": " warned against military action ",
                "suffix": " Russia does not have any troops",
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
        "description": "Aid to Niger that the United States cut, by more than $500 million",
        "event": "us-cuts-aid-to-niger",
        "date": None,
        "date_precision": None,
        "date_start": None,
        "date_end": None,
        "date_edtf": None,
        "date_relation": None,
        "date_text": None,
        "date_note": "No date is given; the article does not say the cut followed the coup, so it is left unbounded.",
        "enrichment": {},
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 1821,
                "end": 1863,
                "text": "cut aid to Niger by more than $500 million",
                "prefix": 'rt to seize power by force" and ',
                "suffix": ", also removing from its duty fr",
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
        "country": "BF",
        "place": None,
        "description": "Soldiers Russia deployed to Burkina Faso as part of its Africa Corps, according to Olayinka Ajala",
        "event": "russia-deploys-africa-corps-burkina-faso",
        "date": None,
        "date_precision": None,
        "date_start": None,
        "date_end": None,
        "date_edtf": None,
        "date_relation": None,
        "date_text": None,
        "date_note": "No date is given for the deployment these soldiers belong to, so it is left unbounded.",
        "enrichment": {},
        "evidence": [
            {
                "article": "niger-russia-military-ties",
                "start": 1072,
                "end": 1100,
                "text": "The West Africa analyst said",
                "prefix": "sity in the U K , told Newsweek ",
                "suffix": " it was significant Russia deplo",
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
        "enrichment": {
            "title": "the text has no headline: the title is the first words of its first sentence",
            "publisher": "from the article's source, not its text: the text names Newsweek "
            "('told Newsweek', 'Newsweek has contacted') but never says Newsweek published it",
        },
        "length": 3303,
    },
    "SearchHit": {
        "type": "place",
        "id": "agadez",
        "label": "Agadez",
        "snippet": "<mark>Agedez</mark> · Agadez · Place in central Niger near which Niger Air Base 201 lies · city",
        "rank": 104.4888,
    },
    "AidSummary": {
        "group_by": "donor",
        "groups": [
            {
                "value": "US",
                "label": "United States",
                "count": 1,
                "totals": [
                    {
                        "kind": "cut",
                        "currency": "USD",
                        "count": 1,
                        "total_min": 500000000,
                        "total_max": None,
                        "exact": False,
                        "total_stated": 500000000,
                    }
                ],
            }
        ],
    },
    "FigureSummary": {
        "group_by": "unit",
        "groups": [
            {
                "value": "soldiers",
                "label": "soldiers",
                "count": 2,
                "totals": [
                    {
                        "kind": "troops",
                        "unit": "soldiers",
                        "country": "BF",
                        "place": None,
                        "count": 1,
                        "total_min": 100,
                        "total_max": 100,
                        "exact": True,
                        "total_stated": 100,
                    },
                    {
                        "kind": "troops",
                        "unit": "soldiers",
                        "country": "NE",
                        "place": None,
                        "count": 1,
                        "total_min": 0,
                        "total_max": 0,
                        "exact": True,
                        "total_stated": 0,
                    },
                ],
            },
            {
                "value": "USD",
                "label": "USD",
                "count": 1,
                "totals": [
                    {
                        "kind": "project_value",
                        "unit": "USD",
                        "country": None,
                        "place": "trans-saharan-gas-pipeline",
                        "count": 1,
                        "total_min": 13000000000,
                        "total_max": 13000000000,
                        "exact": True,
                        "total_stated": 13000000000,
                    }
                ],
            },
        ],
    },
    "Suggestions": {
        "data": [
            {
                "type": "person",
                "id": "mohamed-bazoum",
                "label": "Mohamed Bazoum",
                "hint": "President of Niger ousted by General Abdourahamane Tiani in July 2023; France…",
                "fuzzy": True,
            }
        ]
    },
    "Mentions": {
        "article": "niger-russia-military-ties",
        "length": 3303,
        "data": [
            {
                "type": "country",
                "id": "RU",
                "label": "Russia",
                "start": 0,
                "end": 6,
                "text": "Russia",
            },
            {
                "type": "statement",
                "id": "ajala-says-moscow-determined-in-west-africa",
                "label": "Russia's drive for closer military ties with Niger shows Moscow's determination to boost its presence in West Africa, posing a challenge for the U S , which has a significant stake in the former French colony",
                "start": 0,
                "end": 208,
                "text": "Russia's drive for closer military ties with Niger shows Moscow's determination to boost its presence in West Africa, posing a challenge for the U S , which has a significant stake in the former French colony",
            },
        ],
        "segments": [
            {
                "start": 0,
                "end": 6,
                "text": "Russia",
                "records": [
                    {"type": "country", "id": "RU", "label": "Russia"},
                    {
                        "type": "statement",
                        "id": "ajala-says-moscow-determined-in-west-africa",
                        "label": "Russia's drive for closer military ties with Niger shows Moscow's determination to boost its presence in West Africa, posing a challenge for the U S , which has a significant stake in the former French colony",
                    },
                ],
            },
            {
                "start": 6,
                "end": 45,
                "text": "'s drive for closer military ties with ",
                "records": [
                    {
                        "type": "statement",
                        "id": "ajala-says-moscow-determined-in-west-africa",
                        "label": "Russia's drive for closer military ties with Niger shows Moscow's determination to boost its presence in West Africa, posing a challenge for the U S , which has a significant stake in the former French colony",
                    }
                ],
            },
            {
                "start": 45,
                "end": 50,
                "text": "Niger",
                "records": [
                    {
                        "type": "statement",
                        "id": "ajala-says-moscow-determined-in-west-africa",
                        "label": "Russia's drive for closer military ties with Niger shows Moscow's determination to boost its presence in West Africa, posing a challenge for the U S , which has a significant stake in the former French colony",
                    },
                    {"type": "country", "id": "NE", "label": "Niger"},
                ],
            },
        ],
    },
}
EXAMPLES["ArticlePublic"] = {**EXAMPLES["ArticleSummary"], "text": "Russia's drive for closer..."}
# Operations outside /v1 that answer plain JSON.
META_EXAMPLES: dict[str, Any] = {
    "/healthz": {"status": "ok"},
    "/readyz": {
        "status": "ready",
        "data_version": "cdc7a6c9c7f3a1b4cd4ec495905084c4",
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
# Where the annotation examples are served (absolute links come from PUBLIC_URL or the
# request): make run's address.
ANNOTATION_BASE = "http://127.0.0.1:8000"
