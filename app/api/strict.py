"""Strict parameters: every operation refuses what it would otherwise silently ignore."""

from typing import Any

from fastapi import Request

from app.context import Ctx
from app.errors import InvalidParameter


def _query_names(dependant: Any) -> frozenset[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


async def strict_query(request: Request, ctx: Ctx) -> None:
    """Refuse an unknown parameter (a typo such as `contry=NE` must not silently answer the
    unfiltered list), a parameter given twice, and NUL characters, which no store accepts in
    text."""
    route = request.scope.get("route")
    if route is None or not request.scope.get("query_string"):
        return
    known = ctx.query_names.get(id(route))
    if known is None or known[0] is not route:
        known = ctx.query_names[id(route)] = (route, _query_names(route.dependant))
    names = known[1]
    seen: set[str] = set()
    for name, value in request.query_params.multi_items():
        if name not in names:
            allowed = ", ".join(sorted(names)) or "none"
            raise InvalidParameter(name[:100], f"unknown parameter; this one takes: {allowed}")
        if name in seen:
            raise InvalidParameter(name, "given more than once; give it once")
        if "\x00" in value:
            raise InvalidParameter(name, "must not contain NUL characters")
        seen.add(name)
