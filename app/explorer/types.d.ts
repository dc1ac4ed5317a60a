// The explorer's names for the API's shapes. Everything here comes from the OpenAPI document
// (`make types` writes tmp/types/openapi.d.ts from it); nothing is declared by hand.
import type { components, paths } from "../../tmp/types/openapi";

type Schemas = components["schemas"];

export type Country = Schemas["CountryPublic"];
export type Person = Schemas["PersonPublic"];
export type Organization = Schemas["OrganizationPublic"];
export type Place = Schemas["PlacePublic"];
export type Event = Schemas["EventPublic"];
export type Quote = Schemas["QuotePublic"];
export type Statement = Schemas["StatementPublic"];
export type Aid = Schemas["AidPublic"];
export type Figure = Schemas["FigurePublic"];
export type Article = Schemas["ArticlePublic"];
export type ArticleSummary = Schemas["ArticleSummary"];
export type Evidence = Schemas["EvidenceSpan"];
export type EntityRef = Schemas["EntityRef"];
export type Participant = Schemas["Participant"];
export type RecordType = Schemas["RecordType"];
export type RecordLabel = Schemas["RecordLabel"];
export type Mention = Schemas["Mention"];
export type Mentions = Schemas["Mentions"];
export type Segment = Schemas["Segment"];
export type Suggestion = Schemas["Suggestion"];
export type SearchHit = Schemas["SearchHit"];
export type SearchPage = Schemas["SearchPage"];
export type Problem = Schemas["Problem"];
export type Qualifier = Schemas["Qualifier"];
export type AidTotal = Schemas["AidTotal"];
export type FigureTotal = Schemas["FigureTotal"];
export type AidSummary = Schemas["AidSummary"];
export type FigureSummary = Schemas["FigureSummary"];

/** Any record with evidence, as its detail endpoint serves it. */
export type AnyRecord =
  Country | Person | Organization | Place | Event | Quote | Statement | Aid | Figure;

/** One value of a facet (`facet=kind,country`); a page's `facets` holds its list's own. */
export type FacetValue = Schemas["FacetValue"];

/** Every path whose GET answers JSON, with what it takes and gives. */
type JsonGet = {
  get: {
    parameters: { query?: unknown; path?: unknown };
    responses: { 200: { content: { "application/json": unknown } } };
  };
};
export type ApiPath = { [P in keyof paths]: paths[P] extends JsonGet ? P : never }[keyof paths];
type Get<P extends ApiPath> = paths[P]["get"];
export type QueryOf<P extends ApiPath> = NonNullable<Get<P>["parameters"]["query"]>;
export type PathParamsOf<P extends ApiPath> = Get<P>["parameters"]["path"];
type Answer<P extends ApiPath> = Get<P>["responses"][200]["content"]["application/json"];
/** Whether a record has every field (`included` aside, which only `include=` adds). */
type Complete<R> = Omit<R, "included"> extends Required<Omit<R, "included">> ? true : false;
type Wholes<T> = T extends { data: (infer R)[] }
  ? Complete<R> extends true
    ? T
    : never
  : Complete<T> extends true
    ? T
    : never;
/** A record's or a page's answer is `anyOf` [whole, sparse] (`fields=` trims records): this is
 * the whole member (an answer of one shape is itself). */
export type Whole<T> = [Wholes<T>] extends [never] ? T : Wholes<T>;
/** What a GET of `P` answers, its records whole (`list()` types the `fields=` ones). */
export type JsonOf<P extends ApiPath> = Whole<Answer<P>>;

/** Paths that answer a page of records (`data`, `total`, `next_cursor`). */
export type ListPath = {
  [P in ApiPath]: JsonOf<P> extends { data: unknown[]; next_cursor: string | null } ? P : never;
}[ApiPath];
export type ItemOf<P extends ListPath> = JsonOf<P> extends { data: (infer T)[] } ? T : never;

/** A record with its type, as the explorer fetches one by type and id. */
export type TypedRecord =
  | { type: "country"; record: Country }
  | { type: "person"; record: Person }
  | { type: "organization"; record: Organization }
  | { type: "place"; record: Place }
  | { type: "event"; record: Event }
  | { type: "quote"; record: Quote }
  | { type: "statement"; record: Statement }
  | { type: "aid"; record: Aid }
  | { type: "figure"; record: Figure }
  | { type: "article"; record: Article };

/** What the explorer's element builder takes as children: nodes, text, nothing, or lists of them. */
export type Child = Node | string | number | null | undefined | false | Child[];
