// @ts-check
/** Building DOM safely: elements from tag, attributes and children, text always as text
 * nodes. Nothing here parses HTML, so nothing the API sends can become markup. */

/** @typedef {string | number | boolean | null | undefined} AttrValue */
/** @typedef {import("./types").Child} Child */

/**
 * An element with attributes (`class`, `href`, `aria-*`, `data-*`, ...; true sets an empty
 * attribute, false, null and undefined leave it out) and children (strings become text).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "style") throw new Error("no inline style: the page's policy forbids it");
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, ...children);
  return element;
}

/**
 * Appends children (strings as text nodes; arrays flattened; null, undefined, false skipped).
 * @param {Element | DocumentFragment} parent
 * @param {...Child} children
 */
export function append(parent, ...children) {
  for (const child of children) {
    if (Array.isArray(child)) append(parent, ...child);
    else if (child === null || child === undefined || child === false) continue;
    else parent.append(typeof child === "number" ? String(child) : child);
  }
}

/**
 * Replaces what `parent` holds with `children`.
 * @param {Element} parent
 * @param {...Child} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * Text only screen readers read.
 * @param {string} text
 */
export function hidden(text) {
  return h("span", { class: "vh" }, text);
}

/**
 * `text` with the `<mark>...</mark>` pairs of a search snippet as <mark> elements; everything
 * else stays text, whatever it looks like.
 * @param {string} snippet
 */
export function marked(snippet) {
  const out = document.createDocumentFragment();
  const parts = snippet.split(/(<mark>|<\/mark>)/);
  let inMark = false;
  for (const part of parts) {
    if (part === "<mark>") inMark = true;
    else if (part === "</mark>") inMark = false;
    else if (part) out.append(inMark ? h("mark", {}, part) : part);
  }
  return out;
}
