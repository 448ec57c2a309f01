"""Retrieval: understand the query, fetch passages from both retrievers, and decide honestly what matches.

Understanding: the syntax ("phrases", -words), places named in it (places.py), concepts with compound parts
and thesaurus terms (lexical_query.py), and spelling: when none of the typed words is in the index but a
correction is, the corrected query is searched instead and the response says so; when only some are
unknown, a »Mente du …?« suggestion comes back.

Matching (what `total` and the facets count): an initiative matches when it shares a query concept
(lexical_query.py) or when one of its passages is close in meaning by two absolute measures, both
calibrated on the dev split and a list of nonsense queries (eval/README.md, "Honest matches"): a cosine
similarity of at least `semantic_threshold`, and at least `semantic_margin` above the query's average
similarity to the whole collection (the query · mean chunk vector). e5 puts every Danish text within a few
hundredths of every other, so a query that matches nothing lexically ("fodboldresultater", "opskrift på
lasagne", a random string) must clear the higher `semantic_threshold_unknown` to match by meaning alone.
e5 scores an English query against Danish text about CROSS_LANGUAGE_DROP lower than the same query in
Danish (measured on the dev split's English queries and the English nonsense queries), so both thresholds
are that much lower for a query in English.
Ranking still uses every candidate of both retrievers; the list shows the matches, then a few near misses.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from initiative_index.embedders import Embedder
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore
from initiative_index.thesaurus import Thesaurus
from search_api.fusion import RankedList, fuse_rrf, fuse_weighted, scores_of
from search_api.lexical_query import Concept, LexicalMatch, MatchedTerms, build_concepts, match_concepts
from search_api.places import Place, PlaceIndex
from search_api.query_syntax import QuerySyntax, parse_syntax
from search_api.spelling import SpellChecker

log = logging.getLogger("overblik.search")

CROSS_LANGUAGE_DROP = 0.04
# A filter that leaves at least BROAD_FILTER of the chunks is applied after an unfiltered vector query that
# fetches enough more candidates (candidates / share x OVERFETCH, at most OVERFETCH_MAX): Chroma's filtered
# query reads the metadata of every chunk and grows with the collection (bench/scale.py), while a larger k
# costs little. Narrower filters, and a broad one that still leaves too few candidates, use Chroma's `where`.
BROAD_FILTER = 0.05
# A filter that leaves at most EXACT_FILTER_CHUNKS chunks is searched exactly over the segment's own mapped
# vectors instead: a municipality's or an organisation's chunks at national scale cost a few ms to compare
# with the query, while Chroma's `where` reads the metadata of every chunk (108 ms at 100,000 chunks).
EXACT_FILTER_CHUNKS = 50_000
EXACT_BLOCK = 65_536  # rows of mapped vectors multiplied at a time by an exact search over most rows
OVERFETCH = 1.5
OVERFETCH_MAX = 5_000


@dataclass(frozen=True)
class QueryUnderstanding:
    """What the engine made of the query (shown with explain=true, and in notices)."""

    typed: str
    searched: str  # what was searched: the typed query, or its correction
    syntax: QuerySyntax
    places: list[Place]
    topic: list[str]  # the words searched as topic (places and excluded words taken out)
    concepts: list[Concept]
    corrected_from: str | None = None  # the typed query, when its correction was searched instead
    did_you_mean: str | None = None  # a suggestion, when only some words were unknown


@dataclass(frozen=True)
class Retrieved:
    """What the retrievers returned for one query, before grouping."""

    lexical: RankedList
    semantic: RankedList
    chunk_scores: dict[int, float]
    query_terms: set[str]  # stems to mark in snippets
    matched: np.ndarray  # bool per initiative position: matches the query
    lexical_matched: np.ndarray | None = None  # bool per initiative position: shares a query concept
    lexical_terms: MatchedTerms = field(default_factory=MatchedTerms)  # position -> matched terms, as shown
    understanding: QueryUnderstanding | None = None
    understood: bool = True  # the index speaks the query: its words are there, not mostly absent


class Retriever:
    """Query understanding and retrieval over one snapshot (immutable: built with the engine)."""

    def __init__(
        self,
        settings: Settings,
        store: ChunkStore,
        embedder: Embedder,
        snapshot: IndexSnapshot,
        records: list[dict],
        thesaurus: Thesaurus,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.snapshot = snapshot
        self.records = records  # by initiative position
        self.thesaurus = thesaurus
        self.places = PlaceIndex(records)
        self.spelling = spell_checker(snapshot)
        self._analyzer = snapshot.lexical.analyzer
        self._initiatives = len(snapshot.initiative_ids)
        # The card of a document without metadata is its title and a sentence every such card shares: as a
        # vector it only competes with the document's own passages (nDCG@10 0.822 -> 0.827 without it on
        # the short-document collection), so the semantic side leaves it out.
        described = np.array([record.get("has_metadata", True) for record in records], dtype=bool)
        cards = snapshot.is_card
        self._empty_cards = cards & ~described[snapshot.chunk_initiative] if len(cards) else cards
        # A results page asks for the same query several times (the list, the overview of its matches, each
        # page and filter click), and encoding it is most of a search's time.
        self.query_vector = lru_cache(maxsize=settings.query_cache)(self._encode_query)

    def _encode_query(self, text: str) -> np.ndarray:
        vector = self.embedder.encode_queries([text])[0]
        vector.setflags(write=False)  # shared by every search of this text
        return vector

    # -- understanding ---------------------------------------------------------------------------

    def understand(self, query: str, mask: np.ndarray | None) -> tuple[QueryUnderstanding, LexicalMatch]:
        syntax = parse_syntax(query)
        understanding, lexical = self._understand(query, query, syntax, mask)
        unknown = [w for w in understanding.topic if self._correction(w)]
        if not unknown:
            return understanding, lexical
        corrected_words = [self._correction(w) or w for w in syntax.words]
        corrected = " ".join(corrected_words)
        if not lexical.matched.any():
            retry, retry_lexical = self._understand(query, corrected, parse_syntax(corrected), mask)
            if retry_lexical.matched.any():
                return replace(retry, corrected_from=query), retry_lexical
        return replace(understanding, did_you_mean=corrected), lexical

    def _understand(
        self, typed: str, searched: str, syntax: QuerySyntax, mask: np.ndarray | None
    ) -> tuple[QueryUnderstanding, LexicalMatch]:
        places, topic = self.places.find(syntax.words)
        concepts = build_concepts(topic, self._analyzer, self.thesaurus)
        chunk_mask = mask[self.snapshot.chunk_initiative] if mask is not None else None
        lexical = match_concepts(
            concepts,
            self.snapshot.lexical,
            self.snapshot.chunk_initiative,
            self._initiatives,
            chunk_mask,
            self.settings.candidates,
            self.settings.minimum_match,
        )
        return QueryUnderstanding(typed, searched, syntax, places, topic, concepts), lexical

    def _correction(self, word: str) -> str | None:
        """A correction for a word neither the index nor the language knows ("hjemmebehandlig"); a real
        word the index lacks ("udlejning") is a question about something else, not a typo."""
        parts = re.findall(r"\w+", word.lower())
        if len(parts) != 1 or self._analyzer.is_stopword(parts[0]) or self.spelling.known(parts[0]):
            return None
        if self._analyzer.is_language_word(parts[0]):
            return None
        return self.spelling.correct(parts[0])

    # -- retrieval -------------------------------------------------------------------------------

    def _base_candidates(
        self, vector: np.ndarray, where: dict | None, mask: np.ndarray | None
    ) -> list[tuple[int, float]]:
        """The base segment's nearest live chunks (row, similarity) within the filter: for a narrow filter an
        exact search over the segment's vectors (EXACT_FILTER_CHUNKS); for a large base its own vector
        partitions (initiative_index/partitions.py); else Chroma's answer while the store
        holds this snapshot's version; otherwise (an ingestion is changing it, a newer version is
        not loaded yet, or the query failed) an exact search over the base segment's own mapped vectors, so
        an answer is always of one version (load during change)."""
        snapshot = self.snapshot
        vectors = snapshot.base_vectors
        narrow = mask is not None and int(snapshot.initiative_chunks[mask].sum()) <= EXACT_FILTER_CHUNKS
        if vectors is not None and where is not None and narrow:
            return self._exact_candidates(vector, vectors, 0, mask)
        if vectors is not None and snapshot.partitions is not None:
            return self._partition_candidates(vector, vectors, mask)
        try:
            ids, sims = self._vector_candidates(vector, where, mask)
            # Read after the query: an ingestion marks the store dirty before its first change, so a clean
            # manifest of this version now means the query saw no change.
            manifest = self.store.read_manifest()
            if vectors is None or (manifest.index_version == snapshot.version and not manifest.dirty):
                found = zip(snapshot.row_of.rows(ids).tolist(), sims, strict=True)
                # Chunks written after this snapshot was taken, and chunks it no longer holds, are skipped;
                # the delta's chunks come from the delta's own vectors (see _semantic).
                return [(row, s) for row, s in found if 0 <= row < snapshot.delta_start]
        except Exception:  # e.g. an embedded client whose cached index lists chunks another process deleted
            if vectors is None:
                raise
            log.debug("vector search falls back to this version's own vectors", exc_info=True)
        return self._exact_candidates(vector, vectors, 0, mask)

    def _partition_candidates(
        self, vector: np.ndarray, vectors: np.ndarray, mask: np.ndarray | None
    ) -> list[tuple[int, float]]:
        """The base segment's nearest live chunks within the filter, from its own vector partitions: always
        this snapshot's version, whatever the store holds meanwhile."""
        snapshot = self.snapshot
        alive, chunk_initiative = snapshot.alive, snapshot.chunk_initiative

        def allowed(start: int, end: int) -> np.ndarray | None:
            keep = alive[start:end] if alive is not None else None
            if mask is not None:
                inside = mask[chunk_initiative[start:end]]
                keep = inside if keep is None else keep & inside
            return keep

        assert snapshot.partitions is not None
        rows, sims = snapshot.partitions.nearest(vector, vectors, self.settings.candidates, allowed)
        return list(zip(rows.tolist(), sims.tolist(), strict=True))

    def _exact_candidates(
        self, vector: np.ndarray, vectors: np.ndarray, start: int, mask: np.ndarray | None
    ) -> list[tuple[int, float]]:
        """The live chunks among rows start.. start + len(vectors) closest to `vector` within the filter's
        initiatives, by brute force over the segment's mapped vectors."""
        snapshot = self.snapshot
        end = start + len(vectors)
        keep = snapshot.alive[start:end] if snapshot.alive is not None else np.ones(len(vectors), dtype=bool)
        if mask is not None:
            keep = keep & mask[snapshot.chunk_initiative[start:end]]
        local = np.flatnonzero(keep)
        query = np.asarray(vector, dtype=np.float32)
        if len(local) * 4 < len(vectors):  # a narrow filter: read only its rows
            sims = np.asarray(vectors[local] @ query)
        else:  # most rows: read the mapped matrix in blocks (no copy of it), then keep the allowed rows
            starts = range(0, len(vectors), EXACT_BLOCK)
            parts = [np.asarray(vectors[i : i + EXACT_BLOCK] @ query) for i in starts]
            sims = np.concatenate(parts or [np.empty(0, np.float32)])[local]
        rows = local + start
        k = self.settings.candidates
        top = np.argpartition(-sims, k)[:k] if len(sims) > k else np.arange(len(sims))
        top = top[np.argsort(-sims[top], kind="stable")]
        return list(zip(rows[top].tolist(), sims[top].tolist(), strict=True))

    def retrieve(self, query: str, mode: str, mask: np.ndarray | None, where: dict | None) -> Retrieved:
        understanding, lexical_match = self.understand(query, mask)
        snapshot = self.snapshot
        matched = np.zeros(self._initiatives, dtype=bool)
        lexical_matched = np.zeros(self._initiatives, dtype=bool)
        lexical = semantic = RankedList.empty()
        close = close_unknown = np.zeros(self._initiatives, dtype=bool)
        understood = lexical_match.in_domain and not lexical_match.mostly_absent
        if mode in ("semantic", "hybrid"):
            semantic, close, close_unknown = self._semantic(understanding, where, mask)
        if mode in ("lexical", "hybrid"):
            lexical = RankedList(lexical_match.rows, lexical_match.scores)
            lexical_matched = lexical_match.matched
            if mode == "hybrid" and lexical_match.mostly_absent:
                # Most of the query is about what the collection lacks ("opskrift på lasagne"): a word in
                # common is a match only where the meaning is as close as it must be for such a query.
                lexical_matched = lexical_matched & close_unknown
            matched |= lexical_matched
        if mode in ("semantic", "hybrid"):
            # A query the index speaks (some initiative matches by words) gets the lower threshold.
            speaks = lexical_matched.any() if mode == "hybrid" else lexical_match.in_domain
            speaks = speaks and not lexical_match.mostly_absent
            matched |= close if speaks else close_unknown
        excluded = self._holding_any(understanding.syntax.excluded)
        required = self._holding_phrases(understanding.syntax.phrases)
        matched &= ~excluded
        if required is not None:
            matched &= required
        if understanding.places and not any(not c.weak for c in understanding.concepts):
            # Only a place: the place's initiatives are the matches, ranked by whatever the text found.
            matched = np.array([any(p.holds(r) for p in understanding.places) for r in self.records])
            if mask is not None:
                matched &= mask
            matched &= ~excluded
        if mode == "lexical":
            fused = scores_of(lexical)
        elif mode == "semantic":
            fused = scores_of(semantic)
        elif self.settings.fusion == "rrf":
            fused = fuse_rrf([lexical, semantic], self.settings.rrf_k)
        else:
            fused = fuse_weighted(lexical, semantic, self.settings.lexical_weight)
        if excluded.any():
            fused = {row: s for row, s in fused.items() if not excluded[snapshot.chunk_initiative[row]]}
        terms = {stem for concept in understanding.concepts for a in concept.alternatives for stem in a.stems}
        return Retrieved(
            lexical,
            semantic,
            fused,
            terms,
            matched,
            lexical_matched,
            lexical_match.matched_terms,
            understanding,
            understood=understood or bool(matched.any()),
        )

    def _semantic(
        self, understanding: QueryUnderstanding, where: dict | None, mask: np.ndarray | None
    ) -> tuple[RankedList, np.ndarray, np.ndarray]:
        """Vector candidates (ranked), and the initiatives close enough in meaning to match: by
        `semantic_threshold`, and by `semantic_threshold_unknown` (for a query the index does not speak)."""
        snapshot = self.snapshot
        # A place is a soft filter, not part of the meaning: "demens Hjørring" is embedded as "demens". A
        # query that is only a place ("hvad laver Sundhedsklynge Syd") keeps its words: they are its topic.
        topical = understanding.places and any(not concept.weak for concept in understanding.concepts)
        text = (
            " ".join(understanding.topic if topical else understanding.syntax.words) or understanding.searched
        )
        vector = self.query_vector(text)
        baseline = float(np.dot(vector, snapshot.mean_vector))
        # The delta's chunks come from the delta's own vectors (a vector index opened before the change may
        # hold their old vectors and metadata).
        pairs = self._base_candidates(vector, where, mask)
        if snapshot.delta_vectors is not None:
            pairs += self._exact_candidates(vector, snapshot.delta_vectors, snapshot.delta_start, mask)
        pairs.sort(key=lambda pair: -pair[1])
        pairs = [(row, s) for row, s in pairs[: self.settings.candidates] if not self._empty_cards[row]]
        rows = np.array([r for r, _ in pairs], dtype=np.int64)
        scores = np.array([s for _, s in pairs], dtype=np.float32)
        settings = self.settings
        drop = CROSS_LANGUAGE_DROP if self._analyzer.in_english(understanding.syntax.words) else 0.0
        distinct = scores - baseline >= settings.semantic_margin
        found = []
        for threshold in (settings.semantic_threshold, settings.semantic_threshold_unknown):
            close = np.zeros(self._initiatives, dtype=bool)
            close[snapshot.chunk_initiative[rows[(scores >= threshold - drop) & distinct]]] = True
            found.append(close)
        return RankedList(rows, scores), found[0], found[1]

    def _vector_candidates(
        self, vector: np.ndarray, where: dict | None, mask: np.ndarray | None
    ) -> tuple[list[str], list[float]]:
        """Chroma's nearest chunks within the filter (see BROAD_FILTER)."""
        k = self.settings.candidates
        if where is None or mask is None:
            return self.store.query(vector, k, where)
        chunks = self.snapshot.initiative_chunks
        share = float(chunks[mask].sum()) / max(int(chunks.sum()), 1)
        fetch = int(np.ceil(k / max(share, 1e-9) * OVERFETCH))
        if share < BROAD_FILTER or fetch > OVERFETCH_MAX:
            return self.store.query(vector, k, where)
        ids, sims = self.store.query(vector, fetch, None)
        rows = self.snapshot.row_of.rows(ids)
        allowed = (rows >= 0) & mask[self.snapshot.chunk_initiative[np.maximum(rows, 0)]]
        kept = [(ids[i], sims[i]) for i in np.flatnonzero(allowed).tolist()]
        if len(kept) < k and len(ids) == fetch:  # too few inside the filter: ask Chroma for exactly them
            return self.store.query(vector, k, where)
        return [i for i, _ in kept[:k]], [s for _, s in kept[:k]]

    # -- syntax ----------------------------------------------------------------------------------

    def _holding_any(self, excluded: list[tuple[str, ...]]) -> np.ndarray:
        """Initiatives with a passage holding any of the excluded words or phrases."""
        holding = np.zeros(self._initiatives, dtype=bool)
        for words in excluded:
            rows = self._rows_with_words(words)
            if words and len(words) > 1:
                rows = [r for r in rows if _contains_phrase(self.snapshot.texts[r], words)]
            holding[self.snapshot.chunk_initiative[rows]] = True
        return holding

    def _holding_phrases(self, phrases: list[tuple[str, ...]]) -> np.ndarray | None:
        """Initiatives with every quoted phrase in some passage, or None when there are none."""
        if not phrases:
            return None
        holding = np.ones(self._initiatives, dtype=bool)
        for words in phrases:
            has = np.zeros(self._initiatives, dtype=bool)
            rows = [
                r for r in self._rows_with_words(words) if _contains_phrase(self.snapshot.texts[r], words)
            ]
            has[self.snapshot.chunk_initiative[rows]] = True
            holding &= has
        return holding

    def _rows_with_words(self, words: tuple[str, ...]) -> list[int]:
        """Passages holding every word's stem (the cheap test before reading their text)."""
        stems = [self._analyzer.stem(w) for w in words if not self._analyzer.is_stopword(w)]
        if not stems:
            return []
        vectors = [self.snapshot.lexical.term_scores(stem) for stem in stems]
        if any(v is None for v in vectors):
            return []
        return np.flatnonzero(np.logical_and.reduce([v > 0 for v in vectors])).tolist()


_BASE_SPELLING: dict[Path, SpellChecker] = {}  # per base segment: a reload with a delta reuses it


def spell_checker(snapshot: IndexSnapshot) -> SpellChecker:
    """The base segment's checker (built once per base) extended by the delta's words."""
    base = snapshot.parts[0] if snapshot.parts else None
    if base is None:
        return SpellChecker({})
    checker = _BASE_SPELLING.get(base.path)
    if checker is None:
        _BASE_SPELLING.clear()  # an older base is not searched again
        checker = _BASE_SPELLING[base.path] = SpellChecker(base.details["words"])
    return SpellChecker(snapshot.parts[1].details["words"], checker) if len(snapshot.parts) > 1 else checker


def _contains_phrase(text: str, words: tuple[str, ...]) -> bool:
    """The words, in order and next to each other (case, punctuation and spacing aside)."""
    return re.search(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", text.lower()) is not None
