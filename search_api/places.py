"""Places named in a query: a municipality, an organisation or a health cluster acts as a soft filter.

"demens Hjørring" is about dementia, in Hjørring: the place's words are taken out of the topic, and among
the initiatives that match the topic, those of the place come first. When none of them is at the place,
the search says so and shows the topic elsewhere. A query that is only a place ("Sundhedsklynge Syd")
lists the place's initiatives.

Places come from the index itself: every organisation an initiative names (full name), a municipality also
by its name alone ("Hjørring" for "Hjørring Kommune", and the genitive "Hjørrings"), and the clusters by
their labels ("Sundhedsklynge Syd", also "klynge Syd").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from initiative_index.schema import CLUSTER_LABELS, Cluster
from initiative_index.vocabulary import MUNICIPALITY_SUFFIX, is_municipality


@dataclass(frozen=True)
class Place:
    name: str  # as shown: "Hjørring Kommune", "Sundhedsklynge Syd"
    words: tuple[str, ...]  # the query's words that named it, as typed
    organisation: str | None = None
    cluster: str | None = None

    def holds(self, record: dict) -> bool:
        """Whether an initiative is at this place (the organisation takes part, or it is in the cluster)."""
        if self.organisation is not None and self.organisation in record.get("organisations", []):
            return True
        return self.cluster is not None and record.get("cluster") == self.cluster


class PlaceIndex:
    """Every way the index's places can be written, longest first."""

    def __init__(self, records: Iterable[dict]) -> None:
        records = list(records)
        self._names: dict[tuple[str, ...], tuple[str, str | None, str | None]] = {}
        organisations = sorted({o for record in records for o in record.get("organisations", [])})
        for organisation in organisations:
            self._add(organisation, organisation, organisation=organisation)
            if is_municipality(organisation):
                short = organisation.removesuffix(MUNICIPALITY_SUFFIX)
                self._add(short, organisation, organisation=organisation)
                self._add(short + "s", organisation, organisation=organisation)  # "Hjørrings akutteam"
        clusters = {record.get("cluster") for record in records}
        for cluster, label in CLUSTER_LABELS.items():
            if cluster == Cluster.INGEN or (cluster.value not in clusters and label not in organisations):
                continue  # a place no initiative is at is no place to filter on (a BEIR collection has none)
            # The cluster as an organisation ("Sundhedsklynge Syd" runs projects) and as an area.
            organisation = label if label in organisations else None
            self._add(label, label, organisation=organisation, cluster=cluster.value, replace=True)
            self._add(f"klynge {cluster.value}", label, organisation=organisation, cluster=cluster.value)
        self._longest = max((len(k) for k in self._names), default=0)

    def _add(
        self,
        written: str,
        name: str,
        organisation: str | None = None,
        cluster: str | None = None,
        replace: bool = False,
    ) -> None:
        key = tuple(written.lower().split())
        # A full organisation name wins over a short name written the same way.
        if replace or key not in self._names or organisation == written:
            self._names[key] = (name, organisation, cluster)

    def find(self, words: Sequence[str]) -> tuple[list[Place], list[str]]:
        """The places named in `words` and the words left for the topic."""
        lowered = [w.lower() for w in words]
        places: list[Place] = []
        rest: list[str] = []
        position = 0
        while position < len(words):
            for length in range(min(self._longest, len(words) - position), 0, -1):
                key = tuple(lowered[position : position + length])
                if key in self._names:
                    name, organisation, cluster = self._names[key]
                    if all(p.name != name for p in places):
                        places.append(
                            Place(name, tuple(words[position : position + length]), organisation, cluster)
                        )
                    position += length
                    break
            else:
                rest.append(words[position])
                position += 1
        return places, rest
