"""The map: every initiative as a point in two dimensions, near those it resembles (UMAP).

UMAP on the combined representation with cosine distance; a fixed random_state makes it deterministic
(and single-threaded). Coordinates are scaled to [0, 1] so the page can draw them at any size. Very small
collections, where UMAP's neighbour graph is meaningless, are laid out by PCA.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.decomposition import PCA

from landscape.features import SEED

NEIGHBOURS = 15
MIN_DISTANCE = 0.15
MIN_FOR_UMAP = 12


def layout(features: np.ndarray) -> np.ndarray:
    """(rows, 2) coordinates in [0, 1]."""
    rows = len(features)
    if rows == 0:
        return np.zeros((0, 2))
    if rows < 3:
        return np.array([[0.5, 0.5], [0.25, 0.75]][:rows])
    if rows < MIN_FOR_UMAP:
        points = PCA(2, random_state=SEED).fit_transform(features)
    else:
        import umap  # loads numba; only when a map is made

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "n_jobs overridden by random_state": deterministic is the point
            reducer = umap.UMAP(
                n_neighbors=min(NEIGHBOURS, rows - 1),
                min_dist=MIN_DISTANCE,
                metric="cosine",
                random_state=SEED,
                n_components=2,
            )
            points = reducer.fit_transform(features)
    return _scaled(np.asarray(points, dtype=np.float64))


def _scaled(points: np.ndarray) -> np.ndarray:
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low < 1e-9, 1.0, high - low)
    return np.round((points - low) / span, 4)
