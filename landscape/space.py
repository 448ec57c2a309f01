"""What a landscape was computed on, saved with it so that the next version's can be derived from it.

Per initiative: its combined representation (features.py) and its overlap candidates (overlaps.py). Of the
collection: the mean vector, the terms and their IDF, the LSA axes (to put a changed initiative in the same
space), and per theme the sum and count of its members' combined rows and its meaning centroid (to give it a
theme the way the full computation would). Saved as one uncompressed .npz next to the landscape's JSON: at
10,000 initiatives 33 MB beside a 9 MB JSON (bench/landscape_change.py).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from landscape.overlaps import Candidates


@dataclass
class FeatureSpace:
    ids: list[str]  # initiative ids, sorted: the rows of `combined` and `candidates`
    combined: np.ndarray  # (initiatives, dimensions) float32, rows L2-normalised
    candidates: Candidates  # rows index `ids`
    centre: np.ndarray  # mean initiative vector the meaning is centred on
    terms: list[str]
    idf: np.ndarray
    components: np.ndarray | None  # LSA axes, or None when TF-IDF is used as is
    theme_sums: np.ndarray  # (themes, dimensions): sum of the members' combined rows at the full computation
    theme_sizes: np.ndarray  # (themes,) members at the full computation
    theme_meaning: np.ndarray  # (themes, vector dimension): meaning centroids, L2-normalised

    def save(self, root: Path, key: str) -> Path:
        target = root / f"{key}.npz"
        handle, staging = tempfile.mkstemp(prefix=".building-", suffix=".npz", dir=root)
        with os.fdopen(handle, "wb") as out:
            np.savez(
                out,
                ids=np.asarray(self.ids, dtype=str),
                combined=self.combined.astype(np.float32),
                candidate_rows=self.candidates.rows.astype(np.int32),
                candidate_similarity=self.candidates.similarity.astype(np.float32),
                centre=self.centre,
                terms=np.asarray(self.terms, dtype=str),
                idf=self.idf,
                components=self.components if self.components is not None else np.zeros((0, 0)),
                theme_sums=self.theme_sums,
                theme_sizes=self.theme_sizes,
                theme_meaning=self.theme_meaning,
            )
        os.replace(staging, target)
        return target

    @classmethod
    def load(cls, root: Path, key: str) -> FeatureSpace | None:
        try:
            with np.load(root / f"{key}.npz") as data:
                components = data["components"]
                return cls(
                    ids=data["ids"].tolist(),
                    combined=data["combined"],
                    candidates=Candidates(
                        data["candidate_rows"].astype(np.int64),
                        data["candidate_similarity"].astype(np.float64),
                    ),
                    centre=data["centre"],
                    terms=data["terms"].tolist(),
                    idf=data["idf"],
                    components=components if components.size else None,
                    theme_sums=data["theme_sums"],
                    theme_sizes=data["theme_sizes"],
                    theme_meaning=data["theme_meaning"],
                )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return None
