// @ts-check
/** The timeline: events on a time axis drawn to their bounds (date_start, date_end): a
 * month-precision event spans its month, an event with only a start ("after July 2023",
 * `2023-07/..`) is a bar open to the right, one with only an end opens to the left, and
 * events with no bounds are listed apart. Filters by kind, country and participant show
 * facet counts (each counted over every filter but its own); every filter is in the address. */

import { isAbort, listAll } from "../api.js";
import {
  downloads,
  facetForm,
  loading,
  nothingMatches,
  problemMessage,
  totalText,
} from "../components.js";
import { h, replace } from "../dom.js";
import { humanize, recordHref, whenInWords } from "../format.js";

/** @typedef {import("../router.js").ViewContext} ViewContext */
/** @typedef {import("../router.js").Route} Route */

const FACETS = /** @type {const} */ ([
  ["kind", "Kind"],
  ["country", "Country"],
  ["participant", "Participant"],
]);
const FIELDS = /** @type {const} */ ([
  "id",
  "title",
  "kind",
  "date_start",
  "date_end",
  "date_edtf",
  "date_precision",
  "date_text",
]);
const DAY = 86_400_000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Days since 1970 of an ISO date. @param {string} iso */
function day(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return Date.UTC(y, m - 1, d) / DAY;
}

/** @param {Route} route */
function filtersOf(route) {
  return Object.fromEntries(FACETS.map(([name]) => [name, route.params.get(name) ?? ""]));
}

/**
 * @param {{id: string, title: string, kind: string, date_start: string | null,
 *   date_end: string | null, date_edtf: string | null, date_precision: string | null}[]} events
 * @param {Map<string, string>} kinds  kind → label
 */
function axis(events, kinds) {
  const days = events
    .flatMap((e) => [e.date_start, e.date_end])
    .filter((d) => d !== null)
    .map(day);
  const first = new Date(Math.min(...days) * DAY).getUTCFullYear();
  const last = new Date(Math.max(...days) * DAY).getUTCFullYear() + 1;
  const from = Date.UTC(first, 0, 1) / DAY;
  const to = Date.UTC(last, 0, 1) / DAY;
  /** @param {number} d */
  const pct = (d) => `${(((d - from) / (to - from)) * 100).toFixed(3)}%`;

  // Years on the axis; over one or two years, quarters too, and a grid line each month.
  const years = last - first;
  const short = years <= 2;
  const ticks = h("div", { class: "tl-ticks" });
  for (let year = first; year <= last; year++) {
    for (const month of short && year < last ? [0, 3, 6, 9] : [0]) {
      const label = month ? MONTHS[month] : String(year);
      const tick = h("span", { class: month ? "tick minor" : "tick" }, label);
      tick.style.setProperty("--at", pct(Date.UTC(year, month, 1) / DAY));
      ticks.append(tick);
    }
  }
  const rows = h("ol", { class: "tl-rows" });
  rows.style.setProperty("--divisions", String(short ? years * 12 : years));
  for (const event of events) {
    const start = event.date_start === null ? null : day(event.date_start);
    const end = event.date_end === null ? null : day(event.date_end) + 1;
    const shape =
      start === null
        ? "open-start"
        : end === null
          ? "open-end"
          : `closed p-${event.date_precision ?? "range"}`;
    const bar = h("span", {
      class: `tl-bar ${shape}`,
      "data-start": event.date_start,
      "data-end": event.date_end,
    });
    bar.style.setProperty("--left", pct(start ?? from));
    bar.style.setProperty("--right", pct(end ?? to));
    rows.append(
      h(
        "li",
        { class: "tl-row", "data-id": event.id },
        h(
          "div",
          { class: "tl-label" },
          h("a", { href: recordHref("event", event.id) }, event.title),
          h(
            "p",
            { class: "meta" },
            h("span", { class: "kind" }, kinds.get(event.kind) ?? humanize(event.kind)),
            " · ",
            whenInWords(event),
            " ",
            h("code", { class: "edtf" }, event.date_edtf),
          ),
        ),
        h("div", { class: "tl-track", "aria-hidden": "true" }, bar),
      ),
    );
  }
  return h(
    "div",
    { class: "tl" },
    h("div", { class: "tl-axis", "aria-hidden": "true" }, h("span"), ticks),
    rows,
  );
}

/** @param {ViewContext} context */
export async function render({ main, route, signal }) {
  // Open beside the timeline on wide screens; on narrow ones, folded above it.
  const filtersSlot = h("div", {});
  const chosen = h("span", { class: "count" });
  const filtersBox = h(
    "details",
    { class: "filters-box", open: !matchMedia("(max-width: 56rem)").matches },
    h("summary", {}, h("h2", {}, "Filter ", chosen)),
    filtersSlot,
  );
  const results = h("div", { class: "tl-results", "aria-live": "polite" }, loading());
  replace(
    main,
    h(
      "header",
      { class: "record-head" },
      h("h1", { tabindex: -1 }, "Timeline"),
      h(
        "p",
        { class: "meta" },
        "Each bar runs from the earliest to the latest day an event can have happened. An arrow and a fade mark a bound the article leaves open.",
      ),
    ),
    h("div", { class: "timeline" }, filtersBox, results),
  );
  document.title = "Timeline · Article facts";

  /** @type {AbortController | null} */
  let running = null;

  /** @param {Route} route */
  async function load(route) {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    signal.addEventListener("abort", () => controller.abort(), { once: true });
    const filters = filtersOf(route);
    const focused = document.activeElement?.id;
    let events;
    try {
      // Every page, by cursor, up to ten of a hundred events.
      events = await listAll("/v1/events", FIELDS, {
        query: { sort: "date", limit: 100, facet: ["kind", "country", "participant"], ...filters },
        signal: controller.signal,
      });
    } catch (error) {
      if (isAbort(error)) return;
      replace(results, problemMessage(error));
      return;
    }
    const { first, data, more } = events;
    const facets = first.facets ?? {};
    const kinds = new Map((facets.kind ?? []).map((k) => [String(k.value), k.label ?? ""]));
    filtersSlot.replaceChildren(
      facetForm({ path: "/timeline", label: "Filter the events", facets, names: FACETS, filters }),
    );
    const count = Object.values(filters).flatMap((v) => (v ? v.split(",") : [])).length;
    chosen.textContent = count ? `(${count} chosen)` : "";
    if (focused) document.getElementById(focused)?.focus();

    const download = downloads("/v1/events", { sort: "date", ...filters });
    if (!data.length) {
      replace(results, h("h2", {}, "No events"), nothingMatches("event", "#/timeline"));
      return;
    }
    const placed = data.filter((e) => e.date_start !== null || e.date_end !== null);
    const unplaced = data.filter((e) => e.date_start === null && e.date_end === null);
    replace(
      results,
      h(
        "h2",
        {},
        `${totalText(first)} event${first.total === 1 ? "" : "s"}`,
        more ? ` (the first ${data.length} shown)` : "",
      ),
      download,
      placed.length ? axis(placed, kinds) : h("p", {}, "None of these is placed in time."),
      unplaced.length
        ? h(
            "section",
            { class: "unplaced" },
            h("h2", {}, "Not placed in time"),
            h(
              "p",
              { class: "meta" },
              "The article gives no date for these, nor anything to bound one.",
            ),
            h(
              "ul",
              {},
              unplaced.map((e) =>
                h(
                  "li",
                  { "data-id": e.id },
                  h("a", { href: recordHref("event", e.id) }, e.title),
                  " ",
                  h("span", { class: "meta" }, kinds.get(e.kind) ?? humanize(e.kind)),
                  e.date_text ? h("span", { class: "meta" }, ` · “${e.date_text}”`) : null,
                ),
              ),
            ),
          )
        : null,
    );
  }

  await load(route);
  return { update: load };
}
