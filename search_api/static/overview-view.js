// The overview of a set of initiatives (GET /overview): themes as cards, themes × sectors (or
// municipalities) as a heat-map table, the map, the same idea elsewhere and the effective initiatives.
// Every count links to the list of exactly the initiatives it counts.

import { EFFECTIVE, labelFor } from "./labels.js";
import { initiativeMap, sectorStyle } from "./overview-map.js";
import { effectBadge, formatCount, h, outcomeList, visuallyHidden } from "./render.js";
import { detailQuery, pageQuery, resultsOf } from "./url-state.js";

const OVERLAPS_SHOWN = 6;
const EFFECT_PHRASE = "med dokumenteret eller delvis effekt";
const EFFECTIVE_SHOWN = 6;
// Shades of the heat-map by count (level 1 = fewest); the number's colour meets WCAG AA on each.
const HEAT_LEVELS = 5;

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

// -- the heat-map ---------------------------------------------------------------------------------------

const DIMENSIONS = {
  sector: {
    label: "Sektorer",
    caption: "Antal initiativer pr. tema og sektor",
    filter: "sector",
    columns: (matrix) => matrix.sectors,
    cells: (matrix) => matrix.themes_x_sectors,
  },
  municipality: {
    label: "Kommuner",
    caption: "Antal initiativer pr. tema og kommune",
    filter: "organisation",
    columns: (matrix) => matrix.municipalities,
    cells: (matrix) => matrix.themes_x_municipalities,
  },
};

/** The heat-map with a choice of columns (sectors or municipalities). */
function heatMap(response, state) {
  const holder = h("div", { class: "heatmap-holder" });
  const show = (dimension) => holder.replaceChildren(heatTable(response, state, DIMENSIONS[dimension]));
  const choice = (dimension) =>
    h(
      "label",
      { class: "choice" },
      h("input", {
        type: "radio",
        name: "heatmap-columns",
        value: dimension,
        checked: dimension === "sector",
        onchange: () => show(dimension),
      }),
      DIMENSIONS[dimension].label,
    );
  show("sector");
  return [
    h(
      "fieldset",
      { class: "heatmap-choice" },
      h("legend", {}, "Vis temaerne mod"),
      choice("sector"),
      choice("municipality"),
    ),
    h(
      "p",
      { class: "section-hint" },
      "Jo mørkere felt, jo flere initiativer. Vælg et tal for at se initiativerne.",
    ),
    holder,
  ];
}

/**
 * The table of themes × the dimension's columns. A column is a filter value; when that filter is chosen,
 * only the chosen values are columns, so that every cell's link lists exactly the initiatives it counts.
 */
function heatTable(response, state, dimension) {
  const chosen = state.filters[dimension.filter];
  const columns = dimension
    .columns(response.matrix)
    .filter((column) => column.count > 0 && (!chosen || chosen.includes(column.value)));
  if (!columns.length) return h("p", {}, "Ingen af initiativerne hører til en kommune.");
  const cells = dimension.cells(response.matrix);
  const max = Math.max(1, ...response.themes.flatMap((t) => columns.map((c) => cells[t.id]?.[c.value] || 0)));
  const captionId = `heatmap-caption-${dimension.filter}`;
  const row = (theme) =>
    h(
      "tr",
      {},
      h(
        "th",
        { scope: "row" },
        h("a", { href: pageQuery(resultsOf(state, { theme: [theme.id] })) }, theme.label),
      ),
      columns.map((column) => {
        const n = cells[theme.id]?.[column.value] || 0;
        if (!n) return emptyCell();
        const level = Math.min(HEAT_LEVELS, 1 + Math.floor((n / max) * HEAT_LEVELS - 1e-9));
        const href = pageQuery(resultsOf(state, { theme: [theme.id], [dimension.filter]: [column.value] }));
        return h(
          "td",
          { class: `heat-${level}` },
          h(
            "a",
            { href, "data-count": n },
            String(n),
            visuallyHidden(` ${n === 1 ? "initiativ" : "initiativer"}: ${theme.label}, ${column.label}`),
          ),
        );
      }),
    );
  return h(
    "div",
    { class: "table-scroll", role: "region", "aria-labelledby": captionId, tabindex: "0" },
    h(
      "table",
      { class: "heatmap" },
      h("caption", { id: captionId }, dimension.caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Tema"),
          columns.map((column) => h("th", { scope: "col" }, column.label)),
        ),
      ),
      h("tbody", {}, response.themes.map(row)),
    ),
  );
}

function emptyCell() {
  return h("td", { class: "heat-0" }, h("span", { "aria-hidden": "true" }, "–"), visuallyHidden("0"));
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
