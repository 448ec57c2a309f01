"""Chroma's default embedding function downloads a model: ingest and search must never call it."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2
from support import make_settings

from ingest.pipeline import Ingestion
from initiative_index.filters import SearchFilters
from search_api.holder import EngineHolder
from search_api.models import SearchRequest


def test_ingest_and_search_never_run_chromas_default_embedding_function(
    tmp_path: Path, corpus_copy: Path, e5, monkeypatch: pytest.MonkeyPatch
) -> None:
    def tripwire(*args: object, **kwargs: object) -> None:
        raise AssertionError("Chroma's default embedding function was called")

    for name in ("__call__", "_download_model_if_not_exists", "_download"):
        monkeypatch.setattr(ONNXMiniLM_L6_V2, name, tripwire)

    settings = make_settings(tmp_path / "data")
    summary = Ingestion(settings, e5, show_progress=False).run([corpus_copy])
    assert summary.chunks_written > 0
    holder = EngineHolder(settings, e5)
    assert holder.refresh()
    for mode in ("lexical", "semantic", "hybrid"):
        request = SearchRequest(query="video plejehjem", mode=mode, filters=SearchFilters(sector=["kommune"]))
        assert holder.engine.search(request).results
    assert holder.engine.similar("demens-gps", 3)
