// @ts-check
/** Words and addresses for records: type names, routes, dates as the article gives them,
 * and amounts that keep their qualifier ("more than" stays "more than"). */

/** @typedef {import("./types").RecordType} RecordType */
/** @typedef {import("./types").Qualifier} Qualifier */

/** @type {Record<RecordType, {one: string, many: string, route: string}>} */
export const TYPES = {
  country: { one: "Country", many: "Countries", route: "countries" },
  person: { one: "Person", many: "People", route: "people" },
  organization: { one: "Organization", many: "Organizations", route: "organizations" },
  place: { one: "Place", many: "Places", route: "places" },
  event: { one: "Event", many: "Events", route: "events" },
  quote: { one: "Quote", many: "Quotes", route: "quotes" },
  statement: { one: "Statement", many: "Statements", route: "statements" },
  aid: { one: "Aid", many: "Aid", route: "aid" },
  figure: { one: "Figure", many: "Figures", route: "figures" },
  article: { one: "Article", many: "Articles", route: "articles" },
};

/** The types whose mentions are names (short spans), the others being claims and events. */
export const NAME_TYPES = ["country", "person", "organization", "place"];

/** @param {string} value @returns {value is RecordType} */
export function isRecordType(value) {
  return Object.hasOwn(TYPES, value);
}

/** @param {string} route @returns {RecordType | undefined} */
export function typeOfRoute(route) {
  return /** @type {RecordType[]} */ (Object.keys(TYPES)).find((t) => TYPES[t].route === route);
}

/**
 * `a,b` and `:` and `!` kept readable in the address bar.
 * @param {string} value
 */
function encode(value) {
  return encodeURIComponent(value).replace(/%2C/g, ",").replace(/%3A/g, ":").replace(/%21/g, "!");
}

/**
 * An explorer address: `#/path?name=value`, empty values left out.
 * @param {string} path
 * @param {Record<string, string | null | undefined>} [params]
 */
export function hashFor(path, params = {}) {
  const query = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== "")
    .map(([name, value]) => `${encode(name)}=${encode(String(value))}`)
    .join("&");
  return `#${path}${query ? `?${query}` : ""}`;
}

/** @param {RecordType} type @param {string} id */
export function recordHref(type, id) {
  return `#/${TYPES[type].route}/${encodeURIComponent(id)}`;
}

/** The same record as the API serves it. @param {RecordType} type @param {string} id */
export function jsonHref(type, id) {
  return `/v1/${TYPES[type].route}/${encodeURIComponent(id)}`;
}

/**
 * The reader at a record's mentions, or at one span of them.
 * @param {string} article
 * @param {{type: RecordType, id: string} | null} record
 * @param {{start: number, end: number}} [span]
 */
export function readerHref(article, record, span) {
  return hashFor(`/articles/${encodeURIComponent(article)}`, {
    sel: record ? `${record.type}:${record.id}` : undefined,
    at: span ? `${span.start}-${span.end}` : undefined,
  });
}

/** @param {string} value  e.g. "agreement_termination" */
export function humanize(value) {
  const text = value.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * A partial date in words: "2021", "July 2023", "26 August 2023".
 * @param {string} date  YYYY, YYYY-MM or YYYY-MM-DD
 */
export function partialDate(date) {
  const [year, month, day] = date.split("-");
  if (!month) return year;
  const name = MONTHS[Number(month) - 1] ?? month;
  return day ? `${Number(day)} ${name} ${year}` : `${name} ${year}`;
}

/**
 * What the bounds say, in words, e.g. "after July 2023", "by March 2023", "July 2023".
 * @param {{date_edtf: string | null}} record
 */
export function whenInWords(record) {
  const edtf = record.date_edtf;
  if (!edtf) return "not placed in time";
  const [start, end] = edtf.split("/");
  if (end === undefined) return partialDate(start);
  if (start === "..") return `no later than ${partialDate(end)}`;
  if (end === "..") return `${partialDate(start)} or later`;
  return `between ${partialDate(start)} and ${partialDate(end)}`;
}

/** @type {Record<Qualifier, {sign: string, words: string}>} */
export const QUALIFIERS = {
  exact: { sign: "", words: "exactly" },
  more_than: { sign: ">", words: "more than" },
  less_than: { sign: "<", words: "less than" },
  up_to: { sign: "≤", words: "up to" },
  about: { sign: "≈", words: "about" },
};

/**
 * A number in its unit: a currency code as money ("$500,000,000"), anything else after it.
 * @param {number} value
 * @param {string} unit
 */
export function amount(value, unit) {
  if (/^[A-Z]{3}$/.test(unit)) {
    try {
      return new Intl.NumberFormat("en-US", {
        style: "currency",
        currency: unit,
        maximumFractionDigits: 0,
      }).format(value);
    } catch {
      // not a currency Intl knows: written as a number and its unit, below
    }
  }
  return `${value.toLocaleString("en-US")} ${unit}`;
}

/**
 * An amount with its qualifier: "> $500,000,000" and, in words, "more than $500,000,000".
 * @param {number} value
 * @param {string} unit
 * @param {Qualifier} qualifier
 */
export function qualified(value, unit, qualifier) {
  const { sign, words } = QUALIFIERS[qualifier];
  const text = amount(value, unit);
  return {
    short: sign ? `${sign} ${text}` : text,
    words: qualifier === "exact" ? text : `${words} ${text}`,
  };
}

/**
 * A sum with honest bounds, as /v1/aid/summary and /v1/figures/summary give it.
 * @param {{total_min: number, total_max: number | null, exact: boolean, total_stated: number}} total
 * @param {string} unit
 */
export function bounds(total, unit) {
  const low = amount(total.total_min, unit);
  if (total.exact) return { short: low, words: `exactly ${low}` };
  if (total.total_max === null) {
    // Only "more than" amounts (and exact ones) leave the least total at what was stated.
    if (total.total_min > 0 && total.total_min === total.total_stated) {
      return { short: `> ${low}`, words: `more than ${low}, no upper bound` };
    }
    const stated = amount(total.total_stated, unit);
    return { short: `≥ ${low}`, words: `at least ${low}, no upper bound (stated: ${stated})` };
  }
  const high = amount(total.total_max, unit);
  if (total.total_min === 0) return { short: `≤ ${high}`, words: `up to ${high}` };
  return { short: `${low} – ${high}`, words: `between ${low} and ${high}` };
}
