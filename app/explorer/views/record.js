// @ts-check
/** A record's page: its fields (with a note beside anything taken from outside the article),
 * what it says and what is said about it, related records, and its evidence spans in context,
 * each linking to the reader at that span. Related lists page on with their cursors. */

import { list, record } from "../api.js";
import {
  claimText,
  enrichmentNotes,
  evidenceList,
  fields,
  lazySection,
  pagedList,
  recordHeading,
  recordLink,
  section,
  statementItem,
} from "../components.js";
import { h, replace } from "../dom.js";
import { TYPES, humanize, qualified, recordHref, typeOfRoute, whenInWords } from "../format.js";

/** @typedef {import("../router.js").ViewContext} ViewContext */
/** @typedef {import("../types").TypedRecord} TypedRecord */
/** @typedef {import("../types").EntityRef} EntityRef */
/** @typedef {import("../dom.js").Child} Child */
/** @typedef {{element: HTMLElement, done: Promise<void>}} Lazy */

const PAGE = 20;
const STATEMENT = /** @type {const} */ (["id", "text", "mode", "speaker"]);
const QUOTE = /** @type {const} */ (["id", "text", "speaker"]);
const EVENT = /** @type {const} */ (["id", "title", "kind", "date_edtf"]);

/** @param {{id: string, text: string, speaker: EntityRef}} q */
function quoteItem(q) {
  return [
    h("a", { href: recordHref("quote", q.id) }, `“${q.text}”`),
    h("span", { class: "meta" }, ` — ${q.speaker.name}`),
  ];
}

/** @param {{id: string, title: string, kind: string, date_edtf: string | null}} e */
function eventItem(e) {
  return [
    h("a", { href: recordHref("event", e.id) }, e.title),
    h("span", { class: "meta" }, ` — ${humanize(e.kind)}, ${whenInWords(e)}`),
  ];
}

/** @param {EntityRef} ref */
function refLink(ref) {
  return [
    recordLink(ref.type, ref.id, ref.name),
    h("span", { class: "meta" }, ` (${TYPES[ref.type].one.toLowerCase()})`),
  ];
}

/**
 * A country's or a place's name for its key, linked; the name comes when its record does.
 * @param {"country" | "place"} type
 * @param {string | null} key
 * @param {AbortSignal} signal
 */
function namedLink(type, key, signal) {
  if (!key) return "—";
  const link = recordLink(type, key, key);
  record(type, key, signal).then(
    (typed) => {
      if (typed.type === "country" || typed.type === "place") link.textContent = typed.record.name;
    },
    () => {},
  );
  return link;
}

/**
 * A country's name for its code, linked.
 * @param {string | null} code
 * @param {AbortSignal} signal
 */
function countryLink(code, signal) {
  return namedLink("country", code, signal);
}

/**
 * Events by id, as links with their titles (ids of unknown events stay as they are).
 * @param {string[]} ids
 * @param {AbortSignal} signal
 */
async function eventLinks(ids, signal) {
  if (!ids.length) return h("p", {}, "None.");
  const page = await list("/v1/events", EVENT, {
    query: { id: ids.join(","), limit: 100 },
    signal,
  });
  const byId = new Map(page.data.map((e) => [e.id, e]));
  return h(
    "ul",
    { class: "records" },
    ids.map((id) => {
      const event = byId.get(id);
      return h("li", {}, event ? eventItem(event) : id);
    }),
  );
}

/**
 * When it happened, in words and as EDTF, with the article's words and the annotator's note.
 * @param {{date_edtf: string | null, date_text: string | null, date_note: string | null,
 *   date_relation: {[key: string]: string} | null}} r
 * @param {AbortSignal} signal
 */
function when(r, signal) {
  const relation = Object.entries(r.date_relation ?? {}).map(([how, id]) => {
    const link = h("span", {}, id);
    list("/v1/events", ["id", "title"], { query: { id }, signal }).then(
      (page) => {
        const event = page.data[0];
        if (event) link.replaceChildren(h("a", { href: recordHref("event", id) }, event.title));
      },
      () => {},
    );
    return h("p", {}, `${humanize(how)}: `, link);
  });
  return h(
    "div",
    {},
    h("p", {}, whenInWords(r), " ", r.date_edtf ? h("code", { class: "edtf" }, r.date_edtf) : null),
    r.date_text ? h("p", { class: "meta" }, `The article: “${r.date_text}”`) : null,
    r.date_note ? h("p", { class: "meta" }, r.date_note) : null,
    relation,
  );
}

/**
 * Statements by or about a record, a page at a time.
 * @param {string} title
 * @param {{speaker: string} | {about: string}} filter
 * @param {AbortSignal} signal
 */
function statementsSection(title, filter, signal) {
  return lazySection(title, () =>
    pagedList(
      (cursor) =>
        list("/v1/statements", STATEMENT, { query: { limit: PAGE, ...filter }, cursor, signal }),
      statementItem,
      "Nothing.",
    ),
  );
}

/**
 * Events a record takes part in, in time order, a page at a time.
 * @param {string} title
 * @param {string} participant
 * @param {AbortSignal} signal
 */
function eventsSection(title, participant, signal) {
  return lazySection(title, () =>
    pagedList(
      (cursor) =>
        list("/v1/events", EVENT, {
          query: { limit: PAGE, participant, sort: "date" },
          cursor,
          signal,
        }),
      eventItem,
      "None.",
    ),
  );
}

/**
 * The parts of a record's page: its title, fields and related sections.
 * @param {TypedRecord} typed
 * @param {AbortSignal} signal
 * @returns {{title: string, rows: [string, Child][], sections: Lazy[]}}
 */
function parts(typed, signal) {
  const query = { limit: PAGE };
  switch (typed.type) {
    case "country": {
      const c = typed.record;
      const path = { code: c.code };
      return {
        title: c.name,
        rows: [
          ["name", c.name],
          ["codes", `${c.code} · ${c.iso3}`],
          ["aliases", c.aliases.join(", ") || "—"],
        ],
        sections: [
          lazySection("Events concerning it", () =>
            pagedList(
              (cursor) =>
                list("/v1/countries/{code}/events", EVENT, {
                  path,
                  query: { ...query, sort: "date" },
                  cursor,
                  signal,
                }),
              eventItem,
              "None.",
            ),
          ),
          statementsSection("What it says", { speaker: c.code }, signal),
          statementsSection("What is said about it", { about: c.code }, signal),
          lazySection("Aid given or received", () =>
            pagedList(
              (cursor) =>
                list(
                  "/v1/countries/{code}/aid",
                  ["id", "description", "amount", "currency", "qualifier"],
                  { path, query, cursor, signal },
                ),
              (a) => [
                h("a", { href: recordHref("aid", a.id) }, a.description),
                h(
                  "span",
                  { class: "meta" },
                  ` — ${qualified(a.amount, a.currency, a.qualifier).short}`,
                ),
              ],
              "None.",
            ),
          ),
        ],
      };
    }
    case "person":
    case "organization": {
      const p = typed.record;
      const rows = /** @type {[string, Child][]} */ ([
        ["name", p.name],
        ["aliases", p.aliases.join(", ") || "—"],
        ["description", p.description ?? "—"],
        ["country", countryLink(p.country, signal)],
      ]);
      if (typed.type === "organization") rows.splice(2, 0, ["kind", humanize(typed.record.kind)]);
      const quotes =
        typed.type === "person"
          ? (/** @type {string | null} */ cursor) =>
              list("/v1/people/{id}/quotes", QUOTE, { path: { id: p.id }, query, cursor, signal })
          : (/** @type {string | null} */ cursor) =>
              list("/v1/quotes", QUOTE, { query: { ...query, speaker: p.id }, cursor, signal });
      const says =
        typed.type === "person"
          ? (/** @type {string | null} */ cursor) =>
              list("/v1/people/{id}/statements", STATEMENT, {
                path: { id: p.id },
                query,
                cursor,
                signal,
              })
          : (/** @type {string | null} */ cursor) =>
              list("/v1/statements", STATEMENT, {
                query: { ...query, speaker: p.id },
                cursor,
                signal,
              });
      return {
        title: p.name,
        rows,
        sections: [
          lazySection("Quotes", () => pagedList(quotes, quoteItem, "No quote.")),
          lazySection("Statements", () => pagedList(says, statementItem, "No statement.")),
          statementsSection("What is said about them", { about: p.id }, signal),
          eventsSection("Events they take part in", p.id, signal),
        ],
      };
    }
    case "place": {
      const p = typed.record;
      return {
        title: p.name,
        rows: [
          ["name", p.name],
          ["aliases", p.aliases.join(", ") || "—"],
          ["kind", humanize(p.kind)],
          ["description", p.description ?? "—"],
          ["country", countryLink(p.country, signal)],
          ["lat", p.lat ?? "—"],
          ["lon", p.lon ?? "—"],
        ],
        sections: [
          eventsSection("Events here", p.id, signal),
          statementsSection("What is said about it", { about: p.id }, signal),
        ],
      };
    }
    case "event": {
      const e = typed.record;
      const path = { id: e.id };
      return {
        title: e.title,
        rows: [
          ["kind", humanize(e.kind)],
          ["summary", e.summary],
          ["date", when(e, signal)],
          [
            "countries",
            e.countries.length
              ? h(
                  "span",
                  {},
                  e.countries.map((code, i) => [i ? ", " : "", countryLink(code, signal)]),
                )
              : "—",
          ],
          [
            "participants",
            e.participants.length
              ? h(
                  "ul",
                  { class: "records" },
                  e.participants.map((p) => h("li", {}, refLink(p), ` — ${humanize(p.role)}`)),
                )
              : "—",
          ],
        ],
        sections: [
          lazySection("Quotes", () =>
            pagedList(
              (cursor) => list("/v1/events/{id}/quotes", QUOTE, { path, query, cursor, signal }),
              quoteItem,
              "No quote.",
            ),
          ),
          lazySection("Statements", () =>
            pagedList(
              (cursor) =>
                list("/v1/events/{id}/statements", STATEMENT, { path, query, cursor, signal }),
              statementItem,
              "No statement.",
            ),
          ),
          lazySection("Figures", () =>
            pagedList(
              (cursor) =>
                list("/v1/figures", ["id", "description", "value", "unit", "qualifier"], {
                  query: { ...query, event: e.id },
                  cursor,
                  signal,
                }),
              (f) => [
                h("a", { href: recordHref("figure", f.id) }, f.description),
                h("span", { class: "meta" }, ` — ${qualified(f.value, f.unit, f.qualifier).short}`),
              ],
              "None.",
            ),
          ),
        ],
      };
    }
    case "quote": {
      const q = typed.record;
      return {
        title: `“${q.text}”`,
        rows: [
          ["speaker", refLink(q.speaker)],
          ["text", h("blockquote", {}, q.text)],
        ],
        sections: [lazySection("Events", () => eventLinks(q.events, signal))],
      };
    }
    case "statement": {
      const s = typed.record;
      return {
        title: claimText(s),
        rows: [
          [
            "mode",
            `${humanize(s.mode)}${s.mode === "narration" ? " (the article's own voice)" : ""}`,
          ],
          ["speaker", refLink(s.speaker)],
          [
            "about",
            s.about.length
              ? h(
                  "ul",
                  { class: "records" },
                  s.about.map((a) => h("li", {}, refLink(a))),
                )
              : "—",
          ],
          ["quote", s.quote ? recordLink("quote", s.quote, "The quotation") : "—"],
          ["date", when(s, signal)],
        ],
        sections: [lazySection("Events", () => eventLinks(s.events, signal))],
      };
    }
    case "aid": {
      const a = typed.record;
      const money = qualified(a.amount, a.currency, a.qualifier);
      return {
        title: a.description,
        rows: [
          ["amount", h("span", {}, h("strong", {}, money.short), ` (${money.words})`)],
          ["kind", humanize(a.kind)],
          ["donor", countryLink(a.donor, signal)],
          ["recipient", countryLink(a.recipient, signal)],
          ["date", when(a, signal)],
        ],
        sections: [lazySection("Event", () => eventLinks(a.event ? [a.event] : [], signal))],
      };
    }
    case "figure": {
      const f = typed.record;
      const value = qualified(f.value, f.unit, f.qualifier);
      return {
        title: f.description,
        rows: [
          ["value", h("span", {}, h("strong", {}, value.short), ` (${value.words})`)],
          ["kind", humanize(f.kind)],
          ["counted in", f.country || !f.place ? countryLink(f.country, signal) : "—"],
          ["place", namedLink("place", f.place, signal)],
          ["date", when(f, signal)],
        ],
        sections: [lazySection("Event", () => eventLinks(f.event ? [f.event] : [], signal))],
      };
    }
    case "article":
      return { title: typed.record.title, rows: [], sections: [] };
  }
}

/** @param {ViewContext} context */
export async function render({ main, match, signal }) {
  const type = typeOfRoute(match[1]);
  if (!type) throw new Error(`no records at ${match[1]}`);
  const id = match[2];
  const typed = await record(type, id, signal);
  const { title, rows, sections } = parts(typed, signal);
  const evidence = "evidence" in typed.record ? typed.record.evidence : [];
  const enrichment = ("enrichment" in typed.record && typed.record.enrichment) || {};
  replace(
    main,
    recordHeading(type, id, title),
    enrichmentNotes(enrichment, [...rows.map(([name]) => name), "evidence"]),
    fields(rows, enrichment),
    ...sections.map((s) => s.element),
    section(
      "In the article",
      enrichment.evidence
        ? h(
            "p",
            { class: "note" },
            h("strong", {}, "Outside knowledge"),
            ` — ${enrichment.evidence}`,
          )
        : null,
      evidenceList(type, id, evidence),
    ),
  );
  document.title = `${title} · Article facts`;
  await Promise.all(sections.map((s) => s.done));
}
