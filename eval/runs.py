"""Runs: each query's ranked initiatives per search mode, from the real search path, and TREC run files.

Two searchers answer the same question ("the top `depth` initiative ids for this query in this mode"):
`EngineSearcher` calls `SearchEngine.rank` in process, `HttpSearcher` pages through POST /search of a running
server (at most 50 results per request). A run keeps the engine's order; metrics are computed from that
order, not from the scores, so ties and the API's rounding of scores cannot reorder anything.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from initiative_index.errors import OverblikError
from search_api.engine import SearchEngine
from search_api.models import MAX_LIMIT, SearchMode, SearchRequest

MODES: tuple[SearchMode, ...] = ("lexical", "semantic", "hybrid")
DEPTH = 100  # initiatives kept per query: enough for Recall@50 and for diagnostics

# query id -> ranked (doc id, score), best first
Ranking = list[tuple[str, float]]
Run = dict[str, Ranking]


class EvalSearchError(OverblikError):
    """The search server could not be reached or failed."""


class QueryRefusedError(ValueError):
    """The search path refused one query (empty, too long, control characters)."""


class Searcher(Protocol):
    """Something that ranks initiatives for a query in one mode."""

    def rank(self, query: str, mode: SearchMode, depth: int) -> Ranking:
        """The initiatives shown for the query, in order: the matches, then the near misses."""
        ...

    def matches(self, query: str, mode: SearchMode) -> int:
        """How many initiatives match (what the page's count says)."""
        ...

    def describe(self) -> dict[str, object]:
        """The settings and index version behind the rankings, for the report."""
        ...


class EngineSearcher:
    """The search path in process: the same `SearchEngine.rank` the API uses."""

    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine

    def rank(self, query: str, mode: SearchMode, depth: int) -> Ranking:
        # `rank` returns every matching initiative; the request's paging fields do not apply to it.
        _, groups = self.engine.rank(SearchRequest(query=query, mode=mode))
        ids = self.engine.snapshot.initiative_ids
        return [(ids[group.initiative], float(group.score)) for group in groups[:depth]]

    def matches(self, query: str, mode: SearchMode) -> int:
        return len(self.engine.matching_ids(SearchRequest(query=query, mode=mode)))

    def describe(self) -> dict[str, object]:
        settings, manifest = self.engine.settings, self.engine.snapshot.manifest
        return {
            "searched": "in process",
            "embedding_model": manifest.embedding_model,
            "language": manifest.language,
            "chunk_size": manifest.chunk_size,
            "chunk_overlap": manifest.chunk_overlap,
            "fusion": settings.fusion,
            "lexical_weight": settings.lexical_weight,
            "rrf_k": settings.rrf_k,
            "candidates": settings.candidates,
            "index_version": manifest.index_version,
            "initiatives": len(self.engine.snapshot.initiative_ids),
            "chunks": self.engine.snapshot.chunk_count,
        }


class HttpSearcher:
    """A running Overblik server, through POST /search (paged: the API returns at most 50 per request)."""

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            if exc.code == 422:
                raise QueryRefusedError(detail) from exc
            raise EvalSearchError(f"{self.url}{path} answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise EvalSearchError(f"Cannot reach the Overblik server at {self.url}: {exc}") from exc

    def rank(self, query: str, mode: SearchMode, depth: int) -> Ranking:
        ranking: Ranking = []
        while len(ranking) < depth:
            limit = min(MAX_LIMIT, depth - len(ranking))
            page = self._call(
                "/search", {"query": query, "mode": mode, "offset": len(ranking), "limit": limit}
            )
            ranking += [(hit["id"], float(hit["score"])) for hit in page["results"]]
            if len(page["results"]) < limit or len(ranking) >= page["total"] + page.get("related", 0):
                break
        return ranking

    def matches(self, query: str, mode: SearchMode) -> int:
        return self._call("/search", {"query": query, "mode": mode, "limit": 1})["total"]

    def describe(self) -> dict[str, object]:
        stats = self._call("/stats")
        return {
            "searched": f"server {self.url}",
            "embedding_model": stats["embedding_model"],
            "language": stats["language"],
            "fusion": "the server's own (not reported by the API)",
            "index_version": stats["index_version"],
            "initiatives": stats["initiatives"],
            "chunks": stats["chunks"],
        }


@dataclass
class CollectedRuns:
    """One run per mode, and the queries the search path refused (kept as empty rankings)."""

    runs: dict[str, Run]
    refused: dict[str, str]


def collect_runs(
    searcher: Searcher,
    queries: Mapping[str, str],
    modes: Iterable[SearchMode] = MODES,
    depth: int = DEPTH,
    on_step: Callable[[], None] | None = None,
) -> CollectedRuns:
    """Rank every query in every mode; `on_step` is called after each (query, mode) for progress."""
    runs: dict[str, Run] = {}
    refused: dict[str, str] = {}
    for mode in modes:
        run: Run = {}
        for query_id, text in queries.items():
            try:
                run[query_id] = searcher.rank(text, mode, depth)
            except ValueError as exc:  # QueryRefusedError or a ValidationError: empty, over-long …
                run[query_id] = []
                refused[query_id] = str(exc).splitlines()[0]
            if on_step:
                on_step()
        runs[mode] = run
    return CollectedRuns(runs, refused)


def map_ids(run: Run, mapping: Mapping[str, str]) -> Run:
    """Rename the doc ids of a run (index initiative ids -> a collection's own ids); unknown ids stay."""
    return {q: [(mapping.get(d, d), s) for d, s in ranking] for q, ranking in run.items()}


def write_trec(run: Run, path: Path, tag: str) -> None:
    """TREC run format, one line per result: `qid Q0 docid rank score tag`."""
    lines = [
        f"{query_id} Q0 {doc_id} {rank} {score:.6f} {tag}"
        for query_id in sorted(run)
        for rank, (doc_id, score) in enumerate(run[query_id], start=1)
    ]
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")


def read_trec(path: Path) -> Run:
    """A TREC run file, each query's results in the order of its rank column."""
    rows: dict[str, list[tuple[int, str, float]]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 6:
            raise OverblikError(f"{path}:{number}: expected 'qid Q0 docid rank score tag'")
        rows.setdefault(parts[0], []).append((int(parts[3]), parts[2], float(parts[4])))
    return {q: [(d, s) for _, d, s in sorted(items)] for q, items in rows.items()}
