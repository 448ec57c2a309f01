// The search API as the page and the widget call it: JSON in, JSON out, and Danish errors.

/** A failed API call, with a Danish message ready to show. */
export class ApiError extends Error {
  constructor(message, { status = 0, network = false } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.network = network;
  }
}

const NETWORK_MESSAGE = "Søgetjenesten svarer ikke. Tjek din forbindelse, og prøv igen.";
const UNREADABLE_MESSAGE = "Svaret fra søgetjenesten kunne ikke læses. Prøv igen.";

function statusMessage(status) {
  if (status === 503) return "Søgetjenesten er ikke klar lige nu. Prøv igen om lidt.";
  if (status === 404) return "Det, du leder efter, findes ikke.";
  return `Der opstod en fejl i søgetjenesten (fejlkode ${status}). Prøv igen.`;
}

/**
 * A client for the API at `base` ("https://overblik.example.dk", or a path relative to the page).
 * Paths the API returns (`detail_url`, `passages[].url`) are relative to the same base: pass them to `href`.
 */
export function createClient(base) {
  const root = new URL(base.endsWith("/") ? base : `${base}/`, document.baseURI);

  function href(path, params) {
    const url = new URL(path.replace(/^\//, ""), root);
    if (params) url.search = params.toString();
    return url.href;
  }

  async function getJson(path, params, signal) {
    let response;
    try {
      response = await fetch(href(path, params), { signal, headers: { Accept: "application/json" } });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError(NETWORK_MESSAGE, { network: true });
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      // An answer that is not JSON (a proxy's error page) gets the message for its status below.
    }
    if (!response.ok) {
      const detail = body && typeof body.detail === "string" && body.detail.trim();
      throw new ApiError(detail || statusMessage(response.status), { status: response.status });
    }
    if (body === null) throw new ApiError(UNREADABLE_MESSAGE, { status: response.status });
    return body;
  }

  return {
    href,
    /** GET /search with `params` (URLSearchParams: q, filters, sort, offset, limit); without q it lists. */
    search: (params, signal) => getJson("/search", params, signal),
    /** GET /overview with `params` (URLSearchParams: filters, optional q). */
    overview: (params, signal) => getJson("/overview", params, signal),
    /** The address of GET /export.csv with `params` (the same as /search's, without paging). */
    exportHref: (params) => href("/export.csv", params),
    initiative: (id, signal) => getJson(`/initiatives/${encodeURIComponent(id)}`, null, signal),
    similar: (id, limit, signal) =>
      getJson(`/initiatives/${encodeURIComponent(id)}/similar`, new URLSearchParams({ limit }), signal),
    stats: (signal) => getJson("/stats", null, signal),
  };
}

/** Runs `load` so that only the latest call's answer counts: an older one in flight is aborted. */
export function latestOnly() {
  let controller = null;
  return async function run(load) {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    try {
      const value = await load(own.signal);
      return own.signal.aborted ? { stale: true } : { value };
    } catch (error) {
      if (own.signal.aborted) return { stale: true };
      return { error };
    }
  };
}
