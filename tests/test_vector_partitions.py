"""A large base segment keeps its vectors in partitions (initiative_index/partitions.py) that the workers
search themselves: the same chunks as an unpartitioned segment, the exact answer when every partition is
probed, a high recall when only the closest are, filters kept, and Chroma's vector index never asked."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from eval.cli import open_engine
from initiative_index import partitions
from initiative_index.analyzer import get_analyzer
from initiative_index.filters import SearchFilters
from initiative_index.segment import Segment, SegmentWriter
from initiative_index.store import ChunkStore
from search_api.models import SearchRequest

ROWS_PER_PARTITION = 20  # the sample index's ~870 chunks in ~43 partitions
QUERIES = (
    "video mellem plejehjem og læge", "KOL telemedicin", "genoptræning", "demens", "hjemmebehandling",
    "sårbehandling med billeder", "akutteam om natten", "kontakt til egen læge",
)  # fmt: skip


@pytest.fixture(scope="module")
def small_partitions():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(partitions, "ROWS_PER_PARTITION", ROWS_PER_PARTITION)
        yield


@pytest.fixture(scope="module")
def rows(sample_index) -> list[dict]:
    settings, _ = sample_index
    return list(ChunkStore.open(settings).iter_rows(include=("documents", "metadatas", "embeddings")))


def saved(rows: list[dict], folder: Path, partition_min_rows: int | None) -> Segment:
    writer = SegmentWriter(get_analyzer("danish"), "v1", True, partition_min_rows)
    writer.add_rows(rows)
    return Segment(writer.save(folder))


def test_a_partitioned_segment_holds_the_same_chunks_in_partition_order(rows, tmp_path, small_partitions):
    plain = saved(rows, tmp_path / "plain", None)
    parted = saved(rows, tmp_path / "parted", 1)
    assert plain.partitions is None and parted.partitions is not None
    assert len(parted.partitions) == round(len(rows) / ROWS_PER_PARTITION) > 40
    starts = parted.partitions.starts
    assert starts[0] == 0 and starts[-1] == parted.rows == plain.rows and np.all(np.diff(starts) >= 0)
    # Each row sits in the partition of its nearest centroid.
    nearest = np.argmax(np.asarray(parted.vectors) @ parted.partitions.centroids.T, axis=1)
    assert np.array_equal(nearest, np.repeat(np.arange(len(starts) - 1), np.diff(starts)))
    assert [parted.ids[r] for r in range(parted.rows)] != [plain.ids[r] for r in range(plain.rows)]
    for row in range(plain.rows):
        chunk_id = plain.ids[row]
        mine = parted.row_of(chunk_id)
        assert parted.ids[mine] == chunk_id
        assert parted.chunk(mine) == plain.chunk(row)
        assert np.array_equal(parted.vectors[mine], plain.vectors[row])
        assert parted.lengths[mine] == plain.lengths[row] and parted.is_card[mine] == plain.is_card[row]
        assert (
            parted.initiatives[parted.initiative_codes[mine]]
            == plain.initiatives[plain.initiative_codes[row]]
        )
        assert parted.sources[parted.source_codes[mine]] == plain.sources[plain.source_codes[row]]
    for initiative, row in plain.details["card_rows"].items():
        assert parted.ids[parted.details["card_rows"][initiative]] == plain.ids[row]
    for term in list(plain.vocabulary)[::7]:
        (plain_rows, plain_tf), (parted_rows, parted_tf) = plain.postings(term), parted.postings(term)
        assert np.all(np.diff(parted_rows) > 0)  # rows ascending within a term
        assert dict(zip((plain.ids[r] for r in plain_rows), plain_tf.tolist(), strict=True)) == dict(
            zip((parted.ids[r] for r in parted_rows), parted_tf.tolist(), strict=True)
        )


@pytest.fixture(scope="module")
def engines(sample_index, e5, tmp_path_factory, small_partitions):
    """The sample index as it is (Chroma's vectors) and a copy whose segments are partitioned."""
    settings, _ = sample_index
    copy = tmp_path_factory.mktemp("partitioned") / "data"
    shutil.copytree(settings.data_dir, copy)
    shutil.rmtree(copy / "lexical")  # the copy builds its own segments, partitioned
    parted = open_engine(
        settings.model_copy(update={"data_dir": copy, "vector_partitions_min_chunks": 1}), e5
    )
    assert parted.snapshot.partitions is not None
    return open_engine(settings, e5), parted


def test_probing_every_partition_is_the_exact_search(engines, monkeypatch) -> None:
    _, engine = engines
    retriever, snapshot = engine.retriever, engine.snapshot
    monkeypatch.setattr(partitions, "PROBE_ROWS_PER_CANDIDATE", 10**9)
    for filters in (SearchFilters(), SearchFilters(sector=["kommune"])):
        mask = None if filters.is_empty() else engine.initiative_mask(filters)
        for query in QUERIES:
            vector = retriever.query_vector(query)
            found = retriever._partition_candidates(vector, snapshot.base_vectors, mask)
            exact = retriever._exact_candidates(vector, snapshot.base_vectors, 0, mask)
            # The same similarities in the same order; rows may swap only where two are equal to 1e-6
            # (the products are summed in another order than over the whole matrix).
            assert np.allclose([s for _, s in found], [s for _, s in exact], atol=1e-6), query
            mine, theirs = dict(found), dict(exact)
            for row in set(mine) ^ set(theirs):
                assert abs(mine.get(row, theirs.get(row)) - found[-1][1]) < 1e-6, query


def test_the_closest_partitions_find_most_of_the_exact_neighbours(engines) -> None:
    _, engine = engines
    retriever, snapshot = engine.retriever, engine.snapshot
    k = 5  # 40 x 5 = 200 rows probed: about 10 of the sample index's 43 partitions
    recall = []
    for query in QUERIES:
        vector = retriever.query_vector(query)
        rows, _ = snapshot.partitions.nearest(vector, snapshot.base_vectors, k, lambda start, end: None)
        exact = retriever._exact_candidates(vector, snapshot.base_vectors, 0, None)[:k]
        recall.append(len(set(rows.tolist()) & {row for row, _ in exact}) / k)
    probed = partitions.PROBE_ROWS_PER_CANDIDATE * k
    assert probed < 0.3 * snapshot.chunk_count  # not everything was scanned
    assert np.mean(recall) >= 0.9, recall


def test_a_filter_probes_until_it_has_enough_of_its_own_rows(engines) -> None:
    _, engine = engines
    retriever, snapshot = engine.retriever, engine.snapshot
    mask = engine.initiative_mask(SearchFilters(sector=["almen praksis"]))
    inside = int(snapshot.initiative_chunks[mask].sum())
    assert 0 < inside < snapshot.chunk_count / 2
    for query in QUERIES:
        found = retriever._partition_candidates(retriever.query_vector(query), snapshot.base_vectors, mask)
        assert len(found) == min(inside, engine.settings.candidates)  # all the filter's chunks, at this size
        assert mask[snapshot.chunk_initiative[[row for row, _ in found]]].all()


def test_search_over_partitions_ranks_like_chromas_vectors_and_never_asks_chroma(
    engines, monkeypatch
) -> None:
    chroma_engine, engine = engines
    asked: list[object] = []
    monkeypatch.setattr(engine.store, "query", lambda *a: asked.append(a))  # a spy: it answers nothing
    monkeypatch.setattr(partitions, "PROBE_ROWS_PER_CANDIDATE", 10**9)
    engine.warm_up()
    # Chroma's HNSW is approximate and its similarities differ in the last digits, so near ties may swap:
    # the same best result, and at least 8 of the same 10.
    for query in QUERIES:
        for mode in ("semantic", "hybrid"):
            request = SearchRequest(query=query, mode=mode, limit=10)
            mine, theirs = engine.search(request), chroma_engine.search(request)
            mine_ids, their_ids = [hit.id for hit in mine.results], [hit.id for hit in theirs.results]
            assert mine_ids[0] == their_ids[0], (query, mode)
            assert len(set(mine_ids) & set(their_ids)) >= 8, (query, mode)
            assert abs(mine.total - theirs.total) <= 1, (query, mode)
    assert asked == []
