"""The search path: retrieve chunks (BM25, vectors or both), fuse, group into initiatives, explain."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from urllib.parse import quote

import numpy as np

from initiative_index.embedders import Embedder
from initiative_index.schema import CLUSTER_LABELS, SECTOR_LABELS, STATUS_LABELS
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore
from search_api.fusion import (
    InitiativeGroup,
    RankedList,
    fuse_rrf,
    fuse_weighted,
    group_by_initiative,
    initiative_ranks,
    scores_of,
)
from search_api.models import (
    Explanation,
    FacetValue,
    Passage,
    SearchHit,
    SearchRequest,
    SearchResponse,
    SimilarInitiative,
)
from search_api.snippets import highlight

FACET_FIELDS = {
    "sector": ("sectors", SECTOR_LABELS),
    "organisation": ("organisations", None),
    "cluster": ("cluster", CLUSTER_LABELS),
    "status": ("status", STATUS_LABELS),
    "target_group": ("target_groups", None),
}
SUMMARY_FIELDS = (
    "id", "title", "summary", "organisations", "sectors", "cluster", "status", "target_groups", "tags",
    "start_date", "end_date", "url", "has_metadata",
)  # fmt: skip


@dataclass(frozen=True)
class Retrieved:
    """What the retrievers returned for one query, before grouping."""

    lexical: RankedList
    semantic: RankedList
    chunk_scores: dict[int, float]
    query_terms: set[str]


class SearchEngine:
    """Searches one index snapshot; immutable, so a reload swaps in a new engine."""

    def __init__(
        self, settings: Settings, store: ChunkStore, embedder: Embedder, snapshot: IndexSnapshot
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.snapshot = snapshot
        # Per initiative (by position), its facet entries: counting them per query is then one pass.
        self._facet_entries = [facet_entries(snapshot.records[i]) for i in snapshot.initiative_ids]

    # -- retrieval -------------------------------------------------------------------------------

    def retrieve(self, request: SearchRequest) -> Retrieved:
        """Chunk-level candidates of both retrievers within the filters, and their fused scores."""
        snapshot = self.snapshot
        k = self.settings.candidates
        lexical = semantic = RankedList.empty()
        if request.mode in ("lexical", "hybrid"):
            rows, scores = snapshot.lexical.search(request.query, k, snapshot.chunk_mask(request.filters))
            lexical = RankedList(rows, scores)
        if request.mode in ("semantic", "hybrid"):
            vector = self.embedder.encode_queries([request.query])[0]
            where = request.filters.chroma_where()
            ids, sims = self.store.query(vector, k, where)
            # Every chunk is some distance from any query; only those near the best one count as matches,
            # so totals and facets mean something. The best hit is taken without filters, so a filtered
            # search matches exactly the subset its facet count promised.
            floor = -2.0
            if sims and self.settings.semantic_window:
                best = sims[0] if where is None else max(self.store.query(vector, 1, None)[1] or sims[:1])
                floor = best - self.settings.semantic_window
            # Chunks written after this snapshot was taken are skipped until the next reload.
            pairs = [
                (snapshot.row_of[i], s)
                for i, s in zip(ids, sims, strict=True)
                if s >= floor and i in snapshot.row_of
            ]
            semantic = RankedList(
                np.array([r for r, _ in pairs], dtype=np.int64),
                np.array([s for _, s in pairs], dtype=np.float32),
            )
        if request.mode == "lexical":
            fused = scores_of(lexical)
        elif request.mode == "semantic":
            fused = scores_of(semantic)
        elif self.settings.fusion == "rrf":
            fused = fuse_rrf([lexical, semantic], self.settings.rrf_k)
        else:
            fused = fuse_weighted(lexical, semantic, self.settings.lexical_weight)
        terms = set(snapshot.lexical.analyzer.terms(request.query))
        return Retrieved(lexical, semantic, fused, terms)

    def rank(self, request: SearchRequest) -> tuple[Retrieved, list[InitiativeGroup]]:
        """Initiatives matching the request, best first (used by the API and by evaluation)."""
        retrieved = self.retrieve(request)
        return retrieved, group_by_initiative(retrieved.chunk_scores, self.snapshot.chunk_initiative)

    def search(self, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        retrieved, groups = self.rank(request)
        page = groups[request.offset : request.offset + request.limit]
        explain_ranks = None
        if request.explain:
            explain_ranks = (
                initiative_ranks(retrieved.lexical, self.snapshot.chunk_initiative),
                initiative_ranks(retrieved.semantic, self.snapshot.chunk_initiative),
            )
        hits = [self._hit(group, retrieved, explain_ranks) for group in page]
        return SearchResponse(
            query=request.query,
            mode=request.mode,
            total=len(groups),
            offset=request.offset,
            limit=request.limit,
            results=hits,
            facets=self._facets(groups),
            index_version=self.snapshot.version,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def warm_up(self) -> None:
        """Run one search through every stage, so lazy loading (HNSW segment, caches) happens now."""
        if self.snapshot.ids:
            self.search(SearchRequest(query="sundhed", mode="hybrid", limit=1))

    # -- presenting ------------------------------------------------------------------------------

    def record(self, initiative: int) -> dict:
        return self.snapshot.records[self.snapshot.initiative_ids[initiative]]

    def _hit(
        self,
        group: InitiativeGroup,
        retrieved: Retrieved,
        ranks: tuple[dict[int, int], dict[int, int]] | None,
    ) -> SearchHit:
        record = self.record(group.initiative)
        # Snippets are the costly part of a result: make only those that are shown.
        rows = [row for row in group.rows if self.snapshot.metadatas[row].get("kind") != "card"]
        passages = [
            self._passage(row, retrieved.query_terms) for row in rows[: self.settings.passages_per_initiative]
        ]
        explanation = None
        if ranks is not None:
            explanation = Explanation(
                lexical_rank=ranks[0].get(group.initiative),
                semantic_rank=ranks[1].get(group.initiative),
                fused_score=round(group.score, 6),
            )
        return SearchHit(
            **summary_fields(record),
            score=round(group.score, 6),
            passages=passages,
            detail_url=f"/initiatives/{quote(record['id'])}",
            explain=explanation,
        )

    def _passage(self, row: int, query_terms: set[str]) -> Passage:
        meta = self.snapshot.metadatas[row]
        snippet = highlight(self.snapshot.texts[row], query_terms, self.snapshot.lexical.analyzer)
        page = None
        if meta.get("page_start"):
            page = meta["page_start"] + sum(1 for b in meta.get("page_breaks", ()) if b <= snippet.offset)
        url = document_url(meta["initiative_id"], meta["doc_name"])
        if page and meta["doc_name"].lower().endswith(".pdf"):
            url += f"#page={page}"
        return Passage(
            snippet=snippet.html,
            document=meta["doc_name"],
            document_title=meta.get("doc_title") or meta["doc_name"],
            page=page,
            url=url,
        )

    def _facets(self, groups: list[InitiativeGroup]) -> dict[str, list[FacetValue]]:
        entries = self._facet_entries
        counts = Counter(chain.from_iterable(entries[group.initiative] for group in groups))
        facets: dict[str, list[FacetValue]] = {name: [] for name in FACET_FIELDS}
        for (name, value), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1])):
            labels = FACET_FIELDS[name][1]
            facets[name].append(FacetValue(value=value, label=(labels or {}).get(value, value), count=count))
        return facets

    # -- similar initiatives ---------------------------------------------------------------------

    def similar(self, initiative_id: str, limit: int) -> list[SimilarInitiative]:
        """Initiatives whose content is nearest to this one's (the centroid of its chunk vectors)."""
        snapshot = self.snapshot
        own_rows = np.flatnonzero(snapshot.chunk_initiative == snapshot.initiative_position[initiative_id])
        vectors = self.store.get_embeddings([snapshot.ids[r] for r in own_rows])
        if len(vectors) == 0:
            return []
        centroid = vectors.mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        ids, sims = self.store.query(
            centroid, self.settings.candidates, {"initiative_id": {"$ne": initiative_id}}
        )
        best: dict[str, float] = {}
        for chunk_id, sim in zip(ids, sims, strict=True):
            row = snapshot.row_of.get(chunk_id)
            if row is not None:
                other = snapshot.metadatas[row]["initiative_id"]
                best[other] = max(best.get(other, -1.0), sim)
        me = snapshot.records[initiative_id]
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [
            SimilarInitiative(
                **summary_fields(snapshot.records[other]),
                similarity=round(sim, 4),
                different_sector=set(snapshot.records[other].get("sectors", [])).isdisjoint(
                    me.get("sectors", [])
                ),
                different_organisation=set(snapshot.records[other].get("organisations", [])).isdisjoint(
                    me.get("organisations", [])
                ),
                detail_url=f"/initiatives/{quote(other)}",
            )
            for other, sim in ranked
        ]


def facet_entries(record: dict) -> tuple[tuple[str, str], ...]:
    """(facet name, value) for every facet value of one initiative record."""
    entries = []
    for name, (key, _) in FACET_FIELDS.items():
        value = record.get(key)
        values = value if isinstance(value, list) else [value]
        entries.extend((name, item) for item in values if item)  # the schema keeps list values unique
    return tuple(entries)


def summary_fields(record: dict) -> dict:
    return {key: record[key] for key in SUMMARY_FIELDS if record.get(key) is not None}


@lru_cache(maxsize=65536)
def document_url(initiative_id: str, doc_name: str) -> str:
    return f"/initiatives/{quote(initiative_id)}/documents/{quote(doc_name)}"
