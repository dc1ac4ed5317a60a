"""The shapes of a resource's answers in the OpenAPI document, built from what the resource
declares: its record's fields and relations (app.records.Kind) and its facets
(app.query.Listing). A record or page is `anyOf` the whole one and a sparse one (`fields=`
keeps its key and what was asked for); `included` (`include=`) holds each relation's records
by name; a page's `facets` holds the facets asked for by name. These models describe answers
only: routes send the stored documents, never validated against them."""

import operator
from collections.abc import Collection
from functools import cache, reduce
from typing import Any, Literal, cast

from pydantic import ConfigDict, Field, create_model

from app.models import FacetValue, page_of
from app.records import KINDS, Kind

CLOSED = ConfigDict(extra="forbid")


def any_of(*shapes: Any) -> Any:
    """`A | B | ...`: OpenAPI's `anyOf`."""
    return reduce(operator.or_, shapes)


def _name(kind: Kind) -> str:
    name: str = kind.public.__name__
    return name.removesuffix("Public")


@cache
def included_record(type_: str) -> Any:
    """A record embedded by `include=`: the whole record, marked with its `type`."""
    kind = KINDS[type_]
    marked = cast(Any, Literal)[type_]
    return create_model(
        f"Included{_name(kind)}",
        __base__=kind.public,
        type=(marked, Field(description="The record's type")),
    )


@cache
def included(kind: Kind) -> Any:
    """What `include=` adds to a `kind` record, by relation: those asked for."""
    members: dict[str, Any] = {}
    for name, relation in kind.includes.items():
        one = any_of(*(included_record(t) for t in relation.types))
        shape = cast(Any, list)[one] if relation.many else one | None
        members[name] = (shape, Field(None, description=f"With `include={name}`"))
    return create_model(f"{_name(kind)}Included", __config__=CLOSED, **members)


@cache
def sparse(kind: Kind) -> Any:
    """A `kind` record trimmed by `fields=`: its key, and any of its other fields."""
    members: dict[str, Any] = {
        name: (info.annotation, None if name != kind.key else ...)
        for name, info in kind.public.model_fields.items()
    }
    if kind.includes:
        members["included"] = (included(kind), None)
    return create_model(f"{_name(kind)}Sparse", **members)


def item_model(kind: Kind) -> Any:
    """One record: whole (with `included` where it has relations), or sparse."""
    return any_of(kind.public, sparse(kind))


@cache
def facets_model(kind: Kind, names: tuple[str, ...]) -> Any:
    """A page's `facets`: each facet asked for, by name (no other name can be there)."""
    members: dict[str, Any] = {
        name: (list[FacetValue], Field(None, description=f"With `facet={name}`")) for name in names
    }
    return create_model(f"{_name(kind)}Facets", __config__=CLOSED, **members)


@cache
def _pages(kind: Kind, facets: tuple[str, ...]) -> Any:
    extra: dict[str, Any] = {}
    if facets:
        extra["facets"] = (
            facets_model(kind, facets),
            Field(None, description="With `facet=`: each facet asked for, its values counted"),
        )
    name = kind.public.__name__
    whole = create_model(f"Page_{name}_", __base__=page_of(kind.public), **extra)
    trimmed = create_model(f"SparsePage_{name}_", __base__=page_of(sparse(kind)), **extra)
    return any_of(whole, trimmed)


def page_model(kind: Kind, facets: Collection[str] = ()) -> Any:
    """A page of `kind` records, whole or sparse, with the `facets` its list can count."""
    return _pages(kind, tuple(facets))
