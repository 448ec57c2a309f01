"""Vector partitions of a large base segment: the shared, memory-mapped vector index of every API worker.

An embedded Chroma client loads its whole HNSW index into each process that queries it (about 1.5 GB per
worker at a million 384-dim chunks, and a second copy while a reload opens a new client). A large base
segment instead stores its chunks grouped by partition (an inverted file, IVF): k-means centroids over the
vectors, and each partition's rows next to each other, so a partition is one contiguous slice of the mapped
`vectors.npy` that every worker reads from the same page cache. A query compares itself with the centroids
and scans the closest partitions until it has seen enough rows (`PROBE_ROWS_PER_CANDIDATE` x candidates,
at least `MIN_PROBES` partitions); `bench/scale.py` reports the recall against an exact search.

Partitions are built when a base segment is saved with at least `Settings.vector_partitions_min_chunks`
rows (a delta is small and searched exactly); smaller collections keep Chroma's HNSW.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans

ROWS_PER_PARTITION = 500  # about sqrt(N) / 2 partitions of a million rows: few centroids, short scans
TRAINING_ROWS_PER_PARTITION = 40  # k-means learns from a sample of this many rows per partition
TRAINING_ITERATIONS = 12
ASSIGN_BLOCK = 65_536
PROBE_ROWS_PER_CANDIDATE = 40  # rows scanned per candidate wanted (200 candidates: 8,000 rows)
MIN_PROBES = 8
SEED = 7


def partition_count(rows: int) -> int:
    return max(1, min(rows, round(rows / ROWS_PER_PARTITION)))


def build_partitions(vectors: np.ndarray, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """(centroids, partition of each row): spherical k-means (unit centroids, nearest by dot product), trained
    on a fixed-seed sample and applied to every row."""
    rows = len(vectors)
    count = partition_count(rows)
    rng = np.random.default_rng(seed)
    sample_size = min(rows, max(count, count * TRAINING_ROWS_PER_PARTITION))
    sample = np.asarray(vectors[np.sort(rng.choice(rows, sample_size, replace=False))], dtype=np.float32)
    kmeans = KMeans(
        n_clusters=count, n_init=1, max_iter=TRAINING_ITERATIONS, init="random", random_state=seed
    ).fit(sample)
    centroids = kmeans.cluster_centers_.astype(np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    assignment = np.empty(rows, dtype=np.int32)
    for start in range(0, rows, ASSIGN_BLOCK):
        block = np.asarray(vectors[start : start + ASSIGN_BLOCK], dtype=np.float32)
        assignment[start : start + len(block)] = np.argmax(block @ centroids.T, axis=1)
    return centroids, assignment


@dataclass(frozen=True)
class Partitions:
    """Centroids and where each partition's rows start (`starts[p]`..`starts[p + 1]`, rows ascending)."""

    centroids: np.ndarray
    starts: np.ndarray

    def __len__(self) -> int:
        return len(self.centroids)

    def nearest(
        self,
        query: np.ndarray,
        vectors: np.ndarray,
        k: int,
        allowed: Callable[[int, int], np.ndarray | None],
        probe_rows: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows and similarities of the `k` nearest allowed rows found in the partitions closest to `query`.

        `allowed(start, end)` says which rows of a partition may be returned (None: all). Partitions are
        scanned closest first until `probe_rows` allowed rows were seen (default PROBE_ROWS_PER_CANDIDATE
        per candidate) and at least MIN_PROBES partitions, so a filter probes as far as it needs to."""
        query = np.asarray(query, dtype=np.float32)
        wanted = probe_rows if probe_rows is not None else PROBE_ROWS_PER_CANDIDATE * k
        order = np.argsort(-(self.centroids @ query), kind="stable")
        found_rows: list[np.ndarray] = []
        found_sims: list[np.ndarray] = []
        seen = 0
        for probes, partition in enumerate(order.tolist(), start=1):
            start, end = int(self.starts[partition]), int(self.starts[partition + 1])
            if start == end:
                continue
            keep = allowed(start, end)
            if keep is not None and not keep.any():
                continue
            sims = np.asarray(vectors[start:end] @ query)
            rows = np.arange(start, end)
            if keep is not None:
                rows, sims = rows[keep], sims[keep]
            found_rows.append(rows)
            found_sims.append(sims)
            seen += len(rows)
            if seen >= wanted and probes >= MIN_PROBES:
                break
        if not found_rows:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        rows, sims = np.concatenate(found_rows), np.concatenate(found_sims)
        top = np.argpartition(-sims, k)[:k] if len(sims) > k else np.arange(len(sims))
        top = top[np.argsort(-sims[top], kind="stable")]
        return rows[top], sims[top]
