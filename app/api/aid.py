"""/v1/aid: money and aid figures between countries, as exact integers with their currency."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import or_

from app.api.common import (
    ITEM_RESPONSES,
    LIST_RESPONSES,
    ItemParams,
    PageParams,
    Slug,
    country_code,
    country_filter,
    country_query,
    explained,
    item_params,
    item_response,
    list_response,
    page_params,
    sort_query,
)
from app.models import AidKind, AidPublic, Page
from app.query import DATE_KEY, Filters, Listing, SortKey
from app.records import KINDS

KIND = KINDS["aid"]
TABLE = KIND.table
MAX_AMOUNT = 10**18
CURRENCY = explained(r"^[A-Za-z]{3}$", "must be an ISO 4217 currency code (3 letters)")


def _where(conn: Any, f: Filters) -> list[Any]:
    out = []
    for name in ("donor", "recipient"):
        if f.get(name):
            out.append(TABLE.c[name] == country_code(conn, f[name]))
    for name in ("kind", "currency"):
        if f.get(name):
            out.append(TABLE.c[name] == f[name])
    if f.get("party"):
        party = country_code(conn, f["party"])
        out.append(or_(TABLE.c.donor == party, TABLE.c.recipient == party))
    if f.get("min_amount") is not None:
        out.append(TABLE.c.amount >= f["min_amount"])
    if f.get("max_amount") is not None:
        out.append(TABLE.c.amount <= f["max_amount"])
    return out


LISTING = Listing(
    "aid",
    TABLE,
    "id",
    {"amount": [SortKey("amount")], "date": [DATE_KEY], "id": []},
    _where,
    "-amount",
    document="aid",
)
SORT = sort_query(LISTING)
router = APIRouter(prefix="/v1/aid", tags=["aid"])
PAGE = page_params(KIND)
ITEM = item_params(KIND)

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
) -> dict[str, Any]:
    """The filters of /v1/aid (and /v1/countries/{code}/aid)."""
    # min_amount > max_amount matches nothing; it is not an error.
    return {
        "donor": country_filter("donor", donor),
        "recipient": country_filter("recipient", recipient),
        "kind": kind,
        "currency": currency.upper() if currency else None,
        "min_amount": min_amount,
        "max_amount": max_amount,
    }


AidFilters = Annotated[dict[str, Any], Depends(aid_filters)]


@router.get("", response_model=Page[AidPublic], responses=LIST_RESPONSES, summary="List aid")
def list_aid(
    request: Request,
    filters: AidFilters,
    page: PageParams = PAGE,
    sort: str = SORT,
) -> Response:
    """Aid cuts, pledges and disbursements, largest first by default."""
    return list_response(request, KIND, LISTING, filters, sort, page)


@router.get(
    "/{id}", response_model=AidPublic, responses=ITEM_RESPONSES, summary="Get an aid figure"
)
def get_aid(id: Slug, params: ItemParams = ITEM) -> Response:
    """One aid figure: donor, recipient, amount with currency and qualifier, and evidence."""
    return item_response(KIND, id, params)
