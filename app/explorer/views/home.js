// @ts-check
/** The start: what the explorer shows, and the articles to read. */

import { list } from "../api.js";
import { pagedList } from "../components.js";
import { h, replace } from "../dom.js";
import { readerHref } from "../format.js";

/** @typedef {import("../router.js").ViewContext} ViewContext */

/** @param {ViewContext} context */
export async function render({ main, signal }) {
  const articles = await pagedList(
    (cursor) =>
      list("/v1/articles", ["id", "title", "publisher", "length"], {
        query: { limit: 20 },
        cursor,
        signal,
      }),
    (a) => [
      h("a", { href: readerHref(a.id, null) }, a.title),
      h(
        "span",
        { class: "meta" },
        ` — ${a.publisher ?? "unknown publisher"}, ${a.length.toLocaleString("en-US")} characters`,
      ),
    ],
    "No article is loaded.",
  );
  replace(
    main,
    h("h1", { tabindex: -1 }, "What the article says, checkably"),
    h(
      "p",
      { class: "lede" },
      "Every country, person, organization, place, event, quote, statement and amount below comes with the words of the article it rests on. Read the text with each mention highlighted, follow events on a timeline, or search for a name (typos welcome).",
    ),
    h("section", {}, h("h2", {}, "Articles"), articles),
    h(
      "section",
      {},
      h("h2", {}, "Ways in"),
      h(
        "ul",
        { class: "ways" },
        h(
          "li",
          {},
          h("a", { href: "#/timeline" }, "Timeline"),
          ": events drawn to what the article says of their dates",
        ),
        h(
          "li",
          {},
          h("a", { href: "#/money" }, "Aid and figures"),
          ": amounts, with “more than” kept as “more than”",
        ),
        h(
          "li",
          {},
          h("a", { href: "#/people" }, "People"),
          ", ",
          h("a", { href: "#/countries" }, "countries"),
          ", ",
          h("a", { href: "#/organizations" }, "organizations"),
          " and ",
          h("a", { href: "#/places" }, "places"),
        ),
        h(
          "li",
          {},
          h("a", { href: "#/quotes" }, "Quotes"),
          " and ",
          h("a", { href: "#/statements" }, "statements"),
          ": who claims what",
        ),
        h(
          "li",
          {},
          "The API itself: ",
          h("a", { href: "/docs" }, "its documentation"),
          " (every view here is built from its public ",
          h("code", {}, "/v1"),
          " answers)",
        ),
      ),
    ),
  );
  document.title = "Article facts explorer";
}
