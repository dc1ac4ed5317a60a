// @ts-check
/** Hash routing: `#/events/niger-coup-2023?sel=...` names every view, so links, bookmarks and
 * back/forward work, and the server serves one page for all of them. */

/**
 * @typedef {object} Route
 * @property {string} path  "/events/niger-coup-2023"
 * @property {URLSearchParams} params  what follows "?" in the hash
 */

/**
 * @typedef {object} ViewContext
 * @property {HTMLElement} main  where the view draws
 * @property {Route} route
 * @property {string[]} match  the path's parts the route pattern captured
 * @property {AbortSignal} signal  aborted when the reader leaves the view
 */

/**
 * What a view may return: `update` takes a new address of the same path (other parameters)
 * without drawing the view again.
 * @typedef {{update?: (route: Route) => void | Promise<void>}} ViewHandle
 */

/** @typedef {(context: ViewContext) => Promise<ViewHandle | void>} View */

/** @param {string} hash  location.hash */
export function parseHash(hash) {
  const text = hash.replace(/^#/, "") || "/";
  const at = text.indexOf("?");
  const rawPath = at === -1 ? text : text.slice(0, at);
  const path = rawPath
    .split("/")
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    })
    .join("/");
  return /** @type {Route} */ ({
    path: path.startsWith("/") ? path : `/${path}`,
    params: new URLSearchParams(at === -1 ? "" : text.slice(at + 1)),
  });
}

/**
 * Go to an address; a new history entry, so back returns here.
 * @param {string} hash  "#/..."
 */
export function navigate(hash) {
  if (location.hash !== hash) location.hash = hash;
}
