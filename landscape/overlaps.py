"""The same idea elsewhere: pairs of initiatives, run by different organisations or in different sectors,
that address the same need in the same way (the ones whose people should talk to each other).

Stronger than "similar": a pair must be run by different lead organisations (the first one listed) or
share no sector besides "tværsektoriel"; two projects of one municipality are that municipality's own
business. The score is the combined cosine (meaning and vocabulary, features.py) plus a bonus for shared
target groups and shared tags: the same people served and the same words chosen for the approach. On the
sample corpus the top 20 pairs agreed with a person's list at precision 0.75, against 0.55 for the raw
centroid cosine (eval/README.md, "Overview quality").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from initiative_index.vocabulary import CROSS_SECTOR
from landscape.features import Features
from landscape.keywords import PhraseWeights
from landscape.profiles import InitiativeProfiles

NEIGHBOURS = 15  # candidate partners per initiative (nearest in the combined representation)
TARGET_GROUP_BONUS = 0.1
TAG_BONUS = 0.2
MIN_SCORE = 0.3  # below this a pair shares a theme at most; measured on the sample corpus
BLOCK = 2_048  # rows per block of the similarity matrix (memory stays flat for large collections)


@dataclass(frozen=True)
class Overlap:
    a: int  # initiative rows, a's id before b's
    b: int
    score: float
    shared_target_groups: tuple[str, ...]
    shared_keywords: tuple[str, ...]

    def reason(self) -> str:
        """One Danish sentence: who both serve and what they share."""
        parts = []
        if self.shared_target_groups:
            parts.append("Samme målgruppe: " + ", ".join(self.shared_target_groups))
        if self.shared_keywords:
            parts.append("fælles nøgleord: " + ", ".join(self.shared_keywords))
        if not parts:
            return "Beslægtet indhold."
        sentence = "; ".join(parts)
        return sentence[0].upper() + sentence[1:] + "."


def lead_organisation(record: dict) -> str:
    organisations = record.get("organisations") or []
    return organisations[0] if organisations else ""


def apart(first: dict, second: dict) -> bool:
    """Run by different lead organisations, or in different sectors (besides 'tværsektoriel')."""
    if lead_organisation(first) != lead_organisation(second):
        return True
    sectors_a = set(first.get("sectors", [])) - {CROSS_SECTOR}
    sectors_b = set(second.get("sectors", [])) - {CROSS_SECTOR}
    return bool(sectors_a and sectors_b and sectors_a.isdisjoint(sectors_b))


def find_overlaps(
    profiles: InitiativeProfiles,
    features: Features,
    phrases: PhraseWeights,
    candidates: Candidates | None = None,
) -> list[Overlap]:
    """Every pair above MIN_SCORE among each initiative's nearest neighbours, best first."""
    records = profiles.records
    if candidates is None:
        candidates = nearest_candidates(features.combined)
    scores: dict[tuple[int, int], float] = {}
    for me, (others, similarities) in enumerate(zip(candidates.rows, candidates.similarity, strict=True)):
        for other, similarity in zip(others.tolist(), similarities.tolist(), strict=True):
            pair = (min(me, other), max(me, other))
            if pair not in scores and apart(records[me], records[other]):
                scores[pair] = similarity + pair_bonus(records[me], records[other])
    overlaps = [
        describe(a, b, score, profiles, phrases) for (a, b), score in scores.items() if score >= MIN_SCORE
    ]
    ids = profiles.ids
    overlaps.sort(key=lambda o: (-o.score, ids[o.a], ids[o.b]))
    return overlaps


@dataclass
class Candidates:
    """Each initiative's NEIGHBOURS nearest others (unordered) and their similarity: the partners it is
    compared with. Kept with the landscape, so an incremental one knows whose partners a change touches."""

    rows: np.ndarray  # (initiatives, k) int
    similarity: np.ndarray  # (initiatives, k) float

    @property
    def reach(self) -> np.ndarray:
        """The similarity an initiative's farthest partner has: a closer newcomer becomes a partner."""
        return self.similarity.min(axis=1) if self.similarity.shape[1] else np.full(len(self.rows), np.inf)


def nearest_candidates(combined: np.ndarray, rows: np.ndarray | None = None) -> Candidates:
    """The NEIGHBOURS nearest others of every row (or of `rows`) in the combined representation."""
    count = len(combined)
    neighbours = max(min(NEIGHBOURS, count - 1), 0)
    wanted = np.arange(count) if rows is None else np.asarray(rows, dtype=np.int64)
    found = np.zeros((len(wanted), neighbours), dtype=np.int64)
    similarity_kept = np.zeros((len(wanted), neighbours), dtype=np.float64)
    if neighbours < 1:
        return Candidates(found, similarity_kept)
    for start in range(0, len(wanted), BLOCK):
        block = wanted[start : start + BLOCK]
        similarity = combined[block] @ combined.T
        for offset, row in enumerate(similarity):
            row[block[offset]] = -np.inf
            best = np.argpartition(-row, neighbours - 1)[:neighbours]
            found[start + offset] = best
            similarity_kept[start + offset] = row[best]
    return Candidates(found, similarity_kept)


def pair_bonus(first: dict, second: dict) -> float:
    return TARGET_GROUP_BONUS * _jaccard(first.get("target_groups", []), second.get("target_groups", [])) + (
        TAG_BONUS * _jaccard(first.get("tags", []), second.get("tags", []))
    )


def _jaccard(a: list[str], b: list[str]) -> float:
    union = set(a) | set(b)
    return len(set(a) & set(b)) / len(union) if union else 0.0


def describe(a: int, b: int, score: float, profiles: InitiativeProfiles, phrases: PhraseWeights) -> Overlap:
    if profiles.ids[b] < profiles.ids[a]:
        a, b = b, a
    first, second = profiles.records[a], profiles.records[b]
    groups = tuple(g for g in first.get("target_groups", []) if g in second.get("target_groups", []))
    return Overlap(a, b, round(score, 4), groups[:2], tuple(phrases.shared(a, b, profiles)))
