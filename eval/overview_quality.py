"""How well the overview agrees with a person: themes (AMI) and "the same idea elsewhere" (precision@k).

Gold data (eval/data/overview/, README there): one person's grouping of the sample corpus into themes and
their list of pairs that should talk to each other, written before the method was tuned. Each figure is
also computed for a plain baseline on the same index: k-means (same number of themes) on the raw mean
chunk vectors, and pairs ranked by the raw cosine of those vectors (with the same rule for "different
organisation or sector"), so the report says what the method adds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_mutual_info_score

from landscape.features import SEED
from landscape.model import Landscape
from landscape.overlaps import apart

GOLD = Path(__file__).parent / "data" / "overview"
TOP_K = (10, 20, 40)


@dataclass
class Gold:
    themes: dict[str, str]  # initiative id -> theme id
    overlaps: dict[frozenset[str], int]  # pair -> grade (1 or 2)


@dataclass
class OverviewScores:
    method: str
    themes: int
    ami: float
    precision: dict[str, float] = field(default_factory=dict)  # "P@20" (grade 1 or 2), "P2@20" (grade 2)


def load_gold(folder: Path = GOLD) -> Gold:
    with (folder / "themes.tsv").open(encoding="utf-8", newline="") as handle:
        themes = {row["initiative-id"]: row["theme"] for row in csv.DictReader(handle, delimiter="\t")}
    with (folder / "overlaps.tsv").open(encoding="utf-8", newline="") as handle:
        overlaps = {
            frozenset((row["initiative-a"], row["initiative-b"])): int(row["grade"])
            for row in csv.DictReader(handle, delimiter="\t")
        }
    return Gold(themes, overlaps)


def theme_agreement(assigned: dict[str, str], gold: Gold) -> float:
    """Adjusted mutual information of two groupings over the initiatives both know."""
    ids = sorted(set(assigned) & set(gold.themes))
    return float(adjusted_mutual_info_score([gold.themes[i] for i in ids], [assigned[i] for i in ids]))


def pair_precision(pairs: list[tuple[str, str]], gold: Gold) -> dict[str, float]:
    """Precision of the top k pairs: any gold grade, and grade 2 only."""
    scores: dict[str, float] = {}
    for k in TOP_K:
        top = [gold.overlaps.get(frozenset(pair), 0) for pair in pairs[:k]]
        scores[f"P@{k}"] = round(sum(g > 0 for g in top) / k, 3)
        scores[f"P2@{k}"] = round(sum(g == 2 for g in top) / k, 3)
    return scores


def score_landscape(landscape: Landscape, gold: Gold) -> OverviewScores:
    return OverviewScores(
        method="overblik (features + Ward, overlaps with bonuses)",
        themes=len(landscape.themes),
        ami=round(theme_agreement(landscape.theme_of, gold), 3),
        precision=pair_precision([o.initiatives for o in landscape.overlaps], gold),
    )


def score_baseline(
    ids: list[str], records: list[dict], vectors: np.ndarray, themes: int, gold: Gold
) -> OverviewScores:
    """k-means on the raw mean vectors, and pairs by their raw cosine."""
    labels = KMeans(themes, n_init=10, random_state=SEED).fit_predict(vectors)
    similarity = vectors @ vectors.T
    pairs = [
        (float(similarity[a, b]), ids[a], ids[b])
        for a in range(len(ids))
        for b in range(a + 1, len(ids))
        if apart(records[a], records[b])
    ]
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    return OverviewScores(
        method="baseline (k-means on raw centroids, raw cosine pairs)",
        themes=themes,
        ami=round(theme_agreement({i: str(label) for i, label in zip(ids, labels, strict=True)}, gold), 3),
        precision=pair_precision([(a, b) for _, a, b in pairs], gold),
    )
