"""An index segment on disk: chunk texts and metadata, chunk ids, per-chunk codes and BM25 postings.

Every array is a `.npy` file opened with `mmap_mode="r"`, and strings (ids, terms, texts) are one blob plus
an offsets array, so every API worker maps the same pages from the page cache instead of holding its own
Python objects: a worker's private memory grows with the initiatives (their records), not with the chunks.
A chunk's text and metadata are decoded only when it is shown or a phrase is checked in it.

BM25 postings keep raw term frequencies and chunk lengths, not finished scores: the scores are computed per
query from live collection statistics (lexical.py), so a base segment plus a delta segment minus removed
chunks scores exactly as one segment built from scratch would.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import tempfile
import threading
import weakref
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from initiative_index.analyzer import TextAnalyzer
from initiative_index.partitions import Partitions, build_partitions
from initiative_index.passage import passage_text
from initiative_index.store import record_from_metadata

SEGMENT_FORMAT = 3  # 2: a base keeps its vectors; 3: a large base is stored in partitions, names mapped
INFO_FILE = "segment.json"
DETAILS_FILE = "details.json"
_WORD = re.compile(r"[^\W\d_]+")
SPELLING_MIN_LENGTH = 4  # the spell checker ignores shorter words (search_api/spelling.py)


class Strings:
    """Strings stored as one UTF-8 blob and an offsets array (both memory-mapped)."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        # Plain views of the mapped arrays: slicing a np.memmap builds a memmap object per slice (3x slower).
        self._blob = blob.view(np.ndarray)
        self._offsets = offsets.view(np.ndarray)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def raw(self, index: int) -> bytes:
        return self._blob[int(self._offsets[index]) : int(self._offsets[index + 1])].tobytes()

    def __getitem__(self, index: int) -> str:
        return self.raw(index).decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))


class SortedStrings(Strings):
    """Byte-sorted strings, looked up by binary search (about 20 steps for a million)."""

    def find(self, text: str) -> int:
        """Position of `text`, or -1."""
        key = text.encode("utf-8")
        low, high = 0, len(self)
        while low < high:
            middle = (low + high) // 2
            if self.raw(middle) < key:
                low = middle + 1
            else:
                high = middle
        return low if low < len(self) and self.raw(low) == key else -1


def lexical_text(document: str, metadata: dict) -> str:
    """What BM25 indexes for a chunk: the initiative title with the text, as the embedder reads it."""
    return document if metadata.get("kind") == "card" else passage_text(metadata.get("title", ""), document)


class Segment:
    """One saved segment, opened read-only and memory-mapped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.info: dict[str, Any] = json.loads((path / INFO_FILE).read_text(encoding="utf-8"))
        if self.info.get("format") != SEGMENT_FORMAT:
            raise ValueError(f"segment format {self.info.get('format')} in {path}")
        load = self._array
        self.rows = int(self.info["rows"])
        self.ids = Strings(load("ids.blob"), load("ids.offsets"))
        self.sorted_ids = SortedStrings(load("sorted_ids.blob"), load("sorted_ids.offsets"))
        self.sorted_id_rows = load("sorted_ids.rows")
        self.sorted_ids_fixed = load("sorted_ids.fixed")
        self.chunks = Strings(load("chunks.blob"), load("chunks.offsets"))
        self.initiative_codes = load("initiative_codes")  # into info["initiatives"]
        self.source_codes = load("source_codes")  # into info["sources"]
        self.is_card = load("is_card")
        self.vocabulary = SortedStrings(load("terms.blob"), load("terms.offsets"))
        self.postings_start = load("postings.start")  # per term, into the posting arrays (+ the end)
        self.postings_rows = load("postings.rows")
        self.postings_tf = load("postings.tf")
        self.lengths = load("lengths")  # analysed terms per chunk
        # Every segment keeps its chunks' vectors, mapped like the rest: a delta's are searched by brute force
        # (few), a base's only while the store is not the version served (retrieval.py: load during change).
        self.vectors: np.ndarray | None = load("vectors") if (path / "vectors.npy").is_file() else None
        # A large base keeps its rows grouped by vector partition (partitions.py): its own vector index.
        self.partitions = (
            Partitions(load("partitions.centroids"), load("partitions.starts"))
            if (path / "partitions.starts.npy").is_file()
            else None
        )
        # Names of the codes above, mapped too: the ingestion reads a version's sources without decoding more.
        self.initiatives = Strings(load("initiatives.blob"), load("initiatives.offsets"))
        self.sources = Strings(load("sources.blob"), load("sources.offsets"))
        self.source_is_document = load("sources.is_document")  # bool per source code

    @functools.cached_property
    def details(self) -> dict[str, Any]:
        """Per initiative: records (of its card), card rows, titles and base folders; and the words for the
        spell checker. Read once, when a search engine is built on the segment."""
        return json.loads((self.path / DETAILS_FILE).read_text(encoding="utf-8"))

    @classmethod
    def open(cls, path: Path) -> Segment:
        """The segment at `path`, shared with every snapshot of this process that still holds it: a reload
        whose base is unchanged reuses the base's decoded info (its records, sources) instead of a copy."""
        key = (str(path), (path / INFO_FILE).stat().st_mtime_ns)
        with _OPEN_LOCK:
            segment = _OPEN.get(key)
            if segment is None:
                segment = _OPEN[key] = cls(path)
            return segment

    def _array(self, name: str) -> np.ndarray:
        array_ = np.load(self.path / f"{name}.npy", mmap_mode="r")
        return array_ if len(array_) else np.load(self.path / f"{name}.npy")  # numpy cannot map 0 bytes

    @property
    def version(self) -> str:
        return self.info["version"]

    def row_of(self, chunk_id: str) -> int:
        """The row of a chunk id, or -1."""
        position = self.sorted_ids.find(chunk_id)
        return int(self.sorted_id_rows[position]) if position >= 0 else -1

    def rows_of(self, chunk_ids: list[str]) -> np.ndarray:
        """Rows of many chunk ids at once (-1 for unknown ones)."""
        if not chunk_ids or not self.rows:
            return np.full(len(chunk_ids), -1, dtype=np.int64)
        keys = np.array([i.encode("utf-8") for i in chunk_ids], dtype=object).astype(
            self.sorted_ids_fixed.dtype
        )
        positions = np.searchsorted(self.sorted_ids_fixed, keys)
        inside = positions < self.rows
        clipped = np.where(inside, positions, 0)
        # A key wider than the stored width was cut to fit by astype: compare the full bytes.
        same = inside & (self.sorted_ids_fixed[clipped] == keys)
        same &= np.fromiter(
            (len(i.encode("utf-8")) for i in chunk_ids), dtype=np.int64, count=len(chunk_ids)
        ) <= (self.sorted_ids_fixed.dtype.itemsize)
        return np.where(same, self.sorted_id_rows[clipped].astype(np.int64), -1)

    def chunk(self, row: int) -> tuple[str, dict]:
        """(text, metadata) of one chunk, decoded from the mapped blob."""
        text, metadata = json.loads(self.chunks[row])
        return text, metadata

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Rows holding an analysed term and its frequency in each, or None when the term is unknown."""
        position = self.vocabulary.find(term)
        if position < 0:
            return None
        start, end = int(self.postings_start[position]), int(self.postings_start[position + 1])
        return self.postings_rows[start:end], self.postings_tf[start:end]


_OPEN: weakref.WeakValueDictionary[tuple[str, int], Segment] = weakref.WeakValueDictionary()
_OPEN_LOCK = threading.Lock()


def _current(path: Path) -> bool:
    """Whether `path` holds a segment of the current format."""
    try:
        info = json.loads((path / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return info.get("format") == SEGMENT_FORMAT


class SegmentWriter:
    """Collects chunks one at a time (tokens are counted, never kept per chunk) and saves a segment."""

    def __init__(
        self,
        analyzer: TextAnalyzer,
        version: str,
        keep_vectors: bool = False,
        partition_min_rows: int | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.version = version
        # With at least this many rows (and their vectors), the segment is saved in vector partitions.
        self.partition_min_rows = partition_min_rows
        # The chunks' vectors as float32 bytes: a delta's stand in for what a vector index opened before the
        # change has not seen (segment_view.py); a base's answer while the store changes (retrieval.py).
        self._vectors: bytearray | None = bytearray() if keep_vectors else None
        self._vector_count = 0
        self._ids: list[bytes] = []
        self._chunks = bytearray()
        self._chunk_offsets = array("q", [0])
        self._initiatives: dict[str, int] = {}
        self._sources: dict[str, int] = {}
        self._initiative_codes = array("i")
        self._source_codes = array("i")
        self._is_card = array("b")
        self._lengths = array("f")
        self._terms: dict[str, int] = {}
        self._posting_terms = array("i")
        self._posting_rows = array("i")
        self._posting_tf = array("H")
        self._vector_sum: np.ndarray | None = None
        self.records: dict[str, dict] = {}
        self.card_rows: dict[str, int] = {}
        self.titles: dict[str, str] = {}
        self.base_dirs: dict[str, str] = {}
        self.document_sources: set[str] = set()
        self.words: Counter[str] = Counter()

    def add(self, chunk_id: str, document: str | None, metadata: dict, embedding: Any = None) -> None:
        row = len(self._ids)
        document = document or ""
        self._ids.append(chunk_id.encode("utf-8"))
        self._chunks += json.dumps([document, metadata], ensure_ascii=False).encode("utf-8")
        self._chunk_offsets.append(len(self._chunks))
        initiative = metadata["initiative_id"]
        self._initiative_codes.append(self._initiatives.setdefault(initiative, len(self._initiatives)))
        self._source_codes.append(self._sources.setdefault(metadata.get("source", ""), len(self._sources)))
        card = metadata.get("kind") == "card"
        self._is_card.append(1 if card else 0)
        record = record_from_metadata(metadata) if card else None
        if record:
            self.records[initiative] = record
            self.card_rows[initiative] = row
            self.base_dirs[initiative] = metadata.get("base_dir", "")
        self.titles.setdefault(initiative, metadata.get("title", ""))
        if metadata.get("kind") == "document":
            self.document_sources.add(metadata.get("source", ""))
        self.words.update(w for w in _WORD.findall(document.lower()) if len(w) >= SPELLING_MIN_LENGTH)
        terms = self.analyzer.terms(lexical_text(document, metadata))
        self._lengths.append(len(terms))
        for term, count in Counter(terms).items():
            self._posting_terms.append(self._terms.setdefault(term, len(self._terms)))
            self._posting_rows.append(row)
            self._posting_tf.append(min(count, 65_535))
        if embedding is not None:
            vector = np.asarray(embedding, dtype=np.float64)
            if self._vectors is not None:
                self._vectors += vector.astype(np.float32).tobytes()
                self._vector_count += 1
            self._vector_sum = vector if self._vector_sum is None else self._vector_sum + vector

    def add_rows(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self.add(row["id"], row["document"], row["metadata"], row.get("embedding"))

    @property
    def rows(self) -> int:
        return len(self._ids)

    def _id_width(self) -> int:
        return max((len(i) for i in self._ids), default=1)

    def save(
        self, target: Path, extra: dict[str, Any] | None = None, arrays: dict[str, np.ndarray] | None = None
    ) -> Path:
        """Write the segment (with `extra` info and `arrays`) to `target` atomically: staged, then renamed."""
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
        try:
            for name, values in (arrays or {}).items():
                np.save(staging / f"{name}.npy", values)
            self._write(staging, extra or {})
            if target.exists() and not _current(target):
                # A folder of this name from an older format (or the lexical index that preceded segments):
                # it cannot be opened, and would keep the new segment from taking its place.
                shutil.rmtree(target)
            os.rename(staging, target)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not (target / INFO_FILE).is_file():
                raise
        return target

    def _partitioned(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(centroids, partition starts, row order) when the segment is large enough to be partitioned."""
        rows = len(self._ids)
        if (
            not self.partition_min_rows  # None or 0: never
            or rows < self.partition_min_rows
            or self._vectors is None
            or self._vector_count != rows
        ):
            return None
        vectors = np.frombuffer(self._vectors, dtype=np.float32).reshape(rows, -1)
        centroids, assignment = build_partitions(vectors)
        order = np.argsort(assignment, kind="stable")  # rows ascending within a partition
        starts = np.concatenate([[0], np.cumsum(np.bincount(assignment, minlength=len(centroids)))])
        return centroids, starts.astype(np.int64), order

    def _write(self, folder: Path, extra: dict[str, Any]) -> None:
        def save(name: str, values: np.ndarray) -> None:
            np.save(folder / f"{name}.npy", values)

        def save_strings(name: str, values: list[bytes]) -> None:
            lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
            save(f"{name}.offsets", np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
            save(f"{name}.blob", np.frombuffer(b"".join(values), dtype=np.uint8))

        rows = len(self._ids)
        partitioned = self._partitioned()
        # The stored row order: a partitioned segment's rows follow their partitions (so a partition is one
        # slice of every per-row array); `new_row[old]` renumbers what refers to rows as they were added.
        order = partitioned[2] if partitioned else np.arange(rows)
        new_row = np.empty(rows, dtype=np.int64)
        new_row[order] = np.arange(rows)
        ids = [self._ids[i] for i in order.tolist()]
        save_strings("ids", ids)
        sorted_order = sorted(range(rows), key=ids.__getitem__)
        save_strings("sorted_ids", [ids[i] for i in sorted_order])
        # The same, fixed-width: numpy's searchsorted finds a whole page of ids at once (`rows_of`).
        save("sorted_ids.fixed", np.array([ids[i] for i in sorted_order], dtype=f"S{self._id_width()}"))
        save("sorted_ids.rows", np.asarray(sorted_order, dtype=np.int32))
        offsets = np.frombuffer(self._chunk_offsets, dtype=np.int64)
        if partitioned:
            blob = memoryview(self._chunks)
            lengths = np.diff(offsets)[order]
            save("chunks.offsets", np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
            save(
                "chunks.blob",
                np.frombuffer(b"".join(blob[offsets[i] : offsets[i + 1]] for i in order.tolist()), np.uint8),
            )
        else:
            save("chunks.offsets", offsets)
            save("chunks.blob", np.frombuffer(self._chunks, dtype=np.uint8))
        save("initiative_codes", np.frombuffer(self._initiative_codes, dtype=np.int32)[order])
        save("source_codes", np.frombuffer(self._source_codes, dtype=np.int32)[order])
        save("is_card", np.frombuffer(self._is_card, dtype=np.int8).astype(bool)[order])
        save("lengths", np.frombuffer(self._lengths, dtype=np.float32)[order])
        # Postings grouped by term, terms in byte order so a lookup is a binary search.
        terms = [term.encode("utf-8") for term in self._terms]
        term_order = sorted(range(len(terms)), key=terms.__getitem__)
        rank = np.empty(len(terms), dtype=np.int32)
        rank[np.asarray(term_order, dtype=np.int64)] = np.arange(len(terms), dtype=np.int32)
        posting_terms = rank[np.frombuffer(self._posting_terms, dtype=np.int32)]
        posting_rows = new_row[np.frombuffer(self._posting_rows, dtype=np.int32)].astype(np.int32)
        # By term, rows ascending within a term (one int64 key: faster than a two-key sort at 10^8 postings).
        order_ = np.argsort((posting_terms.astype(np.int64) << 32) | posting_rows.astype(np.int64))
        save_strings("terms", [terms[i] for i in term_order])
        counts = np.bincount(posting_terms, minlength=len(terms))
        save("postings.start", np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
        save("postings.rows", posting_rows[order_])
        save("postings.tf", np.frombuffer(self._posting_tf, dtype=np.uint16)[order_])
        if self._vectors is not None and self._vectors and self._vector_count == rows:
            save("vectors", np.frombuffer(self._vectors, dtype=np.float32).reshape(rows, -1)[order])
        if partitioned:
            save("partitions.centroids", partitioned[0])
            save("partitions.starts", partitioned[1])
        card_rows = {initiative: int(new_row[row]) for initiative, row in self.card_rows.items()}
        save_strings("initiatives", [initiative.encode("utf-8") for initiative in self._initiatives])
        save_strings("sources", [source.encode("utf-8") for source in self._sources])
        save("sources.is_document", np.array([s in self.document_sources for s in self._sources], dtype=bool))
        details = {
            "records": self.records,
            "card_rows": card_rows,
            "titles": self.titles,
            "base_dirs": self.base_dirs,
            "words": dict(self.words),
        }
        (folder / DETAILS_FILE).write_text(json.dumps(details, ensure_ascii=False), encoding="utf-8")
        info = {
            "format": SEGMENT_FORMAT,
            "version": self.version,
            "language": self.analyzer.language,
            "rows": len(self._ids),
            "vector_sum": self._vector_sum.tolist() if self._vector_sum is not None else None,
            **extra,
        }
        (folder / INFO_FILE).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
