"""A run reads the ledger (what is stored per source) of only the sources it covers, and still ends with the
index a full rebuild makes; a run after a crashed one reads all of it, as no saved version names what the
crashed run left."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_helpers import open_store, rows_by_id
from support import make_settings

from ingest.pipeline import Ingestion
from ingest.records import CARD_SUFFIX
from initiative_index.settings import Settings
from initiative_index.store import StoredDocument

THISTED = "hjemmeindlaeggelse-thisted"
LOOSE = "løse dokumenter"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


def by_source(settings: Settings) -> dict[str, tuple[str, list[str]]]:
    """Per stored source: its documents' content hash and its sorted chunk ids."""
    grouped: dict[str, tuple[str, list[str]]] = {}
    for chunk_id, row in rows_by_id(settings).items():
        meta = row["metadata"]
        grouped.setdefault(meta["source"], (meta["doc_hash"], []))[1].append(chunk_id)
    return {source: (doc_hash, sorted(ids)) for source, (doc_hash, ids) in grouped.items()}


def chunks_under(settings: Settings, folder: Path) -> int:
    return sum(
        1 for row in rows_by_id(settings).values() if row["metadata"]["source"].startswith(str(folder))
    )


def entries(ledger: dict[str, StoredDocument]) -> dict[str, tuple]:
    return {
        source: (d.doc_hash, d.record_hash, sorted(d.chunk_ids), d.expected_chunks)
        for source, d in ledger.items()
    }


def rebuilt(tmp_path: Path, corpus: Path, e5) -> dict[str, tuple[str, list[str]]]:
    """The corpus as it is now, ingested into a fresh index."""
    fresh = make_settings(tmp_path / "rebuilt")
    Ingestion(fresh, e5, show_progress=False).run([corpus])
    return by_source(fresh)


def test_a_run_over_one_folder_reads_only_its_ledger_and_equals_a_rebuild(
    settings, corpus_copy: Path, e5, tmp_path: Path
):
    first = Ingestion(settings, e5, show_progress=False).run([corpus_copy])
    assert first.ledger_full_scan  # a new index has no saved version to name its sources
    total = first.chunks_total
    folder = corpus_copy / THISTED
    covered = chunks_under(settings, folder)
    (folder / "notat.md").write_text("# Statusnotat\n\nNu med 97 patienter i eget hjem.\n", encoding="utf-8")
    (folder / "opfoelgning.md").write_text(
        "# Opfølgning\n\nAkutteamet ringer dagen efter.\n", encoding="utf-8"
    )
    (folder / "projektbeskrivelse.pdf").unlink()

    second = Ingestion(settings, e5, show_progress=False).run([folder])

    assert (second.ingested, second.removed) == (2, 1)
    assert not second.ledger_full_scan
    assert second.ledger_chunks_read == covered < total  # the folder's chunks, not the collection's
    assert by_source(settings) == rebuilt(tmp_path, corpus_copy, e5)


def test_a_run_after_a_crashed_one_reads_the_whole_ledger(settings, corpus_copy: Path, e5, tmp_path: Path):
    Ingestion(settings, e5, show_progress=False).run([corpus_copy])
    # A run that died left the index dirty and a chunk of a file that is gone by now: no saved version
    # names its source, so only a full read of the ledger finds it to prune.
    store = open_store(settings)
    manifest = store.read_manifest()
    manifest.dirty = True
    store.write_manifest(manifest)
    row = next(r for r in rows_by_id(settings).values() if r["metadata"]["source"].endswith("notat.md"))
    stray = str(corpus_copy / THISTED / "slettet.md")
    store.collection.upsert(
        ids=["stray-chunk"],
        documents=["Et udkast, der blev slettet."],
        embeddings=store.get_embeddings([row["id"]]),
        metadatas=[{**row["metadata"], "source": stray, "doc_name": "slettet.md"}],
    )
    total = store.count()

    second = Ingestion(settings, e5, show_progress=False).run([corpus_copy / THISTED])

    assert second.ledger_full_scan
    assert second.ledger_chunks_read == total
    assert second.removed == 1
    assert stray not in by_source(settings)
    assert not open_store(settings).read_manifest().dirty
    assert by_source(settings) == rebuilt(tmp_path, corpus_copy, e5)


def test_a_one_folder_run_with_prune_keeps_other_initiatives(settings, corpus_copy: Path, e5):
    Ingestion(settings, e5, show_progress=False).run([corpus_copy])
    before = by_source(settings)
    folder = corpus_copy / LOOSE  # documents without metadata: each also stores an initiative card

    second = Ingestion(settings, e5, show_progress=False).run([folder], prune=True)

    assert (second.ingested, second.removed) == (0, 0)
    assert not second.ledger_full_scan
    assert second.ledger_chunks_read == chunks_under(settings, folder) > 0
    assert any(source.endswith(CARD_SUFFIX) and source.startswith(str(folder)) for source in before)
    assert by_source(settings) == before


def test_the_ledger_of_some_sources_is_theirs_in_the_full_ledger(settings, corpus_copy: Path, e5):
    Ingestion(settings, e5, show_progress=False).run([corpus_copy])
    store = open_store(settings)
    # A document whose chunks are of two versions (a run died mid-replacement) is incomplete either way.
    row = next(r for r in rows_by_id(settings).values() if r["metadata"]["source"].endswith("notat.md"))
    store.collection.upsert(
        ids=["older-version"],
        documents=["En ældre version."],
        embeddings=store.get_embeddings([row["id"]]),
        metadatas=[{**row["metadata"], "doc_hash": "older", "position": 99}],
    )
    full = store.stored_documents()
    some = [row["metadata"]["source"], sorted(full)[0], str(corpus_copy / "findes-ikke.md")]

    ledger = store.stored_documents(some)

    assert not full[row["metadata"]["source"]].complete
    assert entries(ledger) == entries({source: full[source] for source in some if source in full})
    assert store.ledger_rows_read == store.count() + sum(len(d.chunk_ids) for d in ledger.values())
