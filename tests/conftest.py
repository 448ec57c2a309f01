"""Shared fixtures: real embedders, the fixture corpus, a built index, a live API server, a Chroma server.

Everything is real: the bundled e5 model, an embedded Chroma in a temp dir or a `chroma run` subprocess,
uvicorn on a free 127.0.0.1 port. Embedding is the slow part (~6 chunks/s on two cores), so the fixture
corpus is small and the read-only index is built once per session.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from ingest.pipeline import Ingestion
from ingest.summary import IngestSummary
from initiative_index.embedders import E5Embedder, SentenceTransformerEmbedder
from initiative_index.settings import Settings
from search_api.app import create_app

sys.path.insert(0, str(Path(__file__).parent))
from fixture_corpus import build_fixture_corpus

REPO = Path(__file__).resolve().parents[1]
SHARED_TESTDATA = REPO.parent / "shared" / "testdata"
ARTIFACTS = REPO / "test-artifacts"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings isolated from the developer's environment and .env file."""
    return Settings(_env_file=None, data_dir=data_dir, **overrides)


@pytest.fixture(scope="session")
def e5() -> E5Embedder:
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
    tmp_path_factory: pytest.TempPathFactory, fixture_corpus: Path, e5: E5Embedder
) -> tuple[Settings, IngestSummary]:
    """The fixture corpus ingested once into an embedded index (read-only for tests)."""
    settings = make_settings(tmp_path_factory.mktemp("built-index"))
    summary = Ingestion(settings, e5, show_progress=False).run([fixture_corpus])
    return settings, summary


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedder) -> tuple[Settings, IngestSummary]:
    """The whole sample corpus (corpus/) ingested once with the default model (minutes; read-only)."""
    settings = make_settings(tmp_path_factory.mktemp("sample-index"))
    summary = Ingestion(settings, e5, show_progress=False).run([REPO / "corpus"])
    return settings, summary


class LiveServer:
    """uvicorn serving `create_app(settings)` in a thread, on a free port."""

    def __init__(self, settings: Settings, embedder: E5Embedder | None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings, embedder),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, wait_ready: bool = True) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"{self.url}/readyz" if wait_ready else f"{self.url}/healthz", timeout=2)
                if response.status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the API did not become ready")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(e5: E5Embedder) -> Iterator[Callable[..., LiveServer]]:
    """Start API servers for given settings; all are stopped after the test."""
    servers: list[LiveServer] = []

    def start(
        settings: Settings, *, wait_ready: bool = True, embedder: E5Embedder | None = None
    ) -> LiveServer:
        server = LiveServer(settings, embedder or e5).start(wait_ready)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def api(built_index: tuple[Settings, IngestSummary], e5: E5Embedder) -> Iterator[httpx.Client]:
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
    chroma = Path(sys.executable).parent / "chroma"
    log = (tmp_path_factory.mktemp("chroma-server") / "server.log").open("w")
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path_factory.mktemp("chroma-data")), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not start (see {log.name})")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
