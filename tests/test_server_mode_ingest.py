"""Ingesting into a Chroma server (`chroma run`) gives the same index as the embedded store."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from index_helpers import lexical_search
from support import make_settings

from ingest.pipeline import Ingestion
from ingest.summary import IngestSummary
from initiative_index.settings import Settings
from initiative_index.store import ChunkStore


@pytest.fixture(scope="module")
def server_index(
    tmp_path_factory: pytest.TempPathFactory, chroma_server: str, fixture_corpus: Path, e5
) -> tuple[Settings, IngestSummary]:
    collection = f"test-{uuid.uuid4().hex}"  # the server is shared by the session's tests
    settings = make_settings(
        tmp_path_factory.mktemp("server-mode"), chroma_url=chroma_server, collection=collection
    )
    return settings, Ingestion(settings, e5, show_progress=False).run([fixture_corpus])


def rows(settings: Settings) -> dict[str, dict]:
    return {row["id"]: row for row in ChunkStore.open(settings).iter_rows()}


def test_server_index_has_the_same_counts_and_chunks_as_the_embedded_one(server_index, built_index):
    (server, server_summary), (embedded, embedded_summary) = server_index, built_index
    for count in ("files_seen", "ingested", "failed", "chunks_written", "chunks_total", "initiatives"):
        assert getattr(server_summary, count) == getattr(embedded_summary, count), count
    assert rows(server) == rows(embedded)


def test_server_index_is_searchable_lexically(server_index):
    settings, _ = server_index
    found = lexical_search(settings, "infusionspumpe")
    assert [rows(settings)[i]["metadata"]["doc_name"] for i in found] == ["projektbeskrivelse.pdf"]


def test_second_run_against_the_server_changes_nothing(server_index, fixture_corpus: Path, e5):
    settings, first = server_index
    second = Ingestion(settings, e5, show_progress=False).run([fixture_corpus])
    assert second.unchanged == first.ingested
    assert second.ingested == second.chunks_written == second.removed == 0
    assert second.index_version == first.index_version
