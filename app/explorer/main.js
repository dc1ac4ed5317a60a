// @ts-check
/** The explorer's start: the header's search box, and the router that draws the view each
 * address names (loading each view's module when first needed). A view that fails shows
 * the problem in its place, never a blank page. */

import { ApiError, isAbort } from "./api.js";
import { problemMessage } from "./components.js";
import { h, replace } from "./dom.js";
import { parseHash } from "./router.js";
import { searchBox } from "./search-box.js";

/** @typedef {import("./router.js").View} View */
/** @typedef {import("./router.js").ViewHandle} ViewHandle */

/** @type {[RegExp, () => Promise<{render: View}>][]} */
const ROUTES = [
  [/^\/$/, () => import("./views/home.js")],
  [/^\/articles\/([^/]+)$/, () => import("./views/reader.js")],
  [/^\/(?:timeline|events)$/, () => import("./views/timeline.js")],
  [
    /^\/(countries|people|organizations|places|quotes|statements)$/,
    () => import("./views/list.js"),
  ],
  [
    /^\/(countries|people|organizations|places|events|quotes|statements|aid|figures)\/([^/]+)$/,
    () => import("./views/record.js"),
  ],
  [/^\/search$/, () => import("./views/search.js")],
  [/^\/(?:money|aid|figures)$/, () => import("./views/money.js")],
];

const main = /** @type {HTMLElement} */ (document.getElementById("main"));
const nav = document.querySelectorAll("nav.site-nav a");
const search = searchBox();

/** @type {{path: string, handle: ViewHandle | void, controller: AbortController}} */
let current = { path: "", handle: undefined, controller: new AbortController() };
let first = true;
let shown = 0;

/** Counts the views shown (drawn, updated or failed), for anyone waiting on one: tests. */
function done() {
  main.dataset.shown = String(++shown);
}

/** @param {string} path */
function markNav(path) {
  const section = path.split("/")[1] ?? "";
  for (const link of nav) {
    const target = (link.getAttribute("href") ?? "").replace(/^#\//, "").split(/[/?]/)[0];
    const here =
      target === section || (target === "timeline" && section === "events" && path === "/events");
    if (here) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** @param {string} state */
function setState(state) {
  main.dataset.state = state;
  main.setAttribute("aria-busy", String(state === "loading"));
}

/** @param {unknown} error */
function failure(error) {
  const status = error instanceof ApiError ? error.problem.status : -1;
  const title =
    status === 404
      ? "Not found"
      : status === 0
        ? "The API could not be reached"
        : "Something went wrong";
  document.title = `${title} · Article facts`;
  replace(
    main,
    h("h1", { tabindex: -1 }, title),
    problemMessage(error),
    h("p", {}, h("a", { href: "#/" }, "Back to the start")),
  );
  setState("error");
}

async function show() {
  const route = parseHash(location.hash);
  markNav(route.path);
  search.setQuery(route.path === "/search" ? (route.params.get("q") ?? "") : "");
  if (route.path === current.path && current.handle?.update) {
    try {
      await current.handle.update(route);
    } catch (error) {
      if (!isAbort(error)) failure(error);
    }
    done();
    return;
  }
  current.controller.abort();
  const controller = new AbortController();
  current = { path: route.path, handle: undefined, controller };
  const wasFirst = first;
  first = false;
  setState("loading");
  replace(main, h("p", { class: "loading", role: "status" }, "Loading…"));

  const found = ROUTES.map(
    ([pattern, load]) => /** @type {const} */ ([pattern.exec(route.path), load]),
  ).find(([match]) => match !== null);
  try {
    if (!found || !found[0]) {
      document.title = "No such page · Article facts";
      replace(
        main,
        h("h1", { tabindex: -1 }, "No such page"),
        h(
          "div",
          { class: "problem", role: "alert" },
          h("p", {}, `The explorer has no page at #${route.path}.`),
        ),
        h("p", {}, h("a", { href: "#/" }, "Back to the start")),
      );
      setState("error");
    } else {
      const [match, load] = found;
      const view = await load();
      const handle = await view.render({
        main,
        route,
        match: [...match],
        signal: controller.signal,
      });
      if (controller !== current.controller) return;
      current.handle = handle;
      setState("ready");
    }
  } catch (error) {
    if (isAbort(error) || controller !== current.controller) return;
    failure(error);
  }
  // A new view: its heading takes the focus (unless the view placed it), as a page load would.
  if (!wasFirst && !main.contains(document.activeElement)) {
    window.scrollTo(0, 0);
    main.querySelector("h1")?.focus();
  }
  done();
}

// The skip link goes to the content without touching the address (which names the view).
document.querySelector("a.skip")?.addEventListener("click", (event) => {
  event.preventDefault();
  (main.querySelector("h1") ?? main).focus();
});

window.addEventListener("hashchange", show);
show();
