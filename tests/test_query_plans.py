"""Lists on a large store: a page costs about the page, whatever the filter matches.

A filter through another table (events of a country, of a participant) is queried one of two
ways: driven from its few matches and sorted, or, when many match, by walking the date index
between the first and last match and probing each event. Both must give the same pages; the
plan must be the one that does not touch every match on every page."""

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from app import query
from app.api import events as events_api
from app.api.choices import Choice
from app.api.events import EVENTS, EventFilters
from app.api.when import DateRange
from app.db import make_engine
from app.migrate import upgrade
from app.pagination import CursorSigner
from bench.generate import generate


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The benchmark's generator at 5,000 events (a second or two), read-only."""
    url = f"sqlite:///{tmp_path_factory.mktemp('big') / 'store.db'}"
    upgrade(url)
    writer = make_engine(url)
    generate(writer, 5000)
    writer.dispose()
    engine = make_engine(url, readonly=True)
    yield engine
    engine.dispose()


def rare_participant(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT entity_id FROM event_participant WHERE entity_type = 'person' "
                    "GROUP BY entity_id HAVING count(*) BETWEEN 5 AND 60 LIMIT 1"
                )
            ).scalar_one()
        )


LISTING = EVENTS.listing
# Shared by the deep-page test and the work it measures: the cursors must verify, and the
# total is counted before the work is (the first page of a filter set counts it once).
PAGING = query.Paging(CursorSigner("test"), query.PerVersion(), "w")


def paging() -> query.Paging:
    """Paging with a cache of totals of its own, so each use counts afresh."""
    return query.Paging(CursorSigner("test"), query.PerVersion(), "v")


def pages(engine: Engine, filters: EventFilters, sort: str, limit: int = 7) -> list[str]:
    """Every id of the listing, page by page, through cursors."""
    ids: list[str] = []
    cursor = None
    counted = paging()
    with engine.connect() as conn:
        while True:
            page = query.fetch_page(
                conn, LISTING, filters, sort=sort, limit=limit, cursor=cursor, paging=counted
            )
            ids += [row.id for row in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                return ids


def page_plan(engine: Engine, filters: EventFilters, sort: str) -> str:
    """The query plan of the statement that fetched one page."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if "ORDER BY" in statement:
            seen.append((statement, parameters))

    with engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", record)
        query.fetch_page(conn, LISTING, filters, sort=sort, limit=50, cursor=None, paging=paging())
        statement, parameters = seen[-1]
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return " | ".join(row[3] for row in rows)


@pytest.mark.parametrize("sort", ["date", "-date", "title", "-id"])
def test_both_plans_page_the_same_records(
    big_store: Engine, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    participant = rare_participant(big_store)
    for filters in (
        EventFilters(country=Choice(("NE",))),
        EventFilters(country=Choice(("FR",)), kind=Choice(("coup",))),
        EventFilters(participant=Choice((participant,))),
        EventFilters(
            country=Choice(("NE",)), dates=DateRange(dt.date(2000, 1, 1), dt.date(2010, 12, 31))
        ),
    ):
        monkeypatch.setattr(query, "DRIVE_LIMIT", 10**9)
        driven = pages(big_store, filters, sort)
        monkeypatch.setattr(query, "DRIVE_LIMIT", 0)
        walked = pages(big_store, filters, sort)
        assert driven == walked and driven, filters
        with monkeypatch.context() as unlinked:  # one country's own index, and without it
            unlinked.setattr(events_api, "BY_COUNTRY", {})
            assert pages(big_store, filters, sort) == walked, filters
        assert len(set(driven)) == len(driven)


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_many_matches_walk_the_date_index_between_the_first_and_last(
    big_store: Engine, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query, "DRIVE_LIMIT", 100)  # NE and FR have hundreds of events here
    plan = page_plan(big_store, EventFilters(country=Choice(("NE", "FR"))), sort)
    direction = "asc" if sort == "date" else "desc"
    assert re.search(
        rf"SEARCH event USING (COVERING )?INDEX ix_event_by_date_{direction} "
        rf"\(sort_start_{direction}>\? AND",
        plan,
    ), plan
    assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_one_country_reads_its_own_date_index(big_store: Engine, sort: str) -> None:
    """event_country repeats the sort keys: one country's page is a range of its index,
    whatever the store's size, with no sort and no probing of the events table."""
    plan = page_plan(big_store, EventFilters(country=Choice(("NE",))), sort)
    direction = "asc" if sort == "date" else "desc"
    assert f"ix_event_country_by_date_{direction} (country=?" in plan, plan
    assert "TEMP B-TREE" not in plan and "SCAN" not in plan, plan


def test_one_country_and_a_kind_stay_on_the_link(big_store: Engine) -> None:
    plan = page_plan(
        big_store, EventFilters(country=Choice(("NE",)), kind=Choice(("coup",))), "date"
    )
    assert "ix_event_country_by_date_asc" in plan and "TEMP B-TREE" not in plan, plan
    assert "SEARCH event " not in plan, plan


def test_few_matches_are_driven_from_the_link_table(
    big_store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query, "DRIVE_LIMIT", 100)
    plan = page_plan(
        big_store, EventFilters(participant=Choice((rare_participant(big_store),))), "date"
    )
    assert "ix_event_participant_entity" in plan, plan
    assert "ix_event_by_date" not in plan, plan


def work_of(engine: Engine, filters: EventFilters, sort: str, cursor: str | None) -> int:
    """How much work SQLite does for one page: virtual machine steps, in hundreds (a count,
    not a time: the same on a busy machine)."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    with engine.connect() as conn:
        conn.connection.driver_connection.set_progress_handler(count, 100)  # type: ignore[union-attr]
        query.fetch_page(conn, LISTING, filters, sort=sort, limit=20, cursor=cursor, paging=PAGING)
        conn.connection.driver_connection.set_progress_handler(None, 0)  # type: ignore[union-attr]
    return steps[0]


@pytest.mark.parametrize("filters", [EventFilters(), EventFilters(country=Choice(("NE",)))])
@pytest.mark.parametrize("sort", ["date", "-date"])
def test_a_deep_page_costs_what_the_first_does(
    big_store: Engine, filters: EventFilters, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query, "DRIVE_LIMIT", 100)  # walk, as a large store would
    cursors: list[str] = []
    with big_store.connect() as conn:
        cursor = None
        while True:
            page = query.fetch_page(
                conn, LISTING, filters, sort=sort, limit=100, cursor=cursor, paging=PAGING
            )
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
            cursors.append(cursor)
    deepest = cursors[-1]  # 100 rows from the end: thousands of rows from the start
    first, later = (
        work_of(big_store, filters, sort, None),
        work_of(big_store, filters, sort, deepest),
    )
    assert later <= 2 * first + 5, (first, later)


@pytest.mark.parametrize(("name", "index"), [("kind", "by_kind"), ("year", "by_year")])
def test_a_countrys_facets_are_counted_from_the_link_alone(
    big_store: Engine, name: str, index: str
) -> None:
    """A country's kind and year facets read event_country's own index, never the events."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if "GROUP BY" in statement:
            seen.append((statement, parameters))

    filters = EventFilters(country=Choice(("NE",)))
    with big_store.connect() as conn:
        event.listen(conn, "before_cursor_execute", record)
        counts = query.facet_counts(conn, LISTING, filters, [name], paging())[name]
        (statement, parameters), *_ = seen
        plan = " | ".join(
            row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        )
        total = conn.execute(
            text("SELECT count(*) FROM event_country WHERE country = 'NE'")
        ).scalar_one()
    assert f"COVERING INDEX ix_event_country_{index} (country=?)" in plan, plan
    assert "TEMP B-TREE" not in plan and " event " not in f"{plan} ", plan
    assert sum(item["count"] for item in counts) == total
