// The views of many initiatives: the overview (the front page, also of a search), the list (browsing
// without a query) and the search results. They share the status line, the facets and chips, and a tool
// bar (the order, the way between overview and list, the CSV export); overview-view.js draws the overview.

import { latestOnly } from "./api.js";
import { chipList, facetGroup, periodGroup } from "./filters.js";
import { FACETS, labelFor } from "./labels.js";
import { renderOverview } from "./overview-view.js";
import { formatCount, h, loadingMessage, resultCard, stateMessage } from "./render.js";
import {
  PAGE_SIZE,
  SORTS,
  apiParams,
  detailQuery,
  exportParams,
  facetParams,
  hasFilters,
  overviewOf,
  overviewParams,
  pageQuery,
  resultsOf,
  toggleFilter,
} from "./url-state.js";

const EXAMPLES = [
  "hjemmemonitorering af KOL",
  "videokonsultation i psykiatrien",
  "demens og pårørende",
  "akutteam",
];
const INTRO =
  "Overblik over initiativer, projekter og indsatser på tværs af regionen, hospitalerne, psykiatrien, " +
  "de 11 kommuner og almen praksis: hvad der findes, hvad der virker, og hvem der arbejder med det samme " +
  "som dig.";
const COPY = "Kopiér link";
const SORT_LABELS = { relevance: "Relevans", title: "Titel", newest: "Nyeste start", status: "Status" };
const SITE_TITLE = "Overblik – sundhedsinitiativer i Nordjylland";
const PAGE_HEADINGS = {
  overview: "Overblik over sundhedsinitiativer",
  list: "Sundhedsinitiativer i Overblik",
  search: "Søg i sundhedsinitiativer",
};

/**
 * The overview, list and search views and their filters. `elements` are the page's containers;
 * `navigate(query, options)` pushes a new URL and shows it.
 */
export function createSearchView({ client, elements, navigate }) {
  const { facets, facetGroups, dialog, dialogBody, dialogClose, dialogApply } = elements;
  const { chips, live, list, pager, heading, intro, toolbar, title } = elements;
  const run = latestOnly();
  const expanded = new Set(); // facets showing all their values
  const apiLabels = new Map(); // "facet\u0000value" -> label, as the API names values (themes)
  const statsLine = h("p", { class: "stats" });
  const sortSelect = h("select", {
    id: "sort",
    onchange: () => go({ ...state, sort: sortSelect.value, page: 1 }, "sort"),
  });
  const sortField = h("p", { class: "sort-field" }, h("label", { for: "sort" }, "Sortér efter"), sortSelect);
  const switchLink = h("a", { class: "toolbar-link" });
  const exportLink = h("a", { class: "toolbar-link", download: "" }, "Eksportér som CSV");
  const copyButton = h(
    "button",
    { type: "button", class: "link-button toolbar-link", onclick: copyLink },
    COPY,
  );
  // On a phone the filters open as a dialog from this button (CSS hides it on a wide screen).
  const facetToggle = h(
    "button",
    {
      id: "facet-toggle",
      type: "button",
      class: "facet-toggle button-secondary",
      "aria-haspopup": "dialog",
      onclick: openFilters,
    },
    "Filtre",
  );
  toolbar.replaceChildren(facetToggle, sortField, switchLink, copyButton, exportLink);
  let state = null;
  let total = 0;

  /** The filters as a modal dialog (phones): the facet groups move into it and back when it closes. */
  function openFilters() {
    dialogBody.append(facetGroups);
    dialog.showModal();
    (facetGroups.querySelector("input, select") || dialogClose).focus();
  }
  dialog.addEventListener("close", () => {
    facets.append(facetGroups);
    if (dialog.returnValue === "apply") {
      window.scrollTo(0, 0);
      heading.focus();
    } else {
      facetToggle.focus();
    }
  });
  dialogClose.addEventListener("click", () => dialog.close("close"));
  dialogApply.addEventListener("click", () => dialog.close("apply"));

  /** Copies the page's address (the view with its query, filters and order), and says so. */
  async function copyLink() {
    let text = "Linket er kopieret.";
    try {
      await navigator.clipboard.writeText(location.href);
    } catch {
      text = "Linket kunne ikke kopieres. Kopiér adressen fra adresselinjen.";
    }
    copyButton.textContent = text.startsWith("Linket er") ? "Linket er kopieret" : COPY;
    live.textContent = text;
    setTimeout(() => {
      copyButton.textContent = COPY;
    }, 4000);
  }

  const go = (next, focus) => navigate(pageQuery(next), { focus });
  const clearFilters = () => go({ ...state, filters: {}, page: 1 }, "heading");
  const removeFilter = (name, value) => go(toggleFilter(state, name, value, false), "chips");
  const chooseFilter = (name, value, on) =>
    go(toggleFilter(state, name, value, on), `facet:${name}:${value}`);
  const choosePeriod = (from, to, changed) => {
    const filters = { ...state.filters, period_from: from ? [from] : [], period_to: to ? [to] : [] };
    for (const name of ["period_from", "period_to"]) if (!filters[name].length) delete filters[name];
    go({ ...state, filters, page: 1 }, `period:${changed}`);
  };
  const labelOf = (name, value) => apiLabels.get(`${name}\u0000${value}`) || labelFor(name, value);

  /** Shows the view described by `next` (from the URL); `focus` and `scroll` say where to land after. */
  async function show(next, { focus = null, scroll = null } = {}) {
    state = next;
    const overview = state.view === "overview";
    document.title = pageTitle(state);
    title.textContent = PAGE_HEADINGS[state.view];
    showIntro(overview && !state.q);
    setBusy(true);
    setStatus(
      overview ? "Henter overblikket …" : state.q ? "Søger …" : "Henter initiativerne …",
      { loading: true },
    );
    const outcome = await run((signal) => (overview ? loadOverview : loadResults)(state, signal));
    if (outcome.stale) return;
    setBusy(false);
    if (outcome.error) showError(outcome.error);
    else if (overview) showOverview(outcome.value);
    else showResults(outcome.value);
    restoreFocus(focus);
    if (scroll !== null) window.scrollTo(0, scroll);
  }

  async function loadResults(current, signal) {
    const main = await client.search(apiParams(current), signal);
    return { ...main, facets: await facetsOf(main.facets, current, signal) };
  }

  async function loadOverview(current, signal) {
    const main = await client.overview(overviewParams(current), signal);
    return { ...main, facets: await facetsOf(main.facets, current, signal) };
  }

  /**
   * The facets to show. A facet that is filtered on lists its other values with the counts of the same
   * selection without that filter (what choosing one more would add: values of a facet are alternatives),
   * and its chosen values with their counts in `own` (the facets of the selection shown).
   */
  async function facetsOf(own, current, signal) {
    const filtered = FACETS.map((f) => f.name).filter((name) => current.filters[name]?.length);
    const unfiltered = await Promise.all(
      filtered.map((name) => client.search(facetParams(current, name), signal)),
    );
    const values = { ...own };
    filtered.forEach((name, i) => {
      const chosen = current.filters[name];
      const counted = new Map((own[name] || []).map((item) => [item.value, item]));
      values[name] = [
        ...chosen.filter((value) => counted.has(value)).map((value) => counted.get(value)),
        ...(unfiltered[i].facets[name] || []).filter((item) => !chosen.includes(item.value)),
      ];
    });
    for (const [name, items] of Object.entries(values)) {
      for (const item of items) apiLabels.set(`${name}\u0000${item.value}`, item.label);
    }
    return values;
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

  /** The short introduction above the front page's overview, with example searches and the numbers. */
  function showIntro(visible) {
    intro.hidden = !visible;
    if (!visible || intro.childElementCount) return;
    const examples = EXAMPLES.map((q) => h("li", {}, h("a", { href: pageQuery({ q, filters: {} }) }, q)));
    intro.replaceChildren(
      h("p", { class: "intro-text" }, INTRO),
      h(
        "div",
        { class: "examples-row" },
        h("p", { class: "examples-label", id: "examples-label" }, "Prøv for eksempel at søge:"),
        h("ul", { class: "examples", "aria-labelledby": "examples-label" }, examples),
      ),
      statsLine,
    );
    loadStats();
  }

  async function loadStats() {
    try {
      const stats = await client.stats();
      statsLine.textContent =
        `Overblik rummer ${formatCount(stats.initiatives, "initiativ", "initiativer")} ` +
        `med ${formatCount(stats.documents, "dokument", "dokumenter")}.`;
    } catch {
      // The numbers are a courtesy; the overview shows any real problem.
    }
  }

  function showError(error) {
    setStatus(null);
    facets.hidden = true;
    toolbar.hidden = true;
    pager.replaceChildren();
    renderChips();
    const retry = button("Prøv igen", () => show(state));
    const what =
      state.view === "overview" ? "Overblikket kunne ikke vises" : "Søgningen kunne ikke gennemføres";
    list.replaceChildren(stateMessage("error", what, error.message, [retry]));
  }

  function showResults(response) {
    // Near misses fill the rest of the matches' last page (a whole page when nothing matches); the API
    // offers more, but a page of its own for them would be noise.
    const room = response.total === 0 ? PAGE_SIZE : (PAGE_SIZE - (response.total % PAGE_SIZE)) % PAGE_SIZE;
    const shown = response.total + Math.min(response.related || 0, room);
    const pages = Math.max(1, Math.ceil(shown / PAGE_SIZE));
    const where = pages > 1 ? ` – side ${Math.min(state.page, pages)} af ${pages}` : "";
    const count = formatCount(response.total, "initiativ", "initiativer");
    if (state.q) setStatus(`${count} matcher »${state.q}«${where}`);
    else if (hasFilters(state)) setStatus(`${count} matcher filtrene${where}`);
    else setStatus(`Alle ${count}${where}`);
    total = response.total;
    renderChips();
    renderFacets(response.facets);
    renderToolbar(response.total);
    renderPager(pages);
    const notes = searchNotes(response);
    const matches = response.results.filter((hit) => hit.match !== "related");
    const first = (state.page - 1) * PAGE_SIZE + 1;
    const nearMisses = response.results.filter(
      (hit, index) => hit.match === "related" && first + index <= shown,
    );
    const cardList = (hits, start, cls) =>
      h(
        "ol",
        { class: cls, start },
        hits.map((hit) => h("li", {}, resultCard(hit, { client, detailHref: detailQuery, maxResults: 1 }))),
      );
    const relatedSection = nearMisses.length
      ? h(
          "section",
          { class: "related", "aria-labelledby": "related-heading" },
          h("h3", { id: "related-heading", class: "related-heading" }, "Beslægtede initiativer"),
          h(
            "p",
            { class: "hint" },
            "De indeholder ikke dine ord og er ikke talt med, men deres indhold ligner det, du søgte.",
          ),
          cardList(nearMisses, first + matches.length, "related-list"),
        )
      : null;
    if (matches.length) {
      const after = relatedSection ? [relatedSection] : [];
      list.replaceChildren(...notes, cardList(matches, first, "result-list"), ...after);
    } else if (response.total === 0) {
      list.replaceChildren(noneFound(response), ...(relatedSection ? [relatedSection] : []));
    } else if (nearMisses.length) {
      list.replaceChildren(...notes, relatedSection);
    } else {
      const back = h("a", { href: pageQuery({ ...state, page: 1 }) }, "Gå til første side");
      list.replaceChildren(stateMessage("empty", "Der er ikke flere resultater", null, [back]));
    }
  }

  /** How the query was read, when that changes what is shown: a correction, a place, "Mente du …?". */
  function searchNotes(response) {
    const notes = [];
    if (response.notice) notes.push(h("p", { class: "notice search-notice", role: "note" }, response.notice));
    if (response.did_you_mean) notes.push(didYouMean(response.did_you_mean));
    return notes;
  }

  function didYouMean(suggestion) {
    const href = pageQuery({ ...state, q: suggestion, page: 1 });
    return h("p", { class: "did-you-mean" }, "Mente du ", h("a", { href }, `»${suggestion}«`), "?");
  }

  function showOverview(response) {
    const count = formatCount(response.total, "initiativ", "initiativer");
    if (state.q) setStatus(`Overblik over ${count}, der matcher »${state.q}«`);
    else if (hasFilters(state)) setStatus(`Overblik over ${count}, der matcher filtrene`);
    else setStatus(`Overblik over ${count}`);
    for (const theme of response.themes) apiLabels.set(`theme\u0000${theme.id}`, theme.label);
    total = response.total;
    renderChips();
    renderFacets(response.facets);
    renderToolbar(response.total);
    pager.replaceChildren();
    list.replaceChildren(...(response.total ? renderOverview(response, state) : [noneFound()]));
  }

  function noneFound(response = null) {
    const clear = hasFilters(state) ? [button("Fjern alle filtre", clearFilters)] : [];
    if (state.q) {
      const message = stateMessage(
        "empty",
        "Ingen initiativer matcher din søgning",
        "Ingen initiativer indeholder dine ord eller handler om det samme. " +
          "Prøv færre eller andre ord, eller fjern et filter.",
        clear,
      );
      message.append(...suggestions(response));
      return message;
    }
    return stateMessage(
          "empty",
          "Ingen initiativer matcher filtrene",
          "Fjern et filter for at se flere.",
          clear,
        );
  }

  /** What to try instead: the spelling suggestion, example searches and the overview. */
  function suggestions(response) {
    const items = [];
    if (response?.did_you_mean) items.push(didYouMean(response.did_you_mean));
    const examples = EXAMPLES.map((q) =>
      h("li", {}, h("a", { href: pageQuery({ q, filters: {}, page: 1 }) }, q)),
    );
    items.push(
      h("p", { class: "examples-label" }, "Prøv for eksempel:"),
      h("ul", { class: "examples" }, examples),
      h("p", {}, h("a", { href: "?" }, "Se overblikket over alle temaer")),
    );
    return items;
  }

  function renderChips() {
    chips.replaceChildren(
      ...chipList(state.filters, { onRemove: removeFilter, onClear: clearFilters, labelOf }),
    );
  }

  function renderFacets(values) {
    const period = periodGroup(state.filters, { onChange: choosePeriod });
    const groups = FACETS.map((facet) =>
      facetGroup(facet, values[facet.name] || [], state.filters[facet.name] || [], {
        expanded,
        onChange: chooseFilter,
        labelOf,
      }),
    ).filter(Boolean);
    facets.hidden = false;
    facetGroups.replaceChildren(period, ...groups);
    const chosen = Object.values(state.filters).flat().length;
    facetToggle.textContent = chosen ? `Filtre (${chosen} valgt)` : "Filtre";
    dialogApply.textContent = `Vis ${formatCount(total, "resultat", "resultater")}`;
  }

  /** The order of a list (not of the overview), the way to the overview or the list, and the CSV export. */
  function renderToolbar(total) {
    toolbar.hidden = false;
    const sorts = SORTS[state.view];
    sortField.hidden = !sorts;
    if (sorts) {
      const option = (sort) => h("option", { value: sort, selected: sort === state.sort }, SORT_LABELS[sort]);
      sortSelect.replaceChildren(...sorts.map(option));
      sortSelect.value = state.sort;
    }
    if (state.view === "search") {
      switchLink.textContent = "Se overblik over resultaterne";
      switchLink.href = pageQuery(overviewOf(state));
    } else if (state.view === "list") {
      switchLink.textContent = "Tilbage til overblikket";
      switchLink.href = pageQuery(overviewOf(state));
    } else {
      const all = total === 1 ? "initiativet" : `alle ${formatCount(total, "initiativ", "initiativer")}`;
      switchLink.textContent = state.q ? "Tilbage til søgeresultaterne" : `Vis ${all} som liste`;
      switchLink.href = pageQuery(resultsOf(state));
    }
    exportLink.href = client.exportHref(exportParams(state));
  }

  function renderPager(pages) {
    if (pages <= 1) {
      pager.replaceChildren();
      return;
    }
    const link = (page, text, rel) => h("a", { href: pageQuery({ ...state, page }), rel }, text);
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

  /** Puts the focus back where the person was: the same checkbox, the chips, the order or the heading. */
  function restoreFocus(focus) {
    if (!focus) return;
    let target = null;
    if (focus.startsWith("facet:")) {
      const [, name, ...rest] = focus.split(":");
      const value = rest.join(":");
      target = [...facetGroups.querySelectorAll("input[data-facet]")].find(
        (input) => input.dataset.facet === name && input.value === value,
      );
    } else if (focus.startsWith("period:")) {
      target = facetGroups.querySelector(`#${focus.slice("period:".length)}`);
    } else if (focus.startsWith("link:")) {
      const href = focus.slice("link:".length);
      target = [...list.querySelectorAll("a[href]")].find((link) => link.href === href);
      target?.focus({ preventScroll: true });
      if (target) return;
    } else if (focus.startsWith("initiative:")) {
      const id = focus.slice("initiative:".length);
      const links = [...list.querySelectorAll("a[data-initiative]")];
      target = links.find((link) => link.dataset.initiative === id);
      target?.focus({ preventScroll: true });
      if (target) return;
    } else if (focus === "chips") {
      target = chips.querySelector("button");
    } else if (focus === "sort" && !toolbar.hidden && !sortField.hidden) {
      target = sortSelect;
    }
    (target || (heading.hidden ? list.querySelector("[role=alert]") : heading))?.focus();
  }

  return { show };
}

function pageTitle(state) {
  if (state.view === "overview") return state.q ? `Overblik: ${state.q} – Overblik` : SITE_TITLE;
  if (state.view === "list") return "Alle initiativer – Overblik";
  return `${state.q} – Søgning – Overblik`;
}

function button(text, onclick) {
  return h("button", { type: "button", class: "button-secondary", onclick }, text);
}
