// @ts-check
/** The one module that talks to the API, as any other client would: GET JSON from /v1,
 * problem+json answers (and failures to reach the API) as ApiError, keyset cursors. Answers
 * are kept in memory for the page's life: the data changes only with a new seed. */

/** @typedef {import("./types").Problem} Problem */
/** @typedef {import("./types").ApiPath} ApiPath */
/** @typedef {import("./types").ListPath} ListPath */
/**
 * @template {ApiPath} P
 * @typedef {import("./types").JsonOf<P>} JsonOf
 */
/**
 * @template {ApiPath} P
 * @typedef {import("./types").QueryOf<P>} QueryOf
 */
/**
 * @template {ApiPath} P
 * @typedef {import("./types").PathParamsOf<P>} PathParamsOf
 */
/**
 * @template {ListPath} P
 * @typedef {import("./types").ItemOf<P>} ItemOf
 */

/** An answer that is not the data: a problem from the API, or no answer at all. */
export class ApiError extends Error {
  /** @param {Problem} problem */
  constructor(problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.problem = problem;
  }
}

/** @param {unknown} error */
export function isAbort(error) {
  return error instanceof DOMException && error.name === "AbortError";
}

/** @param {unknown} body @returns {body is Problem} */
function isProblem(body) {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof Reflect.get(body, "title") === "string" &&
    typeof Reflect.get(body, "status") === "number"
  );
}

/** @type {Map<string, unknown>} */
const answers = new Map();
const KEEP = 200;

/**
 * `/v1/...?query` from a path template ("/v1/events/{id}") and its parameters. Values left
 * undefined, null or "" are not sent (the API refuses empty parameters it does not know).
 * @param {string} template
 * @param {Record<string, string> | undefined} pathParams
 * @param {object | undefined} query
 */
export function apiUrl(template, pathParams, query) {
  const path = template.replace(/\{(\w+)\}/g, (_, name) => {
    const value = pathParams?.[name];
    if (value === undefined) throw new Error(`${template}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    search.set(name, String(value));
  }
  const text = search.toString().replace(/%2C/g, ",");
  return text ? `${path}?${text}` : path;
}

/**
 * GET JSON from the API.
 * @param {string} url
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<unknown>}
 */
async function fetchJson(url, signal) {
  if (answers.has(url)) return answers.get(url);
  let response;
  try {
    response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError({
      type: "about:blank",
      title: "The API could not be reached",
      status: 0,
      detail: `No answer came for ${url}: the network or the server is down. Try again later.`,
    });
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    if (isProblem(body)) throw new ApiError(body);
    throw new ApiError({
      type: "about:blank",
      title: response.statusText || `Error ${response.status}`,
      status: response.status,
      detail: `${url} answered ${response.status} without saying why.`,
    });
  }
  const body = await response.json();
  if (answers.size >= KEEP) answers.delete(answers.keys().next().value ?? "");
  answers.set(url, body);
  return body;
}

/**
 * One GET of a documented path, typed by the OpenAPI document: its parameters and answer.
 * @template {ApiPath} P
 * @param {P} path
 * @param {{path?: PathParamsOf<P>, query?: QueryOf<P>, signal?: AbortSignal}} [options]
 * @returns {Promise<JsonOf<P>>}
 */
export async function get(path, options = {}) {
  const params = /** @type {Record<string, string> | undefined} */ (options.path);
  const url = apiUrl(path, params, options.query);
  return /** @type {JsonOf<P>} */ (await fetchJson(url, options.signal));
}

/**
 * A page of a list with only `fields` in each record (and its key, which always comes): the
 * type says so, so a field not asked for cannot be read.
 * @template {ListPath} P
 * @template {keyof ItemOf<P> & string} K
 * @param {P} path
 * @param {readonly K[]} fields
 * @param {{path?: PathParamsOf<P>, query?: Omit<QueryOf<P>, "fields">, cursor?: string | null,
 *   signal?: AbortSignal}} [options]
 * @returns {Promise<Omit<JsonOf<P>, "data"> & {data: Pick<ItemOf<P>, K>[]}>}
 */
export async function list(path, fields, options = {}) {
  const params = /** @type {Record<string, string> | undefined} */ (options.path);
  const query = { ...options.query, fields: fields.join(","), cursor: options.cursor };
  const url = apiUrl(path, params, query);
  return /** @type {Omit<JsonOf<P>, "data"> & {data: Pick<ItemOf<P>, K>[]}} */ (
    await fetchJson(url, options.signal)
  );
}

/**
 * Every record of a list, page after page by cursor, up to `most` pages.
 * @template {ListPath} P
 * @template {keyof ItemOf<P> & string} K
 * @param {P} path
 * @param {readonly K[]} fields
 * @param {{path?: PathParamsOf<P>, query?: Omit<QueryOf<P>, "fields">, signal?: AbortSignal}} options
 * @param {number} [most]
 */
export async function listAll(path, fields, options, most = 10) {
  const first = await list(path, fields, options);
  const data = [...first.data];
  let cursor = first.next_cursor;
  for (let pages = 1; cursor && pages < most; pages++) {
    const next = await list(path, fields, { ...options, cursor });
    data.push(...next.data);
    cursor = next.next_cursor;
  }
  return { first, data, more: cursor !== null };
}

/**
 * One record by type and id, evidence in UTF-16 offsets (an article: its text and metadata).
 * @param {import("./types").RecordType} type
 * @param {string} id
 * @param {AbortSignal} [signal]
 * @returns {Promise<import("./types").TypedRecord>}
 */
export async function record(type, id, signal) {
  const query = { offsets: /** @type {const} */ ("utf16") };
  const path = { id };
  switch (type) {
    case "country":
      return {
        type,
        record: await get("/v1/countries/{code}", { path: { code: id }, query, signal }),
      };
    case "person":
      return { type, record: await get("/v1/people/{id}", { path, query, signal }) };
    case "organization":
      return { type, record: await get("/v1/organizations/{id}", { path, query, signal }) };
    case "place":
      return { type, record: await get("/v1/places/{id}", { path, query, signal }) };
    case "event":
      return { type, record: await get("/v1/events/{id}", { path, query, signal }) };
    case "quote":
      return { type, record: await get("/v1/quotes/{id}", { path, query, signal }) };
    case "statement":
      return { type, record: await get("/v1/statements/{id}", { path, query, signal }) };
    case "aid":
      return { type, record: await get("/v1/aid/{id}", { path, query, signal }) };
    case "figure":
      return { type, record: await get("/v1/figures/{id}", { path, query, signal }) };
    case "article":
      return { type, record: await get("/v1/articles/{id}", { path, signal }) };
  }
}
