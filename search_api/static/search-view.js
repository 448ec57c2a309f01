// The search view: status line, chips for the chosen filters, facets with counts, result cards, pages.

import { latestOnly } from "./api.js";
import { FACETS, labelFor } from "./labels.js";
import { formatCount, h, loadingMessage, resultCard, stateMessage, visuallyHidden } from "./render.js";
import {
  PAGE_SIZE,
  apiParams,
  detailQuery,
  facetParams,
  hasFilters,
  searchQuery,
  toggleFilter,
} from "./url-state.js";

const FACET_VISIBLE = 6; // values shown per facet before "Vis alle"
const EXAMPLES = ["hjemmemonitorering af KOL", "videokonsultation i psykiatrien", "demens og pårørende", "akutteam"];

/**
 * The search results and their filters. `elements` are the page's containers; `navigate(query, options)`
 * pushes a new URL and shows it.
 */
export function createSearchView({ client, elements, navigate }) {
  const { facets, facetGroups, facetToggle, chips, live, list, pager, heading } = elements;
  const run = latestOnly();
  const expanded = new Set(); // facets showing all their values
  let state = null;
  let statsLine = null;

  facetToggle.addEventListener("click", () => {
    const open = facetToggle.getAttribute("aria-expanded") !== "true";
    facetToggle.setAttribute("aria-expanded", String(open));
    facets.dataset.open = String(open);
  });

  /** Shows the search described by `next` (from the URL); `focus` and `scroll` say where to land after. */
  async function show(next, { focus = null, scroll = null } = {}) {
    state = next;
    if (!state.q) {
      showIntro();
      return;
    }
    document.title = `${state.q} – Søgning – Overblik`;
    list.setAttribute("aria-busy", "true");
    list.classList.add("is-loading");
    setStatus("Søger …", { loading: true });
    const outcome = await run((signal) => loadResults(state, signal));
    if (outcome.stale) return;
    list.removeAttribute("aria-busy");
    list.classList.remove("is-loading");
    if (outcome.error) showError(outcome.error);
    else showResults(outcome.value);
    restoreFocus(focus);
    if (scroll !== null) window.scrollTo(0, scroll);
  }

  /** The page of results, with each filtered facet counted as if it were not filtered (OR within it). */
  async function loadResults(current, signal) {
    const filtered = FACETS.filter((f) => current.filters[f.name]?.length).map((f) => f.name);
    const [main, ...others] = await Promise.all([
      client.search(apiParams(current), signal),
      ...filtered.map((name) => client.search(facetParams(current, name), signal)),
    ]);
    const facetValues = { ...main.facets };
    filtered.forEach((name, i) => {
      facetValues[name] = others[i].facets[name] || [];
    });
    return { ...main, facets: facetValues };
  }

  function showIntro() {
    document.title = "Overblik – sundhedsinitiativer i Nordjylland";
    list.removeAttribute("aria-busy");
    list.classList.remove("is-loading");
    facets.hidden = true;
    chips.replaceChildren();
    pager.replaceChildren();
    setStatus(null);
    const examples = h(
      "ul",
      { class: "examples" },
      EXAMPLES.map((q) => h("li", {}, h("a", { href: searchQuery({ q, filters: {}, page: 1 }) }, q))),
    );
    statsLine = statsLine || h("p", { class: "stats" });
    list.replaceChildren(
      h(
        "div",
        { class: "intro" },
        h(
          "p",
          {},
          "Find initiativer, projekter og indsatser på tværs af regionen, hospitalerne, psykiatrien, " +
            "de 11 kommuner og almen praksis – og se, hvem der arbejder med det samme som dig.",
        ),
        h("p", { class: "examples-label" }, "Prøv for eksempel:"),
        examples,
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
      // The numbers are a courtesy; a search will show any real problem.
    }
  }

  /** The line above the results (also the target of focus), read out by screen readers as it changes. */
  function setStatus(text, { loading = false } = {}) {
    heading.hidden = !text;
    heading.replaceChildren(loading ? loadingMessage(text) : text || "");
    live.textContent = text || "";
  }

  function showError(error) {
    setStatus(null);
    facets.hidden = true;
    pager.replaceChildren();
    renderChips();
    const retry = h("button", { type: "button", class: "button-secondary", onclick: () => show(state) }, "Prøv igen");
    list.replaceChildren(stateMessage("error", "Søgningen kunne ikke gennemføres", error.message, [retry]));
  }

  function showResults(response) {
    const pages = Math.max(1, Math.ceil(response.total / PAGE_SIZE));
    const where = pages > 1 ? ` – side ${Math.min(state.page, pages)} af ${pages}` : "";
    setStatus(`${formatCount(response.total, "initiativ", "initiativer")} matcher »${state.q}«${where}`);
    renderChips();
    renderFacets(response.facets);
    renderPager(response.total);
    if (response.results.length) {
      list.replaceChildren(
        h(
          "ol",
          { class: "result-list", start: (state.page - 1) * PAGE_SIZE + 1 },
          response.results.map((hit) => h("li", {}, resultCard(hit, { client, detailHref: detailQuery }))),
        ),
      );
    } else if (response.total > 0) {
      const first = h("a", { href: searchQuery({ ...state, page: 1 }) }, "Gå til første side");
      list.replaceChildren(stateMessage("empty", "Der er ikke flere resultater", null, [first]));
    } else {
      list.replaceChildren(noResults());
    }
  }

  function noResults() {
    const actions = [];
    if (hasFilters(state)) {
      actions.push(h("button", { type: "button", class: "button-secondary", onclick: clearFilters }, "Fjern alle filtre"));
    }
    return stateMessage(
      "empty",
      "Ingen initiativer matcher din søgning",
      "Prøv færre eller andre ord, eller fjern et filter.",
      actions,
    );
  }

  function clearFilters() {
    navigate(searchQuery({ ...state, filters: {}, page: 1 }), { focus: "heading" });
  }

  function renderChips() {
    const chosen = FACETS.flatMap((facet) =>
      (state.filters[facet.name] || []).map((value) => ({ facet, value })),
    );
    if (!chosen.length) {
      chips.replaceChildren();
      return;
    }
    const items = chosen.map(({ facet, value }) => {
      const label = labelFor(facet.name, value);
      // "Sundhedsklynge Nord" says what it is; "Sektor: Kommune" needs the facet's name.
      const text = label.startsWith(facet.heading) ? label : `${facet.heading}: ${label}`;
      const remove = () => navigate(searchQuery(toggleFilter(state, facet.name, value, false)), { focus: "chips" });
      return h(
        "li",
        {},
        h(
          "button",
          { type: "button", class: "chip", onclick: remove, "aria-label": `Fjern filteret ${text}` },
          h("span", {}, text),
          h("span", { class: "chip-x", "aria-hidden": "true" }, "×"),
        ),
      );
    });
    if (chosen.length > 1) {
      items.push(h("li", {}, h("button", { type: "button", class: "link-button", onclick: clearFilters }, "Fjern alle filtre")));
    }
    chips.replaceChildren(h("p", { class: "chips-label", id: "chips-label" }, "Valgte filtre:"), h("ul", { class: "chip-list", "aria-labelledby": "chips-label" }, items));
  }

  function renderFacets(values) {
    const groups = FACETS.map((facet) => facetGroup(facet, values[facet.name] || [])).filter(Boolean);
    facets.hidden = !groups.length;
    facetGroups.replaceChildren(...groups);
    const count = Object.values(state.filters).flat().length;
    facetToggle.textContent = count ? `Filtre (${count} valgt)` : "Filtre";
  }

  function facetGroup(facet, values) {
    const selected = state.filters[facet.name] || [];
    const known = new Set(values.map((v) => v.value));
    const missing = selected.filter((v) => !known.has(v)).map((v) => ({ value: v, label: labelFor(facet.name, v), count: 0 }));
    // Chosen values first, so they stay in view when the list is cut short.
    const all = [...values, ...missing].sort((a, b) => selected.includes(b.value) - selected.includes(a.value));
    if (!all.length) return null;
    const showAll = expanded.has(facet.name) || all.length <= FACET_VISIBLE;
    const listId = `facet-${facet.name}`;
    const items = (showAll ? all : all.slice(0, FACET_VISIBLE)).map((item) =>
      h(
        "li",
        {},
        h(
          "label",
          { class: "facet-option" },
          h("input", {
            type: "checkbox",
            "data-facet": facet.name,
            value: item.value,
            checked: selected.includes(item.value),
            onchange: (event) =>
              navigate(searchQuery(toggleFilter(state, facet.name, item.value, event.target.checked)), {
                focus: `facet:${facet.name}:${item.value}`,
              }),
          }),
          h("span", { class: "facet-label" }, item.label || labelFor(facet.name, item.value)),
          h("span", { class: "facet-count" }, String(item.count), visuallyHidden(item.count === 1 ? " initiativ" : " initiativer")),
        ),
      ),
    );
    const more =
      all.length > FACET_VISIBLE
        ? h(
            "button",
            {
              type: "button",
              class: "link-button",
              "aria-expanded": String(showAll),
              "aria-controls": listId,
              onclick: (event) => {
                if (showAll) expanded.delete(facet.name);
                else expanded.add(facet.name);
                const group = facetGroup(facet, values);
                event.currentTarget.closest("fieldset").replaceWith(group);
                group.querySelector(".link-button").focus();
              },
            },
            showAll ? "Vis færre" : `Vis alle ${all.length}`,
          )
        : null;
    return h("fieldset", { class: "facet" }, h("legend", {}, facet.heading), h("ul", { id: listId }, items), more);
  }

  function renderPager(total) {
    const pages = Math.ceil(total / PAGE_SIZE);
    if (pages <= 1) {
      pager.replaceChildren();
      return;
    }
    const link = (page, text, rel) =>
      h("a", { href: searchQuery({ ...state, page }), rel, "data-focus": "heading" }, text);
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
