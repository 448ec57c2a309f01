// The search view: the status line, chips and facets, the result cards and the pages of results.

import { latestOnly } from "./api.js";
import { chipList, facetGroup } from "./filters.js";
import { FACETS } from "./labels.js";
import { formatCount, h, loadingMessage, resultCard, stateMessage } from "./render.js";
import {
  PAGE_SIZE,
  apiParams,
  detailQuery,
  facetParams,
  hasFilters,
  searchQuery,
  toggleFilter,
} from "./url-state.js";

const EXAMPLES = [
  "hjemmemonitorering af KOL",
  "videokonsultation i psykiatrien",
  "demens og pårørende",
  "akutteam",
];
const INTRO =
  "Find initiativer, projekter og indsatser på tværs af regionen, hospitalerne, psykiatrien, " +
  "de 11 kommuner og almen praksis – og se, hvem der arbejder med det samme som dig.";

/**
 * The search results and their filters. `elements` are the page's containers; `navigate(query, options)`
 * pushes a new URL and shows it.
 */
export function createSearchView({ client, elements, navigate }) {
  const { facets, facetGroups, facetToggle, chips, live, list, pager, heading } = elements;
  const run = latestOnly();
  const expanded = new Set(); // facets showing all their values
  const statsLine = h("p", { class: "stats" });
  let state = null;

  facetToggle.addEventListener("click", () => {
    const open = facetToggle.getAttribute("aria-expanded") !== "true";
    facetToggle.setAttribute("aria-expanded", String(open));
    facets.dataset.open = String(open);
  });

  const go = (next, focus) => navigate(searchQuery(next), { focus });
  const clearFilters = () => go({ ...state, filters: {}, page: 1 }, "heading");
  const removeFilter = (name, value) => go(toggleFilter(state, name, value, false), "chips");
  const chooseFilter = (name, value, on) =>
    go(toggleFilter(state, name, value, on), `facet:${name}:${value}`);

  /** Shows the search described by `next` (from the URL); `focus` and `scroll` say where to land after. */
  async function show(next, { focus = null, scroll = null } = {}) {
    state = next;
    if (!state.q) {
      showIntro();
      return;
    }
    document.title = `${state.q} – Søgning – Overblik`;
    setBusy(true);
    setStatus("Søger …", { loading: true });
    const outcome = await run((signal) => loadResults(state, signal));
    if (outcome.stale) return;
    setBusy(false);
    if (outcome.error) showError(outcome.error);
    else showResults(outcome.value);
    restoreFocus(focus);
    if (scroll !== null) window.scrollTo(0, scroll);
  }

  /**
   * The page of results and its facets. A facet that is filtered on lists its other values with the
   * counts of the search without that filter (what choosing one more would add: values of a facet are
   * alternatives), and its chosen values with their counts among the results shown.
   */
  async function loadResults(current, signal) {
    const filtered = FACETS.map((f) => f.name).filter((name) => current.filters[name]?.length);
    const [main, ...unfiltered] = await Promise.all([
      client.search(apiParams(current), signal),
      ...filtered.map((name) => client.search(facetParams(current, name), signal)),
    ]);
    const facetValues = { ...main.facets };
    filtered.forEach((name, i) => {
      const chosen = current.filters[name];
      const own = new Map((main.facets[name] || []).map((item) => [item.value, item]));
      facetValues[name] = [
        ...chosen.filter((value) => own.has(value)).map((value) => own.get(value)),
        ...(unfiltered[i].facets[name] || []).filter((item) => !chosen.includes(item.value)),
      ];
    });
    return { ...main, facets: facetValues };
  }

  function setBusy(busy) {
    list.classList.toggle("is-loading", busy);
    if (busy) list.setAttribute("aria-busy", "true");
    else list.removeAttribute("aria-busy");
  }

  /** The line above the results (also where the focus goes), read out by screen readers as it changes. */
  function setStatus(text, { loading = false } = {}) {
    heading.hidden = !text;
    heading.replaceChildren(loading ? loadingMessage(text) : text || "");
    live.textContent = text || "";
  }

  function showIntro() {
    document.title = "Overblik – sundhedsinitiativer i Nordjylland";
    setBusy(false);
    setStatus(null);
    facets.hidden = true;
    chips.replaceChildren();
    pager.replaceChildren();
    const examples = EXAMPLES.map((q) =>
      h("li", {}, h("a", { href: searchQuery({ q, filters: {}, page: 1 }) }, q)),
    );
    list.replaceChildren(
      h(
        "div",
        { class: "intro" },
        h("p", {}, INTRO),
        h("p", { class: "examples-label" }, "Prøv for eksempel:"),
        h("ul", { class: "examples" }, examples),
        statsLine,
      ),
    );
    if (!statsLine.textContent) loadStats();
  }

  async function loadStats() {
    try {
      const stats = await client.stats();
      statsLine.textContent =
        `Overblik rummer ${formatCount(stats.initiatives, "initiativ", "initiativer")} ` +
        `med ${formatCount(stats.documents, "dokument", "dokumenter")}.`;
    } catch {
      // The numbers are a courtesy; a search shows any real problem.
    }
  }

  function showError(error) {
    setStatus(null);
    facets.hidden = true;
    pager.replaceChildren();
    chips.replaceChildren(...chipList(state.filters, { onRemove: removeFilter, onClear: clearFilters }));
    const retry = button("Prøv igen", () => show(state));
    list.replaceChildren(stateMessage("error", "Søgningen kunne ikke gennemføres", error.message, [retry]));
  }

  function showResults(response) {
    const pages = Math.max(1, Math.ceil(response.total / PAGE_SIZE));
    const where = pages > 1 ? ` – side ${Math.min(state.page, pages)} af ${pages}` : "";
    setStatus(`${formatCount(response.total, "initiativ", "initiativer")} matcher »${state.q}«${where}`);
    chips.replaceChildren(...chipList(state.filters, { onRemove: removeFilter, onClear: clearFilters }));
    renderFacets(response.facets);
    renderPager(pages);
    if (response.results.length) {
      const cards = response.results.map((hit) =>
        h("li", {}, resultCard(hit, { client, detailHref: detailQuery })),
      );
      list.replaceChildren(h("ol", { class: "result-list", start: (state.page - 1) * PAGE_SIZE + 1 }, cards));
    } else if (response.total > 0) {
      const first = h("a", { href: searchQuery({ ...state, page: 1 }) }, "Gå til første side");
      list.replaceChildren(stateMessage("empty", "Der er ikke flere resultater", null, [first]));
    } else {
      const clear = hasFilters(state)
        ? [button("Fjern alle filtre", clearFilters)]
        : [];
      list.replaceChildren(
        stateMessage(
          "empty",
          "Ingen initiativer matcher din søgning",
          "Prøv færre eller andre ord, eller fjern et filter.",
          clear,
        ),
      );
    }
  }

  function renderFacets(values) {
    const groups = FACETS.map((facet) =>
      facetGroup(facet, values[facet.name] || [], state.filters[facet.name] || [], {
        expanded,
        onChange: chooseFilter,
      }),
    ).filter(Boolean);
    facets.hidden = !groups.length;
    facetGroups.replaceChildren(...groups);
    const chosen = Object.values(state.filters).flat().length;
    facetToggle.textContent = chosen ? `Filtre (${chosen} valgt)` : "Filtre";
  }

  function renderPager(pages) {
    if (pages <= 1) {
      pager.replaceChildren();
      return;
    }
    const link = (page, text, rel) => h("a", { href: searchQuery({ ...state, page }), rel }, text);
    pager.replaceChildren(
      h(
        "ul",
        { class: "pager-list" },
        h("li", {}, state.page > 1 ? link(state.page - 1, "Forrige side", "prev") : null),
        h("li", { class: "pager-where" }, `Side ${Math.min(state.page, pages)} af ${pages}`),
        h("li", {}, state.page < pages ? link(state.page + 1, "Næste side", "next") : null),
      ),
    );
  }

  /** Puts the focus back where the person was: the same checkbox, the chips, or the results heading. */
  function restoreFocus(focus) {
    if (!focus) return;
    let target = null;
    if (focus.startsWith("facet:")) {
      const [, name, ...rest] = focus.split(":");
      const value = rest.join(":");
      target = [...facetGroups.querySelectorAll("input[data-facet]")].find(
        (input) => input.dataset.facet === name && input.value === value,
      );
    } else if (focus === "chips") {
      target = chips.querySelector("button");
    }
    (target || (heading.hidden ? list.querySelector("[role=alert]") : heading))?.focus();
  }

  return { show };
}

function button(text, onclick) {
  return h("button", { type: "button", class: "button-secondary", onclick }, text);
}
