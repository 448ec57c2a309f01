"""The lexical side of a query: concepts, their alternatives and weights, and which initiatives match.

Each query word (or thesaurus phrase) is a *concept* with alternatives, each a set of stems that must all
occur in one passage:
- the word's stem, weight 1 ("plejehjemmet" -> plejehjem);
- a compound's parts together, weight PART_WEIGHT ("hjemmebehandling" -> hjem + behandl, so "behandling i
  hjemmet" matches, but "behandling" alone does not);
- a hyphenated word's parts together, weight 1 ("IV-behandling" -> iv + behandl);
- the other terms of its thesaurus group, weight EXPANSION_WEIGHT ("KOL" -> kronisk obstruktiv lungesygdom).
An alternative's BM25 score counts only in passages that hold all its stems, so a phrase is scored like a
phrase and not like its loose words.

An initiative *matches* the query lexically when its passages satisfy one of the query's concepts (or the
share `minimum_match` of them, as a search engine's "minimum should match", when a deployment wants
stricter matching). When at least half of a query's concepts occur in no initiative at all, the query is
mostly about what the collection lacks, and hybrid search asks the meaning to agree before a word in common
counts ("opskrift på lasagne" does not match the one initiative that once uses the word "opskrift"; see
retrieval.py). Weak and absent concepts are decided on the whole collection, whatever the filters. Weak
concepts
do not count either way: one that occurs in more than COMMON_SHARE of all initiatives ("borgere",
"projekt"), or an everyday word of the language ("laver", "mange"). They still rank, but cannot turn half
the collection into hits. When every concept is weak, the weak ones count (a query of common words still
finds something).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from initiative_index.analyzer import TextAnalyzer
from initiative_index.lexical import LexicalIndex
from initiative_index.thesaurus import Thesaurus

PART_WEIGHT = 0.5
EXPANSION_WEIGHT = 0.5
COMMON_SHARE = 0.5
# Words at least this common in the language (wordfreq Zipf) are everyday words: "laver" 5.4, "mange" 6.2;
# "video" (5.1), "ældre" (5.2) and "erfaring" (4.7) are not.
EVERYDAY_ZIPF = 5.3
_PART = re.compile(r"\w+")


@dataclass(frozen=True)
class Alternative:
    stems: tuple[str, ...]
    weight: float
    shown: str  # how the explanation and the "matched" list name it
    expansion: bool = False


@dataclass
class Concept:
    typed: str  # the query's words for it
    alternatives: list[Alternative] = field(default_factory=list)
    # An everyday word ("laver", "gøre", "mange") ranks but cannot make a match on its own.
    weak: bool = False

    @property
    def stems(self) -> set[str]:
        return {s for a in self.alternatives for s in a.stems}


@dataclass
class LexicalMatch:
    """What the lexical side found: passage scores, and per initiative whether and why it matched."""

    rows: np.ndarray  # the best passages, best first
    scores: np.ndarray
    matched: np.ndarray  # bool per initiative position
    matched_terms: MatchedTerms  # initiative position -> what it matched, as shown
    in_domain: bool  # some initiative matches: the query speaks the index's language
    mostly_absent: bool  # at least half of the query's strong concepts occur in no initiative


def build_concepts(words: list[str], analyzer: TextAnalyzer, thesaurus: Thesaurus) -> list[Concept]:
    """The concepts of the query's words (as typed, stopwords included: thesaurus phrases need them)."""
    expansions = {e.found.lower(): e for e in thesaurus.expansions(words)}
    concepts: list[Concept] = []
    position = 0
    lowered = [w.lower() for w in words]
    while position < len(words):
        phrase = next(
            (
                (length, expansions[" ".join(lowered[position : position + length])])
                for length in range(min(4, len(words) - position), 0, -1)
                if " ".join(lowered[position : position + length]) in expansions
            ),
            None,
        )
        if phrase is not None:
            length, expansion = phrase
            typed = " ".join(words[position : position + length])
            stems = tuple(s for w in lowered[position : position + length] for s in _word_stems(w, analyzer))
            concept = Concept(typed, [Alternative(stems, 1.0, typed)] if stems else [])
            for alternative, shown in zip(expansion.alternatives, expansion.shown, strict=True):
                concept.alternatives.append(Alternative(alternative, EXPANSION_WEIGHT, shown, expansion=True))
            concepts.append(concept)
            position += length
            continue
        word = words[position]
        position += 1
        concept = _word_concept(word, analyzer)
        if concept is not None:
            concepts.append(concept)
    return concepts


def _word_stems(word: str, analyzer: TextAnalyzer) -> list[str]:
    return [analyzer.stem(part) for part in _PART.findall(word) if not analyzer.is_stopword(part)]


def _word_concept(word: str, analyzer: TextAnalyzer) -> Concept | None:
    lower = word.lower()
    parts = [p for p in _PART.findall(lower) if len(p) > 1 and not analyzer.is_stopword(p)]
    if not parts:
        return None
    if len(parts) > 1:  # "IV-behandling": the parts, together
        return Concept(word, [Alternative(tuple(analyzer.stem(p) for p in parts), 1.0, word)])
    terms = analyzer.word_terms(parts[0])
    concept = Concept(
        word, [Alternative((terms[0],), 1.0, word)], weak=analyzer.zipf(parts[0]) >= EVERYDAY_ZIPF
    )
    if len(terms) > 2:  # a compound: its stem, then its parts' stems
        concept.alternatives.append(Alternative(tuple(terms[1:]), PART_WEIGHT, word))
    return concept


def needed(concepts: int, share: float) -> int:
    """How many of a query's strong concepts a match must satisfy: `share` of them rounded up, at least 1."""
    return max(1, math.ceil(concepts * share - 1e-9))


class MatchedTerms:
    """Initiative position -> the query terms it matched, as shown; read for the shown results only, so a
    query matching thousands of initiatives does not list terms for each of them."""

    def __init__(self) -> None:
        self._terms: list[tuple[str, np.ndarray]] = []  # (shown term, bool per initiative), in query order

    def add(self, shown: str, holding: np.ndarray) -> None:
        self._terms.append((shown, holding))

    def get(self, initiative: int, default: list[str] | None = None) -> list[str]:
        terms = list(dict.fromkeys(shown for shown, holding in self._terms if holding[initiative]))
        return terms or (default if default is not None else [])


def match_concepts(
    concepts: list[Concept],
    lexical: LexicalIndex,
    chunk_initiative: np.ndarray,
    initiatives: int,
    mask: np.ndarray | None,
    k: int,
    share: float = 0.0,
) -> LexicalMatch:
    """Score passages and decide which initiatives match (see the module docstring)."""
    rows_total = len(lexical.ids)
    total = np.zeros(rows_total, dtype=np.float64)
    strong_hits = np.zeros(initiatives, dtype=np.int32)  # strong concepts each initiative satisfies
    weak_hits = np.zeros(initiatives, dtype=np.int32)
    strong = weak = unknown = 0
    matched_terms = MatchedTerms()
    cache: dict = {}
    # Sparse throughout: an alternative's chunks are the intersection of its stems' postings, so the work
    # follows the postings, not the collection's size.
    for concept in concepts:
        concept_rows: list[np.ndarray] = []  # in the whole collection: decides weak / absent
        found: list[tuple[Alternative, np.ndarray]] = []
        for alternative in concept.alternatives:
            postings = [lexical.term_postings(stem, cache) for stem in alternative.stems]
            if not postings or any(p is None for p in postings):
                continue
            present = postings[0][0]
            for rows, _ in postings[1:]:
                # Rows holding both: a mark per row (linear) instead of intersect1d's sort of both lists,
                # which at a million chunks was the largest cost of a compound word's query.
                holds = np.zeros(rows_total, dtype=bool)
                holds[rows] = True
                present = present[holds[present]]
            concept_rows.append(present)
            if len(postings) == 1:  # one stem (most words): its own rows and scores, no lookup
                scores = postings[0][1]
                if mask is not None:
                    inside = mask[present]
                    present, scores = present[inside], scores[inside]
                if not len(present):
                    continue
                total[present] += alternative.weight * scores
            else:
                if mask is not None:
                    present = present[mask[present]]
                if not len(present):
                    continue
                total[present] += alternative.weight * sum(
                    scores[np.searchsorted(rows, present)] for rows, scores in postings
                )
            found.append((alternative, present))
        everywhere = np.zeros(initiatives, dtype=bool)
        for rows in concept_rows:
            everywhere[chunk_initiative[rows]] = True
        holders = everywhere.copy()
        if mask is not None:
            holders[:] = False
            for _, present in found:
                holders[chunk_initiative[present]] = True
        if concept.weak or everywhere.sum() > COMMON_SHARE * initiatives:
            weak += 1
            weak_hits += holders
        else:  # a concept the index lacks counts here too: it is part of what was asked
            strong += 1
            strong_hits += holders
            unknown += not everywhere.any()
        if not found:
            continue
        for alternative, present in found:
            holding = np.zeros(initiatives, dtype=bool)
            holding[chunk_initiative[present]] = True
            matched_terms.add(alternative.shown, holding)
    if strong:
        matched = strong_hits >= needed(strong, share)
    else:
        matched = (weak_hits >= needed(weak, share)) & (weak_hits > 0)
    candidates = np.flatnonzero(total > 0)
    if len(candidates) > k:
        candidates = candidates[np.argpartition(-total[candidates], k - 1)[:k]]
    order = candidates[np.argsort(-total[candidates], kind="stable")]
    mostly_absent = bool(strong) and unknown * 2 >= strong
    scores = total[order].astype(np.float32)
    return LexicalMatch(order, scores, matched, matched_terms, bool(matched.any()), mostly_absent)
