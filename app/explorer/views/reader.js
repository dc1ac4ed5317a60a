// @ts-check
/** The article reader: the text with every mention highlighted by type, from one request
 * (/v1/articles/{id}/mentions?segments=true&offsets=utf16; the title comes from the article's
 * record). Pointing at or focusing a passage shows its records beside the text; choosing one
 * (`?sel=type:id`) highlights all its spans and dims the rest; `?at=start-end` marks a span. */

import { get, isAbort, record } from "../api.js";
import { badge, jsonLink, recordLink } from "../components.js";
import { h, replace } from "../dom.js";
import { TYPES, hashFor, isRecordType, jsonHref, qualified, whenInWords } from "../format.js";
import { highlight, keyOf } from "../highlight.js";

/** @typedef {import("../router.js").ViewContext} ViewContext */
/** @typedef {import("../router.js").Route} Route */
/** @typedef {import("../types").RecordLabel} RecordLabel */
/** @typedef {import("../types").TypedRecord} TypedRecord */

const reduceMotion = matchMedia("(prefers-reduced-motion: reduce)");

/** @param {Element} element */
function scrollTo(element) {
  element.scrollIntoView({ block: "center", behavior: reduceMotion.matches ? "auto" : "smooth" });
}

/**
 * A line or two about a record, beyond its label.
 * @param {TypedRecord} typed
 */
function lineFor(typed) {
  switch (typed.type) {
    case "country": {
      const { iso3, aliases } = typed.record;
      return `${iso3}${aliases.length ? `; the article also writes ${aliases.join(", ")}` : ""}`;
    }
    case "person":
    case "organization":
    case "place":
      return typed.record.description ?? "No description.";
    case "event":
      return `${whenInWords(typed.record)}. ${typed.record.summary}`;
    case "quote":
      return `Quoted: ${typed.record.speaker.name}`;
    case "statement": {
      const { mode, speaker } = typed.record;
      const who = mode === "narration" ? "The article's own claim" : `Claim by ${speaker.name}`;
      return `${who} (${mode})`;
    }
    case "aid": {
      const { description, amount, currency, qualifier } = typed.record;
      return `${description}: ${qualified(amount, currency, qualifier).short}`;
    }
    case "figure": {
      const { description, value, unit, qualifier } = typed.record;
      return `${description}: ${qualified(value, unit, qualifier).short}`;
    }
    case "article":
      return typed.record.title;
  }
}

/** @param {ViewContext} context */
export async function render({ main, route, match, signal }) {
  const id = match[1];
  const title = get("/v1/articles/{id}", { path: { id }, signal }).then(
    (article) => article.title,
    () => id,
  );
  const mentions = await get("/v1/articles/{id}/mentions", {
    path: { id },
    query: { segments: true, offsets: "utf16" },
    signal,
  });
  const hrefFor = (/** @type {string} */ key) => hashFor(`/articles/${id}`, { sel: key });
  const text = highlight(mentions, hrefFor);
  /** @type {Map<string, RecordLabel>} */
  const labels = new Map(mentions.data.map((m) => [keyOf(m), m]));

  // --- the legend: each type's cue, and how many mentions it has --------------------------
  /** @type {Map<string, number>} */
  const perType = new Map();
  for (const m of mentions.data) perType.set(m.type, (perType.get(m.type) ?? 0) + 1);
  const legend = h(
    "section",
    { class: "legend", "aria-labelledby": "legend-h" },
    h("h2", { id: "legend-h" }, "Highlights"),
    h(
      "ul",
      {},
      Object.entries(TYPES)
        .filter(([type]) => perType.has(type))
        .map(([type, names]) =>
          h(
            "li",
            {},
            h("span", { class: `sample seg t-${type} p-${type}`, "aria-hidden": "true" }, "Abc"),
            ` ${names.many} `,
            h("span", { class: "count" }, `(${perType.get(type)})`),
          ),
        ),
    ),
  );

  // --- the panel beside the text ----------------------------------------------------------
  const panelBody = h("div", {});
  const panelHeading = h("h2", { id: "inspector-h", tabindex: -1 }, "Here");
  const panel = h(
    "aside",
    { class: "inspector", "aria-labelledby": "inspector-h" },
    panelHeading,
    panelBody,
  );
  // Every mention is a tab stop: keyboards get a way past the text to the panel beside it.
  const skip = h(
    "a",
    { class: "skip-text", href: hashFor(`/articles/${id}`) },
    "Skip past the text",
  );
  skip.addEventListener("click", (event) => {
    event.preventDefault();
    panelHeading.focus();
  });
  /** @type {AbortController | null} */
  let lines = null;
  /** @type {number | undefined} */
  let timer;
  /** @type {RecordLabel[]} */
  let showing = [];

  /** @param {RecordLabel[]} records */
  function showRecords(records) {
    if (records.length && records === showing) return; // the pointer moved within one piece
    showing = records;
    lines?.abort();
    clearTimeout(timer);
    panel.classList.toggle("is-empty", !records.length);
    if (!records.length) {
      panelBody.replaceChildren(
        h(
          "p",
          { class: "meta" },
          "Point at or focus a highlighted passage to see its records; choose one to highlight all its mentions.",
        ),
      );
      return;
    }
    /** @type {[RecordLabel, HTMLElement][]} */
    const pending = [];
    panelBody.replaceChildren(
      h(
        "ol",
        { class: "cards" },
        records.map((r) => {
          const line = h("p", { class: "line" });
          pending.push([r, line]);
          const count = text.counts.get(keyOf(r)) ?? 0;
          return h(
            "li",
            { class: "card" },
            h("p", {}, badge(r.type), " ", recordLink(r.type, r.id, r.label)),
            line,
            h(
              "p",
              { class: "actions" },
              h(
                "a",
                { href: hrefFor(keyOf(r)) },
                `Highlight its ${count} mention${count === 1 ? "" : "s"}`,
              ),
              " · ",
              jsonLink(jsonHref(r.type, r.id)),
            ),
          );
        }),
      ),
    );
    // Fetched only when the pointer rests, a few at a time.
    const controller = new AbortController();
    lines = controller;
    timer = window.setTimeout(() => {
      for (const [r, line] of pending.slice(0, 3)) {
        if (!isRecordType(r.type)) continue;
        record(r.type, r.id, controller.signal).then(
          (typed) => {
            line.textContent = lineFor(typed);
          },
          (error) => {
            if (!isAbort(error)) line.textContent = "(more about it could not be fetched)";
          },
        );
      }
    }, 200);
  }

  // --- what is chosen ---------------------------------------------------------------------
  const status = h("p", { role: "status" });
  const previous = h("button", { type: "button" }, "Previous mention");
  const next = h("button", { type: "button" }, "Next mention");
  const clear = h("a", { href: hashFor(`/articles/${id}`) }, "Clear");
  const selectionBar = h(
    "div",
    { class: "selection" },
    status,
    h("p", { class: "actions" }, previous, " ", next, " ", clear),
  );
  /** @type {string | null} */
  let selected = null;
  /** @type {HTMLElement[]} */
  let starts = [];
  let current = -1;

  /** @param {number} step */
  function jump(step) {
    if (!starts.length) return;
    current = (current + step + starts.length) % starts.length;
    const piece = starts[current];
    scrollTo(piece);
    piece.focus({ preventScroll: true });
  }
  previous.addEventListener("click", () => jump(-1));
  next.addEventListener("click", () => jump(1));

  /** @param {Route} route @param {boolean} [first]  the view's first drawing */
  function apply(route, first = false) {
    const sel = route.params.get("sel");
    selected = sel && labels.has(sel) ? sel : null;
    const chosen = text.select(selected);
    const mentionStarts = new Set(
      mentions.data.filter((m) => keyOf(m) === selected).map((m) => String(m.start)),
    );
    starts = chosen.filter((piece) => mentionStarts.has(piece.dataset.start ?? ""));
    current = -1;
    selectionBar.hidden = !sel;
    previous.hidden = next.hidden = starts.length < 2;
    if (sel && !selected) {
      status.textContent = `Nothing in this article is ${sel}.`;
    } else if (selected) {
      const label = labels.get(selected);
      const count = text.counts.get(selected) ?? 0;
      const type = label ? TYPES[label.type].one.toLowerCase() : "";
      status.textContent = `${label?.label} (${type}): ${count} mention${count === 1 ? "" : "s"} highlighted, the rest dimmed.`;
    }
    showRecords(
      selected && labels.get(selected) ? [/** @type {RecordLabel} */ (labels.get(selected))] : [],
    );

    const at = /^(\d+)-(\d+)$/.exec(route.params.get("at") ?? "");
    const hit = at ? text.target(Number(at[1]), Number(at[2])) : text.target(0, 0);
    if (hit.length) {
      scrollTo(hit[0]);
      hit[0].focus({ preventScroll: true });
    } else if (first && starts.length) {
      scrollTo(starts[0]);
    }
  }

  text.root.addEventListener("mouseover", (event) => {
    const piece = event.target instanceof Element ? event.target.closest(".seg") : null;
    if (piece) showRecords(text.recordsAt(piece));
  });
  text.root.addEventListener("focusin", (event) => {
    if (event.target instanceof Element) showRecords(text.recordsAt(event.target));
  });
  text.root.addEventListener("mouseleave", () => {
    const label = selected ? labels.get(selected) : undefined;
    showRecords(label ? [label] : []);
  });

  replace(
    main,
    h(
      "header",
      { class: "record-head" },
      h("h1", { tabindex: -1 }, await title),
      h(
        "p",
        { class: "meta" },
        `${mentions.length.toLocaleString("en-US")} characters, ${mentions.data.length} mentions · `,
        jsonLink(
          `/v1/articles/${encodeURIComponent(id)}/mentions?segments=true&offsets=utf16`,
          "JSON of the mentions",
        ),
      ),
    ),
    legend,
    selectionBar,
    h(
      "div",
      { class: "reader" },
      h("article", { "aria-label": "Article text" }, skip, text.root),
      panel,
    ),
  );
  document.title = `${await title} · Article facts`;
  apply(route, true);
  return { update: apply };
}
