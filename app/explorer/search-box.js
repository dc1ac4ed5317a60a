// @ts-check
/** The header's search box: suggestions as you type (/v1/autocomplete, typos included) in
 * the ARIA combobox pattern: arrows move through them, Enter opens the one chosen (or, with
 * none chosen, the results page), Escape closes the list (or, closed, empties the box). */

import { ApiError, get, isAbort } from "./api.js";
import { h } from "./dom.js";
import { TYPES, hashFor, recordHref } from "./format.js";
import { navigate } from "./router.js";

/** @typedef {import("./types").Suggestion} Suggestion */

/** @template {Element} T @param {string} id @param {new () => T} kind @returns {T} */
function byId(id, kind) {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`the page has no #${id}`);
  return element;
}

export function searchBox() {
  const form = byId("search-form", HTMLFormElement);
  const input = byId("search-input", HTMLInputElement);
  const listbox = byId("search-options", HTMLUListElement);
  const status = byId("search-status", HTMLElement);
  const error = byId("search-error", HTMLElement);
  /** @type {Suggestion[]} */
  let suggestions = [];
  let active = -1;
  /** @type {AbortController | null} */
  let pending = null;
  /** @type {number | undefined} */
  let timer;

  const isOpen = () => !listbox.hidden;

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function open() {
    if (!suggestions.length) return;
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  /** @param {number} index */
  function setActive(index) {
    active = index;
    [...listbox.children].forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === index));
      if (i === index) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
  }

  /** @param {Suggestion} suggestion */
  function choose(suggestion) {
    close();
    input.value = suggestion.label;
    navigate(recordHref(suggestion.type, suggestion.id));
  }

  function draw() {
    listbox.replaceChildren(
      ...suggestions.map((s, i) => {
        const option = h(
          "li",
          { role: "option", id: `search-option-${i}`, "aria-selected": "false", class: "option" },
          h("span", { class: `badge b-${s.type}` }, TYPES[s.type].one),
          " ",
          h("span", { class: "label" }, s.label),
          s.fuzzy ? h("span", { class: "fuzzy" }, " (close to what you typed)") : null,
          s.hint ? h("span", { class: "hint" }, s.hint) : null,
        );
        option.addEventListener("click", () => choose(s));
        return option;
      }),
    );
    status.textContent = suggestions.length
      ? `${suggestions.length} suggestion${suggestions.length === 1 ? "" : "s"}; up and down arrows to choose.`
      : "No suggestions.";
    if (suggestions.length && document.activeElement === input) open();
    else close();
  }

  async function suggest() {
    pending?.abort();
    const q = input.value.trim();
    error.hidden = true;
    if (!q) {
      suggestions = [];
      draw();
      return;
    }
    const controller = new AbortController();
    pending = controller;
    try {
      const answer = await get("/v1/autocomplete", {
        query: { q, limit: 8 },
        signal: controller.signal,
      });
      suggestions = answer.data;
      active = -1;
      draw();
    } catch (problem) {
      if (isAbort(problem)) return;
      suggestions = [];
      draw();
      error.textContent =
        problem instanceof ApiError
          ? `No suggestions: ${problem.problem.detail}`
          : "No suggestions: the page failed.";
      error.hidden = false;
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(suggest, 120);
  });
  input.addEventListener("focus", open);
  input.addEventListener("blur", close);
  // A click on an option must not blur the box (which would close the list first).
  listbox.addEventListener("mousedown", (event) => event.preventDefault());
  input.addEventListener("keydown", (event) => {
    const n = suggestions.length;
    switch (event.key) {
      case "ArrowDown":
        if (!n) return;
        event.preventDefault();
        open();
        setActive((active + 1) % n);
        break;
      case "ArrowUp":
        if (!n) return;
        event.preventDefault();
        open();
        setActive(active <= 0 ? n - 1 : active - 1);
        break;
      case "Enter":
        if (isOpen() && active >= 0) {
          event.preventDefault();
          choose(suggestions[active]);
        }
        break;
      case "Escape":
        event.preventDefault();
        if (isOpen()) close();
        else {
          input.value = "";
          suggestions = [];
          error.hidden = true;
        }
        break;
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    pending?.abort();
    close();
    const q = input.value.trim();
    if (q) navigate(hashFor("/search", { q }));
  });

  return {
    /** Shows the words a results page is for. @param {string} q */
    setQuery(q) {
      if (document.activeElement !== input) input.value = q;
    },
  };
}
