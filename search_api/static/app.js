// The page: routes between the overview, the list, the search and the detail view by the URL's query
// string (see url-state.js), with history.pushState for links and popstate for the back button.

import { createClient } from "./api.js";
import { createDetailView } from "./detail-view.js";
import { createSearchView } from "./search-view.js";
import { pageQuery, readState } from "./url-state.js";

const byId = (id) => document.getElementById(id);

// The page is served by the API, at the API's root (or under the same prefix behind a proxy).
const client = createClient(new URL(".", location.href).href);
const form = byId("search-form");
const input = byId("q");
const searchView = byId("search-view");
const detailView = byId("detail-view");
// The overview, list or search shown last, for the detail view's way back.
let lastCollection = null;
const BACK_TEXT = {
  overview: "Tilbage til overblikket",
  list: "Tilbage til listen",
  search: "Tilbage til resultaterne",
};

const search = createSearchView({
  client,
  navigate,
  elements: {
    facets: byId("facets"),
    facetGroups: byId("facet-groups"),
    dialog: byId("facet-dialog"),
    dialogBody: byId("facet-dialog-body"),
    dialogClose: byId("facet-close"),
    dialogApply: byId("facet-apply"),
    chips: byId("chips"),
    live: byId("status"),
    list: byId("result-list"),
    pager: byId("pager"),
    heading: byId("results-heading"),
    intro: byId("intro"),
    toolbar: byId("toolbar"),
    title: byId("page-title"),
  },
});

const detail = createDetailView({
  client,
  container: detailView,
  backLink: () =>
    lastCollection
      ? { href: lastCollection.query, text: BACK_TEXT[lastCollection.view] }
      : { href: "?", text: "Til overblikket" },
});

let routed = null; // the query string shown, so that moving within the page (#main) is not a new view

/** Shows the view the current URL asks for. */
function route({ focus = null, scroll = null } = {}) {
  routed = location.search;
  const state = readState(location.search);
  document.body.dataset.view = state.view; // the CSS shows the search hint on the front page only
  const showingDetail = state.view === "detail";
  searchView.hidden = showingDetail;
  detailView.hidden = !showingDetail;
  if (showingDetail) {
    if (scroll !== null) window.scrollTo(0, 0);
    const returnTo = typeof focus === "string" && focus.startsWith("link:") ? focus.slice(5) : null;
    detail.show(state.id, { focus: focus !== null, returnTo });
    return;
  }
  input.value = state.q;
  lastCollection = { view: state.view, query: location.search || "?" };
  search.show(state, { focus, scroll });
}

/** Goes to `query` (a query string of this page) as a new history entry, keeping the old scroll position. */
function navigate(query, { focus = "heading", returnFocus = null } = {}) {
  const url = new URL(query, location.href);
  if (url.href === location.href) {
    route({ focus }); // same search again, e.g. to retry after an error
    return;
  }
  // Where to come back to: the scroll position, and the link followed (focused again after Back).
  history.replaceState({ scroll: window.scrollY, focus: returnFocus }, "");
  history.pushState(null, "", url);
  route({ focus });
  if (focus === "heading") window.scrollTo(0, 0);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = input.value.trim();
  // A search keeps the filters of the overview, list or search it starts from.
  const current = readState(location.search);
  const keep = current.view === "detail" ? { filters: {}, mode: "" } : current;
  // Keep the focus in the box: the status line announces the result.
  navigate(pageQuery({ filters: keep.filters, mode: keep.mode, q, page: 1 }), { focus: null });
});

// Links within the page (same path, another query string) change the view without loading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.getAttribute("target")) return;
  // An SVG link (a point on the map) has no string `href`: read the attribute.
  const url = new URL(link.getAttribute("href"), location.href);
  if (url.origin !== location.origin || url.pathname !== location.pathname || link.hasAttribute("download")) {
    // Leaving the page (a document view): remember the link, so Back puts the focus on it again.
    if (!link.hasAttribute("download")) {
      history.replaceState({ scroll: window.scrollY, focus: `link:${link.href}` }, "");
    }
    return;
  }
  if (url.hash && url.search === location.search) return; // a place on this page, such as the skip link
  event.preventDefault();
  const returnFocus = link.dataset.initiative ? `initiative:${link.dataset.initiative}` : null;
  navigate(url.search || "?", { focus: link.dataset.focus || "heading", returnFocus });
});

// The skip link goes to the results, or in the detail view to the initiative's heading.
document.querySelector(".skip-link").addEventListener("click", (event) => {
  if (!detailView.hidden) {
    event.preventDefault();
    detailView.querySelector("h1")?.focus();
  }
});

// Back and Forward: the view as it was, with the focus on the link that was followed (or the heading),
// so a keyboard or screen reader user is not dropped at the top of the page.
window.addEventListener("popstate", (event) => {
  if (location.search !== routed) {
    route({ scroll: event.state?.scroll ?? 0, focus: event.state?.focus || "heading" });
  }
});

history.scrollRestoration = "manual";
// Back from another page (the document view) loads this one again: its history entry says where to be.
const returning = history.state?.focus ? history.state : null;
route(returning ? { focus: returning.focus, scroll: returning.scroll ?? 0 } : {});
if (!searchView.hidden && !returning) input.focus();
