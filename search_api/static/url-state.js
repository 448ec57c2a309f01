// The page's state lives in its URL, so a search can be shared, bookmarked and gone back to.
//   ?q=kol&sector=kommune&sector=region&page=2   a search (filters use the API's parameter names)
//   ?initiative=<id>                             an initiative's detail view

import { FACET_NAMES } from "./labels.js";

export const PAGE_SIZE = 10;

/** The view a query string asks for: {view: "detail", id} or {view: "search", q, filters, page, mode}. */
export function readState(search) {
  const params = new URLSearchParams(search);
  const id = params.get("initiative");
  if (id) return { view: "detail", id };
  const filters = {};
  for (const name of FACET_NAMES) {
    const values = [...new Set(params.getAll(name).filter(Boolean))];
    if (values.length) filters[name] = values;
  }
  const page = Number.parseInt(params.get("page") || "1", 10);
  return {
    view: "search",
    q: (params.get("q") || "").trim(),
    filters,
    page: Number.isFinite(page) && page > 1 ? page : 1,
    mode: params.get("mode") || "",
  };
}

/** The query string of a search state (the page's own URL for it). */
export function searchQuery(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const name of FACET_NAMES) {
    for (const value of state.filters[name] || []) params.append(name, value);
  }
  if (state.mode) params.set("mode", state.mode);
  if (state.page > 1) params.set("page", String(state.page));
  const text = params.toString();
  return text ? `?${text}` : "?";
}

export function detailQuery(id) {
  return `?${new URLSearchParams({ initiative: id })}`;
}

/** The API parameters of a search state's page of results. */
export function apiParams(state) {
  return facetParams(state, null, (state.page - 1) * PAGE_SIZE, PAGE_SIZE);
}

/**
 * The API parameters that count one facet's values as if it were not filtered on, so that choosing
 * a second value (an OR) shows what it would add (one result: only the facets are used).
 */
export function facetParams(state, without, offset = 0, limit = 1) {
  const params = new URLSearchParams({ q: state.q });
  for (const name of FACET_NAMES) {
    if (name === without) continue;
    for (const value of state.filters[name] || []) params.append(name, value);
  }
  if (state.mode) params.set("mode", state.mode);
  params.set("offset", String(offset));
  params.set("limit", String(limit));
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
