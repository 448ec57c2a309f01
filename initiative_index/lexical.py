"""The lexical (BM25) index over chunk texts: one or more segments (segment.py) minus removed chunks.

Scores are computed per query from the postings' raw term frequencies and the live collection's statistics
(chunk count, document frequency, average length), with bm25s's Lucene formula: idf = ln(1 + (N - df + 0.5)
/ (df + 0.5)) and tf / (tf + k1 (1 - b + b len / avglen)), k1 = 1.5, b = 0.75. So a base segment with a
small delta segment on top, and tombstones for the base chunks the delta replaces, ranks and scores exactly
as a single index built from scratch over the same chunks would; nothing needs re-indexing but the delta.

Because the index is derived from the chunks in Chroma, any process can rebuild it (an API replica next to a
Chroma server does so when its copy is missing). Saved copies are per index version and language.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from initiative_index.analyzer import TextAnalyzer
from initiative_index.segment import INFO_FILE, Segment, SegmentWriter

K1 = 1.5
B = 0.75


class ChunkIds(Sequence[str]):
    """Chunk ids by row over the segments (decoded on access, never held as a list)."""

    def __init__(self, parts: list[Segment], offsets: list[int]) -> None:
        self._parts = parts
        self._offsets = offsets
        self._rows = offsets[-1] + parts[-1].rows if parts else 0

    def __len__(self) -> int:
        return self._rows

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(self._rows))]
        row = int(row)
        if row < 0:
            row += self._rows
        for part, offset in zip(reversed(self._parts), reversed(self._offsets), strict=True):
            if row >= offset:
                return part.ids[row - offset]
        raise IndexError(row)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


class LexicalIndex:
    """BM25 over the rows of `parts` (each part's rows follow the previous part's); `alive` excludes rows."""

    def __init__(
        self,
        parts: list[Segment],
        analyzer: TextAnalyzer,
        version: str,
        alive: np.ndarray | None = None,
    ) -> None:
        self.parts = parts
        self.offsets = list(np.cumsum([0] + [p.rows for p in parts[:-1]]).tolist()) if parts else []
        self.ids = ChunkIds(parts, self.offsets)
        self.analyzer = analyzer
        self.version = version
        self.alive = alive
        lengths = sum(float(np.sum(part.lengths, dtype=np.float64)) for part in parts)
        live = len(self.ids)
        if alive is not None:
            dead = np.flatnonzero(~alive)
            live -= len(dead)
            lengths -= float(self._lengths(dead).sum())
        self.live_rows = live
        self.average_length = lengths / live if live else 1.0
        self._keep: object = None  # a temporary folder of an unsaved build, removed when this is

    def _lengths(self, rows: np.ndarray) -> np.ndarray:
        """Analysed lengths of global rows (ascending)."""
        result = np.empty(len(rows), dtype=np.float64)
        for part, offset in zip(self.parts, self.offsets, strict=True):
            inside = (rows >= offset) & (rows < offset + part.rows)
            result[inside] = part.lengths[rows[inside] - offset]
        return result

    def _postings(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Live rows holding `term`, its frequency and each row's length; None when no live row does."""
        rows, tfs, lengths = [], [], []
        for part, offset in zip(self.parts, self.offsets, strict=True):
            found = part.postings(term)
            if found is None:
                continue
            local, tf = found
            rows.append(local.astype(np.int64) + offset)
            tfs.append(tf)
            lengths.append(part.lengths[local])
        if not rows:
            return None
        all_rows = np.concatenate(rows)
        tf = np.concatenate(tfs).astype(np.float64)
        length = np.concatenate(lengths).astype(np.float64)
        if self.alive is not None:
            keep = self.alive[all_rows]
            all_rows, tf, length = all_rows[keep], tf[keep], length[keep]
        return (all_rows, tf, length) if len(all_rows) else None

    def term_postings(
        self, term: str, cache: dict[str, tuple[np.ndarray, np.ndarray] | None] | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Rows holding one analysed term (ascending) and its BM25 score in each; None if no live row does."""
        if cache is not None and term in cache:
            return cache[term]
        found = self._postings(term)
        result = None
        if found is not None:
            rows, tf, length = found
            df = len(rows)
            idf = math.log(1 + (self.live_rows - df + 0.5) / (df + 0.5))
            result = rows, idf * tf / (tf + K1 * (1 - B + B * length / self.average_length))
        if cache is not None:
            cache[term] = result
        return result

    def term_scores(self, term: str, cache: dict[str, np.ndarray] | None = None) -> np.ndarray | None:
        """BM25 score of one analysed term in every row (0 where it does not occur); None if unknown."""
        if cache is not None and term in cache:
            return cache[term]
        found = self.term_postings(term)
        if found is None:
            return None
        scores = np.zeros(len(self.ids), dtype=np.float64)
        scores[found[0]] = found[1]
        if cache is not None:
            cache[term] = scores
        return scores

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and BM25 scores of the best `k` chunks matching `query`, within `mask` (bool per row)."""
        terms = list(dict.fromkeys(self.analyzer.terms(query)))
        vectors = [v for v in (self.term_scores(t) for t in terms) if v is not None]
        if not vectors:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        scores = np.sum(vectors, axis=0)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, int(np.count_nonzero(scores)))
        if k == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return top, scores[top].astype(np.float32)

    # -- a stand-alone index (one segment), for tools and tests ----------------------------------

    @classmethod
    def build(
        cls, ids: Sequence[str], texts: Sequence[str], analyzer: TextAnalyzer, version: str
    ) -> LexicalIndex:
        """Index `texts` (one per chunk id) in a temporary folder; `save` keeps a copy."""
        writer = SegmentWriter(analyzer, version)
        for chunk_id, text in zip(ids, texts, strict=True):
            writer.add(chunk_id, text, {"initiative_id": chunk_id, "kind": "card", "source": chunk_id})
        folder = tempfile.TemporaryDirectory(prefix="overblik-lexical-")
        index = cls([Segment(writer.save(Path(folder.name) / "segment"))], analyzer, version)
        index._keep = folder
        return index

    def save(self, root: Path) -> Path:
        """Copy a one-segment index to `root`/<version>-<language> and drop other versions there."""
        target = root / dir_name(self.version, self.analyzer.language)
        if not target.exists():
            root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
            shutil.copytree(self.parts[0].path, staging, dirs_exist_ok=True)
            try:
                staging.rename(target)
            except OSError:  # another process saved the same version first
                shutil.rmtree(staging, ignore_errors=True)
        remove_other_versions(root, keep={target})
        return target

    @classmethod
    def load(cls, root: Path, version: str, analyzer: TextAnalyzer) -> LexicalIndex | None:
        """The saved index of this version and language (a base or a base plus a delta), or None."""
        from initiative_index.segment_view import open_view  # the view module builds on this one

        try:
            view = open_view(root, dir_name(version, analyzer.language))
        except (OSError, ValueError, KeyError):
            return None
        return cls(view.parts, analyzer, version, view.alive)


def dir_name(version: str, language: str) -> str:
    return f"{version}-{language}"


def remove_other_versions(root: Path, keep: set[Path]) -> None:
    """Saved versions no one will open again (open ones stay mapped by the processes that hold them)."""
    for entry in root.iterdir():
        if entry in keep or not entry.is_dir() or entry.name.startswith("."):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def is_saved(folder: Path) -> bool:
    return (folder / INFO_FILE).is_file()
