// The search page: routes between the search and the detail view by the URL's query string
// (see url-state.js), with history.pushState for links and popstate for the back button.

import { createClient } from "./api.js";
import { createDetailView } from "./detail-view.js";
import { createSearchView } from "./search-view.js";
import { readState, searchQuery } from "./url-state.js";

const byId = (id) => document.getElementById(id);

// The page is served by the API, at the API's root (or under the same prefix behind a proxy).
const client = createClient(new URL(".", location.href).href);
const form = byId("search-form");
const input = byId("q");
const searchView = byId("search-view");
const detailView = byId("detail-view");
let lastSearch = null; // query string of the last search shown, for "Tilbage til resultaterne"

const search = createSearchView({
  client,
  navigate,
  elements: {
    facets: byId("facets"),
    facetGroups: byId("facet-groups"),
    facetToggle: byId("facet-toggle"),
    chips: byId("chips"),
    live: byId("status"),
    list: byId("result-list"),
    pager: byId("pager"),
    heading: byId("results-heading"),
  },
});

const detail = createDetailView({
  client,
  container: detailView,
  backLink: () =>
    lastSearch
      ? { href: lastSearch, text: "Tilbage til resultaterne" }
      : { href: "?", text: "Til søgningen" },
});

/** Shows the view the current URL asks for. */
function route({ focus = null, scroll = null } = {}) {
  const state = readState(location.search);
  const showingDetail = state.view === "detail";
  searchView.hidden = showingDetail;
  detailView.hidden = !showingDetail;
  if (showingDetail) {
    if (scroll !== null) window.scrollTo(0, 0);
    detail.show(state.id, { focus: focus !== null });
    return;
  }
  input.value = state.q;
  lastSearch = state.q ? location.search : null;
  search.show(state, { focus, scroll });
}

/** Goes to `query` (a query string of this page) as a new history entry, keeping the old scroll position. */
function navigate(query, { focus = "heading" } = {}) {
  const url = new URL(query, location.href);
  if (url.href === location.href) {
    route({ focus }); // same search again, e.g. to retry after an error
    return;
  }
  history.replaceState({ scroll: window.scrollY }, "");
  history.pushState(null, "", url);
  route({ focus });
  if (focus === "heading") window.scrollTo(0, 0);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = input.value.trim();
  const current = readState(location.search);
  const keep = current.view === "search" ? current : { filters: {}, mode: "" };
  // Keep the focus in the box: the status line announces the result.
  navigate(searchQuery({ ...keep, q, page: 1 }), { focus: null });
});

// Links within the page (same path, another query string) change the view without loading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || url.pathname !== location.pathname || link.hasAttribute("download")) {
    return;
  }
  event.preventDefault();
  navigate(url.search || "?", { focus: link.dataset.focus || "heading" });
});

window.addEventListener("popstate", (event) => route({ scroll: event.state?.scroll ?? 0 }));

history.scrollRestoration = "manual";
route();
if (!searchView.hidden) input.focus();
