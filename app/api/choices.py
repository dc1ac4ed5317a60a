"""Multi-value filters: a comma means OR within one parameter (`kind=coup,offer`), a `!` in
front of a value excludes it (`country=!NE`); different parameters combine with AND. A
parameter takes at most 50 values (`id=` takes 100)."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Query
from sqlalchemy import ColumnElement, Connection, FromClause, Select, false, not_, or_, select

from app.api.filters import country_code, entity_condition
from app.api.params import HOW, MAX_VALUES, list_query
from app.errors import Explained, InvalidParameter
from app.query import Condition, Member

MAX_IDS = 100
CODES = Explained(
    r"^!?[A-Za-z]{2,3}(,!?[A-Za-z]{2,3})*$",
    f"must be ISO 3166-1 alpha-2 or alpha-3 codes ({HOW})",
)
IDS = Explained(
    r"^!?[^,!\x00]+(,!?[^,!\x00]+)*$",
    f"must be ids, none empty ({HOW}); no NUL characters",
)


@dataclass(frozen=True)
class Choice:
    """One filter's values: any of `include` (when there are any), none of `exclude`."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def map(self, fn: Callable[[str], str]) -> "Choice":
        return Choice(tuple(map(fn, self.include)), tuple(map(fn, self.exclude)))

    def on(self, column: Any, nullable: bool = False) -> list[Condition]:
        """Conditions on a column holding one value per record. Excluding keeps the records
        with no value (`donor=!US` keeps aid whose donor the article does not name)."""
        out: list[Condition] = []
        if self.include:
            out.append(column.in_(self.include))
        if self.exclude:
            kept = column.not_in(self.exclude)
            out.append(or_(column.is_(None), kept) if nullable else kept)
        return out

    def through(self, key: Any, link: Callable[[Sequence[str]], Select[Any]]) -> list[Condition]:
        """Conditions through another table: `link(values)` selects the keys of the records
        linked to any of `values` (`country=NE`: the events concerning Niger). Excluding keeps
        the records linked to none of them (`country=!NE`: events not concerning Niger)."""
        out: list[Condition] = []
        if self.include:
            out.append(Member(link(self.include)))
        if self.exclude:
            out.append(key.not_in(link(self.exclude)))
        return out


def enum_query(values: Iterable[str], description: str, example: str | None = None) -> Any:
    """A multi-value filter over a fixed vocabulary (`kind`, `mode`): OpenAPI lists it."""
    return list_query(
        values,
        f"{description}. Comma-separated values are ORed (at most {MAX_VALUES}); `!` before "
        "one excludes it.",
        negatable=True,
        example=example,
    )


def choice_query(description: str, pattern: str = IDS, example: str | None = None) -> Any:
    """A multi-value filter parameter."""
    return Query(
        max_length=5000,
        pattern=pattern,
        description=f"{description}. Comma-separated values are ORed (at most {MAX_VALUES}); "
        "`!` before one excludes it",
        examples=[example] if example else None,
    )


def choice(name: str, raw: str | None, limit: int = MAX_VALUES) -> Choice | None:
    """Parse a multi-value parameter (its pattern already checked each value's form)."""
    if raw is None:
        return None
    values = raw.split(",")
    if len(values) > limit:
        raise InvalidParameter(name, f"at most {limit} values, not {len(values)}")
    include = tuple(dict.fromkeys(v for v in values if not v.startswith("!")))
    exclude = tuple(dict.fromkeys(v[1:] for v in values if v.startswith("!")))
    return Choice(include, exclude)


def countries(conn: Connection, given: Choice) -> Choice:
    """Country codes in either form as the alpha-2 keys."""
    return given.map(lambda value: country_code(conn, value))


def refs_condition(
    conn: Connection, type_col: Any, id_col: Any, given: Choice
) -> list[ColumnElement[bool]]:
    """Reference column pairs against country codes or entity ids, ORed; excluded ones not."""
    out: list[ColumnElement[bool]] = []
    if given.include:
        out.append(or_(*(entity_condition(conn, type_col, id_col, v) for v in given.include)))
    if given.exclude:
        out.append(not_(or_(*(entity_condition(conn, type_col, id_col, v) for v in given.exclude))))
    return out


def refs_through(
    conn: Connection,
    key: Any,
    link: FromClause,
    link_key: Any,
    type_col: Any,
    id_col: Any,
    given: Choice,
) -> list[Condition]:
    """Records linked (through `link`) to any included reference, and to no excluded one."""

    def linked(values: Sequence[str]) -> Select[Any]:
        matches = [entity_condition(conn, type_col, id_col, v) for v in values]
        return select(link_key).select_from(link).where(or_(*matches) if matches else false())

    return given.through(key, linked)
