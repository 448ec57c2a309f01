"""Faults while serving and ingesting: the Chroma server stopped and restarted under the API, an ingestion
into a Chroma server killed with SIGKILL and run again, and the disk filling up during an ingestion."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
from index_helpers import OVERBLIK, cli_env, open_store, rows_by_id, run_cli
from security_corpus import build_security_corpus
from support import free_port, make_settings, start_chroma_server
from test_ingest_interruption import stored_count

from ingest.pipeline import Ingestion

READY_TIMEOUT = 30


def wait_until(condition: Callable[[], bool], seconds: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.1)


def readyz(url: str) -> httpx.Response:
    return httpx.get(f"{url}/readyz", timeout=10)


def test_the_api_survives_its_chroma_server_stopping_and_recovers_without_a_restart(
    tmp_path: Path, e5, live_server
) -> None:
    port, path, log = free_port(), tmp_path / "chroma", tmp_path / "chroma.log"
    chroma = start_chroma_server(path, port, log)
    try:
        corpus = build_security_corpus(tmp_path / "corpus")
        settings = make_settings(tmp_path / "data", chroma_url=f"http://127.0.0.1:{port}",
                                 reload_interval=0.3, document_roots=[corpus])  # fmt: skip
        Ingestion(settings, e5, show_progress=False).run([corpus])
        server = live_server(settings)
        query = {"q": "sensorer om natten i hjemmeplejen"}
        filtered = {**query, "mode": "semantic", "sector": "kommune"}
        before = httpx.get(f"{server.url}/search", params=query).json()
        before_filtered = httpx.get(f"{server.url}/search", params=filtered).json()

        chroma.terminate()
        chroma.wait(timeout=10)
        wait_until(lambda: readyz(server.url).status_code == 503)
        assert readyz(server.url).json()["detail"] == "Chroma-serveren svarer ikke."
        # Meanwhile searches are answered from the loaded version (its own vectors and BM25 index).
        during = httpx.get(f"{server.url}/search", params=query)
        assert during.status_code == 200
        assert [h["id"] for h in during.json()["results"]] == [h["id"] for h in before["results"]]
        during_filtered = httpx.get(f"{server.url}/search", params=filtered).json()
        assert during_filtered["results"] == before_filtered["results"]

        chroma = start_chroma_server(path, port, log)
        wait_until(lambda: readyz(server.url).status_code == 200)
        after = httpx.get(f"{server.url}/search", params=query).json()
        assert after["index_version"] == before["index_version"]
        assert [h["id"] for h in after["results"]] == [h["id"] for h in before["results"]]
    finally:
        chroma.terminate()
        chroma.wait(timeout=10)


NOTES = 24
NOTES_PER_BATCH = 4  # chunks reach the server in several batches, so there is a "half-way"


def notes_corpus(root: Path) -> Path:
    """One initiative with short notes: an ingestion of several batches."""
    folder = root / "notater"
    folder.mkdir(parents=True)
    (folder / "initiative.yaml").write_text(
        "id: notater\ntitle: Notater fra akutteamet\nsummary: Korte notater fra akutteamet.\n"
        "organisations: [Thisted Kommune]\nsectors: [kommune]\nstatus: pilot\n",
        encoding="utf-8",
    )
    for n in range(NOTES):
        (folder / f"notat-{n:02d}.md").write_text(f"Borger {n} fik behandling i eget hjem i uge {n + 1}.\n")
    return root


def test_an_ingestion_into_a_chroma_server_killed_with_sigkill_reruns_to_a_clean_runs_index(
    tmp_path: Path, chroma_server: str, e5
) -> None:
    corpus = notes_corpus(tmp_path / "corpus")

    def server_settings(name: str):
        collection = f"{name}-{uuid.uuid4().hex}"
        return make_settings(tmp_path / name, chroma_url=chroma_server, collection=collection)

    clean = server_settings("clean")
    Ingestion(clean, e5, show_progress=False).run([corpus])

    killed = server_settings("killed")
    env = cli_env(killed.data_dir, chroma_url=chroma_server, collection=killed.collection,
                  batch_size=str(NOTES_PER_BATCH))  # fmt: skip
    process = subprocess.Popen([str(OVERBLIK), "ingest", "--json", str(corpus)], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        wait_until(lambda: stored_count(killed) > 0 or process.poll() is not None, seconds=240)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert 0 < stored_count(killed) < NOTES + 1, "not killed half-way"
    assert open_store(killed).read_manifest().dirty

    rerun = run_cli("ingest", "--json", str(corpus), env=env, cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["unchanged"] > 0  # resumed: what the killed run stored is kept
    resumed_rows, clean_rows = rows_by_id(killed), rows_by_id(clean)
    assert resumed_rows == clean_rows  # ids, texts and metadata; no duplicates, nothing missing
    ids = sorted(clean_rows)
    assert np.allclose(
        open_store(killed).get_embeddings(ids), open_store(clean).get_embeddings(ids), atol=1e-5
    )
    assert not open_store(killed).read_manifest().dirty  # the rerun published its version


def test_a_full_disk_stops_the_ingestion_with_a_clear_error_and_the_old_version_is_served(
    tmp_path: Path, e5, live_server
) -> None:
    corpus = build_security_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data", reload_interval=0.3, document_roots=[corpus])
    Ingestion(settings, e5, show_progress=False).run([corpus])
    server = live_server(settings)
    query = {"q": "sensorer om natten i hjemmeplejen"}
    before = httpx.get(f"{server.url}/search", params=query).json()

    new = corpus / "sikker-sensorer" / "bilag.md"
    new.write_text("\n\n".join(f"Afsnit {n}: sensorer om natten i hjemmeplejen." for n in range(5)))
    # The disk is "full": no file of the ingestion may grow past what the store's biggest file is now
    # (RLIMIT_FSIZE; Python ignores SIGXFSZ, so a write past it fails with EFBIG as on a full disk).
    limit = max(f.stat().st_size for f in settings.data_dir.rglob("*") if f.is_file())

    def full_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [str(OVERBLIK), "ingest", str(corpus), "--no-progress"], env=cli_env(settings.data_dir),
        cwd=tmp_path, capture_output=True, text=True, timeout=300, preexec_fn=full_disk,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr[-3000:]
    assert "the disk is full or failing" in " ".join(done.stderr.split()), done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]

    time.sleep(1.0)  # several reload intervals: the API keeps the complete previous version
    assert readyz(server.url).status_code == 200
    after = httpx.get(f"{server.url}/search", params=query).json()
    assert after["index_version"] == before["index_version"]
    assert [h["id"] for h in after["results"]] == [h["id"] for h in before["results"]]
