"""The chunk vectors of one index version, kept beside the store for exact search while it changes.

Chroma holds one mutable collection. While an ingestion deletes and rewrites chunks, an API process still
serving the previous version would get vector results of neither version from it (and an embedded
client, whose cached vector index lists ids another process has deleted, fails outright). So a snapshot
keeps its version's vectors in a flat float32 file, memory-mapped (the page cache holds it, not the
heap), and the retriever searches them exactly whenever the store no longer is the version it serves.
Normally they are never read: Chroma's HNSW answers.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np

log = logging.getLogger("overblik.index")

FOLDER = "vectors"
PAGE = 5_000  # vectors written per block


class VersionVectors:
    """Vectors row-aligned with `ids` (store order), searched by brute force."""

    def __init__(self, ids: list[str], matrix: np.ndarray) -> None:
        self.ids = ids
        self.matrix = matrix

    @classmethod
    def write(
        cls, pairs: Iterable[tuple[str, object]], dimension: int, folder: Path
    ) -> VersionVectors | None:
        """Stream (id, vector) pairs into a new file under `folder` (else the temp folder) and map it.

        Always consumes `pairs` (the snapshot reads its rows through them); None when no file can be
        written (a full disk): the version is then served without the fallback, as before."""
        out, path = _new_file(folder)
        ids: list[str] = []
        page: list[object] = []
        for chunk_id, vector in pairs:
            ids.append(chunk_id)
            page.append(vector)
            if len(page) >= PAGE:
                out, page = _flush(out, page), []
        out = _flush(out, page)
        if out is None:
            if path is not None:
                path.unlink(missing_ok=True)
            log.warning("no room for the version's vectors: answers may mix versions while it changes")
            return None
        out.close()
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


def _new_file(folder: Path) -> tuple[BinaryIO | None, Path | None]:
    for where in (folder, Path(tempfile.gettempdir())):
        try:
            where.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=where, suffix=".f32")
            return os.fdopen(handle, "wb"), Path(name)
        except OSError:
            continue
    return None, None


def _flush(out: BinaryIO | None, page: list[object]) -> BinaryIO | None:
    """Append `page` to `out`; None (closed) once a write fails."""
    if out is None or not page:
        return out
    try:
        out.write(np.asarray(page, dtype=np.float32).tobytes())
        return out
    except OSError:
        out.close()
        return None
