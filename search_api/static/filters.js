// The filters of a search: facets as checkboxes with counts, and the chosen values as removable chips.

import { FACETS, labelFor } from "./labels.js";
import { h, visuallyHidden } from "./render.js";

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
  const chosen = FACETS.flatMap((facet) => (filters[facet.name] || []).map((value) => ({ facet, value })));
  if (!chosen.length) return [];
  const items = chosen.map(({ facet, value }) => {
    const text = chipText(facet, labelOf(facet.name, value));
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
