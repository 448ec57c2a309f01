"""The filter and facet vocabulary: every initiative field people filter and count on, in one typed place.

Each `FilterField` says what the API parameter is called, where the value lives in an initiative record,
whether it is a list, the Danish heading the page shows and, for closed vocabularies, each value's label.
Filters (`initiative_index.filters`), search facets, the overview's breakdowns and the CSV export all read
this table, so a new filterable field is one line here (plus its declaration on `SearchFilters`, which
documents it in the API).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from initiative_index.schema import (
    CLUSTER_LABELS,
    EFFECT_LABELS,
    EVALUATION_LABELS,
    SECTOR_LABELS,
    STATUS_LABELS,
    VISIBILITY_LABELS,
    Status,
    Visibility,
)


@dataclass(frozen=True)
class FilterField:
    """One filterable initiative field."""

    name: str  # API parameter and facet name
    record_key: str  # key in the initiative record
    many: bool  # the record holds a list of values
    heading: str  # Danish heading on the page
    labels: Mapping[str, str] | None = None  # Danish label per value of a closed vocabulary
    facet: bool = True  # counted in search and overview facets
    # Written to every chunk's metadata so Chroma can filter inside the vector search. A derived field
    # (the theme, computed after ingestion) is not: the engine filters it by initiative id instead.
    in_chunks: bool = True

    def label(self, value: str) -> str:
        return str((self.labels or {}).get(value, value))

    def values(self, record: Mapping[str, Any]) -> list[str]:
        """The field's values in a record, as a list (empty when the record has none)."""
        value = record.get(self.record_key)
        if value is None or value == "":
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# The theme is not part of initiative.yaml: the overview (landscape/) assigns it per index version.
THEME_FIELD = "theme"
VISIBILITY_FIELD = "visibility"
PUBLIC = Visibility.OFFENTLIG.value

FIELDS: tuple[FilterField, ...] = (
    FilterField("sector", "sectors", True, "Sektor", SECTOR_LABELS),
    FilterField("organisation", "organisations", True, "Organisation"),
    FilterField("cluster", "cluster", False, "Sundhedsklynge", CLUSTER_LABELS),
    FilterField("status", "status", False, "Status", STATUS_LABELS),
    FilterField("target_group", "target_groups", True, "Målgruppe"),
    FilterField("tag", "tags", True, "Nøgleord", facet=False),
    FilterField("evaluation", "evaluation", False, "Evaluering", EVALUATION_LABELS),
    FilterField("effect", "effect", False, "Effekt", EFFECT_LABELS),
    FilterField(THEME_FIELD, THEME_FIELD, False, "Tema", in_chunks=False),
    # Access level, not a topic: no facet. The API forces `offentlig` onto requests without an API key.
    FilterField(VISIBILITY_FIELD, "visibility", False, "Synlighed", VISIBILITY_LABELS, facet=False),
)
FIELD_BY_NAME: dict[str, FilterField] = {field.name: field for field in FIELDS}
FILTER_NAMES: tuple[str, ...] = tuple(field.name for field in FIELDS)
FACET_NAMES: tuple[str, ...] = tuple(field.name for field in FIELDS if field.facet)
PERIOD_PARAMS = ("period_from", "period_to")

# Lifecycle order, for sorting by status (an idea first, closed last).
STATUS_ORDER: dict[str, int] = {status.value: position for position, status in enumerate(Status)}

# The sector every cross-sector initiative also carries: it says *that* sectors meet, not which,
# so "another sector" compares the other sectors.
CROSS_SECTOR = "tværsektoriel"

MUNICIPALITY_SUFFIX = " Kommune"


def is_municipality(organisation: str) -> bool:
    """One of the municipalities (organisations are named 'X Kommune' by the corpus' shared vocabulary)."""
    return organisation.endswith(MUNICIPALITY_SUFFIX)
