// The detail view of one initiative: all its metadata, its evidence (evaluation, effect, results), its
// documents, "Samme idé andre steder" and "Lignende initiativer".

import { latestOnly } from "./api.js";
import { labelFor } from "./labels.js";
import {
  badgeList,
  externalUrl,
  formatPeriod,
  h,
  loadingMessage,
  outcomeList,
  resultCard,
  stateMessage,
} from "./render.js";
import { detailQuery, pageQuery } from "./url-state.js";

const SIMILAR_LIMIT = 5;
const NOT_GIVEN = "Ikke angivet";

/** The view inside `container`; `backLink()` gives {href, text} of the way back to the search. */
export function createDetailView({ client, container, backLink }) {
  const run = latestOnly();
  const runSimilar = latestOnly();

  /** Shows initiative `id`; `focus` puts the focus on its heading, or on the link to `returnTo` (Back). */
  async function show(id, { focus = false, returnTo = null } = {}) {
    document.title = "Initiativ – Overblik";
    container.replaceChildren(back(), loadingMessage("Henter initiativet …"));
    container.setAttribute("aria-busy", "true");
    const outcome = await run((signal) => client.initiative(id, signal));
    if (outcome.stale) return;
    container.removeAttribute("aria-busy");
    if (outcome.error) {
      document.title = "Initiativet kunne ikke vises – Overblik";
      const title = outcome.error.status === 404 ? "Initiativet findes ikke" : "Initiativet kunne ikke vises";
      container.replaceChildren(back(), stateMessage("error", title, outcome.error.message));
      if (focus) container.querySelector("[role=alert]").focus();
      return;
    }
    const initiative = outcome.value;
    document.title = `${initiative.title} – Overblik`;
    const sameIdea = h("section", { class: "similar", "aria-labelledby": "same-idea-title", hidden: true });
    const similar = h("div", { class: "similar-results" }, loadingMessage("Finder lignende initiativer …"));
    container.replaceChildren(back(), article(initiative, sameIdea, similar));
    const link = returnTo && [...container.querySelectorAll("a[href]")].find((a) => a.href === returnTo);
    if (link) link.focus();
    else if (focus) container.querySelector("h1").focus();
    loadSimilar(initiative, sameIdea, similar);
  }

  function back() {
    const { href, text } = backLink();
    return h("p", { class: "back" }, h("a", { href }, h("span", { "aria-hidden": "true" }, "← "), text));
  }

  function article(initiative, sameIdea, similar) {
    return h(
      "article",
      { class: "detail", "aria-labelledby": "detail-title" },
      h("h1", { id: "detail-title", tabindex: "-1" }, initiative.title || initiative.id),
      badgeList(initiative),
      copyLinkButton(),
      initiative.summary ? h("p", { class: "lead" }, initiative.summary) : null,
      h("h2", {}, "Oplysninger"),
      facts(initiative),
      h("h2", {}, "Resultater"),
      results(initiative),
      h("h2", {}, "Dokumenter"),
      documents(initiative),
      sameIdea,
      h(
        "section",
        { class: "similar", "aria-labelledby": "similar-title" },
        h("h2", { id: "similar-title" }, "Lignende initiativer"),
        h(
          "p",
          { class: "hint" },
          "Initiativer med lignende indhold. Mærkerne »Anden sektor« og »Anden organisation« viser, " +
            "hvor I kan lære af andre end jer selv.",
        ),
        similar,
      ),
    );
  }

  /** The similar initiatives, split into the same idea elsewhere (with why) and the others. */
  async function loadSimilar(initiative, sameIdea, target) {
    const outcome = await runSimilar((signal) => client.similar(initiative.id, SIMILAR_LIMIT, signal));
    if (outcome.stale) return;
    if (outcome.error) {
      target.replaceChildren(
        stateMessage("error", "Lignende initiativer kunne ikke hentes", outcome.error.message),
      );
      return;
    }
    const same = outcome.value.results.filter((item) => item.same_idea);
    const others = outcome.value.results.filter((item) => !item.same_idea);
    if (same.length) {
      sameIdea.replaceChildren(
        h("h2", { id: "same-idea-title" }, "Samme idé andre steder"),
        h(
          "p",
          { class: "hint" },
          "Initiativer i andre organisationer eller sektorer med samme målgruppe og samme tilgang.",
        ),
        similarList(same),
      );
      sameIdea.hidden = false;
    }
    target.replaceChildren(
      others.length ? similarList(others) : h("p", {}, "Der er ikke fundet andre lignende initiativer."),
    );
  }

  function similarList(items) {
    return h(
      "ul",
      { class: "similar-list" },
      items.map((item) => {
        const card = resultCard(item, {
          client,
          detailHref: detailQuery,
          level: 3,
          maxPassages: 0,
          extraBadges: [
            item.different_sector ? otherBadge("Anden sektor") : null,
            item.different_organisation ? otherBadge("Anden organisation") : null,
          ],
        });
        if (item.same_idea && item.reason) card.append(h("p", { class: "same-idea-reason" }, item.reason));
        return h("li", {}, card);
      }),
    );
  }

  /** The outcome statements, each linking to the document it comes from. */
  function results(item) {
    const byFile = new Map((item.documents || []).map((doc) => [doc.file, doc]));
    const documentLink = (name) => {
      const doc = byFile.get(name);
      return doc ? h("a", { href: client.href(doc.url) }, doc.title || doc.file) : null;
    };
    return (
      outcomeList(item.results, { documentLink }) ||
      h("p", { class: "not-given" }, "Der er ikke beskrevet resultater.")
    );
  }

  function facts(item) {
    const rows = [
      ["Organisationer", links("organisation", item.organisations)],
      ["Sektorer", list((item.sectors || []).map((sector) => labelFor("sector", sector)))],
      ["Sundhedsklynge", item.cluster ? labelFor("cluster", item.cluster) : null],
      ["Status", item.status ? labelFor("status", item.status) : null],
      ["Tema", theme(item)],
      ["Evaluering", item.evaluation ? labelFor("evaluation", item.evaluation) : null],
      ["Effekt", item.effect ? labelFor("effect", item.effect) : null],
      ["Periode", formatPeriod(item.start_date, item.end_date) || null],
      ["Målgrupper", links("target_group", item.target_groups)],
      ["Emneord", links("tag", item.tags)],
      ["Kontakt", contact(item.contact)],
      ["Hjemmeside", website(item.url)],
    ];
    const dl = h("dl", { class: "facts" });
    for (const [term, value] of rows) {
      dl.append(h("dt", {}, term), h("dd", { class: value ? null : "not-given" }, value || NOT_GIVEN));
    }
    return h(
      "div",
      {},
      item.has_metadata === false
        ? h(
            "p",
            { class: "notice" },
            "Dette dokument ligger i Overblik uden en beskrivelse af initiativet, " +
              "så der mangler oplysninger.",
          )
        : null,
      dl,
    );
  }

  function documents(item) {
    if (!item.documents?.length) return h("p", { class: "not-given" }, "Ingen dokumenter.");
    return h(
      "ul",
      { class: "documents" },
      item.documents.map((doc) =>
        h(
          "li",
          {},
          // The document view when there is one (read in the browser); the original beside it.
          h("a", { href: client.href(doc.view_url || doc.url) }, doc.title || doc.file),
          h("span", { class: "doc-meta" }, [doc.kind, doc.file].filter(Boolean).join(" · ")),
          doc.view_url
            ? h(
                "a",
                { class: "doc-original", href: client.href(doc.url), download: "" },
                `Hent originalen (${doc.file.split(".").pop().toUpperCase()})`,
              )
            : null,
          doc.chunks === 0
            ? h("span", { class: "doc-warning" }, "Teksten kunne ikke læses, så der søges ikke i den.")
            : null,
        ),
      ),
    );
  }

  return { show };
}

/** "Kopiér link": the detail view's address to the clipboard, confirmed in the button and read out. */
function copyLinkButton() {
  const text = "Kopiér link";
  const note = h("span", { class: "copy-note", role: "status" });
  const button = h(
    "button",
    {
      type: "button",
      class: "link-button copy-link",
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(location.href);
          note.textContent = "Linket er kopieret.";
        } catch {
          note.textContent = "Linket kunne ikke kopieres. Kopiér adressen fra adresselinjen.";
        }
      },
    },
    text,
  );
  return h("p", { class: "detail-actions" }, button, " ", note);
}

function otherBadge(text) {
  return h("li", { class: "badge badge-other" }, text);
}

/** The theme, linking to the list of its initiatives. */
function theme(item) {
  if (!item.theme) return null;
  const href = pageQuery({ view: "list", filters: { theme: [item.theme] } });
  return h("a", { href }, item.theme_label || item.theme);
}

/** Values as links to the list of every initiative with that value (a filtered browse). */
function links(filter, values) {
  if (!values?.length) return null;
  return h(
    "span",
    { class: "value-links" },
    values.map((value, i) => [
      i ? ", " : null,
      h("a", { href: pageQuery({ view: "list", filters: { [filter]: [value] } }) }, value),
    ]),
  );
}

function list(values) {
  return values?.length ? values.join(", ") : null;
}

function contact(person) {
  if (!person) return null;
  const lines = [
    [person.name, person.role].filter(Boolean).join(", "),
    person.organisation,
    person.email && /^[^@\s]+@[^@\s]+$/.test(person.email)
      ? h("a", { href: `mailto:${person.email}` }, person.email)
      : null,
    person.phone ? h("a", { href: `tel:${person.phone.replace(/[^\d+]/g, "")}` }, person.phone) : null,
  ].filter(Boolean);
  if (!lines.length) return null;
  return h(
    "span",
    { class: "contact" },
    lines.map((line) => h("span", { class: "contact-line" }, line)),
  );
}

function website(url) {
  const safe = url && externalUrl(url);
  return safe ? h("a", { href: safe, rel: "noopener" }, url) : null;
}
