"""A second run over a changed corpus touches only what changed, and says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fixture_corpus import EXPECTED_FAILURES, pdf_bytes
from index_helpers import chunks_of, lexical_search, open_store, rows_by_id
from support import make_settings

from ingest.pipeline import Ingestion
from ingest.summary import IngestSummary
from initiative_index.settings import Settings
from initiative_index.store import record_from_metadata

THISTED = "hjemmeindlaeggelse-thisted"
LOOSE = "løse dokumenter"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def ingest(settings: Settings, corpus_copy: Path, e5):
    """Ingest folders of the writable corpus copy (two initiatives by default: a quick index)."""

    def run(*folders: str, prune: bool = True) -> IngestSummary:
        paths = [corpus_copy / folder for folder in folders or (THISTED, LOOSE)]
        return Ingestion(settings, e5, show_progress=False).run(paths, prune=prune)

    return run


def version(settings: Settings) -> str:
    return open_store(settings).read_manifest().index_version


def test_second_run_over_an_unchanged_corpus_changes_nothing(settings, corpus_copy: Path, e5):
    first = Ingestion(settings, e5, show_progress=False).run([corpus_copy])
    before = rows_by_id(settings)
    second = Ingestion(settings, e5, show_progress=False).run([corpus_copy])

    assert second.unchanged == first.ingested
    assert second.ingested == second.chunks_written == second.metadata_updated == second.removed == 0
    assert second.failed == len(EXPECTED_FAILURES)  # bad files are reported again, not forgotten
    assert second.index_version == first.index_version == version(settings)
    assert rows_by_id(settings) == before


def test_changed_document_replaces_its_old_chunks(settings, ingest, corpus_copy: Path):
    first = ingest()
    old = chunks_of(settings, "notat.md")
    others = {i for i in rows_by_id(settings) if i not in old}
    (corpus_copy / THISTED / "notat.md").write_text(
        "# Statusnotat\n\nEfter et år får 97 patienter spirometri i eget hjem af akutteamet.\n",
        encoding="utf-8",
    )
    second = ingest()

    assert (second.ingested, second.unchanged) == (1, first.ingested - 1)
    assert second.chunks_written == len(chunks_of(settings, "notat.md"))
    new = chunks_of(settings, "notat.md")
    assert new.keys().isdisjoint(old.keys())
    assert "97 patienter spirometri" in " ".join(row["document"] for row in new.values())
    assert others <= rows_by_id(settings).keys()  # nothing else was rewritten
    assert second.index_version != first.index_version
    assert set(lexical_search(settings, "spirometri")) == set(new)
    assert lexical_search(settings, "hændelser") == []  # words only the old text had are gone


def test_metadata_change_relabels_chunks_without_embedding_them_again(settings, ingest, corpus_copy: Path):
    first = ingest()
    old = {i: row for i, row in rows_by_id(settings).items() if row["metadata"]["initiative_id"] == THISTED}
    documents = [i for i, row in old.items() if row["metadata"]["kind"] == "document"]
    vectors = open_store(settings).get_embeddings(documents)
    metadata_file = corpus_copy / THISTED / "initiative.yaml"
    metadata_file.write_text(
        metadata_file.read_text(encoding="utf-8").replace("status: pilot", "status: drift")
    )
    second = ingest()

    after = rows_by_id(settings)
    assert second.metadata_updated == len(documents)
    assert second.chunks_written == 1  # only the card, whose text names the status
    assert all(i in after for i in documents)  # same ids: not re-chunked
    assert np.array_equal(open_store(settings).get_embeddings(documents), vectors)
    assert {after[i]["metadata"]["status"] for i in documents} == {"drift"}
    card = next(
        row
        for row in after.values()
        if row["metadata"]["kind"] == "card" and row["metadata"]["initiative_id"] == THISTED
    )
    assert record_from_metadata(card["metadata"])["status"] == "drift"
    assert "Status: Drift" in card["document"]
    assert second.index_version != first.index_version


def test_metadata_change_outside_the_card_text_writes_no_chunks(settings, ingest, corpus_copy: Path):
    first = ingest()
    before = rows_by_id(settings)
    metadata_file = corpus_copy / THISTED / "initiative.yaml"
    with metadata_file.open("a", encoding="utf-8") as out:
        out.write("url: https://eksempel.dk/hjemmeindlaeggelse\n")
    second = ingest()

    after = rows_by_id(settings)
    assert second.chunks_written == second.ingested == 0
    assert second.metadata_updated == 3  # two documents and the card
    assert after.keys() == before.keys()
    cards = [row for row in after.values() if row["metadata"]["kind"] == "card"]
    records = {r["metadata"]["initiative_id"]: record_from_metadata(r["metadata"]) for r in cards}
    assert records[THISTED]["url"] == "https://eksempel.dk/hjemmeindlaeggelse"
    assert second.index_version != first.index_version


def test_renamed_document_title_reaches_its_chunks(settings, ingest, corpus_copy: Path):
    ingest()
    metadata_file = corpus_copy / THISTED / "initiative.yaml"
    text = metadata_file.read_text(encoding="utf-8")
    metadata_file.write_text(text.replace("title: Statusnotat", "title: Statusnotat efter et halvt år"))
    ingest()

    titles = {row["metadata"]["doc_title"] for row in chunks_of(settings, "notat.md").values()}
    assert titles == {"Statusnotat efter et halvt år"}


def test_removed_document_is_pruned(settings, ingest, corpus_copy: Path):
    first = ingest()
    (corpus_copy / THISTED / "notat.md").unlink()
    second = ingest()

    assert second.removed == 1
    assert chunks_of(settings, "notat.md") == {}
    assert second.chunks_total == first.chunks_total - 1
    assert lexical_search(settings, "hændelser") == []


def test_removed_document_without_metadata_takes_its_initiative_along(settings, ingest, corpus_copy: Path):
    first = ingest()
    (corpus_copy / LOOSE / "Notat om sårbehandling.md").unlink()
    second = ingest()

    assert second.removed == 2  # the document and its initiative card
    assert second.initiatives == first.initiatives - 1
    assert {row["metadata"]["initiative_id"] for row in rows_by_id(settings).values()} == {THISTED}


def test_no_prune_keeps_removed_documents(settings, ingest, corpus_copy: Path):
    first = ingest()
    before = rows_by_id(settings)
    (corpus_copy / THISTED / "notat.md").unlink()
    second = ingest(prune=False)

    assert second.removed == 0
    assert before.keys() <= rows_by_id(settings).keys()
    assert second.chunks_total == first.chunks_total


def test_pruning_stays_inside_the_given_paths(settings, ingest):
    ingest(THISTED, LOOSE)
    second = ingest(THISTED)

    assert second.removed == 0
    assert second.initiatives == 2


def test_changed_document_that_became_unreadable_keeps_its_previous_version(settings, ingest, corpus_copy):
    first = ingest()
    before = chunks_of(settings, "projektbeskrivelse.pdf")
    pdf = corpus_copy / THISTED / "projektbeskrivelse.pdf"
    pdf.write_bytes(pdf_bytes([["En ny version, der bliver afkortet."]] * 5)[:400])
    second = ingest()

    assert second.failed == 1
    [failure] = second.failures
    assert Path(failure.path) == pdf
    assert failure.reason.startswith("damaged PDF")
    assert failure.reason.endswith("(its previous version stays in the index)")
    assert chunks_of(settings, "projektbeskrivelse.pdf") == before
    assert second.index_version == first.index_version
