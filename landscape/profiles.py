"""Initiative profiles: what the overview knows about each initiative, derived from one index version.

Search works on chunks; the overview works on initiatives. A profile holds, per initiative:
- `vectors`: the mean of its chunk vectors (card included), L2-normalised: what it is about, in meaning;
- `terms`: its analysed terms (stems and compound parts) over the card and every chunk, for TF-IDF;
- `phrases`: its keyword candidates: whole-word stems, two-word phrases within a sentence, and its tags
  (weighted up: they are what the initiative's own people chose to call it); each key is a sequence of
  stems joined by spaces, and `surface` keeps the forms, in their original case, that each key was
  written in, so that people are shown words, never stems.
Rows follow `ids` (the snapshot's sorted initiative ids).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from initiative_index.analyzer import TextAnalyzer
from initiative_index.card import card_text
from initiative_index.passage import passage_text
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore


@dataclass
class InitiativeProfiles:
    ids: list[str]
    records: list[dict]
    vectors: np.ndarray  # (initiatives, dimension), rows L2-normalised
    terms: list[Counter[str]]
    phrases: list[Counter[str]]  # keyword candidate (stems joined by spaces) -> weight
    surface: dict[str, Counter[str]]  # keyword candidate -> the forms it was written in

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def position(self) -> dict[str, int]:
        return {initiative_id: row for row, initiative_id in enumerate(self.ids)}


TAG_WEIGHT = 3  # a tag counts as three mentions in the text
MIN_WORD_LENGTH = 3
_WORD = re.compile(r"\w+(?:-\w+)*")  # "back-up" and "iv-behandling" are one word each
# Two words make a phrase only within a clause: not across punctuation, line breaks or list separators.
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\n\t\"'/|•·–—]+|\s-\s")


def build_profiles(
    snapshot: IndexSnapshot, vectors: np.ndarray, positions: np.ndarray | None = None
) -> InitiativeProfiles:
    """Profiles of every initiative in `snapshot` (or of those at `positions`, sorted, for an incremental
    landscape); `vectors` are their mean vectors, in the same order."""
    analyzer = snapshot.lexical.analyzer
    if positions is None:
        ids = list(snapshot.initiative_ids)
        rows = snapshot.live_rows()
        row_of_position = np.arange(len(ids))
    else:
        ids = [snapshot.initiative_ids[p] for p in positions.tolist()]
        rows = snapshot.live_rows()
        rows = rows[np.isin(snapshot.chunk_initiative[rows], positions)]
        row_of_position = np.full(len(snapshot.initiative_ids), -1)
        row_of_position[positions] = np.arange(len(positions))
    count = len(ids)
    terms = [Counter[str]() for _ in range(count)]
    phrases = [Counter[str]() for _ in range(count)]
    surface: dict[str, Counter[str]] = {}
    for row in rows.tolist():
        text, meta = snapshot.chunk(row)
        initiative = int(row_of_position[snapshot.chunk_initiative[row]])
        if meta.get("kind") == "card":
            text = card_text(snapshot.records[meta["initiative_id"]], evidence=False)
        else:
            text = passage_text(meta.get("title", ""), text)
        terms[initiative].update(analyzer.terms(text))
        _count_phrases(analyzer, text, phrases[initiative], surface)
    records = [snapshot.records[i] for i in ids]
    for initiative, record in enumerate(records):
        for tag in record.get("tags", []):
            key = phrase_key(analyzer, tag)
            if key:
                phrases[initiative][key] += TAG_WEIGHT
                surface.setdefault(key, Counter())[tag] += TAG_WEIGHT
    return InitiativeProfiles(ids, records, vectors, terms, phrases, surface)


def phrase_key(analyzer: TextAnalyzer, text: str) -> str:
    """The stems of a short phrase joined by spaces ('' if it has a stopword, a number or a short word)."""
    words = _WORD.findall(text.lower())
    if not words or any(not _keyword_word(analyzer, word) for word in words):
        return ""
    return " ".join(analyzer.stem(word) for word in words)


def _keyword_word(analyzer: TextAnalyzer, word: str) -> bool:
    return (
        len(word) >= MIN_WORD_LENGTH
        and all(part.isalpha() for part in word.split("-"))
        and not analyzer.is_stopword(word)
    )


def _count_phrases(
    analyzer: TextAnalyzer, text: str, counts: Counter[str], surface: dict[str, Counter[str]]
) -> None:
    """Whole words and two-word phrases of `text`, by stem, keeping the forms they were written in."""
    for clause in _CLAUSE_BREAK.split(text):
        previous: tuple[str, str, bool] | None = None
        for word in _WORD.findall(clause):
            lower = word.lower()
            if not _keyword_word(analyzer, lower):
                previous = None
                continue
            stem = analyzer.stem(lower)
            common = analyzer.is_common(lower)
            if not common:  # "bedre", "flere", "dag" say nothing alone
                counts[stem] += 1
                surface.setdefault(stem, Counter())[word] += 1
            if previous is not None and not (common and previous[2]):  # "eget hjem" yes, "fået bedre" no
                key = f"{previous[0]} {stem}"
                counts[key] += 1
                surface.setdefault(key, Counter())[f"{previous[1]} {word}"] += 1
            previous = (stem, word, common)


def initiative_vectors(
    store: ChunkStore, snapshot: IndexSnapshot, positions: np.ndarray | None = None
) -> np.ndarray:
    """The mean chunk vector of every initiative (or of those at `positions`), L2-normalised.

    Read from the segments' mapped vectors when every segment keeps them (no round trip through Chroma:
    at 100,000 chunks the store's pages took most of a minute), else from the store page by page."""
    if all(part.vectors is not None for part in snapshot.parts):
        sums = _segment_sums(snapshot, positions)
    else:
        sums = _store_sums(store, snapshot)
    if positions is not None:
        sums = sums[positions]
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _segment_sums(snapshot: IndexSnapshot, positions: np.ndarray | None, block: int = 65_536) -> np.ndarray:
    """Per initiative, the sum of its live chunk vectors, in float64 like the store path."""
    count = len(snapshot.initiative_ids)
    wanted = None
    if positions is not None:
        wanted = np.zeros(count, dtype=bool)
        wanted[positions] = True
    sums = np.zeros((count, snapshot.manifest.embedding_dimension), dtype=np.float64)
    for part, offset in zip(snapshot.parts, snapshot.offsets, strict=True):
        for start in range(0, part.rows, block):
            stop = min(start + block, part.rows)
            keep = np.ones(stop - start, dtype=bool)
            if snapshot.alive is not None:
                keep &= snapshot.alive[offset + start : offset + stop]
            initiatives = snapshot.chunk_initiative[offset + start : offset + stop]
            if wanted is not None:
                keep &= wanted[initiatives]
            local = np.flatnonzero(keep)
            if not len(local):
                continue
            vectors = np.asarray(part.vectors[start + local], dtype=np.float64)  # type: ignore[index]
            # Sorting by initiative and summing runs is far faster than np.add.at over many rows.
            order = np.argsort(initiatives[local], kind="stable")
            grouped = initiatives[local][order]
            starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
            sums[grouped[starts]] += np.add.reduceat(vectors[order], starts, axis=0)
    return sums


def _store_sums(store: ChunkStore, snapshot: IndexSnapshot, page: int = 5_000) -> np.ndarray:
    sums = np.zeros((len(snapshot.initiative_ids), snapshot.manifest.embedding_dimension), dtype=np.float64)
    offset = 0
    while True:
        result = store.collection.get(include=["embeddings"], limit=page, offset=offset)
        ids = result["ids"]
        if not ids:
            break
        rows = snapshot.row_of.rows(ids)
        known = np.flatnonzero(rows >= 0)
        if len(known):
            initiatives = snapshot.chunk_initiative[rows[known]]
            np.add.at(sums, initiatives, np.asarray(result["embeddings"], dtype=np.float64)[known])
        offset += len(ids)
    return sums
