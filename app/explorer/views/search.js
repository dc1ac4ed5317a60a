// @ts-check
/** Search results: one ranked list across every record and the article's text (/v1/search),
 * typos falling back to the nearest names, which the page says. */

import { get } from "../api.js";
import { badge, pagedList } from "../components.js";
import { h, marked, replace } from "../dom.js";
import { recordHref } from "../format.js";

/** @typedef {import("../router.js").ViewContext} ViewContext */
/** @typedef {import("../types").SearchHit} SearchHit */

/** @param {SearchHit} hit */
function hitItem(hit) {
  const href = recordHref(hit.type, hit.id);
  return [
    h("p", {}, badge(hit.type), " ", h("a", { href }, hit.label)),
    h("p", { class: "snippet" }, marked(hit.snippet)),
  ];
}

/** @param {ViewContext} context */
export async function render({ main, route, signal }) {
  const q = (route.params.get("q") ?? "").trim();
  document.title = q ? `“${q}” · Search · Article facts` : "Search · Article facts";
  const head = h("h1", { tabindex: -1 }, q ? `Search: “${q}”` : "Search");
  if (!q) {
    replace(
      main,
      head,
      h("p", {}, "Type a name, a place or words of the article in the search box above."),
    );
    return;
  }
  let fuzzy = false;
  const body = await pagedList(
    async (cursor) => {
      const page = await get("/v1/search", { query: { q, cursor }, signal });
      fuzzy = fuzzy || page.fuzzy;
      return page;
    },
    hitItem,
    `Nothing matches “${q}”.`,
  );
  replace(
    main,
    head,
    fuzzy
      ? h(
          "p",
          { class: "notice", role: "note" },
          `No exact match for “${q}”; showing names close to it.`,
        )
      : null,
    body,
  );
}
