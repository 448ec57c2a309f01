"""The lexical (BM25) index over chunk texts, derived from the chunks stored in Chroma.

Because it is derived, any process can rebuild it (an API replica next to a Chroma server does so when its
copy is missing or stale). It is saved per index version and language, so a saved copy is never used
against a store that has changed since.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from initiative_index.analyzer import TextAnalyzer

_META_FILE = "overblik-lexical.json"


class LexicalIndex:
    """BM25 (bm25s, Lucene variant) over analysed chunk texts; rows follow `ids`."""

    def __init__(self, bm25: bm25s.BM25, ids: list[str], analyzer: TextAnalyzer, version: str) -> None:
        self._bm25 = bm25
        self.ids = ids
        self.analyzer = analyzer
        self.version = version

    @classmethod
    def build(
        cls, ids: Sequence[str], texts: Sequence[str], analyzer: TextAnalyzer, version: str
    ) -> LexicalIndex:
        """Index `texts` (one per chunk id)."""
        bm25 = bm25s.BM25()
        # bm25s cannot index an empty corpus (its average length would be 0); an empty store gets one
        # placeholder term that no query can produce, and no rows to return.
        corpus = [analyzer.terms(text) for text in texts] or [["\x00"]]
        bm25.index(corpus, show_progress=False)
        return cls(bm25, list(ids), analyzer, version)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and BM25 scores of the best `k` chunks matching `query`, within `mask` (bool per row)."""
        terms = list(dict.fromkeys(self.analyzer.terms(query)))
        known = [t for t in terms if t in self._bm25.vocab_dict]
        if not known or not self.ids:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        scores = self._bm25.get_scores(known)[: len(self.ids)]
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, int(np.count_nonzero(scores)))
        if k == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return top, scores[top].astype(np.float32)

    def term_scores(self, term: str, cache: dict[str, np.ndarray] | None = None) -> np.ndarray | None:
        """BM25 score of one analysed term in every row (0 where it does not occur); None if unknown."""
        if cache is not None and term in cache:
            return cache[term]
        scores = None
        if term in self._bm25.vocab_dict and self.ids:
            scores = self._bm25.get_scores([term])[: len(self.ids)].astype(np.float64)
        if cache is not None and scores is not None:
            cache[term] = scores
        return scores

    def vocabulary(self) -> list[str]:
        """Every analysed term the index holds."""
        return [term for term in self._bm25.vocab_dict if term != "\x00"]

    # -- persistence -----------------------------------------------------------------------------

    def save(self, root: Path) -> Path:
        """Save under `root`/<version>-<language>; atomic, so concurrent builders cannot leave half a copy."""
        target = root / _dir_name(self.version, self.analyzer.language)
        if target.exists():
            return target
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
        self._bm25.save(str(staging), show_progress=False)
        meta = {"version": self.version, "language": self.analyzer.language, "ids": self.ids}
        (staging / _META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        try:
            os.rename(staging, target)
        except OSError:  # another process saved the same version first; theirs is as good as ours
            shutil.rmtree(staging, ignore_errors=True)
        _remove_other_versions(root, keep=target)
        return target

    @classmethod
    def load(cls, root: Path, version: str, analyzer: TextAnalyzer) -> LexicalIndex | None:
        """The saved index of this version and language, or None when there is none (or it is unreadable)."""
        target = root / _dir_name(version, analyzer.language)
        try:
            meta = json.loads((target / _META_FILE).read_text(encoding="utf-8"))
            bm25 = bm25s.BM25.load(str(target), show_progress=False)
        except (OSError, ValueError):
            return None
        if meta.get("version") != version or meta.get("language") != analyzer.language:
            return None
        return cls(bm25, meta["ids"], analyzer, version)


def _dir_name(version: str, language: str) -> str:
    return f"{version}-{language}"


def _remove_other_versions(root: Path, keep: Path) -> None:
    """Older saved versions are never read again (processes hold theirs in memory)."""
    for entry in root.iterdir():
        if entry != keep and entry.is_dir() and not entry.name.startswith(".building-"):
            shutil.rmtree(entry, ignore_errors=True)
