// The filters of a search: facets as checkboxes with counts, and the chosen values as removable chips.

import { FILTERS, labelFor } from "./labels.js";
import { h, visuallyHidden } from "./render.js";

// The period filter's chips: "Periode fra: 2022", "Periode til: 2024".
const PERIOD_FILTERS = [
  { name: "period_from", heading: "Periode fra", year: true },
  { name: "period_to", heading: "Periode til", year: true },
];
const FIRST_YEAR = 2010;

// Values shown per facet before a "Vis alle" button; a list at most two longer is shown whole.
const FACET_VISIBLE = 6;

/** A chip's text: "Sektor: Kommune", but "Sundhedsklynge Nord" (the label says what it is). */
function chipText(facet, label) {
  return label.startsWith(facet.heading) ? label : `${facet.heading}: ${label}`;
}

/**
 * The chosen filters as buttons that remove them, or [] when none is chosen.
 * `onRemove(name, value)` removes one, `onClear()` all; `labelOf(name, value)` names a value (themes are
 * named by the API).
 */
export function chipList(filters, { onRemove, onClear, labelOf = labelFor }) {
  const chosen = [...FILTERS, ...PERIOD_FILTERS].flatMap((facet) =>
    (filters[facet.name] || []).map((value) => ({ facet, value })),
  );
  if (!chosen.length) return [];
  const items = chosen.map(({ facet, value }) => {
    const text = chipText(facet, facet.year ? value.slice(0, 4) : labelOf(facet.name, value));
    return h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: "chip",
          "aria-label": `Fjern filteret ${text}`,
          onclick: () => onRemove(facet.name, value),
        },
        h("span", {}, text),
        h("span", { class: "chip-x", "aria-hidden": "true" }, "×"),
      ),
    );
  });
  if (chosen.length > 1) {
    const attrs = { type: "button", class: "link-button", onclick: onClear };
    const clear = h("button", attrs, "Fjern alle filtre");
    items.push(h("li", {}, clear));
  }
  return [
    h("p", { class: "chips-label", id: "chips-label" }, "Valgte filtre:"),
    h("ul", { class: "chip-list", "aria-labelledby": "chips-label" }, items),
  ];
}

/**
 * One facet as a group of checkboxes with counts, or null when it has no values.
 * `values` are the API's [{value, label, count}], `selected` the chosen values (kept even at count 0),
 * `expanded` the set of facets showing all their values, `onChange(name, value, checked)` applies a choice,
 * `labelOf(name, value)` names a chosen value the API did not count.
 */
export function facetGroup(facet, values, selected, { expanded, onChange, labelOf = labelFor }) {
  const known = new Set(values.map((item) => item.value));
  const missing = selected
    .filter((value) => !known.has(value))
    .map((value) => ({ value, label: labelOf(facet.name, value), count: 0 }));
  // Chosen values first, so they stay in view when the list is cut short.
  const all = [...values, ...missing].sort((a, b) => selected.includes(b.value) - selected.includes(a.value));
  if (!all.length) return null;
  const cut = all.length > FACET_VISIBLE + 2;
  const showAll = !cut || expanded.has(facet.name);
  const listId = `facet-${facet.name}`;
  const option = (item) =>
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
          onchange: (event) => onChange(facet.name, item.value, event.target.checked),
        }),
        h("span", { class: "facet-label" }, item.label || labelFor(facet.name, item.value)),
        h(
          "span",
          { class: "facet-count" },
          String(item.count),
          visuallyHidden(item.count === 1 ? " initiativ" : " initiativer"),
        ),
      ),
    );
  const toggle = (event) => {
    if (showAll) expanded.delete(facet.name);
    else expanded.add(facet.name);
    const group = facetGroup(facet, values, selected, { expanded, onChange, labelOf });
    event.currentTarget.closest("fieldset").replaceWith(group);
    group.querySelector(".facet-more").focus();
  };
  const more = cut
    ? h(
        "button",
        {
          type: "button",
          class: "link-button facet-more",
          "aria-expanded": String(showAll),
          "aria-controls": listId,
          onclick: toggle,
        },
        showAll ? "Vis færre" : `Vis alle ${all.length}`,
      )
    : null;
  return h(
    "fieldset",
    { class: "facet" },
    h("legend", {}, facet.heading),
    h("ul", { id: listId }, (showAll ? all : all.slice(0, FACET_VISIBLE)).map(option)),
    more,
  );
}

/**
 * The period filter: initiatives running at some time in the years chosen (from the first of January of
 * "Fra" to the last of December of "Til"). `onChange(from, to, id)` gets ISO days or "" for an open end,
 * and the id of the select changed.
 */
export function periodGroup(filters, { onChange }) {
  const from = (filters.period_from || [""])[0].slice(0, 4);
  const to = (filters.period_to || [""])[0].slice(0, 4);
  const last = new Date().getFullYear() + 5;
  const years = [];
  for (let year = last; year >= FIRST_YEAR; year -= 1) years.push(String(year));
  const select = (id, label, chosen, empty) =>
    h(
      "p",
      { class: "period-field" },
      h("label", { for: id }, label),
      h(
        "select",
        { id, onchange: changed },
        h("option", { value: "", selected: !chosen }, empty),
        years.map((year) => h("option", { value: year, selected: year === chosen }, year)),
      ),
    );
  function changed(event) {
    const start = group.querySelector("#period-from").value;
    let end = group.querySelector("#period-to").value;
    if (start && end && end < start) end = start; // the API refuses a period that ends before it starts
    onChange(start ? `${start}-01-01` : "", end ? `${end}-12-31` : "", event.currentTarget.id);
  }
  const group = h(
    "fieldset",
    { class: "facet period" },
    h("legend", {}, "Periode"),
    h(
      "div",
      { class: "period-fields" },
      select("period-from", "Fra år", from, "Ingen grænse"),
      select("period-to", "Til år", to, "Ingen grænse"),
    ),
  );
  return group;
}
