// The map of the initiatives (GET /overview's `map`: x and y in [0, 1], near = similar content), drawn as
// inline SVG at the width of its frame. Points are links (focusable in theme order) with a tooltip on hover
// and on focus; the themes are named where their points gather; a list of the same links follows the map.

import { labelFor } from "./labels.js";
import { h } from "./render.js";

const SVG = "http://www.w3.org/2000/svg";
const RADIUS = 7;
const PAD = RADIUS + 6;

// A sector's colour (at least 4.5:1 on white) and shape, so that colour is never the only difference.
const SECTOR_STYLES = {
  region: { colour: "#1f5fa8", shape: "circle" },
  hospital: { colour: "#b3261e", shape: "square" },
  kommune: { colour: "#1e7a3c", shape: "triangle" },
  "almen praksis": { colour: "#7b3fa0", shape: "diamond" },
  psykiatri: { colour: "#a85400", shape: "triangleDown" },
  tværsektoriel: { colour: "#4a5361", shape: "plus" },
};
const UNKNOWN_SECTOR = { colour: "#5f6670", shape: "ring" };

/** The colour and shape the map (and the theme cards) give a sector; an unknown sector is a grey ring. */
export function sectorStyle(sector) {
  return SECTOR_STYLES[sector] || UNKNOWN_SECTOR;
}

function sectorName(sector) {
  return sector ? labelFor("sector", sector) : "Sektor ikke angivet";
}

// Corners of the shapes other than the circle, in units of the marker's radius.
const A = 1.15;
const B = 0.42;
const SHAPES = {
  square: [[-0.88, -0.88], [0.88, -0.88], [0.88, 0.88], [-0.88, 0.88]],
  triangle: [[0, -1.2], [1.1, 0.8], [-1.1, 0.8]],
  triangleDown: [[0, 1.2], [1.1, -0.8], [-1.1, -0.8]],
  diamond: [[0, -1.25], [1.25, 0], [0, 1.25], [-1.25, 0]],
  plus: [
    [-B, -A], [B, -A], [B, -B], [A, -B], [A, B], [B, B],
    [B, A], [-B, A], [-B, B], [-A, B], [-A, -B], [-B, -B],
  ],
};

/** The SVG path of a shape of "radius" r around (x, y). */
function shapePath(shape, x, y, r) {
  const f = (n) => n.toFixed(1);
  const corners = SHAPES[shape];
  if (corners) return `M${corners.map(([dx, dy]) => `${f(x + dx * r)},${f(y + dy * r)}`).join("L")}Z`;
  return `M${f(x - r)},${f(y)}a${f(r)},${f(r)} 0 1,0 ${f(2 * r)},0a${f(r)},${f(r)} 0 1,0 ${f(-2 * r)},0Z`;
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  el.append(...children.flat());
  return el;
}

/** A shape filled in the sector's colour (a ring for an unknown sector), white-edged to stand apart. */
function marker(sector, x, y, r) {
  const style = sectorStyle(sector);
  const ring = style.shape === "ring";
  return svg("path", {
    class: "map-marker",
    d: shapePath(style.shape, x, y, ring ? r * 0.8 : r),
    fill: ring ? "#ffffff" : style.colour,
    stroke: ring ? style.colour : "#ffffff",
    "stroke-width": ring ? 2.5 : 1.5,
  });
}

/** A small picture of a sector's marker, for the legend and the list. */
function swatch(sector) {
  const attrs = { class: "swatch", viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" };
  return svg("svg", attrs, marker(sector, 8, 8, 5.5));
}

/**
 * The map section's content: legend, map and list. `points` are the overview's map points, `themes` its
 * themes (largest first: the focus order), `detailHref(id)` an initiative's address.
 */
export function initiativeMap(points, themes, { detailHref }) {
  const themeLabel = new Map(themes.map((theme) => [theme.id, theme.label]));
  const rank = new Map(themes.map((theme, i) => [theme.id, i]));
  const ordered = [...points].sort(
    (a, b) =>
      (rank.get(a.theme) ?? themes.length) - (rank.get(b.theme) ?? themes.length) ||
      a.title.localeCompare(b.title, "da"),
  );
  const tooltip = h("div", { class: "map-tooltip", "aria-hidden": "true", hidden: true });
  const frame = h("div", { class: "map-frame" }, tooltip);
  let drawnWidth = 0;

  function draw(width) {
    // A narrow screen gets a squarer map, so that the points do not crowd.
    const height = Math.round(Math.min(560, Math.max(300, width * (width < 600 ? 1 : 0.6))));
    const x = (p) => PAD + p.x * (width - 2 * PAD);
    const y = (p) => PAD + p.y * (height - 2 * PAD);
    const focused = frame.querySelector(".map-point:focus")?.dataset.id;
    const links = ordered.map((point) =>
      svg(
        "a",
        {
          class: "map-point",
          href: detailHref(point.id),
          "aria-label": point.title,
          "data-id": point.id,
          "data-x": x(point).toFixed(1),
          "data-y": y(point).toFixed(1),
        },
        svg("circle", { class: "map-ring-outer", cx: x(point), cy: y(point), r: RADIUS + 6 }),
        svg("circle", { class: "map-ring", cx: x(point), cy: y(point), r: RADIUS + 4 }),
        marker(point.sector, x(point), y(point), RADIUS),
      ),
    );
    const chart = svg(
      "svg",
      {
        class: "map-svg",
        viewBox: `0 0 ${width} ${height}`,
        width,
        height,
        role: "group",
        "aria-label": `Kort over ${points.length} initiativer`,
      },
      svg("rect", { class: "map-bg", x: 0, y: 0, width, height, rx: 6 }),
      svg("g", { class: "map-points" }, links),
    );
    // The names go under the points, so that they never hide one.
    const labels = svg("g", { class: "map-labels", "aria-hidden": "true" });
    chart.querySelector(".map-points").before(labels);
    frame.querySelector(".map-svg")?.remove();
    frame.prepend(chart);
    placeThemeLabels(labels, ordered, themes, x, y, width, height);
    drawnWidth = width;
    if (focused) chart.querySelector(`[data-id="${CSS.escape(focused)}"]`)?.focus();
  }

  function showTip(link) {
    const point = ordered.find((p) => p.id === link.dataset.id);
    if (!point) return;
    tooltip.replaceChildren(
      h("strong", {}, point.title),
      h("span", {}, `${sectorName(point.sector)} · ${themeLabel.get(point.theme) || ""}`),
    );
    tooltip.hidden = false;
    const px = Number(link.dataset.x);
    const py = Number(link.dataset.y);
    const half = Math.min(tooltip.offsetWidth / 2, drawnWidth / 2);
    tooltip.style.left = `${Math.min(Math.max(px, half), drawnWidth - half)}px`;
    tooltip.style.top = `${py}px`;
    tooltip.classList.toggle("below", py < tooltip.offsetHeight + 16);
  }
  const hideTip = () => {
    tooltip.hidden = true;
  };

  frame.addEventListener("mouseover", (event) => {
    const link = event.target.closest?.(".map-point");
    if (link) showTip(link);
  });
  frame.addEventListener("mouseout", (event) => {
    if (event.target.closest?.(".map-point") && !event.relatedTarget?.closest?.(".map-point")) hideTip();
  });
  frame.addEventListener("focusin", (event) => {
    const link = event.target.closest?.(".map-point");
    if (link) showTip(link);
  });
  frame.addEventListener("focusout", hideTip);
  frame.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hideTip();
  });

  // Drawn at the frame's width (so text and points keep their size), again when that width changes.
  const observer = new ResizeObserver(() => {
    if (!frame.isConnected) {
      observer.disconnect();
      return;
    }
    const width = Math.floor(frame.clientWidth);
    if (width > 0 && Math.abs(width - drawnWidth) >= 1) draw(width);
  });
  observer.observe(frame);

  return [legend(points), frame, mapList(ordered, themes, detailHref)];
}

/**
 * Each theme's name at the median of its points, moved up or down where it would cover another name.
 * The names are measured, so `group` must be in the document.
 */
function placeThemeLabels(group, points, themes, x, y, width, height) {
  const placed = [];
  for (const theme of themes) {
    const own = points.filter((p) => p.theme === theme.id);
    if (!own.length) continue;
    const text = svg("text", { class: "map-label", "text-anchor": "middle" }, theme.label);
    group.append(text);
    const half = Math.min(text.getComputedTextLength(), width - 4) / 2;
    const size = text.getBBox().height; // the line's height at the font size the style sheet gives
    const cx = Math.min(Math.max(median(own.map(x)), half + 2), width - half - 2);
    const cy0 = median(own.map(y));
    const box = (cy) => ({ left: cx - half, right: cx + half, top: cy - size * 0.8, bottom: cy + size / 4 });
    const cy = [0, -1, 1, -2, 2, -3, 3]
      .map((step) => Math.min(Math.max(cy0 + step * size, size), height - 4))
      .find((candidate) => !placed.some((other) => overlap(box(candidate), other)));
    if (cy === undefined) {
      text.remove(); // no room without covering another name: the list below names every theme
      continue;
    }
    placed.push(box(cy));
    text.setAttribute("x", cx.toFixed(1));
    text.setAttribute("y", cy.toFixed(1));
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function overlap(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

function legend(points) {
  const counts = new Map();
  for (const point of points) counts.set(point.sector || "", (counts.get(point.sector || "") || 0) + 1);
  const order = [...Object.keys(SECTOR_STYLES), ""];
  return h(
    "ul",
    { class: "map-legend", "aria-label": "Sektorer på kortet" },
    order
      .filter((sector) => counts.has(sector))
      .map((sector) =>
        h("li", {}, swatch(sector || null), `${sectorName(sector || null)} (${counts.get(sector)})`),
      ),
  );
}

/** The map as a list: the initiatives by theme, as links. */
function mapList(points, themes, detailHref) {
  const groups = themes
    .map((theme) => ({ theme, members: points.filter((p) => p.theme === theme.id) }))
    .filter((group) => group.members.length);
  return h(
    "details",
    { class: "map-list" },
    h("summary", {}, "Vis kortet som liste"),
    groups.map(({ theme, members }) => [
      h("h3", {}, `${theme.label} (${members.length})`),
      h(
        "ul",
        {},
        members.map((point) =>
          h(
            "li",
            {},
            swatch(point.sector),
            h("a", { href: detailHref(point.id) }, point.title),
            h("span", { class: "map-list-sector" }, ` – ${sectorName(point.sector)}`),
          ),
        ),
      ),
    ]),
  );
}
