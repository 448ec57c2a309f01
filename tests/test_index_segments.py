"""Segments: a new version made from its change (a delta over the saved base) is the index a full rebuild
would make: the same chunks found and not found, with the same BM25 scores, records and counts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from support import make_settings

from initiative_index import partitions, segment_view
from initiative_index.manifest import Manifest, new_index_version
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore, record_to_metadata

DIMENSION = 8
QUERIES = (
    "demens", "pårørende", "sår", "hjemmebehandling", "kvantefysikforløb", "akutteam", "plejehjem", "borger",
    "telemedicin", "rehabilitering",
)  # fmt: skip


def initiative(initiative_id: str, documents: dict[str, str]) -> list[dict]:
    """A card and one chunk per document, as the ingestion writes them."""
    record = {"id": initiative_id, "title": f"Initiativ {initiative_id}", "summary": "Et initiativ."}
    base = {"initiative_id": initiative_id, "title": record["title"]}
    card = {"kind": "card", "source": f"{initiative_id}/initiative.yaml", "doc_name": "initiative.yaml"}
    card |= {"record": record_to_metadata(record), "base_dir": f"/corpus/{initiative_id}"}
    rows = [
        {
            "id": f"{initiative_id}::card",
            "document": f"{record['title']}. {record['summary']}",
            "metadata": {**base, **card},
        }
    ]
    for name, text in documents.items():
        rows.append(
            {
                "id": f"{initiative_id}::{name}::0",
                "document": text,
                "metadata": {
                    **base,
                    "kind": "document",
                    "source": f"{initiative_id}/{name}",
                    "doc_name": name,
                },
            }
        )
    return rows


CORPUS = {
    "demens": {"a.md": "Pårørende til borgere med demens får støtte i eget hjem.", "b.md": "Demens og GPS."},
    "saar": {"a.md": "Sår behandles i hjemmet med telemedicin og billeder af såret."},
    "akut": {"a.md": "Akutteamet kommer til borgeren, også på plejehjem.", "b.md": "Akutteam om natten."},
    "rehab": {"a.md": "Rehabilitering efter indlæggelse, hjemmebehandling i kommunen."},
}


def write(store: ChunkStore, rows: list[dict], sources: list[str]) -> None:
    vectors = np.random.default_rng(len(rows)).normal(size=(len(rows), DIMENSION)).astype(np.float32)
    store.replace_sources(
        sources,
        [r["id"] for r in rows],
        [r["document"] for r in rows],
        vectors,
        [r["metadata"] for r in rows],
    )


def publish(store: ChunkStore, manifest: Manifest, known: bool = True) -> None:
    previous = manifest.index_version
    manifest.index_version = new_index_version()
    store.publish(manifest, previous, set(store.touched) if known else None)


@pytest.fixture(params=["unpartitioned", "partitioned"])
def store(request, tmp_path: Path, monkeypatch) -> tuple[Settings, ChunkStore, Manifest]:
    """A published store; "partitioned" saves every base segment in vector partitions (partitions.py)."""
    partitioned = request.param == "partitioned"
    if partitioned:
        monkeypatch.setattr(partitions, "ROWS_PER_PARTITION", 2)
    settings = make_settings(
        tmp_path / "data", collection="segments", vector_partitions_min_chunks=1 if partitioned else 0
    )
    manifest = Manifest(
        embedding_model="test", embedding_dimension=DIMENSION, document_prompt="", chunk_size=200,
        chunk_overlap=20, language="danish", index_version=new_index_version(),
    )  # fmt: skip
    chunk_store = ChunkStore.create(settings, manifest)
    rows = [row for initiative_id, docs in CORPUS.items() for row in initiative(initiative_id, docs)]
    write(chunk_store, rows, [])
    publish(chunk_store, manifest, known=False)  # the first version: built in full
    return settings, chunk_store, manifest


def change_three_documents(store: ChunkStore) -> None:
    """Change one document, add an initiative with a document, remove another document."""
    changed = initiative("demens", {"a.md": "Pårørende til borgere med demens: et kvantefysikforløb."})[1]
    write(store, [changed], [changed["metadata"]["source"]])
    write(store, initiative("tele", {"a.md": "Telemedicin til borgere med KOL i eget hjem."}), [])
    store.delete_source("akut/b.md")


def rebuilt(settings: Settings, store: ChunkStore, tmp_path: Path) -> IndexSnapshot:
    """The same version built from scratch, in another data directory."""
    fresh = settings.model_copy(update={"data_dir": Path(tempfile.mkdtemp(dir=tmp_path))})
    snapshot = IndexSnapshot.load(store, fresh, store.read_manifest())
    assert snapshot.view.built == "base"
    return snapshot


def ranking(snapshot: IndexSnapshot, query: str) -> list[tuple[str, float]]:
    rows, scores = snapshot.lexical.search(query, 50)
    found = [(snapshot.ids[row], round(float(score), 5)) for row, score in zip(rows, scores, strict=True)]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))  # equal scores: any row order is right


def assert_same_index(delta: IndexSnapshot, full: IndexSnapshot) -> None:
    for query in QUERIES:
        assert ranking(delta, query) == ranking(full, query), query
    assert delta.records == full.records
    assert delta.initiative_ids == full.initiative_ids
    assert delta.chunk_count == full.chunk_count
    assert delta.document_count == full.document_count
    for row in full.live_rows().tolist():
        chunk_id = full.ids[row]
        mine = delta.row_of[chunk_id]
        assert delta.chunk(mine) == full.chunk(row)
        initiative = full.initiative_ids[full.chunk_initiative[row]]
        assert delta.initiative_ids[delta.chunk_initiative[mine]] == initiative
    assert sorted(delta.ids[r] for r in delta.live_rows().tolist()) == sorted(
        full.ids[r] for r in full.live_rows().tolist()
    )


def test_a_changed_an_added_and_a_removed_document_are_a_delta_equal_to_a_full_rebuild(store, tmp_path):
    settings, chunk_store, manifest = store
    before = IndexSnapshot.load(chunk_store, settings, manifest)
    assert before.view.built == "base"
    assert (before.partitions is not None) == (settings.vector_partitions_min_chunks > 0)
    assert ranking(before, "akutteam")[0][0] == "akut::b.md::0"

    change_three_documents(chunk_store)
    publish(chunk_store, manifest)
    after = IndexSnapshot.load(chunk_store, settings, manifest)

    assert after.view.built == "delta"
    assert after.parts[0].path == before.parts[0].path, "the base segment is reused, not rebuilt"
    assert after.parts[0] is before.parts[0], "... and its decoded info is shared, not read again"
    assert after.parts[1].rows == 3, "the delta holds only the changed and added chunks"
    assert [i for i, _ in ranking(after, "kvantefysikforløb")] == ["demens::a.md::0"]  # changed: new text
    assert "demens::a.md::0" not in [i for i, _ in ranking(after, "støtte")]  # changed: old text gone
    assert [i for i, _ in ranking(after, "kol")] == ["tele::a.md::0"]  # added
    assert "akut::b.md::0" not in [i for i, _ in ranking(after, "akutteam natten")]  # removed
    assert "akut::b.md::0" not in after.row_of
    asked = ["demens::a.md::0", "akut::b.md::0", "tele::a.md::0", "saar::card", "ukendt", "x" * 80]
    assert after.row_of.rows(asked).tolist() == [after.row_of.get(i, -1) for i in asked]
    rows = after.row_of.rows(asked).tolist()
    assert [rows[1], rows[4], rows[5]] == [-1, -1, -1] and min(rows[0], rows[2], rows[3]) >= 0
    assert "tele" in after.records
    assert_same_index(after, rebuilt(settings, chunk_store, tmp_path))
    # Another process opens the saved version as it is: the same view, nothing built.
    reopened = IndexSnapshot.load(chunk_store, settings, chunk_store.read_manifest())
    assert reopened.view.built == "opened"
    assert_same_index(reopened, after)


def test_deltas_accumulate_over_the_base_until_they_are_compacted(store, tmp_path, monkeypatch):
    settings, chunk_store, manifest = store
    IndexSnapshot.load(chunk_store, settings, manifest)
    change_three_documents(chunk_store)
    publish(chunk_store, manifest)
    IndexSnapshot.load(chunk_store, settings, manifest)
    chunk_store.delete_source("saar/a.md")
    write(chunk_store, initiative("tele", {"b.md": "Telemedicin: video med sygeplejersken."})[1:], [])
    publish(chunk_store, manifest)

    second = IndexSnapshot.load(chunk_store, settings, manifest)
    assert second.view.built == "delta"
    assert set(second.view.sources) >= {"akut/b.md", "saar/a.md", "tele/b.md"}
    assert_same_index(second, rebuilt(settings, chunk_store, tmp_path))

    monkeypatch.setattr(segment_view, "COMPACT_MIN", 0)
    monkeypatch.setattr(segment_view, "COMPACT_SHARE", 0.0)
    rehab = initiative("rehab", {"a.md": "Rehabilitering og træning derhjemme."})[1:]
    write(chunk_store, rehab, ["rehab/a.md"])
    publish(chunk_store, manifest)
    compacted = IndexSnapshot.load(chunk_store, settings, manifest)
    assert compacted.view.built == "base"
    assert len(compacted.parts) == 1 and compacted.alive is None
    assert_same_index(compacted, rebuilt(settings, chunk_store, tmp_path))


def test_a_version_whose_changes_are_unknown_is_rebuilt_in_full(store):
    settings, chunk_store, manifest = store
    IndexSnapshot.load(chunk_store, settings, manifest)
    change_three_documents(chunk_store)
    publish(chunk_store, manifest, known=False)  # as after a run that died mid-way
    assert IndexSnapshot.load(chunk_store, settings, manifest).view.built == "base"


def test_a_version_that_only_removes_is_an_empty_delta(store, tmp_path):
    settings, chunk_store, manifest = store
    IndexSnapshot.load(chunk_store, settings, manifest)
    chunk_store.delete_source("akut/b.md")
    publish(chunk_store, manifest)
    after = IndexSnapshot.load(chunk_store, settings, manifest)
    assert after.view.built == "delta" and after.parts[1].rows == 0
    assert_same_index(after, rebuilt(settings, chunk_store, tmp_path))


def test_a_folder_of_an_older_format_at_the_version_is_replaced(tmp_path: Path) -> None:
    from initiative_index.analyzer import get_analyzer
    from initiative_index.segment import Segment, SegmentWriter

    target = tmp_path / "v1-danish"
    target.mkdir()
    (target / "params.index.json").write_text("{}", encoding="utf-8")  # what the bm25s index left there
    writer = SegmentWriter(get_analyzer("danish"), "v1")
    writer.add("a::0", "Hjemmebehandling af KOL.", {"initiative_id": "a", "kind": "document", "source": "s"})
    writer.save(target)
    assert Segment(target).chunk(0)[0] == "Hjemmebehandling af KOL."


def test_a_version_about_to_be_published_is_built_first_and_then_opened_by_readers(store):
    """The publisher (`overblik ingest`) builds the new version's delta from its pending change-log entry
    before writing the manifest, so an API worker that sees the new version opens what was saved."""
    from initiative_index.store import change_entry

    settings, chunk_store, manifest = store
    IndexSnapshot.load(chunk_store, settings, manifest)
    change_three_documents(chunk_store)
    previous = manifest.index_version
    manifest.index_version = new_index_version()
    entry = change_entry(manifest.index_version, previous, set(chunk_store.touched))
    prepared = IndexSnapshot.load(chunk_store, settings, manifest, entry)
    assert prepared.view.built == "delta"
    assert chunk_store.read_manifest().index_version == previous  # not published yet
    chunk_store.publish(manifest, previous, set(chunk_store.touched))
    reader = IndexSnapshot.load(chunk_store, settings, chunk_store.read_manifest())
    assert reader.view.built == "opened"
    assert_same_index(reader, prepared)
