"""The chunk vectors of one index version, kept beside the store for exact search while it changes.

Chroma holds one mutable collection. While an ingestion deletes and rewrites chunks, an API process still
serving the previous version would get vector results of neither version from it (and an embedded
client, whose cached vector index lists ids another process has deleted, fails outright). So a snapshot
keeps its version's vectors in a flat float32 file, memory-mapped (the page cache holds it, not the
heap), and the retriever searches them exactly whenever the store no longer is the version it serves.
Normally they are never read: Chroma's HNSW answers.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

FOLDER = "vectors"
PAGE = 5_000  # vectors written per block


class VersionVectors:
    """Vectors row-aligned with `ids` (store order), searched by brute force."""

    def __init__(self, ids: list[str], matrix: np.ndarray) -> None:
        self.ids = ids
        self.matrix = matrix

    @classmethod
    def write(cls, pairs: Iterable[tuple[str, object]], dimension: int, folder: Path) -> VersionVectors:
        """Stream (id, vector) pairs into a new file under `folder` and map it."""
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, suffix=".f32")
        ids: list[str] = []
        page: list[object] = []
        with os.fdopen(handle, "wb") as out:
            for chunk_id, vector in pairs:
                ids.append(chunk_id)
                page.append(vector)
                if len(page) >= PAGE:
                    out.write(np.asarray(page, dtype=np.float32).tobytes())
                    page = []
            if page:
                out.write(np.asarray(page, dtype=np.float32).tobytes())
        path = Path(name)
        matrix = (
            np.memmap(path, dtype=np.float32, mode="r", shape=(len(ids), dimension))
            if ids
            else np.zeros((0, dimension), dtype=np.float32)
        )
        # The open mapping keeps the data; the name is not needed (and nothing is left behind on disk).
        path.unlink()
        return cls(ids, matrix)

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None) -> tuple[list[str], list[float]]:
        """The `k` nearest chunks (cosine; vectors are normalised) among `allowed` (a mask over `ids`)."""
        if not self.ids:
            return [], []
        sims = self.matrix @ np.asarray(vector, dtype=np.float32)
        if allowed is not None:
            sims = np.where(allowed, sims, -np.inf)
        k = min(k, int(np.isfinite(sims).sum()))
        if k == 0:
            return [], []
        best = np.argpartition(-sims, k - 1)[:k]
        best = best[np.argsort(-sims[best], kind="stable")]
        return [self.ids[i] for i in best], sims[best].astype(float).tolist()
