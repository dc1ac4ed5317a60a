"""FastAPI's own ceiling: a route that returns fixed JSON bytes (no database, no middleware).

uvicorn bench.ceiling:app
"""

import orjson
from fastapi import FastAPI
from fastapi.responses import Response

BODY = orjson.dumps(
    {
        "code": "NE",
        "iso3": "NER",
        "name": "Niger",
        "aliases": [],
        "evidence": [
            {"article": "niger-russia-military-ties", "start": 45, "end": 50, "text": "Niger"}
        ],
    }
)

DICT = orjson.loads(BODY)
app = FastAPI()


@app.get("/v1/countries/{code}")
async def country(code: str) -> Response:
    return Response(BODY, media_type="application/json")


@app.get("/v1/countries/{code}/dict")
async def country_dict(code: str) -> dict[str, object]:
    """The same JSON through FastAPI's usual path (a dict it validates and serialises)."""
    return DICT
