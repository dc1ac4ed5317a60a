// @ts-check
/** The article's text with every mention highlighted, from the segments of
 * /v1/articles/{id}/mentions?segments=true&offsets=utf16: the text cut wherever a span starts
 * or ends, each piece with the records covering it. A piece that some record covers becomes a
 * link (to choosing its innermost record; a piece of only spaces is not) carrying a class per type: names get a tint and an
 * underline style of their own, claims and events a line below in a pattern of their own, so
 * colour is never the only cue; screen readers hear the type where each mention ends. */

import { h, hidden } from "./dom.js";
import { NAME_TYPES, TYPES } from "./format.js";

/** @typedef {import("./types").Mentions} Mentions */
/** @typedef {import("./types").Mention} Mention */
/** @typedef {import("./types").RecordLabel} RecordLabel */
/** @typedef {import("./types").Segment} Segment */

/** @param {{type: string, id: string}} record */
export function keyOf(record) {
  return `${record.type}:${record.id}`;
}

/**
 * @typedef {object} Highlighted
 * @property {HTMLElement} root  the text
 * @property {Map<string, number>} counts  mentions per record key
 * @property {(key: string | null) => HTMLElement[]} select  highlight a record's pieces, dim the rest
 * @property {(start: number, end: number) => HTMLElement[]} target  mark the pieces of a span
 * @property {(element: Element) => RecordLabel[]} recordsAt  a piece's records, innermost first
 */

/**
 * @param {Mentions} mentions  with segments, in UTF-16 offsets
 * @param {(key: string) => string} hrefFor  where choosing a record leads
 * @returns {Highlighted}
 */
export function highlight(mentions, hrefFor) {
  /** @type {Map<string, Mention[]>} */
  const spans = new Map();
  for (const mention of mentions.data) {
    const key = keyOf(mention);
    spans.set(key, [...(spans.get(key) ?? []), mention]);
  }
  /** The record's span around a segment (its shortest, when spans of one record nest).
   * @param {RecordLabel} record @param {Segment} segment */
  const around = (record, segment) =>
    (spans.get(keyOf(record)) ?? [])
      .filter((m) => m.start <= segment.start && m.end >= segment.end)
      .sort((a, b) => a.end - a.start - (b.end - b.start))[0];

  const root = h("div", { class: "article-text" });
  /** @type {HTMLElement[]} */
  const pieces = [];
  /** @type {WeakMap<Element, RecordLabel[]>} */
  const records = new WeakMap();
  for (const segment of mentions.segments ?? []) {
    if (!segment.records.length) {
      root.append(segment.text);
      continue;
    }
    const spanOf = new Map(segment.records.map((r) => [r, around(r, segment)]));
    const length = (/** @type {RecordLabel} */ r) => {
      const span = spanOf.get(r);
      return span ? span.end - span.start : Infinity;
    };
    const ordered = [...segment.records].sort((a, b) => length(a) - length(b));
    const name = ordered.find((r) => NAME_TYPES.includes(r.type));
    const classes = new Set(["seg", ...ordered.map((r) => `t-${r.type}`)]);
    if (name) classes.add(`p-${name.type}`);
    // Only a piece with words is a link: a link of a space has no name a screen reader could
    // say, and would be one more tab stop. A space between two mentions still carries their
    // lines.
    const words = segment.text.trim() !== "";
    const piece = h(
      words ? "a" : "span",
      {
        class: [...classes].join(" "),
        href: words ? hrefFor(keyOf(ordered[0])) : null,
        "data-start": segment.start,
        "data-end": segment.end,
        "data-keys": ordered.map(keyOf).join(" "),
      },
      segment.text,
    );
    for (const record of ordered) {
      if (spanOf.get(record)?.end === segment.end) {
        piece.append(hidden(` (${TYPES[record.type].one.toLowerCase()})`));
      }
    }
    records.set(piece, ordered);
    pieces.push(piece);
    root.append(piece);
  }

  return {
    root,
    counts: new Map([...spans].map(([key, list]) => [key, list.length])),
    select(key) {
      root.classList.toggle("has-selection", key !== null);
      const chosen = [];
      for (const piece of pieces) {
        const on = key !== null && (piece.dataset.keys ?? "").split(" ").includes(key);
        piece.classList.toggle("is-selected", on);
        if (on) chosen.push(piece);
      }
      return chosen;
    },
    target(start, end) {
      const hit = [];
      for (const piece of pieces) {
        const on = Number(piece.dataset.start) < end && Number(piece.dataset.end) > start;
        piece.classList.toggle("is-target", on);
        if (on) hit.push(piece);
      }
      return hit;
    },
    recordsAt(element) {
      return records.get(element) ?? [];
    },
  };
}
