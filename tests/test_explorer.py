"""The explorer in a real browser: Debian's Chromium, headless and driven by Playwright, loads
every view from a served seeded store, follows links, searches, chooses a record in the
reader, reads the timeline, walks the main views by keyboard and meets problems, each time
with no console error, no Content-Security-Policy violation and no request leaving
127.0.0.1. Screenshots, and what each view costs in requests and bytes, go to
tmp/artifacts/explorer; `make screenshots` writes the README's two pictures."""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    FloatRect,
    Locator,
    Page,
    Request,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.conftest import CHROMIUM_FLAGS, ROOT, require_chromium, running_server

pytestmark = pytest.mark.slow

FLAGS = [*CHROMIUM_FLAGS, "--disable-default-apps", "--disable-extensions"]
ARTIFACTS = ROOT / "tmp" / "artifacts" / "explorer"
ARTICLE = "niger-russia-military-ties"
READER = f"#/articles/{ARTICLE}"
WIDE: ViewportSize = {"width": 1280, "height": 900}
# axe-core, vendored from npm (tests/vendor, with its licence) for the tests only: never served.
AXE = (ROOT / "tests" / "vendor" / "axe.min.js").read_text()

# Every view, and the heading it must show.
VIEWS = {
    "home": ("#/", "What the article says, checkably"),
    "reader": (READER, "Russia's drive for closer military ties with Niger"),
    "timeline": ("#/timeline", "Timeline"),
    "countries": ("#/countries", "Countries"),
    "country": ("#/countries/NE", "Niger"),
    "people": ("#/people", "People"),
    "person": ("#/people/olayinka-ajala", "Olayinka Ajala"),
    "organizations": ("#/organizations", "Organizations"),
    "organization": ("#/organizations/cnsp", "National Council for Safeguard of the Homeland"),
    "places": ("#/places", "Places"),
    "place": ("#/places/agadez", "Agadez"),
    "event": ("#/events/niger-coup-2023", "Coup in Niger"),
    "quotes": ("#/quotes", "Quotes"),
    "quote": ("#/quotes/ajala-matter-of-time", "matter of time"),
    "statements": ("#/statements", "Statements"),
    "statements-by": ("#/statements?speaker=olayinka-ajala&group=speaker", "Statements"),
    "statement": ("#/statements/newsweek-junta-pivots-from-paris", "In a pivot away from Paris"),
    "aid": ("#/aid/us-aid-cut-niger", "more than $500 million"),
    "figure": ("#/figures/trans-saharan-pipeline-value", "Trans-Saharan gas pipeline"),
    "money": ("#/money", "Aid and figures"),
    "search": ("#/search?q=Agadez", "Search: “Agadez”"),
}
COSTS: dict[str, dict[str, int]] = {}
# Views answer in well under a second here; a slower CI machine gets room.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = require_chromium("test the explorer")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def base(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("explorer") / "store.db"
    with running_server(f"sqlite:///{store}") as (url, _):
        yield url


@pytest.fixture(scope="module", autouse=True)
def costs_report() -> Iterator[None]:
    """What each view cost, cold, written for the record once the module is done."""
    yield
    if COSTS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "costs.json").write_text(json.dumps(COSTS, indent=2) + "\n")


@dataclass
class Watched:
    """A page whose every request, console error and policy violation is kept."""

    page: Page
    base: str
    requests: list[Request] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    shown: int = 0

    def open(self, hash_: str) -> None:
        """Load the explorer afresh at `hash_` and wait for its view to finish (or fail)."""
        self.shown = 0
        self.page.goto("about:blank")  # else only the hash would change, in the same document
        self.page.goto(f"{self.base}/{hash_}")
        self.settled()

    def go(self, hash_: str) -> None:
        """Move to `hash_` within the loaded page, as a link would."""
        self.page.evaluate("hash => { location.hash = hash }", hash_)
        self.settled()

    def settled(self) -> None:
        """Wait for the next view (or update of one) to be shown: main counts them."""
        self.page.wait_for_function(
            "n => Number(document.querySelector('main').dataset.shown || 0) > n", arg=self.shown
        )
        self.shown = int(self.page.locator("main").get_attribute("data-shown") or 0)

    def allow_failed_load(self, url_part: str) -> None:
        """A failed request the test provokes: its console line is expected."""
        self.allowed.append(url_part)

    def console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and any(
            part in where for part in self.allowed
        ):
            return
        self.errors.append(f"{message.text} ({where})")

    def assert_clean(self) -> None:
        assert not self.foreign, f"requests left 127.0.0.1: {self.foreign}"
        assert not self.csp, f"Content-Security-Policy violations: {self.csp}"
        assert not self.errors, f"console errors: {self.errors}"


def watched_context(browser: Browser, base: str, **options: Any) -> tuple[Any, Watched]:
    context = browser.new_context(viewport=WIDE, reduced_motion="reduce", **options)
    page = context.new_page()
    watched = Watched(page, base)

    def gate(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith("data:"):
            route.continue_()
        else:
            watched.foreign.append(url)
            route.abort()

    context.route("**/*", gate)
    context.expose_function("reportViolation", lambda text: watched.csp.append(text))
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => window.reportViolation("
        "`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`))"
    )
    page.on("console", watched.console)
    page.on("pageerror", lambda error: watched.errors.append(f"page error: {error}"))
    page.on("requestfinished", lambda request: watched.requests.append(request))
    page.on("requestfailed", lambda request: watched.requests.append(request))
    return context, watched


@pytest.fixture
def watch(browser: Browser, base: str, request: pytest.FixtureRequest) -> Iterator[Watched]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context, watched = watched_context(browser, base)
    yield watched
    watched.page.screenshot(path=ARTIFACTS / f"{request.node.name}.png")
    context.close()
    watched.assert_clean()


def heading(page: Page) -> Locator:
    return page.locator("main h1")


def no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"scrolls sideways: {widths}"


def api(base: str, path: str, **params: Any) -> Any:
    response = httpx.get(f"{base}{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# --- every view --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_view_loads_cleanly_and_fits_375px(watch: Watched, name: str) -> None:
    hash_, title = VIEWS[name]
    watch.open(hash_)
    page = watch.page
    expect(heading(page)).to_contain_text(title)
    expect(page.locator("main")).to_have_attribute("data-state", "ready")
    page.wait_for_load_state("networkidle")
    # Cold (a new browser context): the page, its modules, and what the view asks the API.
    api_requests = [r for r in watch.requests if urlsplit(r.url).path.startswith("/v1/")]
    sizes = [r.sizes() for r in watch.requests]
    COSTS[name] = {
        "requests": len(watch.requests),
        "api_requests": len(api_requests),
        "bytes": sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes),
        "api_bytes": sum(
            r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in api_requests
        ),
    }
    page.screenshot(path=ARTIFACTS / f"view-{name}-1280.png")
    page.set_viewport_size({"width": 375, "height": 800})
    page.wait_for_timeout(100)
    no_horizontal_scroll(page)
    page.screenshot(path=ARTIFACTS / f"view-{name}-375.png", full_page=True)


# --- links, history ------------------------------------------------------------------------------


def test_links_lead_through_the_views_and_back_and_forward(watch: Watched) -> None:
    page = watch.page
    watch.open("#/")
    page.get_by_role("link", name="Russia's drive for closer military ties with Niger").click()
    watch.settled()
    expect(heading(page)).to_have_text("Russia's drive for closer military ties with Niger")
    page.get_by_role("navigation").get_by_role("link", name="Timeline").click()
    watch.settled()
    expect(heading(page)).to_have_text("Timeline")
    nav_link = page.get_by_role("navigation").get_by_role("link", name="Timeline")
    expect(nav_link).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Coup in Niger").click()
    watch.settled()
    expect(heading(page)).to_have_text("Coup in Niger")
    page.locator("main").get_by_role("link", name="Mohamed Bazoum").first.click()
    watch.settled()
    expect(heading(page)).to_have_text("Mohamed Bazoum")
    page.get_by_role("link", name="Read it in the article").first.click()
    watch.settled()
    assert "sel=person:mohamed-bazoum" in page.url and "at=" in page.url
    target = page.locator(".seg.is-target")
    expect(target.first).to_be_focused()
    assert "".join(target.all_text_contents()).startswith("Mohamed Bazoum")

    for expected in ["Mohamed Bazoum", "Coup in Niger", "Timeline"]:
        page.go_back()
        watch.settled()
        expect(heading(page)).to_have_text(expected)
    page.go_forward()
    watch.settled()
    expect(heading(page)).to_have_text("Coup in Niger")


# --- search --------------------------------------------------------------------------------------


def test_search_box_suggests_through_typos_and_opens_the_choice(watch: Watched) -> None:
    page = watch.page
    watch.open("#/timeline")
    box = page.get_by_role("combobox")
    box.click()
    page.keyboard.type("Bazum", delay=30)
    option = page.get_by_role("option", name="Mohamed Bazoum")
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id") or "")
    page.keyboard.press("Enter")
    watch.settled()
    assert page.url.endswith("#/people/mohamed-bazoum")
    expect(heading(page)).to_have_text("Mohamed Bazoum")

    # Escape closes the list; Enter with nothing chosen asks for results.
    box.fill("")
    box.click()
    page.keyboard.type("Bazum", delay=30)
    expect(option).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    watch.settled()
    assert page.url.endswith("#/search?q=Bazum")
    expect(page.locator(".notice")).to_have_text(
        "No exact match for “Bazum”; showing names close to it."
    )
    expect(page.locator("main").get_by_role("link", name="Mohamed Bazoum")).to_be_visible()


# --- the reader ----------------------------------------------------------------------------------


def test_reader_choosing_a_record_highlights_its_spans_and_dims_the_rest(
    watch: Watched, base: str
) -> None:
    mentions = api(base, f"/v1/articles/{ARTICLE}/mentions", segments="true", offsets="utf16")
    niger = [s for s in mentions["segments"] if any(r["id"] == "NE" for r in s["records"])]
    niger_mentions = sum(1 for m in mentions["data"] if m["id"] == "NE")
    page = watch.page
    watch.open(READER)
    pieces = page.locator(".article-text .seg")
    expect(pieces).to_have_count(sum(1 for s in mentions["segments"] if s["records"]))
    # Every type has its legend entry; names carry an underline style, not colour alone.
    legend = page.locator(".legend li")
    expect(legend).to_have_count(len({m["type"] for m in mentions["data"]}))
    styles = page.evaluate(
        "['p-country','p-person','p-organization','p-place'].map(c => "
        "getComputedStyle(document.querySelector('.article-text .' + c)).textDecorationStyle)"
    )
    assert styles == ["solid", "double", "dashed", "dotted"]

    first = page.locator('.seg[data-keys^="country:NE"]').first
    first.hover()
    card = page.locator(".inspector .card").first
    expect(card).to_contain_text("Country")
    expect(card).to_contain_text("Niger")
    expect(card.get_by_role("link", name="JSON")).to_have_attribute("href", "/v1/countries/NE")
    expect(card.locator(".line")).to_contain_text("NER")  # fetched when the pointer rests

    first.click()
    watch.settled()
    expect(page.locator(".article-text")).to_have_class("article-text has-selection")
    assert "sel=country:NE" in page.url
    chosen = page.locator(".seg.is-selected")
    expect(chosen).to_have_count(len(niger))
    assert all(
        "country:NE" in (k or "").split()
        for k in chosen.evaluate_all("els => els.map(e => e.dataset.keys)")
    )
    expect(page.locator(".selection [role=status]")).to_contain_text(
        f"Niger (country): {niger_mentions} mentions highlighted, the rest dimmed."
    )
    looks = page.evaluate(
        "() => { const on = document.querySelector('.seg.is-selected');"
        " const off = document.querySelector('.article-text .seg:not(.is-selected)');"
        " const s = e => getComputedStyle(e);"
        " return [s(on).backgroundImage, s(off).backgroundImage, s(off).textDecorationColor,"
        " s(off).color, s(on).color]; }"
    )
    assert "rgb(253, 230, 138)" in looks[0]  # chosen: marked
    assert looks[1] == "none, none, none, none, none"  # the rest: no tint, no line
    assert looks[2] == "rgba(0, 0, 0, 0)" and looks[3] != looks[4]  # and greyed
    page.get_by_role("button", name="Next mention").click()
    expect(page.locator(".seg.is-selected:focus")).to_have_count(1)
    page.get_by_role("link", name="Clear").click()
    watch.settled()
    expect(page.locator(".seg.is-selected")).to_have_count(0)
    expect(page.locator(".article-text")).to_have_class("article-text")


# --- the timeline --------------------------------------------------------------------------------


def bar_box(page: Page, event: str) -> tuple[FloatRect, FloatRect]:
    """Where an event's bar and its track are drawn."""
    row = page.locator(f'.tl-row[data-id="{event}"]')
    bar = row.locator(".tl-bar").bounding_box()
    track = row.locator(".tl-track").bounding_box()
    assert bar and track
    return bar, track


def test_timeline_draws_bounds_to_their_precision_and_filters_with_counts(
    watch: Watched,
) -> None:
    page = watch.page
    watch.open("#/timeline")
    expect(page.locator(".tl-results > h2")).to_have_text("18 events")
    # The axis runs over whole years, 2021 to 2024.
    days = 3 * 365

    coup = page.locator('.tl-row[data-id="niger-coup-2023"]')
    expect(coup).to_contain_text("July 2023")
    expect(coup.locator(".edtf")).to_have_text("2023-07")
    expect(coup.locator(".tl-bar")).to_have_class("tl-bar closed p-month")
    expect(coup.locator(".tl-bar")).to_have_attribute("data-end", "2023-07-31")
    bar, track = bar_box(page, "niger-coup-2023")
    assert bar["width"] == pytest.approx(track["width"] * 31 / days, abs=1.5)
    july = (365 + 365 + 181) / days  # 2021-01-01 to 2023-07-01
    assert bar["x"] - track["x"] == pytest.approx(track["width"] * july, abs=1.5)

    after = page.locator('.tl-row[data-id="niger-expels-french-troops"]')
    expect(after.locator(".edtf")).to_have_text("2023-07/..")
    expect(after).to_contain_text("July 2023 or later")
    expect(after.locator(".tl-bar")).to_have_class("tl-bar open-end")
    bar, track = bar_box(page, "niger-expels-french-troops")
    assert bar["x"] - track["x"] == pytest.approx(track["width"] * july, abs=1.5)
    assert bar["x"] + bar["width"] == pytest.approx(track["x"] + track["width"], abs=1.5)
    arrow = after.locator(".tl-bar").evaluate("e => getComputedStyle(e, '::after').content")
    assert arrow == '"→"'

    before = page.locator('.tl-row[data-id="mali-burkina-faso-mining-concessions"]')
    expect(before.locator(".edtf")).to_have_text("../2023-03")
    expect(before.locator(".tl-bar")).to_have_class("tl-bar open-start")
    bar, track = bar_box(page, "mali-burkina-faso-mining-concessions")
    assert bar["x"] == pytest.approx(track["x"], abs=1)

    unplaced = page.locator(".unplaced li")
    expect(unplaced).to_have_count(6)
    expect(page.locator(".unplaced")).to_contain_text("Olayinka Ajala speaks to Newsweek")

    # A filter: its own facet still counts every kind; the others count within it.
    expect(page.get_by_label("Coup (3)")).to_be_visible()
    page.get_by_label("Coup (3)").check()
    watch.settled()
    expect(page.locator(".tl-results > h2")).to_have_text("3 events")
    assert "kind=coup" in page.url
    expect(page.get_by_label("Statement (4)")).to_be_visible()
    expect(page.locator(".facet-country")).to_contain_text("Niger (1)")
    expect(page.get_by_label("Coup (3)")).to_be_checked()
    page.get_by_label("Niger (1)").first.check()
    watch.settled()
    expect(page.locator(".tl-results > h2")).to_have_text("1 event")
    page.go_back()
    watch.settled()
    expect(page.locator(".tl-results > h2")).to_have_text("3 events")
    page.go_back()
    watch.settled()
    expect(page.locator(".tl-results > h2")).to_have_text("18 events")


# --- keyboard ------------------------------------------------------------------------------------


def tab_until(page: Page, selector: str, most: int = 80, key: str = "Tab") -> list[str]:
    """Tab (or `key`) until the focus is on `selector`; what it passed on the way."""
    passed = []
    for _ in range(most):
        page.keyboard.press(key)
        passed.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.id || e.getAttribute('href') || e.className || e.tagName; }"
            )
        )
        if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
            return passed
    raise AssertionError(f"Tab never reached {selector}: {passed}")


def test_keyboard_reaches_search_nav_and_mentions_and_enter_follows(watch: Watched) -> None:
    page = watch.page
    watch.open(READER)
    passed = tab_until(page, ".article-text .seg")
    assert passed[0] == "#main"  # the skip link first
    assert passed.index("search-input") < passed.index("#/timeline") < len(passed) - 1
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # focus is visible
    page.keyboard.press("Enter")
    watch.settled()
    expect(page.locator(".seg.is-selected").first).to_be_visible()
    assert "sel=" in page.url

    watch.go("#/timeline")
    tab_until(page, ".tl-rows a")
    page.keyboard.press("Enter")
    watch.settled()
    expect(heading(page)).to_have_text("Coup in Mali")
    expect(heading(page)).to_be_focused()

    # Back up to the nav by keyboard, then a record link on the page it opens.
    tab_until(page, 'nav a[href="#/people"]', key="Shift+Tab")
    page.keyboard.press("Enter")
    watch.settled()
    expect(heading(page)).to_have_text("People")
    tab_until(page, 'main a[href="#/people/mohamed-bazoum"]')
    page.keyboard.press("Enter")
    watch.settled()
    expect(heading(page)).to_have_text("Mohamed Bazoum")


# --- problems ------------------------------------------------------------------------------------


def test_problems_from_the_api_show_as_messages(watch: Watched) -> None:
    page = watch.page
    watch.allow_failed_load("/v1/events/no-such-event")
    watch.open("#/events/no-such-event")
    expect(heading(page)).to_have_text("Not found")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("404 Not Found")
    expect(alert).to_contain_text("No event has the id 'no-such-event'")

    watch.go("#/nowhere")
    expect(heading(page)).to_have_text("No such page")
    expect(page.get_by_role("alert")).to_contain_text("#/nowhere")

    watch.allow_failed_load("/v1/search")
    watch.allow_failed_load("/v1/autocomplete")
    watch.go(f"#/search?q={'x' * 201}")
    expect(page.get_by_role("alert")).to_contain_text("422 Unprocessable Entity")
    expect(page.get_by_role("alert").locator("li")).to_contain_text("q: String should have")


def test_no_answer_from_the_api_shows_as_a_message(browser: Browser, base: str) -> None:
    context, watched = watched_context(browser, base)
    try:
        watched.page.route("**/v1/**", lambda route: route.abort("connectionrefused"))
        watched.allow_failed_load("/v1/")
        watched.open("#/timeline")
        expect(watched.page.get_by_role("alert")).to_contain_text("The API could not be reached")
        watched.go("#/events/niger-coup-2023")
        expect(heading(watched.page)).to_have_text("The API could not be reached")
    finally:
        context.close()
    watched.assert_clean()


# --- pictures ------------------------------------------------------------------------------------


def test_screenshots_of_the_reader_and_the_timeline(watch: Watched) -> None:
    """The README's two pictures: to tmp/artifacts, or where EXPLORER_SCREENSHOTS says."""
    out = Path(os.environ.get("EXPLORER_SCREENSHOTS") or ARTIFACTS)
    if not out.is_absolute():
        out = ROOT / out
    out.mkdir(parents=True, exist_ok=True)
    page = watch.page
    page.set_viewport_size({"width": 1200, "height": 760})
    watch.open(READER)
    page.locator('.seg[data-keys^="person:mohamed-bazoum"]').first.hover()
    expect(page.locator(".inspector .card .line").first).not_to_be_empty()
    page.screenshot(path=out / "explorer-reader.png")
    page.set_viewport_size({"width": 1200, "height": 900})
    watch.open("#/timeline?country=NE")  # the coup's month, and what followed it, open-ended
    page.screenshot(path=out / "explorer-timeline.png")
    for name in ("explorer-reader.png", "explorer-timeline.png"):
        assert (out / name).stat().st_size < 300_000, name


# --- where figures count, and who is only shown ---------------------------------------------------


def test_figures_show_where_they_count_and_a_flag_is_depicted(watch: Watched) -> None:
    page = watch.page
    watch.open("#/money?figures_by=kind")
    rows = page.locator(".chart-label").filter(has_text="Troops")
    expect(rows).to_have_count(2)  # 100 in Burkina Faso and none in Niger: never one total
    expect(rows.filter(has_text="in BF")).to_have_count(1)
    expect(rows.filter(has_text="in NE")).to_have_count(1)
    page.get_by_role("link", name="Country", exact=True).click()
    watch.settled()
    expect(page.locator(".chart-label").filter(has_text="Burkina Faso")).to_have_count(1)
    watch.open("#/figures/africa-corps-burkina-faso-troops")
    expect(
        page.locator("main").get_by_role("link", name="Burkina Faso", exact=True)
    ).to_be_visible()
    watch.open("#/events/cnsp-supporters-flags-niamey")
    participants = page.locator("main li").filter(has_text="Russia")
    expect(participants.filter(has_text="Depicted")).to_have_count(1)


# --- downloads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hash_", "name", "api_path", "params"),
    [
        (
            "#/timeline?kind=coup&country=NE",
            "events-kind-coup-country-NE",
            "/v1/events",
            {"kind": "coup", "country": "NE"},
        ),
        ("#/timeline", "events", "/v1/events", {}),
        ("#/countries", "countries", "/v1/countries", {}),
        ("#/people", "people", "/v1/people", {}),
        ("#/organizations", "organizations", "/v1/organizations", {}),
        ("#/places", "places", "/v1/places", {}),
        (
            "#/quotes?speaker=olayinka-ajala",
            "quotes-speaker-olayinka-ajala",
            "/v1/quotes",
            {"speaker": "olayinka-ajala"},
        ),
        (
            "#/statements?speaker=olayinka-ajala&mode=indirect&group=speaker",
            "statements-speaker-olayinka-ajala-mode-indirect",
            "/v1/statements",
            {"speaker": "olayinka-ajala", "mode": "indirect"},
        ),
    ],
)
def test_every_list_downloads_what_it_shows_as_csv_and_ndjson(
    watch: Watched, hash_: str, name: str, api_path: str, params: dict[str, str]
) -> None:
    page = watch.page
    watch.open(hash_)
    total = api(watch.base, api_path, **params)["total"]
    for form in ("csv", "ndjson"):
        link = page.get_by_role("link", name=form.upper(), exact=True)
        with page.expect_download() as started:
            link.click()
        download = started.value
        assert download.suggested_filename == f"{name}.{form}"
        lines = Path(download.path()).read_text().splitlines()
        assert len(lines) == total + (form == "csv"), (form, lines[:3])  # every page, one header
    page.screenshot(path=ARTIFACTS / f"download-{name}.png")


# --- who said what ---------------------------------------------------------------------------


def test_only_direct_statements_wear_quotation_marks(watch: Watched) -> None:
    page = watch.page
    watch.open("#/statements")
    statements = {s["id"]: s for s in api(watch.base, "/v1/statements", limit=100)["data"]}
    items = page.locator("main ul.records li")
    expect(items).to_have_count(min(50, len(statements)))
    seen = set()
    for index in range(items.count()):
        item = items.nth(index)
        href = item.locator("a").first.get_attribute("href") or ""
        statement = statements[href.rsplit("/", 1)[1]]
        text = item.locator("a").first.text_content() or ""
        meta = item.locator(".meta").inner_text()
        seen.add(statement["mode"])
        if statement["mode"] == "direct":
            assert text.startswith("“") and text.endswith("”"), text
            assert "quoted" in meta
        else:
            assert "“" not in text and "”" not in text, text
            assert text == statement["text"]
            label = "reported" if statement["mode"] == "indirect" else "the article's own words"
            assert label in meta, meta
    assert seen == {"direct", "indirect", "narration"}
    watch.open("#/statements/newsweek-junta-pivots-from-paris")  # narration: no marks
    expect(heading(page)).not_to_contain_text("“")


def test_statements_filter_by_speaker_and_mode_with_counts_and_group_by_speaker(
    watch: Watched,
) -> None:
    page = watch.page
    watch.open("#/statements?speaker=olayinka-ajala")
    by_ajala = api(watch.base, "/v1/statements", speaker="olayinka-ajala", limit=100)
    facets = api(watch.base, "/v1/statements", facet="speaker,mode", limit=1)["facets"]
    items = page.locator("main ul.records li")
    expect(items).to_have_count(by_ajala["total"])
    expect(page.get_by_label("Olayinka Ajala (12)")).to_be_checked()
    for value in facets["speaker"]:  # every speaker, with the API's count
        expect(page.locator(".facet-speaker")).to_contain_text(
            f"{value['label']} ({value['count']})"
        )
    indirect = next(
        v["count"]
        for v in api(watch.base, "/v1/statements", speaker="olayinka-ajala", facet="mode", limit=1)[
            "facets"
        ]["mode"]
        if v["value"] == "indirect"
    )
    page.get_by_label(f"Indirect: reported ({indirect})").check()
    watch.settled()
    assert "mode=indirect" in page.url and "speaker=olayinka-ajala" in page.url
    expect(items).to_have_count(indirect)
    expect(page.get_by_label(f"Indirect: reported ({indirect})")).to_be_focused()

    watch.open("#/statements?group=speaker")
    groups = page.locator(".group")
    expect(groups).to_have_count(len(facets["speaker"]))
    for value in facets["speaker"]:
        group = page.locator(f'.group[data-speaker="{value["value"]}"]')
        expect(group.locator("h2")).to_have_text(f"{value['label']} ({value['count']})")
        expect(group.locator("li")).to_have_count(value["count"])
    page.get_by_role("link", name="Show in order of first mention").click()
    watch.settled()
    expect(groups).to_have_count(0)

    watch.open("#/quotes?speaker=olayinka-ajala")
    quotes = api(watch.base, "/v1/quotes", speaker="olayinka-ajala", facet="speaker", limit=1)
    expect(page.locator("main ul.records li")).to_have_count(quotes["total"])
    expect(page.get_by_label(f"Olayinka Ajala ({quotes['total']})")).to_be_checked()
    page.get_by_role("link", name="Group by speaker").click()
    watch.settled()
    expect(page.locator(".group")).to_have_count(1)


def test_an_empty_result_says_nothing_matches_and_offers_to_clear(watch: Watched) -> None:
    page = watch.page
    watch.open("#/timeline?kind=coup&country=CN")
    expect(page.locator(".nothing")).to_contain_text("No event matches these filters")
    expect(page.locator(".tl")).to_have_count(0)
    page.locator(".nothing").get_by_role("link", name="Clear the filters").click()
    watch.settled()
    expect(page.locator(".tl-results > h2")).to_have_text("18 events")

    watch.open("#/statements?speaker=newsweek&mode=direct&group=speaker")
    expect(page.locator(".nothing")).to_contain_text("No statement matches these filters")
    page.locator(".nothing").get_by_role("link", name="Clear the filters").click()
    watch.settled()
    assert page.url.endswith("#/statements?group=speaker")
    expect(page.locator(".group").first).to_be_visible()


def test_long_facets_say_how_many_they_hide_and_show_them_all(watch: Watched) -> None:
    page = watch.page
    watch.open("#/timeline")
    facets = api(watch.base, "/v1/events", facet="kind,participant", limit=1)["facets"]
    kinds = page.locator(".facet-kind li")
    expect(kinds.filter(visible=True)).to_have_count(len(facets["kind"]))  # 12: all shown
    participants = page.locator(".facet-participant li")
    many = len(facets["participant"])
    assert many > 12
    expect(participants.filter(visible=True)).to_have_count(12)
    show_all = page.get_by_role("button", name=f"Show all ({many})")
    show_all.click()
    expect(participants.filter(visible=True)).to_have_count(many)
    expect(show_all).to_have_count(0)
    for facet in page.locator(".facet ul").all():  # no box that scrolls out of sight
        assert facet.evaluate("e => e.scrollHeight <= e.clientHeight + 1")


# --- the reader by keyboard and screen reader -----------------------------------------------


def test_reader_links_all_have_names_and_a_skip_link_leads_past_the_text(watch: Watched) -> None:
    page = watch.page
    watch.open(READER)
    nameless = page.evaluate(
        "() => [...document.querySelectorAll('main a')].filter(a => !a.textContent.trim()).length"
    )
    assert nameless == 0
    passed = tab_until(page, ".skip-text")
    expect(page.locator(".skip-text")).to_be_visible()
    assert ".seg" not in " ".join(passed)  # before the text
    page.keyboard.press("Enter")
    expect(page.locator("#inspector-h")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.closest('.article-text') !== null")


# --- accessibility: axe-core ---------------------------------------------------------------


@pytest.mark.parametrize("name", list(VIEWS))
def test_axe_finds_no_serious_or_critical_violation(browser: Browser, base: str, name: str) -> None:
    """axe-core runs in the page; the context lets it in past the page's policy (the other
    tests hold the policy)."""
    context = browser.new_context(viewport=WIDE, bypass_csp=True)
    try:
        watched = Watched(context.new_page(), base)
        watched.open(VIEWS[name][0])
        watched.page.evaluate(AXE)
        violations = watched.page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length})))"
        )
    finally:
        context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(violations, indent=2) + "\n")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
