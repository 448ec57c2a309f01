"""Load during change: 8 keep-alive clients search for 60 s (loopback only) while `overblik ingest` adds,
changes and removes documents. No request fails, and every answer is exactly what the old or the new
index version answers (by its `index_version`), never a mixture.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx
from index_helpers import cli_env, run_cli
from security_corpus import build_security_corpus
from support import make_settings

from ingest.pipeline import Ingestion

CLIENTS = 8
SECONDS = 60.0
CHANGE_AFTER = 3.0  # seconds of load on the old version before the ingestion starts
REQUESTS = (
    ("/search", {"sort": "title", "limit": 50}),
    ("/search", {"q": "hjemmeplejen", "mode": "lexical", "limit": 50}),
    ("/search", {"q": "sensorer om natten", "limit": 50}),
    ("/search", {"q": "genoptræning efter hofteoperation", "mode": "semantic", "limit": 50}),
    ("/overview", {}),
)

NEW_INITIATIVE = """id: ny-genoptraening
title: Genoptræning i eget hjem efter hofteoperation
summary: Mariagerfjord Kommune tilbyder genoptræning i eget hjem efter en hofteoperation.
organisations: [Mariagerfjord Kommune]
sectors: [kommune]
status: pilot
documents:
  - {file: plan.md, title: Plan}
"""


def fingerprint(path: str, body: dict) -> tuple:
    """What must be the same for two answers from one index version."""
    if path == "/overview":
        return body["total"], tuple(sorted(point["id"] for point in body["map"]))
    return body["total"], tuple(hit["id"] for hit in body["results"])


def change(corpus: Path) -> None:
    """Add an initiative, change one document and remove another initiative."""
    added = corpus / "ny-genoptraening"
    added.mkdir()
    (added / "initiative.yaml").write_text(NEW_INITIATIVE, encoding="utf-8")
    (added / "plan.md").write_text("Genoptræning i hjemmet efter hofteoperation, tre gange om ugen.\n")
    (corpus / "sikker-sensorer" / "beskrivelse.md").write_text(
        "Sensorer om natten giver hjemmeplejen besked, og hjemmeplejen kommer hurtigere ud.\n"
    )
    shutil.rmtree(corpus / "sikker-hjemmepleje")


def test_searches_during_an_ingestion_all_succeed_and_match_the_old_or_the_new_version(
    tmp_path: Path, e5, live_server
) -> None:
    corpus = build_security_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data", reload_interval=0.5, document_roots=[corpus])
    Ingestion(settings, e5, show_progress=False).run([corpus])
    server = live_server(settings)

    def expected() -> tuple[str, dict[int, tuple]]:
        answers = [httpx.get(server.url + path, params=params).json() for path, params in REQUESTS]
        versions = {answer["index_version"] for answer in answers}
        assert len(versions) == 1
        return versions.pop(), {i: fingerprint(REQUESTS[i][0], a) for i, a in enumerate(answers)}

    old_version, old = expected()
    seen: list[tuple[int, str, tuple]] = []
    failures: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client(offset: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:  # one keep-alive connection
            n = offset
            while not stop.is_set():
                path, params = REQUESTS[n % len(REQUESTS)]
                try:
                    answer = http.get(path, params=params)
                    if answer.status_code != 200:
                        failures.append(f"{path} {params}: {answer.status_code} {answer.text[:200]}")
                    else:
                        body = answer.json()
                        with lock:
                            seen.append((n % len(REQUESTS), body["index_version"], fingerprint(path, body)))
                except httpx.HTTPError as exc:
                    failures.append(f"{path} {params}: {exc!r}")
                n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        time.sleep(CHANGE_AFTER)
        change(corpus)
        done = run_cli("ingest", str(corpus), "--no-progress", env=cli_env(settings.data_dir), cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        time.sleep(max(0.0, SECONDS - (time.monotonic() - started)))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    new_version, new = expected()
    assert new_version != old_version
    kinds = {}
    for f in failures:
        kinds[f[:60]] = kinds.get(f[:60], 0) + 1
    assert not failures, (len(failures), len(seen), kinds)
    by_version = {old_version: old, new_version: new}
    versions = {version for _, version, _ in seen}
    assert versions == {old_version, new_version}  # the change happened under load
    mixed = [(i, v, f) for i, v, f in seen if f != by_version[v][i]]
    assert not mixed, f"{len(mixed)} of {len(seen)} answers match neither version, e.g. {mixed[:3]}"
    assert len(seen) > 100 * CLIENTS  # the clients kept the server busy
