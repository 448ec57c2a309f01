// The page's state lives in its URL, so a view can be shared, bookmarked and gone back to.
//   ?                                              the overview of every initiative
//   ?sector=psykiatri                              the overview of the initiatives the filters allow
//   ?view=list&theme=x&sector=y&sort=newest&page=2 the list of those initiatives (no query)
//   ?q=kol&sector=kommune&sector=region&page=2     a search (filters use the API's parameter names)
//   ?q=kol&view=overview                           the overview of a search's matches
//   ?view=list&tag=kol&period_from=2022-01-01      filters also take keywords and a period (API names)
//   ?initiative=<id>                               an initiative's detail view

import { FILTER_NAMES } from "./labels.js";

// The period filter: initiatives running at some time within [period_from, period_to] (ISO days).
export const PERIOD_PARAMS = ["period_from", "period_to"];
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export const PAGE_SIZE = 10;

// The orders each list of results offers, the first being its default (the API's names).
export const SORTS = {
  search: ["relevance", "title", "newest", "status"],
  list: ["title", "newest", "status"],
};

/**
 * The view a query string asks for: {view: "detail", id}, or {view, q, filters, page, mode, sort} with
 * view "overview", "list" (no query) or "search".
 */
export function readState(search) {
  const params = new URLSearchParams(search);
  const id = params.get("initiative");
  if (id) return { view: "detail", id };
  const filters = {};
  for (const name of FILTER_NAMES) {
    const values = [...new Set(params.getAll(name).filter(Boolean))];
    if (values.length) filters[name] = values;
  }
  for (const name of PERIOD_PARAMS) {
    const day = params.get(name) || "";
    if (ISO_DAY.test(day)) filters[name] = [day];
  }
  const q = (params.get("q") || "").trim();
  const asked = params.get("view");
  const view = q ? (asked === "overview" ? "overview" : "search") : asked === "list" ? "list" : "overview";
  const page = Number.parseInt(params.get("page") || "1", 10);
  return {
    view,
    q,
    filters,
    page: Number.isFinite(page) && page > 1 ? page : 1,
    mode: params.get("mode") || "",
    sort: sortOf(view, params.get("sort")),
  };
}

/** The order a view's results are shown in: the one asked for if the view offers it, else its default. */
function sortOf(view, asked) {
  const offered = SORTS[view];
  if (!offered) return "";
  return offered.includes(asked) ? asked : offered[0];
}

/** The query string of a state (the page's own URL for it); `view` defaults to a search (or the overview). */
export function pageQuery(state) {
  const view = state.view || (state.q ? "search" : "overview");
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (view === "list" || (view === "overview" && state.q)) params.set("view", view);
  for (const name of [...FILTER_NAMES, ...PERIOD_PARAMS]) {
    for (const value of state.filters?.[name] || []) params.append(name, value);
  }
  if (state.mode) params.set("mode", state.mode);
  const sort = sortOf(view, state.sort);
  if (sort && sort !== SORTS[view][0]) params.set("sort", sort);
  if (SORTS[view] && state.page > 1) params.set("page", String(state.page));
  const text = params.toString();
  return text ? `?${text}` : "?";
}

export function detailQuery(id) {
  return `?${new URLSearchParams({ initiative: id })}`;
}

/**
 * The state of the results behind a part of an overview: the list of its initiatives (or, in the overview
 * of a search, the search), with `filters` replacing the current values of the facets they name.
 */
export function resultsOf(state, filters = {}) {
  return {
    view: state.q ? "search" : "list",
    q: state.q,
    filters: { ...state.filters, ...filters },
    page: 1,
    mode: state.mode,
    sort: "",
  };
}

/** The overview of the same initiatives as a search or list state (its query and filters). */
export function overviewOf(state) {
  return { view: "overview", q: state.q, filters: state.filters, page: 1, mode: state.mode, sort: "" };
}

/** The filters (and query and mode) of a state as API parameters, without the facet `without`. */
function selection(state, without = null) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const name of [...FILTER_NAMES, ...PERIOD_PARAMS]) {
    if (name === without) continue;
    for (const value of state.filters[name] || []) params.append(name, value);
  }
  if (state.mode) params.set("mode", state.mode);
  return params;
}

/** The API parameters of a search or list state's page of results (GET /search). */
export function apiParams(state) {
  const params = selection(state);
  if (state.sort && state.sort !== "relevance") params.set("sort", state.sort);
  params.set("offset", String((state.page - 1) * PAGE_SIZE));
  params.set("limit", String(PAGE_SIZE));
  return params;
}

/** The API parameters of an overview state (GET /overview). */
export function overviewParams(state) {
  return selection(state);
}

/** The API parameters of the CSV export of a state's initiatives, in the order shown (GET /export.csv). */
export function exportParams(state) {
  const params = selection(state);
  if (state.sort && state.sort !== "relevance") params.set("sort", state.sort);
  return params;
}

/**
 * The API parameters that count one facet's values as if it were not filtered on, so that choosing
 * a second value (an OR) shows what it would add (one result: only the facets are used).
 */
export function facetParams(state, without) {
  const params = selection(state, without);
  params.set("limit", "1");
  return params;
}

/** A copy of `state` with one filter value added or removed; back to the first page. */
export function toggleFilter(state, name, value, on) {
  const current = state.filters[name] || [];
  const next = on ? [...new Set([...current, value])] : current.filter((v) => v !== value);
  const filters = { ...state.filters, [name]: next };
  if (!next.length) delete filters[name];
  return { ...state, filters, page: 1 };
}

export function hasFilters(state) {
  return Object.values(state.filters).some((values) => values.length);
}
