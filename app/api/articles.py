"""/v1/articles: the source documents every record's evidence points into."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api.lists import Resource, json_response
from app.api.params import PageParams, Slug, page_params, sort_query
from app.api.responses import ITEM_RESPONSES, PLAIN_LIST_RESPONSES
from app.context import Ctx
from app.errors import NotFound
from app.models import ArticlePublic, ArticleSummary, Page
from app.query import Listing, SortKey
from app.records import ARTICLE_DETAIL, KINDS, get_one


@dataclass(frozen=True)
class NoFilters:
    pass


KIND = KINDS["article"]
# Lists serve summaries (the length, not the text); one article comes with its text.
ARTICLES: Resource[NoFilters] = Resource(
    KIND,
    Listing(
        "articles", KIND.table, "id", {"title": [SortKey("title")], "id": []}, document="article"
    ),
)
SORT = sort_query(ARTICLES.listing)
PAGE = page_params(KIND)
router = APIRouter(prefix="/v1/articles", tags=["articles"])


@router.get(
    "", response_model=Page[ArticleSummary], responses=PLAIN_LIST_RESPONSES, summary="List articles"
)
def list_articles(
    ctx: Ctx, request: Request, page: PageParams = PAGE, sort: str = SORT
) -> Response:
    """The articles in the store, without their text (GET one to read it)."""
    return ARTICLES.page(ctx, request, NoFilters(), sort, page)


@router.get(
    "/{id}", response_model=ArticlePublic, responses=ITEM_RESPONSES, summary="Get an article"
)
def get_article(ctx: Ctx, id: Slug) -> Response:
    """One article with its full text, verbatim: evidence offsets index this string."""
    with ctx.engine.connect() as conn:
        article = get_one(conn, ARTICLE_DETAIL, id)
    if article is None:
        raise NotFound(f"No article has the id {id!r}")
    return json_response(article)
