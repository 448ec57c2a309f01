// DOM building shared by the search page and the widget. API text is only ever inserted as text,
// except a passage's `snippet`, which the API sends as escaped HTML with <mark> around matched words.

import { EFFECTIVE, labelFor } from "./labels.js";

/** An element with attributes (`class`, `text`, `on<event>`, others as attributes) and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function visuallyHidden(text) {
  return h("span", { class: "visually-hidden", text });
}

const NUMBER = new Intl.NumberFormat("da-DK");
const DATE = new Intl.DateTimeFormat("da-DK", { day: "numeric", month: "short", year: "numeric" });

export function formatCount(n, one, many) {
  return `${NUMBER.format(n)} ${n === 1 ? one : many}`;
}

/** "2021-09-01" as "1. sep. 2021" (read as a calendar day, not shifted by the time zone). */
export function formatDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  if (!match) return iso || "";
  return DATE.format(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

/** The period of an initiative in words, or "" when neither end is known. */
export function formatPeriod(start, end) {
  if (start && end) return `${formatDate(start)} – ${formatDate(end)}`;
  if (start) return `Fra ${formatDate(start)}`;
  if (end) return `Til ${formatDate(end)}`;
  return "";
}

/** `url` if it is a web address that is safe to link to, else null (no javascript: and the like). */
export function externalUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The effect as a badge: "Dokumenteret effekt" and "Delvis effekt" stand out, the others are muted. */
let cardCount = 0;

export function effectBadge(effect) {
  if (!effect) return null;
  const kind = effect === "dokumenteret" ? "documented" : EFFECTIVE.includes(effect) ? "partial" : "none";
  return h("li", { class: `badge badge-effect badge-effect-${kind}` }, labelFor("effect", effect));
}

/** Sectors, cluster, status, effect and theme as a list of badges (empty fields are left out). */
export function badgeList(item, extra = []) {
  const badges = [
    ...(item.sectors || []).map((s) => h("li", { class: "badge badge-sector" }, labelFor("sector", s))),
    item.cluster && item.cluster !== "ingen"
      ? h("li", { class: "badge badge-cluster" }, labelFor("cluster", item.cluster))
      : null,
    item.status
      ? h("li", { class: "badge badge-status" }, visuallyHidden("Status: "), labelFor("status", item.status))
      : null,
    effectBadge(item.effect),
    item.theme_label ? h("li", { class: "badge badge-theme" }, "Tema: ", item.theme_label) : null,
    ...extra,
  ].filter(Boolean);
  return badges.length ? h("ul", { class: "badges", "aria-label": "Kendetegn" }, badges) : null;
}

/** The organisations and the period, as one muted line. */
export function metaLine(item) {
  const parts = [];
  if (item.organisations?.length) {
    const orgs = item.organisations.join(", ");
    parts.push(h("span", { class: "orgs", title: orgs }, orgs));
  }
  const period = formatPeriod(item.start_date, item.end_date);
  if (period) parts.push(h("span", { class: "period" }, visuallyHidden("Periode: "), period));
  if (item.has_metadata === false) parts.push(h("span", {}, "Dokument uden oplysninger om initiativet"));
  if (!parts.length) return null;
  const line = h("p", { class: "meta" });
  parts.forEach((part, i) => {
    if (i) line.append(h("span", { class: "sep", "aria-hidden": "true" }, " · "));
    line.append(part);
  });
  return line;
}

/**
 * Where a passage comes from: "Fra <document>, side N". The link opens the document view, scrolled to the
 * passage and marking it (Markdown, DOCX, HTML, text), or the original at its page (PDF).
 */
function passageSource(passage, client) {
  const link = h(
    "a",
    { href: client.href(passage.view_url || passage.url) },
    passage.document_title || passage.document,
  );
  return h("p", { class: "source" }, "Fra ", link, passage.page ? `, side ${passage.page}` : "");
}

function passageItem(passage, client) {
  return h("li", {}, snippetQuote(passage), passageSource(passage, client));
}

function snippetQuote(passage) {
  const snippet = h("blockquote", { class: "snippet" });
  snippet.innerHTML = passage.snippet; // escaped by the API; only <mark> is markup
  return snippet;
}

/** Passages, each with where it comes from (the detail view's and other full lists). */
export function passageList(passages, client, label = "Uddrag, der matcher søgningen") {
  if (!passages?.length) return null;
  return h(
    "ul",
    { class: "passages", "aria-label": label },
    passages.map((passage) => passageItem(passage, client)),
  );
}

/**
 * A result's passages, compactly: the best one, then one line with why the result is there, where the
 * passage comes from, a "Vis N uddrag mere" button for the others, and the contact person.
 */
function bestPassage(hit, passages, client) {
  const best = passages[0];
  const rest = passages.slice(1);
  const label = hit.match === "meaning" ? "Det mest beslægtede uddrag" : "Uddrag, der matcher søgningen";
  const foot = h("div", { class: "card-foot" }, whyLine(hit), passageSource(best, client));
  const item = h("li", {}, snippetQuote(best), foot);
  const parts = [h("ul", { class: "passages passages-best", "aria-label": label }, item)];
  if (rest.length) {
    const id = `overblik-more-${++cardCount}`;
    const extra = h(
      "ul",
      { class: "passages passages-more", id, "aria-label": "Flere uddrag", hidden: true },
      rest.map((passage) => passageItem(passage, client)),
    );
    const closed = rest.length === 1 ? "Vis 1 uddrag mere" : `Vis ${rest.length} uddrag mere`;
    const text = (open) => (open ? "Skjul de andre uddrag" : closed);
    const toggle = h(
      "button",
      {
        type: "button",
        class: "link-button more-passages",
        "aria-expanded": "false",
        "aria-controls": id,
        onclick: () => {
          const open = extra.hidden;
          extra.hidden = !open;
          toggle.setAttribute("aria-expanded", String(open));
          toggle.textContent = text(open);
          group.classList.toggle("is-open", open);
        },
      },
      text(false),
    );
    foot.append(toggle);
    parts.push(extra);
  }
  if (hit.contact_name) foot.append(contactLine(hit));
  const group = h("div", { class: "passage-group" }, parts);
  return group;
}

const LEAD = 24; // characters of context before the first match in a one-line snippet

/**
 * A snippet (escaped HTML, only <mark> tags) starting a few words before its first marked word, so that one
 * line shows the match. It is cut only at a space or at the <mark>, never inside a tag or an entity.
 */
function fromFirstMark(snippet) {
  const at = snippet.indexOf("<mark>");
  if (at <= LEAD) return snippet;
  const space = snippet.lastIndexOf(" ", at - 2);
  return `… ${snippet.slice(space >= at - LEAD ? space + 1 : at)}`;
}
function contactLine(hit) {
  return h("p", { class: "card-contact" }, "Kontakt: ", hit.contact_name);
}

/**
 * Outcome statements ("32 % færre indlæggelser"), each naming its document; `documentLink(name)` may give
 * the document's address (then the name is a link), or null.
 */
export function outcomeList(results, { max = Infinity, documentLink = () => null } = {}) {
  const shown = (results || []).slice(0, max);
  if (!shown.length) return null;
  return h(
    "ul",
    { class: "outcomes", "aria-label": "Resultater" },
    shown.map((result) => {
      const link = result.document ? documentLink(result.document) : null;
      const source = result.document
        ? h("span", { class: "outcome-source" }, "Kilde: ", link || result.document)
        : null;
      return h("li", {}, h("span", { class: "outcome-text" }, result.text), source ? " " : null, source);
    }),
  );
}

/**
 * A search result: title linking to the detail view, organisations and period, badges, the summary (two
 * lines), why it matched, the best passage (the others on demand) and the contact's name.
 * `detailHref(id)` gives the detail view's address; `level` is the title's heading level; the API decides
 * how many passages a hit has, `maxPassages` may show fewer; `maxResults` outcome statements are shown.
 * `compact` (the widget) shows the title, the organisations and one line of the best passage or summary.
 */
export function resultCard(hit, options) {
  const { client, detailHref, level = 2, maxPassages = Infinity, maxResults = 0 } = options;
  const { extraBadges = [], compact = false } = options;
  const titleId = `overblik-card-${++cardCount}`;
  const passages = (hit.passages || []).slice(0, maxPassages);
  const href = detailHref(hit.id);
  const title = h(
    `h${level}`,
    { class: "card-title", id: titleId },
    h("a", { href, "data-initiative": hit.id }, hit.title || hit.id),
  );
  if (compact) {
    const names = hit.organisations?.join(", ");
    const orgs = names ? h("p", { class: "meta orgs" }, names) : null;
    const line = h("p", { class: "one-line" });
    if (passages.length) line.innerHTML = fromFirstMark(passages[0].snippet); // escaped; only <mark> is markup
    else line.textContent = hit.summary || "";
    return h("article", { class: "card card-compact", "aria-labelledby": titleId }, title, orgs, line);
  }
  const facts = [metaLine(hit), badgeList(hit, extraBadges)].filter(Boolean);
  return h(
    "article",
    // The absolute address is printed after the card (print stylesheet).
    { class: "card", "aria-labelledby": titleId, "data-print-url": new URL(href, location.href).href },
    title,
    facts.length ? h("div", { class: "card-facts" }, facts) : null,
    hit.summary ? h("p", { class: "summary clamp" }, hit.summary) : null,
    passages.length ? bestPassage(hit, passages, client) : whyLine(hit),
    !passages.length && hit.contact_name ? contactLine(hit) : null,
    maxResults ? outcomeList(hit.results, { max: maxResults }) : null,
  );
}

/**
 * Why a search result is there: the query's words (and their thesaurus terms) it contains, or, when it
 * shares none of them, that its content is related in meaning ("Relateret indhold").
 */
export function whyLine(hit) {
  if (hit.match === "terms" && hit.matched_terms?.length) {
    const terms = hit.matched_terms.map((term, i) => [i ? ", " : null, h("span", { class: "why-term" }, term)]);
    return h("p", { class: "why" }, visuallyHidden("Hvorfor: "), "Indeholder ", terms);
  }
  if (hit.match === "meaning") {
    return h(
      "p",
      { class: "why why-meaning" },
      h("span", { class: "badge badge-related" }, "Relateret indhold"),
      " Indeholder ikke dine ord, men handler om noget beslægtet.",
    );
  }
  if (hit.match === "place") {
    return h("p", { class: "why" }, "Ligger det sted, du søgte på.");
  }
  return null;
}

/**
 * A message in place of results: `kind` is "empty" or "error". `actions` are buttons or links.
 * Errors are announced at once (role=alert); the others by the page's status line.
 */
export function stateMessage(kind, title, text, actions = []) {
  return h(
    "div",
    { class: `state state-${kind}`, role: kind === "error" ? "alert" : null, tabindex: "-1" },
    h("p", { class: "state-title" }, title),
    text ? h("p", { class: "state-text" }, text) : null,
    actions.length ? h("p", { class: "state-actions" }, actions) : null,
  );
}

export function loadingMessage(text) {
  return h("span", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}
