"""Reloads at the cost of the change: the workers of `overblik serve --workers 2` converge on a new version
through a delta segment, and two API replicas on one `chroma run` server keep serving through an ingestion."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from index_helpers import OVERBLIK, cli_env
from support import LiveServer, free_port, make_settings

from ingest.pipeline import Ingestion

NEW_WORD = "kvantefysikforløb"
NEW_DOCUMENT = "# Tillæg\n\nEt nyt kvantefysikforløb for pårørende til borgere med demens.\n"
LOADED = re.compile(r"index version (\S+) loaded: \d+ chunks \(segments (\w+)\)")


def wait_for(condition: Callable[[], bool], seconds: float) -> float:
    """Seconds until `condition` held; fails after `seconds`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"condition not met within {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - started


def found_by_fresh_connection(url: str) -> bool:
    with httpx.Client(base_url=url, timeout=30) as fresh:
        hits = fresh.get("/search", params={"q": NEW_WORD, "mode": "lexical"}).json()["results"]
    return [hit["id"] for hit in hits] == ["demens-gps"]


def test_two_workers_converge_on_a_new_version_by_its_delta(tmp_path: Path, corpus_copy: Path, e5) -> None:
    settings = make_settings(tmp_path / "data")
    Ingestion(settings, e5, show_progress=False).run([corpus_copy])
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(OVERBLIK), "serve", "--workers", "2", "--host", "127.0.0.1", "--port", str(port)],
            env=cli_env(settings.data_dir, reload_interval="0.5", embed_threads="1"),
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def loads() -> list[tuple[str, str]]:
        return LOADED.findall(log_path.read_text(encoding="utf-8", errors="replace"))

    try:
        wait_for(lambda: len(loads()) == 2, 120)  # each worker loaded the index
        (corpus_copy / "demens-gps" / "tillaeg.md").write_text(NEW_DOCUMENT, encoding="utf-8")
        new_version = Ingestion(settings, e5, show_progress=False).run([corpus_copy]).index_version
        seconds = wait_for(lambda: [v for v, _ in loads()].count(new_version) == 2, 10)
        assert {how for version, how in loads() if version == new_version} <= {"delta", "opened"}
        assert all(found_by_fresh_connection(url) for _ in range(8)), "every worker finds the new document"
        assert seconds < 10
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_two_replicas_on_one_chroma_server_serve_throughout_an_ingestion(
    tmp_path: Path, corpus_copy: Path, chroma_server: str, live_server: Callable[..., LiveServer], e5
) -> None:
    ingest = make_settings(tmp_path / "ingest", chroma_url=chroma_server, collection="replicas")
    Ingestion(ingest, e5, show_progress=False).run([corpus_copy])
    replicas = [
        live_server(
            make_settings(
                tmp_path / f"replica-{n}",
                chroma_url=chroma_server,
                collection="replicas",
                reload_interval=0.3,
            )
        )
        for n in (1, 2)
    ]
    statuses: list[int] = []
    stop = threading.Event()

    def keep_searching(url: str) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            while not stop.is_set():
                statuses.append(client.get("/search", params={"q": "demens og pårørende"}).status_code)

    searchers = [threading.Thread(target=keep_searching, args=(r.url,)) for r in replicas]
    for searcher in searchers:
        searcher.start()
    try:
        (corpus_copy / "demens-gps" / "tillaeg.md").write_text(NEW_DOCUMENT, encoding="utf-8")
        version = Ingestion(ingest, e5, show_progress=False).run([corpus_copy]).index_version
        for replica in replicas:
            wait_for(lambda r=replica: httpx.get(f"{r.url}/stats").json()["index_version"] == version, 10)
            assert found_by_fresh_connection(replica.url)
    finally:
        stop.set()
        for searcher in searchers:
            searcher.join()
    assert len(statuses) > 10 and set(statuses) == {200}
