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

// The facets the page filters on, in the order shown, with the API parameter as key.
export const FACETS = [
  { name: "sector", heading: "Sektor", labels: SECTOR_LABELS },
  { name: "organisation", heading: "Organisation", labels: null },
  { name: "cluster", heading: "Sundhedsklynge", labels: CLUSTER_LABELS },
  { name: "status", heading: "Status", labels: STATUS_LABELS },
  { name: "target_group", heading: "Målgruppe", labels: null },
];

export const FACET_NAMES = FACETS.map((facet) => facet.name);

/** The Danish label of a facet value; open vocabularies (organisations, target groups) show the value. */
export function labelFor(facetName, value) {
  const facet = FACETS.find((f) => f.name === facetName);
  return (facet && facet.labels && facet.labels[value]) || value;
}
