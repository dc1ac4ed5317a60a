"""Turning filter values into conditions: country codes in either form, references that may be
a country or an entity, and partial dates as day ranges."""

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, select

from app.dates import parse_partial_date
from app.errors import InvalidParameter
from app.models import Country, table_of

COUNTRY = table_of(Country)
ALPHA3 = select(COUNTRY.c.code).where(COUNTRY.c.iso3 == bindparam("iso3"))


def resolve_country(conn: Connection, code: str) -> str | None:
    """The alpha-2 code for an alpha-2 or alpha-3 `code` in any case, if the store has it."""
    if len(code) == 2:
        return code.upper()  # alpha-2 is the key itself: no query needed
    found: str | None = conn.execute(ALPHA3, {"iso3": code.upper()}).scalar_one_or_none()
    return found


def country_code(conn: Connection, value: str) -> str:
    """A country filter's value as the alpha-2 key (a code nobody uses matches nothing)."""
    return resolve_country(conn, value) or value.upper()


def looks_like_country(value: str) -> bool:
    return 2 <= len(value) <= 3 and value.isascii() and value.isalpha()


def entity_condition(
    conn: Connection, type_col: Any, id_col: Any, value: str
) -> ColumnElement[bool]:
    """Match a reference column pair against `value`: a country code (alpha-2 or alpha-3, any
    case) or the id of a person, organization or place."""
    if looks_like_country(value):
        condition: ColumnElement[bool] = (type_col == "country") & (
            id_col == country_code(conn, value)
        )
        return condition
    other: ColumnElement[bool] = (type_col != "country") & (id_col == value)
    return other


def first_day(name: str, value: str | None) -> dt.date | None:
    """The first day a `from`-like partial date covers (`2023-07` is 2023-07-01)."""
    return _parsed(name, value)[0]


def last_day(name: str, value: str | None) -> dt.date | None:
    """The last day a `to`-like partial date covers (`2023-07` is 2023-07-31)."""
    return _parsed(name, value)[1]


def _parsed(name: str, value: str | None) -> tuple[dt.date | None, dt.date | None]:
    if value is None:
        return None, None
    try:
        parsed = parse_partial_date(value)
    except ValueError as exc:
        raise InvalidParameter(name, str(exc)) from None
    return parsed.start, parsed.end
