// @ts-check
/** A collection's page (countries, people, organizations, places, quotes, statements): its
 * records by order of first mention, a page at a time by cursor, with links to download them
 * all. Quotes filter by speaker, statements by speaker and mode, each value with its count from
 * the API's facets, and both can be grouped by speaker; every choice is in the address
 * (`#/statements?speaker=olayinka-ajala&group=speaker`). */

import { list, listAll } from "../api.js";
import {
  downloads,
  facetForm,
  jsonLink,
  nothingMatches,
  pagedList,
  statementItem,
  totalText,
} from "../components.js";
import { h, replace } from "../dom.js";
import { TYPES, hashFor, humanize, recordHref, typeOfRoute } from "../format.js";

/** @typedef {import("../router.js").ViewContext} ViewContext */
/** @typedef {import("../router.js").Route} Route */
/** @typedef {import("../dom.js").Child} Child */
/** @typedef {import("../types").EntityRef} EntityRef */
/** @typedef {import("../types").FacetValue} FacetValue */

const PAGE = 50;
const SORT = /** @type {const} */ ("position");
/** The filters each list has, as [parameter, legend]. */
const FILTERS = {
  quotes: /** @type {const} */ ([["speaker", "Speaker"]]),
  statements: /** @type {const} */ ([
    ["speaker", "Speaker"],
    ["mode", "Mode"],
  ]),
};
const MODES = {
  direct: "Direct: quoted",
  indirect: "Indirect: reported",
  narration: "Narration: the article's own words",
};

/** @param {string} href @param {string} label @param {string | null} [note] */
const item = (href, label, note) => [
  h("a", { href }, label),
  note ? h("span", { class: "meta" }, ` — ${note}`) : null,
];

/** @param {{id: string, text: string, speaker: EntityRef}} q */
const quoteItem = (q) => item(recordHref("quote", q.id), `“${q.text}”`, q.speaker.name);

/**
 * A list with no filters: its records a page at a time.
 * @param {string} route
 * @param {AbortSignal} signal
 * @returns {Promise<HTMLElement>}
 */
function collection(route, signal) {
  const query = { limit: PAGE, sort: SORT };
  switch (route) {
    case "countries":
      return pagedList(
        (cursor) => list("/v1/countries", ["code", "name", "iso3"], { query, cursor, signal }),
        (c) => item(recordHref("country", c.code), c.name, c.iso3),
        "No country.",
      );
    case "people":
      return pagedList(
        (cursor) => list("/v1/people", ["id", "name", "description"], { query, cursor, signal }),
        (p) => item(recordHref("person", p.id), p.name, p.description),
        "No one.",
      );
    case "organizations":
      return pagedList(
        (cursor) => list("/v1/organizations", ["id", "name", "kind"], { query, cursor, signal }),
        (o) => item(recordHref("organization", o.id), o.name, humanize(o.kind)),
        "No organization.",
      );
    case "places":
      return pagedList(
        (cursor) => list("/v1/places", ["id", "name", "kind"], { query, cursor, signal }),
        (p) => item(recordHref("place", p.id), p.name, humanize(p.kind)),
        "No place.",
      );
    default:
      throw new Error(`no list of ${route}`);
  }
}

/**
 * Records grouped under their speaker, speakers in order of first mention.
 * @template {{speaker: EntityRef}} T
 * @param {T[]} records
 * @param {(record: T) => Child} renderItem
 */
function bySpeaker(records, renderItem) {
  /** @type {Map<string, {speaker: EntityRef, records: T[]}>} */
  const groups = new Map();
  for (const record of records) {
    const key = `${record.speaker.type}:${record.speaker.id}`;
    const group = groups.get(key) ?? { speaker: record.speaker, records: [] };
    group.records.push(record);
    groups.set(key, group);
  }
  return h(
    "div",
    { class: "groups" },
    [...groups.values()].map(({ speaker, records }) =>
      h(
        "section",
        { class: "group", "data-speaker": speaker.id },
        h(
          "h2",
          {},
          h("a", { href: recordHref(speaker.type, speaker.id) }, speaker.name),
          " ",
          h("span", { class: "count" }, `(${records.length})`),
        ),
        h(
          "ul",
          { class: "records" },
          records.map((r) => h("li", {}, renderItem(r))),
        ),
      ),
    ),
  );
}

/**
 * A list that filters and groups: quotes or statements.
 * @param {"quotes" | "statements"} route
 * @param {Route} address
 * @param {AbortSignal} signal
 */
async function filteredList(route, address, signal) {
  const names = FILTERS[route];
  const filters = Object.fromEntries(names.map(([name]) => [name, address.params.get(name) ?? ""]));
  const grouped = address.params.get("group") === "speaker";
  const base = { limit: PAGE, sort: SORT, ...filters };
  const what = route === "quotes" ? "quote" : "statement";
  const path = `/${route}`;

  /** @type {{body: Child, first: {total: number | null, total_at_least?: number | null, facets?: Record<string, FacetValue[]>}}} */
  let shown;
  if (route === "quotes") {
    const fields = /** @type {const} */ (["id", "text", "speaker"]);
    const query = { ...base, facet: FILTERS.quotes.map(([name]) => name) };
    if (grouped) {
      const all = await listAll("/v1/quotes", fields, { query: { ...query, limit: 100 }, signal });
      shown = { body: bySpeaker(all.data, quoteItem), first: all.first };
    } else {
      const first = await list("/v1/quotes", fields, { query, signal });
      const body = await pagedList(
        (cursor) =>
          cursor ? list("/v1/quotes", fields, { query, cursor, signal }) : Promise.resolve(first),
        quoteItem,
        "No quote.",
      );
      shown = { body, first };
    }
  } else {
    const fields = /** @type {const} */ (["id", "text", "speaker", "mode"]);
    const query = { ...base, facet: FILTERS.statements.map(([name]) => name) };
    if (grouped) {
      const all = await listAll("/v1/statements", fields, {
        query: { ...query, limit: 100 },
        signal,
      });
      shown = { body: bySpeaker(all.data, statementItem), first: all.first };
    } else {
      const first = await list("/v1/statements", fields, { query, signal });
      const body = await pagedList(
        (cursor) =>
          cursor
            ? list("/v1/statements", fields, { query, cursor, signal })
            : Promise.resolve(first),
        statementItem,
        "No statement.",
      );
      shown = { body, first };
    }
  }
  const facets = shown.first.facets ?? {};
  if (facets.mode) {
    facets.mode = facets.mode.map((v) => ({
      ...v,
      label: MODES[/** @type {keyof typeof MODES} */ (String(v.value))] ?? v.label,
    }));
  }
  const keep = { group: grouped ? "speaker" : "" };
  const active = Object.values(filters).some(Boolean);
  const form = facetForm({
    path,
    label: `Filter the ${route}`,
    facets,
    names,
    filters,
    keep,
  });
  const toggle = h(
    "p",
    { class: "group-toggle" },
    grouped
      ? h("a", { href: hashFor(path, filters) }, "Show in order of first mention")
      : h("a", { href: hashFor(path, { ...filters, group: "speaker" }) }, "Group by speaker"),
  );
  const empty = shown.first.total === 0 && active;
  return h(
    "div",
    { class: "filtered" },
    h(
      "details",
      { class: "filters-box", open: !matchMedia("(max-width: 56rem)").matches },
      h("summary", {}, h("h2", {}, "Filter")),
      form,
    ),
    h(
      "div",
      { class: "filtered-results" },
      h("p", { class: "meta", role: "status" }, `${totalText(shown.first)} ${route}`),
      toggle,
      downloads(`/v1/${route}`, { sort: SORT, ...filters }),
      empty ? nothingMatches(what, hashFor(path, keep)) : shown.body,
    ),
  );
}

/** @param {ViewContext} context */
export async function render({ main, route: address, match, signal }) {
  const route = match[1];
  const type = typeOfRoute(route);
  const name = type ? TYPES[type].many : humanize(route);

  /** @param {Route} address */
  async function draw(address) {
    const focused = document.activeElement?.id;
    const body =
      route === "quotes" || route === "statements"
        ? await filteredList(route, address, signal)
        : h("div", {}, downloads(`/v1/${route}`, { sort: SORT }), await collection(route, signal));
    replace(
      main,
      h(
        "header",
        { class: "record-head" },
        h("h1", { tabindex: -1 }, name),
        h(
          "p",
          { class: "meta" },
          "In order of first mention. ",
          jsonLink(`/v1/${route}`, `JSON: /v1/${route}`),
        ),
      ),
      body,
    );
    if (focused) document.getElementById(focused)?.focus();
  }

  await draw(address);
  document.title = `${name} · Article facts`;
  return { update: draw };
}
