"""Health, readiness and the problem types every error's `type` links to."""

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app import errors
from app.api.lists import json_response
from app.api.responses import problem_responses
from app.config import SCHEMA_REVISION
from app.context import Ctx
from app.db import store_state
from app.records import DOCUMENT_FORMAT

router = APIRouter(tags=["meta"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    """The process is up and answering. It does not touch the store (see /readyz)."""
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness", responses=problem_responses(503))
def readyz(ctx: Ctx) -> Response:
    """The store is reachable, migrated to the current schema and seeded."""
    try:
        with ctx.engine.connect() as conn:
            state = store_state(conn)
    except PoolTimeout:
        raise errors.Unavailable(errors.BUSY_DETAIL) from None
    except DBAPIError as exc:
        raise errors.Unavailable(f"The store is not reachable: {type(exc.orig).__name__}") from None
    problem = state.problem(SCHEMA_REVISION, DOCUMENT_FORMAT)
    if problem is not None:
        raise errors.Unavailable(problem)
    return json_response(
        {"status": "ready", "data_version": state.data_version, "articles": state.articles}
    )


@router.get(
    "/problems/{slug}", summary="Explain a problem type", responses=problem_responses(404, 422)
)
async def problem_type(
    slug: Annotated[str, PathParam(max_length=64, description="The problem type's name")],
) -> Response:
    """What a problem `type` URI in an error response means."""
    if slug not in errors.PROBLEM_TYPES:
        raise errors.NotFound(f"No problem type {slug!r}")
    return json_response({"type": f"/problems/{slug}", "description": errors.PROBLEM_TYPES[slug]})
