"""The API as a running service: readiness, hot reload after a re-ingest, server mode, CORS, request logs."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from support import LiveServer, make_settings

from ingest.pipeline import Ingestion
from initiative_index.settings import Settings

OVERBLIK = Path(sys.executable).parent / "overblik"


def ingest_cli(corpus: Path, settings: Settings) -> dict:
    """Run the real `overblik ingest` in its own process, as an operator would."""
    env = {
        **os.environ,
        "OVERBLIK_DATA_DIR": str(settings.data_dir),
        "OVERBLIK_CHROMA_URL": settings.chroma_url,
        "OVERBLIK_COLLECTION": settings.collection,
    }
    done = subprocess.run(
        [str(OVERBLIK), "ingest", str(corpus), "--json"], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


def lexical_ids(client: httpx.Client, query: str) -> list[str]:
    response = client.get("/search", params={"q": query, "mode": "lexical"})
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["results"]]


def test_readiness_waits_for_an_index_and_says_why_in_danish(
    tmp_path: Path, corpus_copy: Path, live_server: Callable[..., LiveServer]
) -> None:
    settings = make_settings(tmp_path / "data", reload_interval=0.3)
    server = live_server(settings, wait_ready=False)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/healthz").status_code == 200
        not_ready = client.get("/readyz")
        assert not_ready.status_code == 503 and "overblik ingest" in not_ready.json()["detail"]
        search = client.get("/search", params={"q": "video"})
        assert search.status_code == 503 and "indeks" in search.json()["detail"]
        ingest_cli(corpus_copy, settings)
        wait_for(lambda: client.get("/readyz").status_code == 200)
        assert lexical_ids(client, "infusionspumpe") == ["hjemmeindlaeggelse-thisted"]


def test_a_running_api_picks_up_a_new_index_version_without_failing_requests(
    tmp_path: Path, corpus_copy: Path, live_server: Callable[..., LiveServer]
) -> None:
    settings = make_settings(tmp_path / "data", reload_interval=0.3)
    ingest_cli(corpus_copy, settings)
    server = live_server(settings)
    statuses: list[int] = []
    stop = threading.Event()

    def keep_searching() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while not stop.is_set():
                statuses.append(client.get("/search", params={"q": "demens og pårørende"}).status_code)

    with httpx.Client(base_url=server.url, timeout=30) as client:
        version_before = client.get("/stats").json()["index_version"]
        assert lexical_ids(client, "kvantefysikforløb") == []
        searcher = threading.Thread(target=keep_searching)
        searcher.start()
        try:
            (corpus_copy / "demens-gps" / "tillaeg.md").write_text(
                "# Tillæg\n\nEt nyt kvantefysikforløb for pårørende til borgere med demens.\n",
                encoding="utf-8",
            )
            ingest_cli(corpus_copy, settings)
            wait_for(lambda: lexical_ids(client, "kvantefysikforløb") == ["demens-gps"])
        finally:
            stop.set()
            searcher.join()
        assert client.get("/stats").json()["index_version"] != version_before
    assert statuses and set(statuses) == {200}


def test_server_mode_serves_search_and_rebuilds_the_lexical_index_from_chroma(
    tmp_path: Path, fixture_corpus: Path, chroma_server: str, live_server: Callable[..., LiveServer], e5
) -> None:
    ingest_settings = make_settings(
        tmp_path / "ingest-data", chroma_url=chroma_server, collection="api_server_mode"
    )
    Ingestion(ingest_settings, e5, show_progress=False).run([fixture_corpus])
    # An API replica on another machine: same Chroma server, its own (empty) data directory.
    replica = make_settings(tmp_path / "replica-data", chroma_url=chroma_server, collection="api_server_mode")
    server = live_server(replica)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/readyz").json()["status"] == "ready"
        assert client.get("/stats").json()["store"] == "server"
        assert lexical_ids(client, "infusionspumpe") == ["hjemmeindlaeggelse-thisted"]
        top = client.get("/search", params={"q": "GPS til demente", "mode": "semantic"}).json()["results"][0]
        assert top["id"] == "demens-gps"
        similar = client.get("/initiatives/demens-gps/similar").json()["results"]
        assert similar and all(r["id"] != "demens-gps" for r in similar)
    assert any((replica.lexical_path / "api_server_mode").iterdir()), "the replica saved its lexical index"


def test_cors_allows_only_the_configured_origins(
    built_index: tuple[Settings, object], live_server: Callable[..., LiveServer]
) -> None:
    settings, _ = built_index
    allowed = settings.model_copy(update={"cors_origins": ["http://intranet.eksempel.dk"]})
    for configured, origin, expect in [
        (allowed, "http://intranet.eksempel.dk", "http://intranet.eksempel.dk"),
        (allowed, "http://fremmed.eksempel.dk", None),
        (settings, "http://intranet.eksempel.dk", None),
    ]:
        server = live_server(configured)
        preflight = httpx.options(
            f"{server.url}/search",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "content-type"},
        )  # fmt: skip
        simple = httpx.get(f"{server.url}/search", params={"q": "video"}, headers={"Origin": origin})
        assert simple.status_code == 200
        assert simple.headers.get("access-control-allow-origin") == expect
        assert preflight.headers.get("access-control-allow-origin") == expect


@pytest.mark.parametrize("logged", [False, True])
def test_each_request_is_logged_once_and_query_text_only_when_asked_for(
    built_index: tuple[Settings, object],
    live_server: Callable[..., LiveServer],
    caplog: pytest.LogCaptureFixture,
    logged: bool,
) -> None:
    settings, _ = built_index
    server = live_server(settings.model_copy(update={"log_queries": logged}))
    with caplog.at_level(logging.INFO, logger="overblik.requests"):
        answer = httpx.get(
            f"{server.url}/search", params={"q": "hemmelig søgning om demens", "limit": 3}
        ).json()
        wait_for(lambda: any('"/search"' in r.getMessage() for r in caplog.records), 10)
    lines = [
        json.loads(r.getMessage())
        for r in caplog.records
        if r.levelno == logging.INFO and "/search" in r.getMessage()
    ]
    assert len(lines) == 1
    line = lines[0]
    shown = len(answer["results"])
    assert (
        line["method"] == "GET"
        and line["status"] == 200
        and line["results"] == shown >= 1
        and line["ms"] >= 0
    )
    assert ("q" in line) is logged
