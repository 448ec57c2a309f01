"""A narrow filter is searched exactly over the segment's own vectors instead of with Chroma's `where`:
the same chunks in the same order, with the same similarities, as Chroma's filtered query."""

from __future__ import annotations

import numpy as np
import pytest

from eval.cli import open_engine
from initiative_index.filters import SearchFilters
from search_api import retrieval

FILTERS = (
    SearchFilters(sector=["kommune"]),
    SearchFilters(sector=["almen praksis"]),
    SearchFilters(status=["pilot", "drift"]),
)
QUERIES = ("video mellem plejehjem og læge", "KOL telemedicin", "genoptræning")


@pytest.fixture(scope="module")
def engine(built_index, e5):
    settings, _ = built_index
    return open_engine(settings, e5)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: str(f.chroma_where()))
def test_a_narrow_filter_finds_what_chromas_where_finds(engine, filters: SearchFilters, monkeypatch) -> None:
    retriever = engine.retriever
    mask, where = engine.initiative_mask(filters), filters.chroma_where()
    assert where is not None and 0 < mask.sum() < len(mask)
    asked: list[dict | None] = []
    query_chroma = retriever.store.query
    monkeypatch.setattr(retriever.store, "query", lambda *a: asked.append(a[2]) or query_chroma(*a))
    for query in QUERIES:
        vector = retriever.query_vector(query)
        exact = retriever._base_candidates(vector, where, mask)
        assert asked == []  # answered from the mapped vectors, without Chroma
        with monkeypatch.context() as chroma_only:
            chroma_only.setattr(retrieval, "EXACT_FILTER_CHUNKS", -1)  # Chroma instead
            chroma = retriever._base_candidates(vector, where, mask)
        assert asked  # this time Chroma answered
        asked.clear()
        assert exact, query
        k = min(len(exact), len(chroma), 20)
        assert [row for row, _ in exact[:k]] == [row for row, _ in chroma[:k]], query
        assert np.allclose([s for _, s in exact[:k]], [s for _, s in chroma[:k]], atol=1e-4)
        allowed = mask[engine.snapshot.chunk_initiative[[row for row, _ in exact]]]
        assert allowed.all()  # nothing outside the filter


def test_the_exact_search_ranks_every_live_row_inside_the_filter(engine) -> None:
    retriever, snapshot = engine.retriever, engine.snapshot
    mask = engine.initiative_mask(FILTERS[0])
    vector = retriever.query_vector(QUERIES[0])
    found = retriever._exact_candidates(vector, snapshot.base_vectors, 0, mask)
    inside = set(np.flatnonzero(mask[snapshot.chunk_initiative[: len(snapshot.base_vectors)]]).tolist())
    rows, sims = [row for row, _ in found], [s for _, s in found]
    assert set(rows) <= inside and len(rows) == min(len(inside), engine.settings.candidates)
    assert sims == sorted(sims, reverse=True)
    expected = np.asarray(snapshot.base_vectors[rows]) @ vector
    assert np.allclose(sims, expected, atol=1e-5)
