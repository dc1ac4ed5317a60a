// @ts-check
/** A collection's page (countries, people, organizations, places, quotes, statements): its
 * records by order of first mention, a page at a time by cursor. */

import { list } from "../api.js";
import { jsonLink, pagedList } from "../components.js";
import { h, replace } from "../dom.js";
import { TYPES, humanize, recordHref, typeOfRoute } from "../format.js";

/** @typedef {import("../router.js").ViewContext} ViewContext */
/** @typedef {import("../dom.js").Child} Child */

const PAGE = 50;

/**
 * @param {string} route
 * @param {AbortSignal} signal
 * @returns {Promise<HTMLElement>}
 */
function collection(route, signal) {
  const query = { limit: PAGE, sort: /** @type {const} */ ("position") };
  /** @param {string} href @param {string} label @param {string | null} [note] */
  const item = (href, label, note) => [
    h("a", { href }, label),
    note ? h("span", { class: "meta" }, ` — ${note}`) : null,
  ];
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
    case "quotes":
      return pagedList(
        (cursor) => list("/v1/quotes", ["id", "text", "speaker"], { query, cursor, signal }),
        (q) => item(recordHref("quote", q.id), `“${q.text}”`, q.speaker.name),
        "No quote.",
      );
    case "statements":
      return pagedList(
        (cursor) =>
          list("/v1/statements", ["id", "text", "speaker", "mode"], { query, cursor, signal }),
        (s) => item(recordHref("statement", s.id), `“${s.text}”`, `${s.speaker.name}, ${s.mode}`),
        "No statement.",
      );
    default:
      throw new Error(`no list of ${route}`);
  }
}

/** @param {ViewContext} context */
export async function render({ main, match, signal }) {
  const route = match[1];
  const type = typeOfRoute(route);
  const name = type ? TYPES[type].many : humanize(route);
  const body = await collection(route, signal);
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
  document.title = `${name} · Article facts`;
}
