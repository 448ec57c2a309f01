"""A view of one index version for search: the initiative records in memory, everything per chunk mapped.

Per chunk, a worker holds only small arrays (its initiative's position, whether it is a card, whether it is
live); ids, texts, metadata and BM25 postings stay in the memory-mapped segments (segment.py), which every
worker on the machine shares through the page cache. A chunk's text and metadata are decoded when a result
shows it (`texts[row]`, `metadatas[row]`). Rows run over the base segment, then the delta segment; rows of
the base that the delta replaced are not live: no retriever returns them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

import numpy as np

from initiative_index.analyzer import get_analyzer
from initiative_index.lexical import LexicalIndex
from initiative_index.manifest import Manifest
from initiative_index.segment import Segment
from initiative_index.segment_view import View, load_view
from initiative_index.settings import Settings
from initiative_index.store import ChunkStore


class _ChunkField(Sequence):
    """Texts (index 0) or metadata (index 1) by row, decoded on access."""

    def __init__(self, snapshot: IndexSnapshot, index: int) -> None:
        self._snapshot = snapshot
        self._index = index

    def __len__(self) -> int:
        return len(self._snapshot.ids)

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        return self._snapshot.chunk(int(row))[self._index]


class RowLookup:
    """Chunk id -> row of its live copy (the delta's copy when a chunk was rewritten)."""

    def __init__(self, snapshot: IndexSnapshot) -> None:
        self._snapshot = snapshot

    def get(self, chunk_id: str, default: int | None = None) -> int | None:
        snapshot = self._snapshot
        for part, offset in zip(reversed(snapshot.parts), reversed(snapshot.offsets), strict=True):
            row = part.row_of(chunk_id)
            if row >= 0:
                row += offset
                return row if snapshot.alive is None or snapshot.alive[row] else default
        return default

    def rows(self, chunk_ids: list[str]) -> np.ndarray:
        """Live rows of many chunk ids at once (-1 for ids it does not hold)."""
        snapshot = self._snapshot
        result = np.full(len(chunk_ids), -1, dtype=np.int64)
        for part, offset in zip(reversed(snapshot.parts), reversed(snapshot.offsets), strict=True):
            todo = np.flatnonzero(result < 0)
            if not len(todo):
                break
            found = part.rows_of([chunk_ids[i] for i in todo.tolist()])
            hit = found >= 0
            result[todo[hit]] = found[hit] + offset
        if snapshot.alive is not None:
            known = result >= 0
            result[known] = np.where(snapshot.alive[result[known]], result[known], -1)
        return result

    def __contains__(self, chunk_id: object) -> bool:
        return isinstance(chunk_id, str) and self.get(chunk_id) is not None

    def __getitem__(self, chunk_id: str) -> int:
        row = self.get(chunk_id)
        if row is None:
            raise KeyError(chunk_id)
        return row


class IndexSnapshot:
    """Initiative records and the mapped chunk segments of one index version."""

    def __init__(self, manifest: Manifest, view: View, settings_language: str) -> None:
        self.manifest = manifest
        self.view = view
        self.parts: list[Segment] = view.parts
        self.alive = view.alive
        self.lexical = LexicalIndex(
            view.parts, get_analyzer(settings_language), manifest.index_version, view.alive
        )
        self.offsets = self.lexical.offsets
        self.ids = self.lexical.ids
        self.texts = _ChunkField(self, 0)
        self.metadatas = _ChunkField(self, 1)
        self.row_of = RowLookup(self)
        self._read_records()
        self.initiative_ids = sorted(self.records)
        self.initiative_position = {initiative_id: i for i, initiative_id in enumerate(self.initiative_ids)}
        codes = []
        for part in self.parts:
            remap = np.fromiter(
                (self.initiative_position.get(i, 0) for i in part.initiatives),
                dtype=np.int32,
                count=len(part.initiatives),
            )
            codes.append(remap[part.initiative_codes] if part.rows else np.empty(0, dtype=np.int32))
        # Position of each chunk's initiative (a replaced row keeps a valid position; it is never live).
        self.chunk_initiative = np.concatenate(codes) if codes else np.empty(0, dtype=np.int32)
        self.is_card = (
            np.concatenate([np.asarray(part.is_card, dtype=bool) for part in self.parts])
            if self.parts
            else np.empty(0, dtype=bool)
        )
        live = self.chunk_initiative if self.alive is None else self.chunk_initiative[self.alive]
        self.initiative_chunks = np.bincount(live, minlength=len(self.initiative_ids))  # live chunks each
        # The delta's chunks and vectors: the vector side searches them itself (see `delta_rows`).
        self.delta_start = self.offsets[1] if len(self.parts) > 1 else len(self.ids)
        self.delta_vectors = self.parts[1].vectors if len(self.parts) > 1 else None
        self.base_vectors = self.parts[0].vectors  # for exact search while the store changes
        # A large base's own vector index (partitions.py): then Chroma's HNSW is never loaded by a worker.
        self.partitions = self.parts[0].partitions
        # The mean of every chunk vector: a query's dot product with it is its average similarity to the
        # collection, the baseline against which a semantic match must stand out.
        self.mean_vector = self._mean_vector()

    @property
    def version(self) -> str:
        return self.manifest.index_version

    @property
    def chunk_count(self) -> int:
        """Live chunks (rows run over replaced ones too, so `len(ids)` can be larger)."""
        return self.lexical.live_rows

    @classmethod
    def load(
        cls,
        store: ChunkStore,
        settings: Settings,
        manifest: Manifest | None = None,
        pending_change: dict | None = None,
    ) -> IndexSnapshot:
        """Open this version's saved segments, or build them from the change (or the whole store) first;
        `pending_change`: the change-log entry of `manifest`'s version, not published yet (segment_view)."""
        manifest = manifest or store.read_manifest()
        analyzer = get_analyzer(settings.language)
        view = load_view(
            store,
            analyzer,
            manifest.index_version,
            settings.lexical_path / settings.collection,
            save=not manifest.dirty,  # a store mid-ingestion is not what this version label names
            partition_min_rows=settings.vector_partitions_min_chunks,
            pending_change=pending_change,
        )
        return cls(manifest, view, settings.language)

    # -- per chunk -------------------------------------------------------------------------------

    def _part(self, row: int) -> tuple[Segment, int]:
        for part, offset in zip(reversed(self.parts), reversed(self.offsets), strict=True):
            if row >= offset:
                return part, row - offset
        raise IndexError(row)

    def chunk(self, row: int) -> tuple[str, dict]:
        """(text, metadata) of one chunk."""
        part, local = self._part(row)
        return part.chunk(local)

    def live_rows(self) -> np.ndarray:
        return np.flatnonzero(self.alive) if self.alive is not None else np.arange(len(self.ids))

    def iter_chunks(self) -> Iterator[tuple[int, str, dict]]:
        """(row, text, metadata) of every live chunk (decodes them all: for batch work, not requests)."""
        for row in self.live_rows().tolist():
            text, metadata = self.chunk(row)
            yield row, text, metadata

    def live_rows_of(self, position: int) -> np.ndarray:
        """Live rows of one initiative."""
        rows = np.flatnonzero(self.chunk_initiative == position)
        return rows[self.alive[rows]] if self.alive is not None else rows

    # -- per initiative --------------------------------------------------------------------------

    def _live_of_part(self, index: int) -> np.ndarray | None:
        if self.alive is None:
            return None
        offset = self.offsets[index]
        return self.alive[offset : offset + self.parts[index].rows]

    def _read_records(self) -> None:
        """Records of initiatives with a live card, placeholders for those with live chunks but no card (an
        ingestion is under way), and what is counted per initiative or document."""
        self.records: dict[str, dict] = {}
        self.base_dirs: dict[str, str] = {}
        titles: dict[str, str] = {}
        documents: set[str] = set()
        words: Counter[str] = Counter()
        for index, part in enumerate(self.parts):
            live = self._live_of_part(index)
            info = part.details
            for initiative_id, record in info["records"].items():
                if live is None or live[info["card_rows"][initiative_id]]:
                    self.records[initiative_id] = record
                    self.base_dirs[initiative_id] = info["base_dirs"].get(initiative_id, "")
            initiative_codes = part.initiative_codes if live is None else part.initiative_codes[live]
            for code in np.unique(initiative_codes).tolist():
                initiative_id = part.initiatives[code]
                titles.setdefault(initiative_id, info["titles"].get(initiative_id, ""))
            source_codes = part.source_codes if live is None else part.source_codes[live]
            codes = np.unique(source_codes)
            documents |= {part.sources[code] for code in codes[part.source_is_document[codes]].tolist()}
            # Words of replaced chunks stay until compaction: a correction may name a word no longer indexed.
            words.update(info["words"])
        for initiative_id, title in titles.items():
            self.records.setdefault(initiative_id, {"id": initiative_id, "title": title, "summary": ""})
        self.document_count = len(documents)
        self.word_counts = words

    def _mean_vector(self) -> np.ndarray:
        """Mean of the live vectors. The vectors of replaced base chunks are no longer stored, so they are
        taken as the base's mean: exact for a fresh base, and within a delta's share of it after changes."""
        dimension = self.manifest.embedding_dimension
        total = np.zeros(dimension, dtype=np.float64)
        live = 0
        for index, part in enumerate(self.parts):
            vector_sum = part.info.get("vector_sum")
            if vector_sum is None or not part.rows:
                continue
            part_sum = np.asarray(vector_sum, dtype=np.float64)
            part_live = self._live_of_part(index)
            dead = 0 if part_live is None else int(part.rows - part_live.sum())
            total += part_sum - dead * part_sum / part.rows
            live += part.rows - dead
        return (total / max(live, 1)).astype(np.float32)
