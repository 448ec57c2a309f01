"""Two yardsticks for any BEIR collection, run beside Overblik's own modes by `overblik eval beir`:

- `raw-model`: the configured embedding model on each whole corpus entry (title and text as one passage,
  the model's own handling of text over its window), ranked by cosine: what the semantic mode must match;
- `plain-bm25`: Okapi BM25 (bm25s) over Snowball stems without stopwords, of title and text: no compound
  splitting, no thesaurus, no chunking: what the lexical mode must match.

Both rank every entry (no notion of "matching"), so they are upper-bound-friendly baselines: a mode that
scores below them loses something in chunking, grouping, analysis or matching.
"""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np
import Stemmer
from bm25s import stopwords as bm25s_stopwords

from eval.runs import Ranking
from initiative_index.embedders import Embedder
from initiative_index.settings import Language

BASELINES = ("raw-model", "plain-bm25")
_STOPWORDS = {
    "danish": bm25s_stopwords.STOPWORDS_DANISH,
    "swedish": bm25s_stopwords.STOPWORDS_SWEDISH,
    "norwegian": bm25s_stopwords.STOPWORDS_NORWEGIAN,
    "english": bm25s_stopwords.STOPWORDS_EN,
}
BATCH = 16


def entry_text(entry: dict) -> str:
    title = (entry.get("title") or "").strip()
    return f"{title}\n\n{entry.get('text') or ''}" if title else entry.get("text") or ""


class RawModelSearcher:
    """Cosine between the query and each whole entry, by the configured embedder."""

    def __init__(self, entries: Sequence[dict], embedder: Embedder) -> None:
        self.ids = [str(entry["_id"]) for entry in entries]
        texts = [entry_text(entry) for entry in entries]
        self.vectors = np.vstack(
            [embedder.encode_documents(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        ) if texts else np.zeros((0, embedder.dimension), dtype=np.float32)  # fmt: skip
        self.embedder = embedder

    def rank(self, query: str, depth: int) -> Ranking:
        scores = self.vectors @ self.embedder.encode_queries([query])[0]
        order = np.argsort(-scores, kind="stable")[:depth]
        return [(self.ids[i], float(scores[i])) for i in order]


class PlainBM25Searcher:
    """BM25 over Snowball stems of title and text, stopwords removed."""

    def __init__(self, entries: Sequence[dict], language: Language) -> None:
        self.ids = [str(entry["_id"]) for entry in entries]
        self._stemmer = Stemmer.Stemmer(language)
        self._stopwords = list(_STOPWORDS[language])
        corpus = [entry_text(entry) for entry in entries]
        tokens = bm25s.tokenize(corpus, stopwords=self._stopwords, stemmer=self._stemmer, show_progress=False)
        self._bm25 = bm25s.BM25()
        self._bm25.index(tokens, show_progress=False)

    def rank(self, query: str, depth: int) -> Ranking:
        tokens = bm25s.tokenize(
            [query], stopwords=self._stopwords, stemmer=self._stemmer, return_ids=False, show_progress=False
        )[0]
        known = [t for t in tokens if t in self._bm25.vocab_dict]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        order = [i for i in np.argsort(-scores, kind="stable")[:depth] if scores[i] > 0]
        return [(self.ids[i], float(scores[i])) for i in order]
