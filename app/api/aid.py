"""/v1/aid: money and aid figures between countries, as exact integers with their currency."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, or_

from app.api.filters import country_code
from app.api.lists import Resource, annotations_route
from app.api.params import (
    ItemParams,
    PageParams,
    Slug,
    country_query,
    explained,
    item_params,
    page_params,
    sort_query,
)
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES
from app.api.when import ANY_TIME, DateRange, date_range
from app.context import Ctx
from app.models import AidKind, AidPublic, Page
from app.query import DATE_SORT, Condition, Listing, SortKey
from app.records import KINDS

KIND = KINDS["aid"]
TABLE = KIND.table
MAX_AMOUNT = 10**18
CURRENCY = explained(r"^[A-Za-z]{3}$", "must be an ISO 4217 currency code (3 letters)")


@dataclass(frozen=True)
class AidFilters:
    donor: str | None = None
    recipient: str | None = None
    party: str | None = None  # donor or recipient: /v1/countries/{code}/aid
    kind: AidKind | None = None
    currency: str | None = None
    min_amount: int | None = None
    max_amount: int | None = None
    dates: DateRange = ANY_TIME


def _where(conn: Connection, f: AidFilters) -> list[Condition]:
    out: list[Condition] = []
    if f.donor:
        out.append(TABLE.c.donor == country_code(conn, f.donor))
    if f.recipient:
        out.append(TABLE.c.recipient == country_code(conn, f.recipient))
    if f.party:
        party = country_code(conn, f.party)
        out.append(or_(TABLE.c.donor == party, TABLE.c.recipient == party))
    if f.kind:
        out.append(TABLE.c.kind == f.kind)
    if f.currency:
        out.append(TABLE.c.currency == f.currency)
    if f.min_amount is not None:
        out.append(TABLE.c.amount >= f.min_amount)
    if f.max_amount is not None:
        out.append(TABLE.c.amount <= f.max_amount)
    out.extend(f.dates.conditions(TABLE))
    return out


AID = Resource(
    KIND,
    Listing(
        "aid",
        TABLE,
        "id",
        {"amount": [SortKey("amount")], "date": DATE_SORT, "id": []},
        _where,
        "-amount",
        document="aid",
    ),
)
SORT = sort_query(AID.listing)
PAGE = page_params(KIND)
ITEM = item_params(KIND)
router = APIRouter(prefix="/v1/aid", tags=["aid"])

Amount = Annotated[int | None, Query(ge=0, le=MAX_AMOUNT, description="Whole currency units")]


async def aid_filters(
    donor: Annotated[str | None, country_query("Donor country: alpha-2 or alpha-3 code")] = None,
    recipient: Annotated[
        str | None, country_query("Recipient country: alpha-2 or alpha-3 code")
    ] = None,
    kind: Annotated[AidKind | None, Query(description="Kind of figure")] = None,
    currency: Annotated[
        str | None, Query(pattern=CURRENCY, description="ISO 4217 code, e.g. USD")
    ] = None,
    min_amount: Amount = None,
    max_amount: Amount = None,
    dates: DateRange = Depends(date_range),
) -> AidFilters:
    """The filters of /v1/aid (and /v1/countries/{code}/aid)."""
    # min_amount > max_amount matches nothing; it is not an error.
    return AidFilters(
        donor=donor,
        recipient=recipient,
        kind=kind,
        currency=currency.upper() if currency else None,
        min_amount=min_amount,
        max_amount=max_amount,
        dates=dates,
    )


AidFiltersDep = Annotated[AidFilters, Depends(aid_filters)]


@router.get("", response_model=Page[AidPublic], responses=LIST_RESPONSES, summary="List aid")
def list_aid(
    ctx: Ctx, request: Request, filters: AidFiltersDep, page: PageParams = PAGE, sort: str = SORT
) -> Response:
    """Aid cuts, pledges and disbursements, largest first by default."""
    return AID.page(ctx, request, filters, sort, page)


@router.get(
    "/{id}", response_model=AidPublic, responses=ITEM_RESPONSES, summary="Get an aid figure"
)
def get_aid(ctx: Ctx, request: Request, id: Slug, params: ItemParams = ITEM) -> Response:
    """One aid figure: donor, recipient, amount with currency and qualifier, and evidence."""
    return AID.item(ctx, request, id, params)


annotations_route(router, AID)
