// The widget's search box and results, mounted by widget.js inside its Shadow DOM on a host page.
// Results link to the full search page, served by the API at its root.

import { createClient, latestOnly } from "./api.js";
import { formatCount, h, loadingMessage, resultCard, stateMessage } from "./render.js";
import { detailQuery, pageQuery } from "./url-state.js";

/** Renders the widget into `root`; `api` is the API's address, `limit` the number of results shown. */
export function mountWidget(root, { api, limit = 5 }) {
  const client = createClient(api);
  const run = latestOnly();
  const pageHref = (query) => client.href(`/${query}`);

  const input = h("input", {
    id: "overblik-q",
    type: "search",
    name: "q",
    autocomplete: "off",
    maxlength: "1000",
  });
  const status = h("p", { class: "widget-status", role: "status" });
  const results = h("div", { class: "widget-results" });
  const form = h(
    "form",
    { class: "widget-form", role: "search", onsubmit: submit },
    h("label", { for: "overblik-q", class: "widget-label" }, "Søg i sundhedsinitiativer i Nordjylland"),
    h(
      "div",
      { class: "search-row" },
      input,
      h("button", { type: "submit", class: "button-primary" }, "Søg"),
    ),
  );
  root.replaceChildren(form, status, results);

  async function submit(event) {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) {
      status.textContent = "Skriv et eller flere ord at søge efter.";
      results.replaceChildren();
      return;
    }
    status.replaceChildren(loadingMessage("Søger …"));
    results.classList.add("is-loading");
    const params = new URLSearchParams({ q, limit: String(limit) });
    const outcome = await run((signal) => client.search(params, signal));
    if (outcome.stale) return;
    results.classList.remove("is-loading");
    if (outcome.error) {
      // The reader gets the Danish message and a way on; the technical reason goes to the console.
      const reason = outcome.error.status || "network";
      console.warn("Overblik widget: the search failed:", reason, outcome.error.message);
      status.textContent = "";
      results.replaceChildren(
        stateMessage("error", "Søgningen kunne ikke gennemføres", outcome.error.message, [
          h("a", { href: pageHref(pageQuery({ q, filters: {}, page: 1 })) }, "Søg i Overblik i stedet"),
        ]),
      );
      return;
    }
    show(q, outcome.value);
  }

  function show(q, response) {
    status.textContent = `${formatCount(response.total, "initiativ", "initiativer")} matcher »${q}«`;
    const matches = response.results.filter((hit) => hit.match !== "related");
    if (!matches.length) {
      results.replaceChildren(
        stateMessage("empty", "Ingen initiativer matcher din søgning", "Prøv færre eller andre ord."),
      );
      return;
    }
    const all = pageHref(pageQuery({ q, filters: {}, page: 1 }));
    results.replaceChildren(
      h(
        "ol",
        { class: "widget-list" },
        matches.map((hit) =>
          h(
            "li",
            {},
            resultCard(hit, {
              client,
              detailHref: (id) => pageHref(detailQuery(id)),
              level: 3,
              maxPassages: 1,
              compact: true,
            }),
          ),
        ),
      ),
      h(
        "p",
        { class: "widget-more" },
        h(
          "a",
          { href: all },
          `Se alle resultater (${formatCount(response.total, "initiativ", "initiativer")}) i Overblik`,
        ),
      ),
    );
  }
}
