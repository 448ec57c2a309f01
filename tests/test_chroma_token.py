"""Overblik against a Chroma server that requires a token: `OVERBLIK_CHROMA_TOKEN` is sent as
`Authorization: Bearer`, and without it the API says in Danish that it cannot read the index.

chromadb 1.5.9's `chroma run` (a Rust server) has no authentication of its own, and its Python server
(`chromadb.app`) cannot return embeddings, so a deployment puts the real `chroma run` behind a reverse
proxy that checks the token (README "Security and privacy"). `TokenGate` is that proxy, in a few lines.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from security_corpus import build_security_corpus
from support import make_settings

from ingest.pipeline import Ingestion
from initiative_index.errors import OverblikError
from initiative_index.store import ChunkStore

TOKEN = "chroma-test-token-3f9a"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


def token_gate(upstream: str) -> http.server.ThreadingHTTPServer:
    """A reverse proxy to `upstream` that refuses every request without `Authorization: Bearer TOKEN`."""

    class Gate(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            answer = httpx.request(self.command, upstream + self.path, headers=headers, content=body)
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in HOP_BY_HOP | {"content-encoding"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gate)


@pytest.fixture(scope="module")
def gated_chroma(chroma_server: str) -> Iterator[str]:
    gate = token_gate(chroma_server)
    threading.Thread(target=gate.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{gate.server_address[1]}"
    gate.shutdown()
    gate.server_close()


def test_the_token_is_sent_and_without_it_the_index_cannot_be_read(
    gated_chroma: str, tmp_path: Path, e5, live_server
) -> None:
    corpus = build_security_corpus(tmp_path / "corpus")
    settings = make_settings(
        tmp_path / "data", chroma_url=gated_chroma, chroma_token=TOKEN, collection="token-test",
        document_roots=[corpus],
    )  # fmt: skip
    assert Ingestion(settings, e5, show_progress=False).run([corpus]).initiatives == 3
    with pytest.raises(OverblikError):  # no token, no index
        ChunkStore.open(settings.model_copy(update={"chroma_token": None}))

    server = live_server(settings)
    answer = httpx.get(f"{server.url}/search", params={"q": "faste ruter i hjemmeplejen"}).json()
    assert answer["results"][0]["id"] == "sikker-hjemmepleje"

    anonymous = live_server(settings.model_copy(update={"chroma_token": None}), wait_ready=False)
    deadline = time.monotonic() + 20
    while "indlæses …" in (ready := httpx.get(f"{anonymous.url}/readyz")).text:
        assert time.monotonic() < deadline, ready.text
        time.sleep(0.1)
    assert ready.status_code == 503
    assert ready.json()["detail"] == "Chroma-serveren svarer ikke. Prøv igen om lidt."
    assert TOKEN not in ready.text
