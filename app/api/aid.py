"""/v1/aid: money and aid figures between countries, as exact integers with their currency,
and their sums with honest bounds."""

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, func, or_, select

from app import facets
from app.api.amounts import ANY_AMOUNT, AmountRange, amount_range
from app.api.choices import (
    CODES,
    MAX_IDS,
    Choice,
    choice,
    choice_query,
    countries,
    enum_query,
)
from app.api.filters import country_code
from app.api.lists import Resource, annotations_route, json_response
from app.api.params import (
    ItemParams,
    ListOptions,
    PageParams,
    Slug,
    item_params,
    list_options,
    page_params,
    sort_query,
)
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, PLAIN_LIST_RESPONSES
from app.api.when import ANY_TIME, DateRange, date_range
from app.context import Ctx
from app.errors import Explained
from app.models import AidKind, AidSummary
from app.query import DATE_SORT, Condition, Listing, SortKey, filters_scope, matching
from app.records import KINDS
from app.summaries import summarize

KIND = KINDS["aid"]
TABLE = KIND.table
CURRENCIES = Explained(
    r"^!?[A-Za-z]{3}(,!?[A-Za-z]{3})*$",
    "must be ISO 4217 currency codes (3 letters; comma-separated values are ORed; ! before "
    "one excludes it)",
)


@dataclass(frozen=True)
class AidFilters:
    id: Choice | None = None
    donor: Choice | None = None
    recipient: Choice | None = None
    party: str | None = None  # donor or recipient: /v1/countries/{code}/aid
    kind: Choice | None = None
    currency: Choice | None = None
    article: Choice | None = None
    amounts: AmountRange = ANY_AMOUNT
    dates: DateRange = ANY_TIME


def _where(conn: Connection, f: AidFilters) -> list[Condition]:
    out: list[Condition] = []
    if f.id:
        out += f.id.on(TABLE.c.id)
    if f.donor:
        out += countries(conn, f.donor).on(TABLE.c.donor, nullable=True)
    if f.recipient:
        out += countries(conn, f.recipient).on(TABLE.c.recipient, nullable=True)
    if f.party:
        party = country_code(conn, f.party)
        out.append(or_(TABLE.c.donor == party, TABLE.c.recipient == party))
    if f.kind:
        out += f.kind.on(TABLE.c.kind)
    if f.currency:
        out += f.currency.map(str.upper).on(TABLE.c.currency)
    if f.article:
        out += f.article.on(TABLE.c.article)
    out.extend(f.amounts.conditions(TABLE.c.amount, TABLE.c.qualifier))
    out.extend(f.dates.conditions(TABLE))
    return out


FACETS = {
    facet.name: facet
    for facet in (
        facets.column("donor", facets.countries, own_filter="donor"),
        facets.column("recipient", facets.countries, own_filter="recipient"),
        facets.column("kind", own_filter="kind"),
        facets.column("currency", facets.as_is, own_filter="currency"),
        facets.year(),
        facets.column("article", facets.articles, own_filter="article"),
    )
}
AID = Resource(
    KIND,
    Listing(
        "aid",
        TABLE,
        "id",
        {
            "amount": [SortKey("amount")],
            "date": DATE_SORT,
            "position": [SortKey("position")],
            "id": [],
        },
        _where,
        "-amount",
        document="aid",
        facets=FACETS,
    ),
)
SORT = sort_query(AID.listing)
PAGE = page_params(KIND)
ITEM = item_params(KIND)
OPTIONS = list_options(AID.listing)
router = APIRouter(prefix="/v1/aid", tags=["aid"])

amount_filters = amount_range("amount", "Whole currency units")


async def aid_filters(
    donor: Annotated[
        str | None, choice_query("Donor country: alpha-2 or alpha-3 code", CODES, "US")
    ] = None,
    recipient: Annotated[
        str | None, choice_query("Recipient country: alpha-2 or alpha-3 code", CODES, "NE")
    ] = None,
    kind: Annotated[str | None, enum_query(AidKind, "Kind of figure", "cut")] = None,
    currency: Annotated[
        str | None, choice_query("ISO 4217 code, e.g. USD", CURRENCIES, "USD")
    ] = None,
    article: Annotated[str | None, choice_query("Id of the article that states it")] = None,
    amounts: AmountRange = Depends(amount_filters),
    dates: DateRange = Depends(date_range),
) -> AidFilters:
    """The filters of /v1/aid (and /v1/countries/{code}/aid, and the summary)."""
    return AidFilters(
        donor=choice("donor", donor),
        recipient=choice("recipient", recipient),
        kind=choice("kind", kind),
        currency=choice("currency", currency),
        article=choice("article", article),
        amounts=amounts,
        dates=dates,
    )


async def listed_aid_filters(
    id: Annotated[
        str | None, choice_query(f"Ids of the aid figures to fetch (at most {MAX_IDS})")
    ] = None,
    given: AidFilters = Depends(aid_filters),
) -> AidFilters:
    """The filters of /v1/aid: those of the summary, and `id`."""
    return dataclasses.replace(given, id=choice("id", id, MAX_IDS))


AidFiltersDep = Annotated[AidFilters, Depends(aid_filters)]


class AidGroup(StrEnum):
    donor = "donor"
    recipient = "recipient"
    kind = "kind"
    currency = "currency"
    year = "year"


GROUP_LABELS = {
    "donor": facets.countries,
    "recipient": facets.countries,
    "kind": facets.vocabulary,
    "currency": facets.as_is,
    "year": facets.years,
}


def aid_summary(conn: Connection, filters: AidFilters, group_by: AidGroup) -> dict[str, Any]:
    """The aid matching `filters`, summed by `group_by`, each group split by kind and
    currency."""
    where = matching(conn, AID.listing, filters)
    if group_by is AidGroup.year:
        (value,) = facets.year().group(TABLE)[1]
    else:
        value = TABLE.c[group_by.value]
    rows = conn.execute(
        select(
            value,
            TABLE.c.kind,
            TABLE.c.currency,
            TABLE.c.qualifier,
            func.count(),
            func.sum(TABLE.c.amount),
        )
        .where(*where)
        .group_by(value, TABLE.c.kind, TABLE.c.currency, TABLE.c.qualifier)
    ).all()
    labels = GROUP_LABELS[group_by.value](conn, sorted({r[0] for r in rows if r[0] is not None}))
    return {
        "group_by": group_by.value,
        "groups": summarize((tuple(r) for r in rows), labels, ("currency",)),
    }


@router.get(
    "/summary",
    response_model=AidSummary,
    responses=PLAIN_LIST_RESPONSES,
    summary="Sum aid by group",
)
def summarize_aid(
    ctx: Ctx,
    request: Request,
    filters: AidFiltersDep,
    group_by: Annotated[
        AidGroup, Query(description="What to group by; each group is split by kind and currency")
    ] = AidGroup.donor,
) -> Response:
    """Aid summed by donor, recipient, kind, currency or year (with the filters of
    `/v1/aid`), never adding different kinds or currencies together. Each total is a range:
    `total_min` to `total_max` (null: no upper bound), `exact` only when every amount in it
    is exact ("more than $500 million" adds 500000000 to `total_min` and makes `total_max`
    null)."""
    paging = ctx.paging(request)
    key = (paging.version, "aid-summary", group_by.value, filters_scope(filters))
    with ctx.engine.connect() as conn:
        summary = paging.stats.get(key, lambda: aid_summary(conn, filters, group_by))
    return json_response(summary)


@router.get("", response_model=AID.page_model, responses=LIST_RESPONSES, summary="List aid")
def list_aid(
    ctx: Ctx,
    request: Request,
    filters: Annotated[AidFilters, Depends(listed_aid_filters)],
    page: PageParams = PAGE,
    sort: str = SORT,
    options: ListOptions = OPTIONS,
) -> Response:
    """Aid cuts, pledges and disbursements, largest first by default."""
    return AID.page(ctx, request, filters, sort, page, options=options)


@router.get(
    "/{id}", response_model=AID.item_model, responses=ITEM_RESPONSES, summary="Get an aid figure"
)
def get_aid(ctx: Ctx, request: Request, id: Slug, params: ItemParams = ITEM) -> Response:
    """One aid figure: donor, recipient, amount with currency and qualifier, and evidence."""
    return AID.item(ctx, request, id, params)


annotations_route(router, AID)
