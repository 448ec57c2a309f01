// The overview of a set of initiatives (GET /overview): themes as cards, the heat-map of themes × sectors
// (overview-heatmap.js), the map (overview-map.js), the same idea elsewhere and the effective initiatives.
// Every count links to the list of exactly the initiatives it counts.

import { EFFECTIVE, labelFor } from "./labels.js";
import { heatMap } from "./overview-heatmap.js";
import { initiativeMap, sectorStyle } from "./overview-map.js";
import { effectBadge, formatCount, h, outcomeList, visuallyHidden } from "./render.js";
import { detailQuery, pageQuery, resultsOf } from "./url-state.js";

const OVERLAPS_SHOWN = 6;
const EFFECT_PHRASE = "med dokumenteret eller delvis effekt";
const EFFECTIVE_SHOWN = 6;

/** The overview's sections for `response`, shown for `state` (its filters and query carry into the links). */
export function renderOverview(response, state) {
  const labels = new Map(response.themes.map((theme) => [theme.id, theme.label]));
  return [
    keyFigures(response),
    section("themes", "Temaer", themeCards(response.themes, state)),
    section("heatmap", "Temaer og sektorer", heatMap(response, state)),
    section(
      "map",
      "Kort over initiativerne",
      h(
        "p",
        { class: "section-hint" },
        "Initiativer med lignende indhold ligger tæt på hinanden. Farve og form viser sektoren. " +
          "Peg på et punkt, eller gå til det med tabulatortasten, for at se titlen; " +
          "vælg det for at åbne initiativet.",
      ),
      initiativeMap(response.map, response.themes, { detailHref: detailQuery }),
    ),
    section("overlaps", "Samme idé andre steder", overlaps(response.overlaps)),
    section("effective", "Virksomme initiativer", effective(response, state, labels)),
  ];
}

function section(id, title, ...content) {
  return h(
    "section",
    { class: `overview-section overview-${id}`, "aria-labelledby": `overview-${id}-title` },
    h("h2", { id: `overview-${id}-title` }, title),
    content,
  );
}

function keyFigures(response) {
  const themes = response.themes.length;
  return h(
    "ul",
    { class: "key-figures", "aria-label": "Nøgletal" },
    figure(themes, "tema", "temaer"),
    figure(response.with_effect, EFFECT_PHRASE, EFFECT_PHRASE),
  );
}

function figure(n, one, many) {
  return h("li", {}, h("strong", {}, String(n)), ` ${n === 1 ? one : many}`);
}

// -- themes ---------------------------------------------------------------------------------------------

function themeCards(themes, state) {
  return h(
    "ul",
    { class: "theme-cards" },
    themes.map((theme) => h("li", {}, themeCard(theme, state))),
  );
}

function themeCard(theme, state) {
  const titleId = `theme-${theme.id}`;
  return h(
    "article",
    { class: "theme-card", "aria-labelledby": titleId },
    h(
      "h3",
      { class: "theme-title", id: titleId },
      h("a", { href: pageQuery(resultsOf(state, { theme: [theme.id] })) }, theme.label),
    ),
    h("p", { class: "theme-count" }, formatCount(theme.count, "initiativ", "initiativer")),
    sectorSplit(theme),
    h(
      "p",
      { class: "theme-effect" },
      theme.with_effect
        ? `${theme.with_effect} ${EFFECT_PHRASE}`
        : `Ingen ${EFFECT_PHRASE}`,
    ),
    theme.keywords.length
      ? h("p", { class: "theme-keywords" }, visuallyHidden("Nøgleord: "), theme.keywords.join(" · "))
      : null,
  );
}

/** The theme's sectors as short bars (an initiative may have several sectors, so they add up to more). */
function sectorSplit(theme) {
  const sectors = Object.entries(theme.by_sector)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], "da"));
  if (!sectors.length) return null;
  return h(
    "ul",
    { class: "sector-split", "aria-label": "Sektorer" },
    sectors.map(([sector, n]) =>
      h(
        "li",
        {},
        h("span", { class: "split-label" }, labelFor("sector", sector)),
        h(
          "span",
          { class: "split-bar", "aria-hidden": "true" },
          h("span", { class: "split-fill", style: barStyle(n / theme.count, sectorStyle(sector).colour) }),
        ),
        h("span", { class: "split-count" }, String(n), visuallyHidden(` af ${theme.count}`)),
      ),
    ),
  );
}

function barStyle(share, colour) {
  return `width: ${Math.round(100 * share)}%; background: ${colour};`;
}

// -- the same idea elsewhere ----------------------------------------------------------------------------

function overlaps(items) {
  if (!items.length) {
    return h("p", {}, "Der er ikke fundet initiativer med samme idé i forskellige organisationer.");
  }
  const intro = h(
    "p",
    { class: "section-hint" },
    "Initiativer i forskellige organisationer eller sektorer med samme målgruppe og samme tilgang: " +
      "her kan I lære af hinanden.",
  );
  const side = (item, i) =>
    h(
      "p",
      { class: "overlap-side" },
      h("a", { href: detailQuery(item.initiatives[i]) }, item.titles[i] || item.initiatives[i]),
      item.organisations[i] ? h("span", { class: "overlap-org" }, item.organisations[i]) : null,
    );
  const entry = (item) =>
    h(
      "li",
      { class: "overlap" },
      h(
        "div",
        { class: "overlap-pair" },
        side(item, 0),
        h("span", { class: "overlap-and" }, "og"),
        side(item, 1),
      ),
      item.reason ? h("p", { class: "overlap-reason" }, item.reason) : null,
    );
  return [intro, shownInPart(items, OVERLAPS_SHOWN, entry, "overlap-list", "par")];
}

/**
 * The first `shown` of `items` as a list, with a button that shows them all (and fewer again);
 * `unit` names the items in the button ("Vis alle 25 par").
 */
function shownInPart(items, shown, entry, className, unit) {
  const listEl = h("ol", { class: className, id: `${className}-items` });
  let all = false;
  const toggle = h("button", {
    type: "button",
    class: "link-button",
    "aria-controls": listEl.id,
    onclick: () => {
      all = !all;
      draw();
    },
  });
  function draw() {
    listEl.replaceChildren(...(all ? items : items.slice(0, shown)).map(entry));
    toggle.textContent = all ? "Vis færre" : `Vis alle ${items.length} ${unit}`;
    toggle.setAttribute("aria-expanded", String(all));
  }
  draw();
  return [listEl, items.length > shown ? h("p", { class: "show-all" }, toggle) : null];
}

// -- effective initiatives ------------------------------------------------------------------------------

function effective(response, state, themeLabels) {
  const items = response.effective;
  if (!items.length) return h("p", {}, "Ingen af initiativerne har dokumenteret eller delvis effekt endnu.");
  const chosen = state.filters.effect?.filter((value) => EFFECTIVE.includes(value));
  const all = pageQuery(resultsOf(state, { effect: chosen?.length ? chosen : EFFECTIVE }));
  const entry = (item) =>
    h(
      "li",
      { class: "effective-item" },
      h("h3", { class: "effective-title" }, h("a", { href: detailQuery(item.id) }, item.title)),
      h(
        "ul",
        { class: "badges", "aria-label": "Effekt og evaluering" },
        effectBadge(item.effect),
        item.evaluation
          ? h("li", { class: "badge badge-evaluation" }, labelFor("evaluation", item.evaluation))
          : null,
        item.theme && themeLabels.has(item.theme)
          ? h("li", { class: "badge badge-theme" }, "Tema: ", themeLabels.get(item.theme))
          : null,
      ),
      item.organisations.length ? h("p", { class: "meta" }, item.organisations.join(", ")) : null,
      outcomeList(item.results, { max: 2 }),
    );
  return [
    h(
      "p",
      { class: "section-hint" },
      `${formatCount(items.length, "initiativ", "initiativer")} med dokumenteret eller delvis effekt` +
        (items.length > EFFECTIVE_SHOWN ? `; her er de første ${EFFECTIVE_SHOWN}` : "") +
        ", dokumenteret effekt først. Hvert resultat nævner det dokument, det kommer fra.",
    ),
    h("ol", { class: "effective-list" }, items.slice(0, EFFECTIVE_SHOWN).map(entry)),
    h("p", { class: "all-link" }, h("a", { href: all }, "Vis alle virksomme initiativer")),
  ];
}
