// The overview's heat-map: themes × sectors (or municipalities) as a table whose cells are shaded by count
// and link to the list of exactly the initiatives they count.

import { h, visuallyHidden } from "./render.js";
import { pageQuery, resultsOf } from "./url-state.js";

// Shades by count (level 1 = fewest; see overview.css); the number's colour meets WCAG AA on each.
const HEAT_LEVELS = 5;

const DIMENSIONS = {
  sector: {
    label: "Sektorer",
    caption: "Antal initiativer pr. tema og sektor",
    filter: "sector",
    none: "Ingen af initiativerne har en sektor.",
    columns: (matrix) => matrix.sectors,
    cells: (matrix) => matrix.themes_x_sectors,
  },
  municipality: {
    label: "Kommuner",
    caption: "Antal initiativer pr. tema og kommune",
    filter: "organisation",
    none: "Ingen af initiativerne hører til en kommune.",
    columns: (matrix) => matrix.municipalities,
    cells: (matrix) => matrix.themes_x_municipalities,
  },
};

/** The heat-map with a choice of columns (sectors or municipalities), for `state`'s overview. */
export function heatMap(response, state) {
  const holder = h("div", { class: "heatmap-holder" });
  const show = (dimension) => holder.replaceChildren(...heatTable(response, state, DIMENSIONS[dimension]));
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
  if (!columns.length) return [h("p", {}, dimension.none)];
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
  const note = chosen
    ? h("p", { class: "section-hint" }, `Kolonnerne er de valgte ${dimension.label.toLowerCase()}.`)
    : null;
  const scroller = h(
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
  return note ? [note, scroller] : [scroller];
}

function emptyCell() {
  return h("td", { class: "heat-0" }, h("span", { "aria-hidden": "true" }, "–"), visuallyHidden("0"));
}
