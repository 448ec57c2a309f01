"""The search path: retrieve chunks (BM25, vectors or both), fuse, group into initiatives, explain.

Without a query the engine browses: every initiative the filters allow, in the order asked for. Each
initiative carries its theme from the index version's landscape (landscape/), so the theme is a filter
and a facet like any metadata field.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote, urlencode

import numpy as np
from scipy import sparse

from initiative_index.embedders import Embedder
from initiative_index.filters import FilterIndex, SearchFilters
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore
from initiative_index.thesaurus import load_thesaurus
from initiative_index.vocabulary import (
    CROSS_SECTOR,
    FACET_NAMES,
    FIELD_BY_NAME,
    FIELDS,
    PUBLIC,
    STATUS_ORDER,
    THEME_FIELD,
    VISIBILITY_FIELD,
)
from landscape.model import Landscape
from landscape.overlaps import lead_organisation
from search_api.document_render import renders
from search_api.fusion import (
    InitiativeGroup,
    RankedList,
    Ranking,
    group_by_initiative,
    initiative_ranks,
)
from search_api.models import (
    ConceptExplanation,
    Explanation,
    FacetValue,
    Passage,
    QueryExplanation,
    SearchHit,
    SearchRequest,
    SearchResponse,
    SimilarInitiative,
)
from search_api.passage_merging import PassageText, merge_passages
from search_api.places import Place
from search_api.retrieval import QueryUnderstanding, Retrieved, Retriever
from search_api.snippets import highlight

ABOUT_SHARE = 0.5  # "about the topic": at least half the best match's score
RELATED_LIMIT = 50  # near misses after the matches: the ranking goes on (the page shows the first 10)
SUMMARY_FIELDS = (
    "id", "title", "summary", "organisations", "sectors", "cluster", "status", "target_groups", "tags",
    "start_date", "end_date", "url", "has_metadata", "evaluation", "effect", "results", "theme",
    "theme_label",
)  # fmt: skip


class SearchEngine:
    """Searches one index snapshot; immutable, so a reload swaps in a new engine."""

    def __init__(
        self,
        settings: Settings,
        store: ChunkStore,
        embedder: Embedder,
        snapshot: IndexSnapshot,
        landscape: Landscape,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.snapshot = snapshot
        self.landscape = landscape
        labels = {theme.id: theme.label for theme in landscape.themes}
        self.theme_labels = labels
        # The records as the API shows them: the stored record plus its theme.
        self.records: dict[str, dict] = {}
        for initiative_id in snapshot.initiative_ids:
            theme = landscape.theme_of.get(initiative_id)
            extra = {THEME_FIELD: theme, "theme_label": labels.get(theme)} if theme else {}
            self.records[initiative_id] = {**snapshot.records[initiative_id], **extra}
        ordered = [self.records[i] for i in snapshot.initiative_ids]
        # Whether anonymous requests need the visibility filter at all (search_api.access).
        self.any_internal = any(record.get(VISIBILITY_FIELD, PUBLIC) != PUBLIC for record in ordered)
        # Per initiative (by position), its facet entries: counting them per query is then one pass.
        self._facet_entries = [facet_entries(record) for record in ordered]
        self._facet_values, self._facet_matrix = facet_matrix(self._facet_entries)
        self._filter_index = FilterIndex(ordered)
        self._starts = [record.get("start_date") or "" for record in ordered]
        self._titles = [(record.get("title") or "").casefold() for record in ordered]
        self._status = [record.get("status") or "" for record in ordered]
        thesaurus = load_thesaurus(settings.thesaurus, snapshot.lexical.analyzer)
        self.retriever = Retriever(settings, store, embedder, snapshot, ordered, thesaurus)

    def with_settings(self, **update: object) -> SearchEngine:
        """The same index, model and landscape searched with other settings (for tuning on the dev split)."""
        settings = self.settings.model_copy(update=update)
        return SearchEngine(settings, self.store, self.embedder, self.snapshot, self.landscape)

    # -- filters ---------------------------------------------------------------------------------

    def initiative_mask(self, filters: SearchFilters) -> np.ndarray:
        """Which initiatives (positions of `snapshot.initiative_ids`) pass the filters."""
        if filters.is_empty():
            return np.ones(len(self.snapshot.initiative_ids), dtype=bool)
        return self._filter_index.mask(filters)

    def _vector_where(self, filters: SearchFilters, mask: np.ndarray | None) -> dict | None:
        """The Chroma `where` of the filters; a derived field (the theme) restricts by initiative id."""
        where = filters.chroma_where()
        if not any(not field.in_chunks for field, _ in filters.chosen()):
            return where
        allowed = [self.snapshot.initiative_ids[i] for i in np.flatnonzero(mask)] if mask is not None else []
        restriction = {"initiative_id": {"$in": allowed or ["\x00"]}}  # $in needs a value; none match this
        return restriction if where is None else {"$and": [where, restriction]}

    # -- retrieval -------------------------------------------------------------------------------

    def retrieve(self, request: SearchRequest) -> Retrieved:
        """Passages of both retrievers within the filters, their fused scores, and what matches."""
        mask = None if request.filters.is_empty() else self.initiative_mask(request.filters)
        where = self._vector_where(request.filters, mask) if request.mode != "lexical" else None
        return self.retriever.retrieve(request.query or "", request.mode, mask, where)

    def rank(self, request: SearchRequest) -> tuple[Retrieved, Ranking]:
        """Initiatives matching the request, best first (used by the API and by evaluation).

        Without a query: every initiative the filters allow, in the requested order."""
        if request.query is None:
            nothing = Retrieved(RankedList.empty(), RankedList.empty(), {}, set(), np.zeros(0, dtype=bool))
            return nothing, Ranking(self._browse(request))
        retrieved = self.retrieve(request)
        candidates = group_by_initiative(retrieved.chunk_scores, self.snapshot.chunk_initiative)
        matched = retrieved.matched
        groups = [group for group in candidates if matched[group.initiative]]
        # A match the ranking has no passage for (a place's initiative the text never names, or one beyond
        # the candidates) comes last, as a position: tens of thousands at scale, made into groups when read.
        unranked = matched.copy()
        unranked[[group.initiative for group in groups]] = False
        ranking = Ranking(groups, np.flatnonzero(unranked))
        understanding = retrieved.understanding
        places = understanding.places if understanding else []
        if places and request.sort == "relevance":
            ranking = Ranking(self._boost_places(list(ranking), places))
        elif request.sort != "relevance":
            ranking = Ranking(self._sorted(list(ranking), request.sort))
        return retrieved, ranking.with_related(self._related(candidates, matched, retrieved))

    def _related(
        self, candidates: list[InitiativeGroup], matched: np.ndarray, retrieved: Retrieved
    ) -> list[InitiativeGroup]:
        """Near misses after the matches, never counted: the next RELATED_LIMIT candidates in ranking
        order, so the first page holds what the model ranks highest even when few pass the thresholds
        (an abbreviation the text never spells out, a question in other words). For a query the index
        does not speak (nonsense, another domain) only candidates that reach the semantic threshold
        itself: a real question in words the index does not use should not meet an empty page, while
        nonsense mostly gets nothing. None when the query demands a phrase or only names a place."""
        understanding = retrieved.understanding
        if understanding is None or understanding.syntax.phrases:
            return []
        if understanding.places and all(concept.weak for concept in understanding.concepts):
            return []
        related = [group for group in candidates if not matched[group.initiative]]
        if not retrieved.understood:
            closest, threshold = self._closest_in_meaning(retrieved), self.settings.semantic_threshold
            related = [g for g in related if closest.get(g.initiative, -1.0) >= threshold]
        related = related[:RELATED_LIMIT]
        for group in related:
            group.related = True
        return related

    def _closest_in_meaning(self, retrieved: Retrieved) -> dict[int, float]:
        """Initiative position -> its best passage's cosine similarity to the query."""
        best: dict[int, float] = {}
        chunk_initiative = self.snapshot.chunk_initiative
        for row, score in zip(
            retrieved.semantic.rows.tolist(), retrieved.semantic.scores.tolist(), strict=True
        ):
            initiative = int(chunk_initiative[row])
            best[initiative] = max(best.get(initiative, -1.0), score)
        return best

    def _boost_places(self, groups: list[InitiativeGroup], places: list[Place]) -> list[InitiativeGroup]:
        """A place named in the query is a soft filter: its initiatives' scores count `place_boost` times.

        Scores are first scaled to [0, 1] over this query's matches, so the boost means the same in every
        mode: raw cosines all lie within a few hundredths of each other, and multiplying them would put
        every initiative of the place above every other."""
        boost = self.settings.place_boost
        scores = [group.score for group in groups]
        low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
        span = high - low or 1.0
        for group in groups:
            group.score = (group.score - low) / span
            if any(place.holds(self.record(group.initiative)) for place in places):
                group.score *= boost
        return sorted(groups, key=lambda g: (-g.score, g.initiative))

    def matching_ids(self, request: SearchRequest) -> list[str]:
        """Ids of every initiative the request matches, in its order (for the overview and exports)."""
        _, ranking = self.rank(request)
        ids = self.snapshot.initiative_ids
        return [ids[position] for position in ranking.match_positions().tolist()]

    def _browse(self, request: SearchRequest) -> list[InitiativeGroup]:
        positions = np.flatnonzero(self.initiative_mask(request.filters)).tolist()
        return self._sorted([InitiativeGroup(int(p)) for p in positions], request.sort, browsing=True)

    def _sorted(
        self, groups: list[InitiativeGroup], sort: str, browsing: bool = False
    ) -> list[InitiativeGroup]:
        """Relevance keeps the engine's order (browsing has none: by title); ties always by title."""
        if sort == "relevance" and not browsing:
            return groups
        by_title = sorted(groups, key=lambda g: (self._titles[g.initiative], g.initiative))
        if sort == "newest":  # latest start first, initiatives without a start date last (sorts are stable)
            dated = [g for g in by_title if self._starts[g.initiative]]
            undated = [g for g in by_title if not self._starts[g.initiative]]
            return sorted(dated, key=lambda g: self._starts[g.initiative], reverse=True) + undated
        if sort == "status":
            return sorted(
                by_title, key=lambda g: STATUS_ORDER.get(self._status[g.initiative], len(STATUS_ORDER))
            )
        return by_title

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
        understanding = retrieved.understanding
        # Only a query naming a place needs the matches as groups (its notice); counts need positions.
        matches = groups.matches() if understanding and understanding.places else []
        return SearchResponse(
            query=request.query,
            searched_query=understanding.searched if understanding else None,
            did_you_mean=understanding.did_you_mean if understanding else None,
            places=[place.name for place in understanding.places] if understanding else [],
            notice=self._notice(understanding, matches) if understanding else None,
            analysis=self._analysis(understanding) if understanding and request.explain else None,
            mode=request.mode,
            sort=request.sort,
            total=groups.match_count,
            related=len(groups.related),
            offset=request.offset,
            limit=request.limit,
            results=hits,
            facets=self.facets(groups.match_positions()),
            index_version=self.snapshot.version,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def warm_up(self) -> None:
        """Run one search through every stage, so lazy loading (HNSW segment, caches) happens now."""
        if self.snapshot.chunk_count:
            self.search(SearchRequest(query="sundhed", mode="hybrid", limit=1))

    # -- presenting ------------------------------------------------------------------------------

    def record(self, initiative: int) -> dict:
        return self.records[self.snapshot.initiative_ids[initiative]]

    def _hit(
        self,
        group: InitiativeGroup,
        retrieved: Retrieved,
        ranks: tuple[dict[int, int], dict[int, int]] | None,
    ) -> SearchHit:
        record = self.record(group.initiative)
        # Snippets are the costly part of a result: make only those that are shown.
        shown = self.settings.passages_per_initiative
        # Twice as many chunks as passages shown: overlapping ones are joined, repeated ones dropped.
        rows = [row for row in group.rows if not self.snapshot.is_card[row]][: 2 * shown]
        passages = [
            self._passage(text, retrieved.query_terms)
            for text in merge_passages([self._passage_text(row) for row in rows])[:shown]
        ]
        explanation = None
        if ranks is not None and retrieved.chunk_scores:
            explanation = Explanation(
                lexical_rank=ranks[0].get(group.initiative),
                semantic_rank=ranks[1].get(group.initiative),
                fused_score=round(group.score, 6),
            )
        return SearchHit(
            **summary_fields(record),
            score=round(group.score, 6),
            match=self._match_kind(group, retrieved),
            matched_terms=retrieved.lexical_terms.get(group.initiative, [])
            if not group.related
            and retrieved.lexical_matched is not None
            and retrieved.lexical_matched[group.initiative]
            else [],
            passages=passages,
            contact_name=contact_name(record),
            detail_url=f"/initiatives/{quote(record['id'])}",
            explain=explanation,
        )

    @staticmethod
    def _match_kind(group: InitiativeGroup, retrieved: Retrieved) -> str | None:
        understanding = retrieved.understanding
        initiative = group.initiative
        if understanding is None:
            return None
        if group.related:
            return "related"
        if retrieved.lexical_matched is not None and retrieved.lexical_matched[initiative]:
            return "terms"
        if understanding.places and all(c.weak for c in understanding.concepts):
            return "place"
        return "meaning"

    def _notice(self, understanding: QueryUnderstanding, groups: list[InitiativeGroup]) -> str | None:
        """One Danish sentence on how the query was read, when that changes what is shown."""
        if understanding.corrected_from:
            return (
                f"Ingen initiativer indeholder »{understanding.corrected_from}«. "
                f"Viser resultater for »{understanding.searched}«."
            )
        places = understanding.places
        if not places or all(c.weak for c in understanding.concepts) or not groups:
            return None
        names = " og ".join(place.name for place in places)
        topic = " ".join(concept.typed for concept in understanding.concepts if not concept.weak)
        # "About the topic": scoring at least ABOUT_SHARE of the best match (before the place's boost); a
        # passing mention of the topic in a Hjørring document does not make a Hjørring initiative about it.
        boost = self.settings.place_boost
        best = max(g.score / (boost if self._at(g, places) else 1.0) for g in groups)
        about = [g for g in groups if self._at(g, places) and g.score / boost >= ABOUT_SHARE * best]
        if not about:
            return f"Ingen initiativer om {topic} i {names} – viser {topic} andre steder."
        return f"Initiativer i {names} er rykket frem ({len(about)} handler om {topic})."

    def _at(self, group: InitiativeGroup, places: list[Place]) -> bool:
        return any(place.holds(self.record(group.initiative)) for place in places)

    def _analysis(self, understanding: QueryUnderstanding) -> QueryExplanation:
        syntax = understanding.syntax
        return QueryExplanation(
            searched=understanding.searched,
            concepts=[
                ConceptExplanation(
                    typed=concept.typed,
                    searched_as=list(dict.fromkeys(" ".join(a.stems) for a in concept.alternatives)),
                    thesaurus=[a.shown for a in concept.alternatives if a.expansion],
                )
                for concept in understanding.concepts
            ],
            places=[place.name for place in understanding.places],
            phrases=[" ".join(words) for words in syntax.phrases],
            excluded=[" ".join(words) for words in syntax.excluded],
            semantic_threshold=self.settings.semantic_threshold,
            semantic_margin=self.settings.semantic_margin,
        )

    def _passage_text(self, row: int) -> PassageText:
        text, meta = self.snapshot.chunk(row)  # decoded from the mapped segment: only shown passages are
        return PassageText(
            document=meta["doc_name"],
            text=text,
            rows=[row],
            page_start=meta.get("page_start") or None,
            page_breaks=list(meta.get("page_breaks", ())),
        )

    def _passage(self, passage: PassageText, query_terms: set[str]) -> Passage:
        meta = self.snapshot.chunk(passage.rows[0])[1]
        snippet = highlight(passage.text, query_terms, self.snapshot.lexical.analyzer)
        page = None
        if passage.page_start:
            page = passage.page_start + sum(1 for b in passage.page_breaks if b <= snippet.offset)
        url = document_url(meta["initiative_id"], meta["doc_name"])
        if page and meta["doc_name"].lower().endswith(".pdf"):
            url += f"#page={page}"
        return Passage(
            snippet=snippet.html,
            document=meta["doc_name"],
            document_title=meta.get("doc_title") or meta["doc_name"],
            page=page,
            url=url,
            view_url=view_url(meta["initiative_id"], meta["doc_name"], snippet.text),
        )

    def facets(self, positions: list[int] | np.ndarray) -> dict[str, list[FacetValue]]:
        """Counts per value of every facet field over the given initiatives (positions)."""
        # One sparse row per initiative, one column per (facet, value): counting is a column sum, which
        # stays in milliseconds when a query matches thousands of initiatives.
        totals = np.asarray(self._facet_matrix[np.asarray(positions, dtype=np.int64)].sum(axis=0)).ravel()
        counts = {self._facet_values[c]: int(totals[c]) for c in np.flatnonzero(totals).tolist()}
        facets: dict[str, list[FacetValue]] = {name: [] for name in FACET_NAMES}
        for (name, value), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1])):
            label = (
                self.theme_labels.get(value, value)
                if name == THEME_FIELD
                else FIELD_BY_NAME[name].label(value)
            )
            facets[name].append(FacetValue(value=value, label=label, count=count))
        return facets

    # -- similar initiatives ---------------------------------------------------------------------

    def similar(
        self, initiative_id: str, limit: int, visible: Callable[[dict], bool] = lambda record: True
    ) -> list[SimilarInitiative]:
        """The initiatives nearest to this one in meaning and vocabulary, 'the same idea elsewhere' first;
        only those `visible` to the request (an internal initiative never shows to an anonymous one)."""
        me = self.records[initiative_id]
        same_idea = {
            next(i for i in overlap.initiatives if i != initiative_id): overlap
            for overlap in self.landscape.overlaps
            if initiative_id in overlap.initiatives
        }
        neighbours = dict(self.landscape.neighbours.get(initiative_id, []))
        for other, overlap in same_idea.items():
            neighbours.setdefault(other, overlap.score)
        ranked = sorted(neighbours.items(), key=lambda kv: (other_first(kv[0], same_idea), -kv[1], kv[0]))
        results = []
        for other, similarity in ranked:
            record = self.records.get(other)
            if record is None or not visible(record):
                continue
            if len(results) >= limit:
                break
            overlap = same_idea.get(other)
            results.append(
                SimilarInitiative(
                    **summary_fields(record),
                    similarity=round(similarity, 4),
                    different_sector=different_sectors(me, record),
                    different_organisation=lead_organisation(me) != lead_organisation(record),
                    same_idea=overlap is not None,
                    reason=overlap.reason if overlap else None,
                    detail_url=f"/initiatives/{quote(other)}",
                )
            )
        return results


def other_first(initiative_id: str, same_idea: dict) -> int:
    return 0 if initiative_id in same_idea else 1


def different_sectors(first: dict, second: dict) -> bool:
    """No sector in common, 'tværsektoriel' aside (most initiatives carry it, so it decides nothing)."""
    a = set(first.get("sectors", [])) - {CROSS_SECTOR}
    b = set(second.get("sectors", [])) - {CROSS_SECTOR}
    return bool(a and b) and a.isdisjoint(b)


def facet_entries(record: dict) -> tuple[tuple[str, str], ...]:
    """(facet name, value) for every facet value of one initiative record."""
    return tuple((field.name, value) for field in FIELDS if field.facet for value in field.values(record))


def facet_matrix(
    entries: list[tuple[tuple[str, str], ...]],
) -> tuple[list[tuple[str, str]], sparse.csr_matrix]:
    """The (facet, value) pairs, and a 0/1 matrix of initiatives (rows) by pair (columns)."""
    columns: dict[tuple[str, str], int] = {}
    rows, cols = [], []
    for row, pairs in enumerate(entries):
        for pair in pairs:
            rows.append(row)
            cols.append(columns.setdefault(pair, len(columns)))
    data = np.ones(len(rows), dtype=np.int32)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(entries), len(columns)), dtype=np.int32)
    return list(columns), matrix


def summary_fields(record: dict) -> dict:
    return {key: record[key] for key in SUMMARY_FIELDS if record.get(key) is not None}


def contact_name(record: dict) -> str | None:
    contact = record.get("contact")
    name = contact.get("name") if isinstance(contact, dict) else None
    return str(name) if name else None


def view_url(initiative_id: str, doc_name: str, passage: str | None = None) -> str | None:
    """The document view's address (with the passage to mark), or None when the format is not rendered."""
    if not renders(doc_name):
        return None
    url = f"/initiatives/{quote(initiative_id)}/view/{quote(doc_name)}"
    return f"{url}?{urlencode({'passage': passage})}#passage" if passage else url


@lru_cache(maxsize=65536)
def document_url(initiative_id: str, doc_name: str) -> str:
    return f"/initiatives/{quote(initiative_id)}/documents/{quote(doc_name)}"
