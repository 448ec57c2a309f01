// Danish labels of the closed vocabularies in initiative_index/schema.py (a browser test checks they agree).

export const SECTOR_LABELS = {
  region: "Region",
  hospital: "Hospital",
  kommune: "Kommune",
  "almen praksis": "Almen praksis",
  psykiatri: "Psykiatri",
  tværsektoriel: "Tværsektoriel",
};

export const CLUSTER_LABELS = {
  nord: "Sundhedsklynge Nord",
  syd: "Sundhedsklynge Syd",
  vest: "Sundhedsklynge Vest",
  midt: "Sundhedsklynge Midt",
  ingen: "Ingen klynge",
};

export const STATUS_LABELS = {
  idé: "Idé",
  planlagt: "Planlagt",
  pilot: "Pilot",
  drift: "Drift",
  evalueret: "Evalueret",
  skaleret: "Skaleret",
  afsluttet: "Afsluttet",
};

export const EVALUATION_LABELS = {
  ingen: "Ikke evalueret",
  intern: "Intern evaluering",
  ekstern: "Ekstern evaluering",
  forskning: "Forskning",
};

export const EFFECT_LABELS = {
  dokumenteret: "Dokumenteret effekt",
  delvis: "Delvis effekt",
  ingen: "Ingen påvist effekt",
  "ikke målt": "Effekt ikke målt",
};

// "Virksomme initiativer": the effect values that count as documented or partial effect.
export const EFFECTIVE = ["dokumenteret", "delvis"];

// The facets the page filters on, in the order shown, with the API parameter as key. Themes are computed
// per index version, so their labels come with the API's facet values (`labels: null` shows the value).
export const FACETS = [
  { name: "sector", heading: "Sektor", labels: SECTOR_LABELS },
  { name: "theme", heading: "Tema", labels: null },
  { name: "effect", heading: "Effekt", labels: EFFECT_LABELS },
  { name: "evaluation", heading: "Evaluering", labels: EVALUATION_LABELS },
  { name: "organisation", heading: "Organisation", labels: null },
  { name: "cluster", heading: "Sundhedsklynge", labels: CLUSTER_LABELS },
  { name: "status", heading: "Status", labels: STATUS_LABELS },
  { name: "target_group", heading: "Målgruppe", labels: null },
];

export const FACET_NAMES = FACETS.map((facet) => facet.name);

// Everything the page can filter on: the facets, and keywords (tags), which are links in the detail view
// rather than a facet (there are too many of them to list).
export const FILTERS = [...FACETS, { name: "tag", heading: "Nøgleord", labels: null }];
export const FILTER_NAMES = FILTERS.map((filter) => filter.name);

/** The Danish label of a facet value; an open vocabulary (organisations, themes …) shows the value. */
export function labelFor(facetName, value) {
  const facet = FILTERS.find((f) => f.name === facetName);
  return (facet && facet.labels && facet.labels[value]) || value;
}
