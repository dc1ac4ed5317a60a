// @ts-check
/** Aid and figures: sums as bars that keep the article's qualifiers. A total is a range
 * (total_min to total_max; no total_max: no upper bound), so "more than $500 million" is a bar
 * open at its end and reads "> $500,000,000", never a plain $500,000,000. */

import { get, list } from "../api.js";
import { jsonLink, section } from "../components.js";
import { h, replace } from "../dom.js";
import { bounds, hashFor, humanize, qualified, recordHref } from "../format.js";

/** @typedef {import("../router.js").ViewContext} ViewContext */
/** @typedef {{value: string | number | null, label: string | null, count: number,
 *   totals: {kind: string, unit: string, country?: string | null, place?: string | null,
 *   count: number, total_min: number, total_max: number | null, exact: boolean,
 *   total_stated: number}[]}} Group */

const AID_GROUPS = /** @type {const} */ (["donor", "recipient", "kind", "currency", "year"]);
const FIGURE_GROUPS = /** @type {const} */ (["unit", "kind", "country", "place"]);

/**
 * Where a figure total counts, when it says: " · in BF", " · at trans-saharan-gas-pipeline".
 * @param {{country?: string | null, place?: string | null}} t
 */
function where(t) {
  return [t.country ? ` · in ${t.country}` : "", t.place ? ` · at ${t.place}` : ""].join("");
}

/**
 * Bars of a summary, one scale per unit (dollars are not soldiers).
 * @param {Group[]} groups
 */
function chart(groups) {
  /** @type {Map<string, number>} */
  const scale = new Map();
  for (const group of groups) {
    for (const t of group.totals) {
      // Room past an open end, so the bar can show it goes on.
      const reach = t.total_max ?? t.total_min * 1.5;
      scale.set(t.unit, Math.max(scale.get(t.unit) ?? 0, reach));
    }
  }
  return h(
    "ul",
    { class: "chart" },
    groups.flatMap((group) =>
      group.totals.map((t) => {
        const text = bounds(t, t.unit);
        const top = scale.get(t.unit) || 1;
        const pct = (/** @type {number} */ n) => `${((n / top) * 100).toFixed(2)}%`;
        const shape = t.total_max === null ? "open" : t.total_max > t.total_min ? "range" : "exact";
        const bar = h(
          "span",
          { class: `bar ${shape}` },
          h("span", { class: "low" }),
          h("span", { class: "high" }),
        );
        bar.style.setProperty("--low", pct(t.total_min));
        bar.style.setProperty("--high", pct(t.total_max ?? top));
        return h(
          "li",
          { class: "chart-row" },
          h(
            "p",
            { class: "chart-label" },
            h("strong", {}, group.label ?? String(group.value ?? "none")),
            ` · ${humanize(t.kind)}${where(t)} · ${t.count} amount${t.count === 1 ? "" : "s"}`,
          ),
          h("span", { class: "bar-track", "aria-hidden": "true" }, bar),
          h(
            "p",
            { class: "chart-value" },
            h("strong", { class: "total" }, text.short),
            h("span", { class: "meta" }, ` ${text.words}`),
          ),
        );
      }),
    ),
  );
}

/**
 * Links to group a summary another way.
 * @param {string} name  the address's parameter
 * @param {readonly string[]} choices
 * @param {string} current
 * @param {Record<string, string>} others  the other parameters, kept
 */
function groupLinks(name, choices, current, others) {
  return h(
    "p",
    { class: "group-by" },
    "Group by: ",
    choices.map((choice, i) => [
      i ? " · " : "",
      h(
        "a",
        {
          href: hashFor("/money", { ...others, [name]: choice }),
          "aria-current": choice === current ? "true" : null,
        },
        humanize(choice),
      ),
    ]),
  );
}

/** @param {ViewContext} context */
export async function render({ main, route, signal }) {
  const aidParam = route.params.get("aid_by") ?? "";
  const figureParam = route.params.get("figures_by") ?? "";
  const aidBy = AID_GROUPS.find((g) => g === aidParam) ?? "donor";
  const figuresBy = FIGURE_GROUPS.find((g) => g === figureParam) ?? "unit";
  const [aidSummary, figureSummary, aid, figures] = await Promise.all([
    get("/v1/aid/summary", { query: { group_by: aidBy }, signal }),
    get("/v1/figures/summary", { query: { group_by: figuresBy }, signal }),
    list(
      "/v1/aid",
      ["id", "description", "amount", "currency", "qualifier", "donor", "recipient"],
      { query: { limit: 100 }, signal },
    ),
    list("/v1/figures", ["id", "description", "value", "unit", "qualifier", "country", "place"], {
      query: { limit: 100 },
      signal,
    }),
  ]);
  const aidGroups = aidSummary.groups.map((g) => ({
    ...g,
    totals: g.totals.map((t) => ({ ...t, unit: t.currency })),
  }));
  replace(
    main,
    h(
      "header",
      { class: "record-head" },
      h("h1", { tabindex: -1 }, "Aid and figures"),
      h(
        "p",
        { class: "meta" },
        "Sums keep the article's qualifiers: a solid bar is certain, a hatched one is a range, a fading one with an arrow has no upper bound.",
      ),
    ),
    section(
      "Aid",
      groupLinks("aid_by", AID_GROUPS, aidBy, { figures_by: figureParam }),
      aidGroups.length ? chart(aidGroups) : h("p", {}, "No aid."),
      h(
        "ul",
        { class: "records" },
        aid.data.map((a) => {
          const money = qualified(a.amount, a.currency, a.qualifier);
          return h(
            "li",
            {},
            h("a", { href: recordHref("aid", a.id) }, a.description),
            h(
              "span",
              { class: "meta" },
              ` — ${money.short} (${money.words}); ${a.donor ?? "?"} → ${a.recipient ?? "?"}`,
            ),
          );
        }),
      ),
      h(
        "p",
        { class: "meta" },
        jsonLink(`/v1/aid/summary?group_by=${aidBy}`, `JSON: /v1/aid/summary?group_by=${aidBy}`),
      ),
    ),
    section(
      "Figures",
      groupLinks("figures_by", FIGURE_GROUPS, figuresBy, { aid_by: aidParam }),
      figureSummary.groups.length ? chart(figureSummary.groups) : h("p", {}, "No figure."),
      h(
        "ul",
        { class: "records" },
        figures.data.map((f) => {
          const value = qualified(f.value, f.unit, f.qualifier);
          return h(
            "li",
            {},
            h("a", { href: recordHref("figure", f.id) }, f.description),
            h(
              "span",
              { class: "meta" },
              ` — ${value.short}${f.qualifier === "exact" ? "" : ` (${value.words})`}${where(f)}`,
            ),
          );
        }),
      ),
      h(
        "p",
        { class: "meta" },
        jsonLink(
          `/v1/figures/summary?group_by=${figuresBy}`,
          `JSON: /v1/figures/summary?group_by=${figuresBy}`,
        ),
      ),
    ),
  );
  document.title = "Aid and figures · Article facts";
}
