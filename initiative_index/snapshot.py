"""An in-memory view of one index version: every chunk's text and metadata, the initiative records, and
the lexical index over them, row-aligned. Search reads a snapshot; a new index version gets a new snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from initiative_index.analyzer import get_analyzer
from initiative_index.lexical import LexicalIndex
from initiative_index.manifest import Manifest
from initiative_index.passage import passage_text
from initiative_index.settings import Settings
from initiative_index.store import ChunkStore, record_from_metadata
from initiative_index.version_vectors import FOLDER as VECTORS_FOLDER
from initiative_index.version_vectors import VersionVectors


class IndexSnapshot:
    """Chunks, initiative records and the BM25 index of one index version."""

    def __init__(
        self,
        manifest: Manifest,
        ids: list[str],
        texts: list[str],
        metadatas: list[dict],
        lexical: LexicalIndex,
        mean_vector: np.ndarray | None = None,
        vectors: VersionVectors | None = None,
    ) -> None:
        self.manifest = manifest
        # This version's vectors, for exact search while an ingestion changes the store (issue 13).
        self.vectors = vectors
        # The mean of every chunk vector: a query's dot product with it is its average similarity to the
        # collection, the baseline against which a semantic match must stand out.
        self.mean_vector = mean_vector if mean_vector is not None else np.zeros(manifest.embedding_dimension)
        self.ids = ids
        self.texts = texts
        self.metadatas = metadatas
        self.lexical = lexical
        self.row_of = {chunk_id: row for row, chunk_id in enumerate(ids)}
        self.records: dict[str, dict] = {}
        self.base_dirs: dict[str, str] = {}
        for meta in metadatas:
            record = record_from_metadata(meta) if meta.get("kind") == "card" else None
            if record:
                self.records[meta["initiative_id"]] = record
                self.base_dirs[meta["initiative_id"]] = meta.get("base_dir", "")
        for meta in metadatas:  # chunks whose card is missing (an ingestion is under way) still show
            self.records.setdefault(
                meta["initiative_id"],
                {"id": meta["initiative_id"], "title": meta.get("title", ""), "summary": ""},
            )
        self.initiative_ids = sorted(self.records)
        self.initiative_position = {initiative_id: i for i, initiative_id in enumerate(self.initiative_ids)}
        self.chunk_initiative = np.fromiter(
            (self.initiative_position[m["initiative_id"]] for m in metadatas),
            dtype=np.int32,
            count=len(metadatas),
        )

    @property
    def version(self) -> str:
        return self.manifest.index_version

    @classmethod
    def load(cls, store: ChunkStore, settings: Settings, manifest: Manifest | None = None) -> IndexSnapshot:
        """Read every chunk from the store; reuse the saved lexical index of this version or build it."""
        manifest = manifest or store.read_manifest()
        rows: dict[str, dict] = {}
        total = np.zeros(manifest.embedding_dimension, dtype=np.float64)

        def vectors_of_rows() -> Iterator[tuple[str, object]]:
            for row in store.iter_rows(include=("documents", "metadatas", "embeddings")):
                embedding = row.pop("embedding")
                total[:] += np.asarray(embedding, dtype=np.float64)
                rows[row["id"]] = row
                yield row["id"], embedding

        # Issue 13: the vectors go to a memory-mapped file as they stream by (see version_vectors.py).
        vectors = VersionVectors.write(
            vectors_of_rows(), manifest.embedding_dimension, settings.data_dir / VECTORS_FOLDER
        )
        analyzer = get_analyzer(settings.language)
        lexical = LexicalIndex.load(
            settings.lexical_path / settings.collection, manifest.index_version, analyzer
        )
        if lexical is None or set(lexical.ids) != rows.keys():
            ids = list(rows)
            texts = [_lexical_text(rows[i]) for i in ids]
            lexical = LexicalIndex.build(ids, texts, analyzer, manifest.index_version)
            if not manifest.dirty:  # a store mid-ingestion is not what this version label names
                lexical.save(settings.lexical_path / settings.collection)
        ordered = [rows[i] for i in lexical.ids]
        return cls(
            manifest,
            list(lexical.ids),
            [row["document"] or "" for row in ordered],
            [row["metadata"] for row in ordered],
            lexical,
            (total / max(len(rows), 1)).astype(np.float32),
            vectors,
        )


def _lexical_text(row: dict) -> str:
    """What BM25 indexes for a chunk: the initiative title with the text, as the embedder reads it."""
    meta = row["metadata"]
    text = row["document"] or ""
    return text if meta.get("kind") == "card" else passage_text(meta.get("title", ""), text)
