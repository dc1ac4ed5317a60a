// @ts-check
/** Pieces the views share: type badges, record links, problems as messages, evidence in
 * context, outside-knowledge notes, and lists that page on with their cursor. */

import { ApiError, apiUrl, isAbort } from "./api.js";
import { append, h } from "./dom.js";
import { TYPES, hashFor, humanize, jsonHref, readerHref, recordHref } from "./format.js";
import { navigate } from "./router.js";

/** @typedef {import("./types").RecordType} RecordType */
/** @typedef {import("./types").Evidence} Evidence */
/** @typedef {import("./dom.js").Child} Child */
/** @typedef {import("./types").FacetValue} FacetValue */
/** @typedef {import("./types").EntityRef} EntityRef */

/** How many values a facet shows before "Show all (N)". */
const FACET_SHOWN = 12;

/** A record's type as a word with its shape, the same cue as in the reader. @param {RecordType} type */
export function badge(type) {
  return h("span", { class: `badge b-${type}` }, TYPES[type].one);
}

/**
 * @param {RecordType} type
 * @param {string} id
 * @param {string | null} label
 */
export function recordLink(type, id, label) {
  return h("a", { href: recordHref(type, id) }, label ?? id);
}

/** @param {string} href  an API address, /v1/... */
export function jsonLink(href, text = "JSON") {
  return h("a", { class: "json", href, title: `The API's answer: ${href}` }, text);
}

/** A record's heading line: its type and name, and where its JSON is.
 * @param {RecordType} type @param {string} id @param {string} title */
export function recordHeading(type, id, title) {
  return h(
    "header",
    { class: "record-head" },
    badge(type),
    h("h1", { tabindex: -1 }, title),
    h("p", { class: "meta" }, jsonLink(jsonHref(type, id), `JSON: ${jsonHref(type, id)}`)),
  );
}

/** A loading line. @param {string} [what] */
export function loading(what = "Loading…") {
  return h("p", { class: "loading", role: "status" }, what);
}

/**
 * What went wrong, as a message: a problem from the API with its title, detail and the
 * parameters it names; no answer at all; or a fault of this page.
 * @param {unknown} error
 */
export function problemMessage(error) {
  if (error instanceof ApiError) {
    const p = error.problem;
    const status = p.status ? `${p.status} ` : "";
    return h(
      "div",
      { class: "problem", role: "alert" },
      h("h2", {}, `${status}${p.title}`),
      h("p", {}, p.detail),
      p.errors?.length
        ? h(
            "ul",
            {},
            p.errors.map((e) => h("li", {}, h("code", {}, e.name), `: ${e.reason}`)),
          )
        : null,
      h(
        "p",
        { class: "meta" },
        p.type.startsWith("/problems/") ? h("a", { href: p.type }, `About ${p.type}`) : null,
        p.request_id ? ` · request ${p.request_id}` : null,
      ),
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  return h(
    "div",
    { class: "problem", role: "alert" },
    h("h2", {}, "This page failed"),
    h("p", {}, `Something went wrong in the explorer itself: ${text}`),
  );
}

/** A section with a heading. @param {string} title @param {...Child} children */
export function section(title, ...children) {
  return h("section", {}, h("h2", {}, title), ...children);
}

/**
 * A section filled when its data comes: its own loading line and its own problem message,
 * so one failing part leaves the rest of the page standing.
 * @param {string} title
 * @param {() => Promise<Child>} fill
 */
export function lazySection(title, fill) {
  const body = h("div", {}, loading());
  const element = section(title, body);
  const done = fill().then(
    (content) => {
      body.replaceChildren();
      append(body, content);
    },
    (error) => {
      if (!isAbort(error)) body.replaceChildren(problemMessage(error));
    },
  );
  return { element, done };
}

/**
 * Each span of a record's evidence in its context (prefix, text, suffix), linking to the
 * reader at that span with the record chosen.
 * @param {RecordType} type
 * @param {string} id
 * @param {Evidence[]} evidence  with UTF-16 offsets
 */
export function evidenceList(type, id, evidence) {
  if (!evidence.length) return h("p", {}, "No span of the article.");
  return h(
    "ol",
    { class: "evidence" },
    evidence.map((span) =>
      h(
        "li",
        {},
        h(
          "blockquote",
          {},
          h("span", { class: "context" }, "…", span.prefix),
          h("mark", {}, span.text),
          h("span", { class: "context" }, span.suffix, "…"),
        ),
        h(
          "p",
          { class: "meta" },
          h("a", { href: readerHref(span.article, { type, id }, span) }, "Read it in the article"),
          ` · characters ${span.start}–${span.end} (UTF-16)`,
        ),
      ),
    ),
  );
}

/**
 * What the record takes from outside the article (coordinates, full names, a kind the text
 * does not state): said at the top, and beside each field shown (`fields` below).
 * @param {Record<string, string>} enrichment  field → note
 * @param {string[]} shown  the fields the page shows, which carry their own note
 */
export function enrichmentNotes(enrichment, shown) {
  const entries = Object.entries(enrichment);
  if (!entries.length) return null;
  const beside = entries
    .filter(([field]) => shown.includes(field))
    .map(([field]) => humanize(field));
  const apart = entries.filter(([field]) => !shown.includes(field));
  return h(
    "aside",
    { class: "enrichment", "aria-labelledby": "enrichment-h" },
    h("h2", { id: "enrichment-h" }, "Not all of this is in the article's words"),
    beside.length ? h("p", {}, `Outside knowledge, marked below: ${beside.join(", ")}.`) : null,
    apart.length
      ? h(
          "ul",
          {},
          apart.map(([field, note]) => h("li", {}, h("strong", {}, humanize(field)), `: ${note}`)),
        )
      : null,
  );
}

/**
 * A definition list of fields; a field the record marks as enrichment gets its note beside it.
 * @param {[string, Child][]} rows  [field name, value]
 * @param {Record<string, string>} [enrichment]
 */
export function fields(rows, enrichment = {}) {
  return h(
    "dl",
    { class: "fields" },
    rows.flatMap(([name, value]) => [
      h("dt", {}, humanize(name)),
      h(
        "dd",
        {},
        value,
        enrichment[name]
          ? h(
              "span",
              { class: "note" },
              h("strong", {}, "Outside knowledge"),
              ` — ${enrichment[name]}`,
            )
          : null,
      ),
    ]),
  );
}

/**
 * A list's total as a person reads it: the number, or "1,000+" when the API did not count it
 * all (`total` null, `total_at_least` a lower bound).
 * @param {{total: number | null, total_at_least?: number | null}} page
 */
export function totalText(page) {
  return page.total === null ? `${page.total_at_least ?? 0}+` : String(page.total);
}

/**
 * A list that pages on: the first page now, then a button that fetches the next one with
 * the page's `next_cursor`.
 * @template T
 * @param {(cursor: string | null) => Promise<{data: T[], total: number | null, total_at_least?: number | null, next_cursor: string | null}>} fetchPage
 * @param {(item: T) => Child} renderItem
 * @param {string} empty  what to say when there is nothing
 */
export async function pagedList(fetchPage, renderItem, empty) {
  const first = await fetchPage(null);
  if (!first.data.length) return h("p", {}, empty);
  const items = h("ul", { class: "records" });
  const more = h("button", { type: "button", class: "more" });
  const status = h("p", { class: "meta", role: "status" });
  let cursor = first.next_cursor;
  let shown = 0;
  /** @param {T[]} data */
  const add = (data) => {
    for (const item of data) items.append(h("li", {}, renderItem(item)));
    shown += data.length;
    status.textContent = `${shown} of ${totalText(first)}`;
    more.hidden = cursor === null;
    more.textContent =
      first.total === null ? "Show more" : `Show more (${first.total - shown} left)`;
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const next = await fetchPage(cursor);
      const firstNew = items.children.length;
      cursor = next.next_cursor;
      add(next.data);
      // Keyboard users go on from the first new record, not back to the top.
      items.children[firstNew]?.querySelector("a")?.focus();
    } catch (error) {
      status.replaceChildren(problemMessage(error));
    } finally {
      more.disabled = false;
    }
  });
  add(first.data);
  return h("div", {}, items, status, more);
}

/**
 * A statement's text as what it is: only a direct one is in quotation marks; a reported
 * (indirect) one is the article's paraphrase, and narration the article's own words.
 * @param {{text: string, mode: string}} s
 */
export function claimText(s) {
  return s.mode === "direct" ? `“${s.text}”` : s.text;
}

/** Who a statement is from, and how. @param {{mode: string, speaker: EntityRef}} s */
export function claimSource(s) {
  if (s.mode === "narration") return "the article's own words";
  if (s.mode === "indirect") return `reported: ${s.speaker.name}`;
  return `${s.speaker.name}, quoted`;
}

/** A statement in a list: its text, linked, and its source.
 * @param {{id: string, text: string, mode: string, speaker: EntityRef}} s */
export function statementItem(s) {
  return [
    h("a", { href: recordHref("statement", s.id) }, claimText(s)),
    h("span", { class: `meta mode-${s.mode}` }, ` — ${claimSource(s)}`),
  ];
}

/**
 * Links to download exactly what a view shows (its filters, every page) as CSV or NDJSON,
 * from the API's own exports.
 * @param {string} path  /v1/...
 * @param {Record<string, string>} filters
 */
export function downloads(path, filters) {
  /** @param {string} format @param {string} label */
  const link = (format, label) =>
    h("a", { href: apiUrl(path, undefined, { ...filters, format }), download: "" }, label);
  return h(
    "p",
    { class: "downloads meta" },
    "Download what is shown: ",
    link("csv", "CSV"),
    " · ",
    link("ndjson", "NDJSON"),
  );
}

/**
 * Filters as checkboxes, a fieldset per facet, each value with its count (over every filter
 * but its own); every filter is in the address, `path`'s. A long facet shows its first values
 * and a button that shows them all.
 * @param {{path: string, label: string, facets: Record<string, FacetValue[]>,
 *   names: readonly (readonly [string, string])[], filters: Record<string, string>,
 *   keep?: Record<string, string>}} options  `keep`: parameters of the view kept on change
 */
export function facetForm({ path, label, facets, names, filters, keep = {} }) {
  const form = h("form", { class: "filters", "aria-label": label });
  for (const [name, legend] of names) {
    const chosen = new Set(filters[name] ? filters[name].split(",") : []);
    const values = [...(facets[name] ?? [])];
    // A chosen value no record has any more still shows, with its 0.
    for (const value of chosen) {
      if (!values.some((v) => String(v.value) === value))
        values.push({ value, label: null, count: 0 });
    }
    const list = h(
      "ul",
      {},
      values.map((v, index) => {
        const value = String(v.value);
        const id = `f-${name}-${value}`;
        const item = h(
          "li",
          {},
          h("input", { type: "checkbox", id, name, value, checked: chosen.has(value) }),
          h(
            "label",
            { for: id },
            v.label ?? humanize(value),
            " ",
            h("span", { class: "count" }, `(${v.count})`),
          ),
        );
        item.hidden = index >= FACET_SHOWN && !chosen.has(value);
        return item;
      }),
    );
    const more = values.length > FACET_SHOWN;
    const all = h("button", { type: "button", class: "show-all" }, `Show all (${values.length})`);
    all.addEventListener("click", () => {
      for (const item of list.children) /** @type {HTMLElement} */ (item).hidden = false;
      all.remove();
      /** @type {HTMLInputElement | null} */ (
        list.querySelector(`li:nth-child(${FACET_SHOWN + 1}) input`)
      )?.focus();
    });
    form.append(
      h(
        "fieldset",
        { class: `facet facet-${name}` },
        h("legend", {}, legend),
        list,
        more && [...list.children].some((li) => /** @type {HTMLElement} */ (li).hidden)
          ? all
          : null,
      ),
    );
  }
  if (Object.values(filters).some(Boolean)) {
    form.append(h("p", {}, h("a", { href: hashFor(path, keep) }, "Clear the filters")));
  }
  form.addEventListener("change", () => {
    const data = new FormData(form);
    const chosen = Object.fromEntries(
      names.map(([name]) => [name, data.getAll(name).map(String).join(",")]),
    );
    navigate(hashFor(path, { ...keep, ...chosen }));
  });
  return form;
}

/**
 * What an empty filtered list says: that nothing matches, and a way back to everything.
 * @param {string} what  "event", "statement"
 * @param {string} clearHref
 */
export function nothingMatches(what, clearHref) {
  return h(
    "div",
    { class: "nothing", role: "status" },
    h("p", {}, `No ${what} matches these filters.`),
    h("p", {}, h("a", { href: clearHref }, "Clear the filters"), ` to see every ${what}.`),
  );
}
