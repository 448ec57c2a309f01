"""Hardening against a running server: security headers, sandboxed documents inside the document roots,
input limits with Danish 4xx, /readyz without internals, and logs without queries, keys or tokens."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from index_helpers import OVERBLIK, cli_env, run_cli
from security_corpus import PDF_PASSWORD, build_security_corpus
from support import LiveServer, free_port, make_settings

from initiative_index.filters import MAX_VALUE_CHARS, MAX_VALUES_PER_FIELD
from initiative_index.settings import Settings
from initiative_index.store import (
    ChunkStore,
    record_from_metadata,
    record_to_metadata,
    reset_embedded_clients,
)
from search_api.access import key_hash, new_key

HTML_DOC = "/initiatives/sikker-hjemmepleje/documents/nyhedsbrev.html"
MD_DOC = "/initiatives/sikker-hjemmepleje/documents/notat.md"
PDF_DOC = "/initiatives/sikker-hjemmepleje/documents/plan.pdf"


@pytest.fixture(scope="module")
def api(security_index, e5) -> Iterator[httpx.Client]:
    settings, _ = security_index
    server = LiveServer(settings, e5).start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client
    server.stop()


# -- headers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/search?q=ruter", "/healthz", "/findes-ikke",
                                  "/search?limit=0", "/initiatives/sikker-sensorer"])  # fmt: skip
def test_every_response_carries_the_security_headers(api: httpx.Client, path: str) -> None:
    headers = api.get(path).headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def test_the_page_may_run_only_its_own_scripts(api: httpx.Client) -> None:
    policy = dict(
        part.strip().split(" ", 1) for part in api.get("/").headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"


def test_framing_is_allowed_only_for_the_origins_configured(security_index, live_server) -> None:
    settings, _ = security_index
    server = live_server(settings.model_copy(update={"frame_ancestors": ["https://intra.example"]}))
    headers = httpx.get(server.url + "/").headers
    assert "frame-ancestors https://intra.example" in headers["content-security-policy"]
    assert "x-frame-options" not in headers


# -- documents -------------------------------------------------------------------------------------


def test_html_documents_are_sandboxed_downloads_never_pages_of_this_origin(api: httpx.Client) -> None:
    answer = api.get(HTML_DOC)
    assert answer.status_code == 200 and "<script>" in answer.text  # the original, unchanged...
    assert answer.headers["content-type"] == "application/octet-stream"  # ...but never as HTML
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["content-security-policy"].startswith("sandbox;")
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(("path", "media_type"), [(MD_DOC, "text/plain; charset=utf-8"),
                                                   (PDF_DOC, "application/pdf")])  # fmt: skip
def test_readable_documents_show_inline_but_sandboxed(api: httpx.Client, path: str, media_type: str) -> None:
    answer = api.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == media_type
    assert answer.headers["content-disposition"].startswith("inline;")
    assert answer.headers["content-security-policy"].startswith("sandbox;")


def test_documents_outside_the_document_roots_are_404(security_index, live_server, tmp_path: Path) -> None:
    settings, _ = security_index
    server = live_server(settings.model_copy(update={"document_roots": [tmp_path]}))
    for path in (HTML_DOC, MD_DOC, PDF_DOC):
        answer = httpx.get(server.url + path)
        assert answer.status_code == 404 and "findes ikke" in answer.json()["detail"]


def tampered_copy(settings: Settings, target: Path, base_dir: str, files: list[str]) -> Settings:
    """A copy of the index whose card for `sikker-sensorer` says it lives in `base_dir` with `files`:
    what anyone who can write to the Chroma store could do."""
    shutil.copytree(settings.data_dir, target / "data")
    copy = settings.model_copy(update={"data_dir": target / "data"})
    reset_embedded_clients()
    store = ChunkStore.open(copy)
    cards = store.collection.get(where={"kind": "card"}, include=["metadatas"])
    for chunk_id, meta in zip(cards["ids"], cards["metadatas"], strict=True):
        if meta["initiative_id"] == "sikker-sensorer":
            record = record_from_metadata(meta)
            record["documents"] = [{"file": name} for name in files]
            changed = {**meta, "base_dir": base_dir, "record": record_to_metadata(record)}
            store.collection.update(ids=[chunk_id], metadatas=[changed])
    reset_embedded_clients()
    # The segments saved for this version were built before the change: the API must read the store again
    # (as a replica with its own data directory would).
    shutil.rmtree(copy.lexical_path, ignore_errors=True)
    return copy


def test_an_index_pointing_outside_the_roots_reads_no_file(security_index, live_server, tmp_path) -> None:
    settings, _ = security_index
    (tmp_path / "hemmelig.txt").write_text("adgangskode=fortrolig", encoding="utf-8")
    tampered = tampered_copy(settings, tmp_path, "/", ["etc/hostname", str(tmp_path / "hemmelig.txt")[1:]])
    server = live_server(tampered)
    detail = httpx.get(f"{server.url}/initiatives/sikker-sensorer").json()
    assert {doc["file"] for doc in detail["documents"]} >= {"etc/hostname"}  # the index lists them...
    for doc in detail["documents"]:
        answer = httpx.get(server.url + doc["url"])
        assert answer.status_code == 404, doc  # ...but no file outside the roots is read


def test_a_symlink_out_of_the_root_is_not_followed(security_index, live_server, tmp_path: Path) -> None:
    settings, _ = security_index
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "sensorer").mkdir(parents=True)
    outside.mkdir()
    (outside / "hemmelig.md").write_text("fortroligt", encoding="utf-8")
    (root / "sensorer" / "link.md").symlink_to(outside / "hemmelig.md")
    (root / "sensorer" / "ok.md").write_text("offentligt", encoding="utf-8")
    tampered = tampered_copy(settings, tmp_path, str(root / "sensorer"), ["link.md", "ok.md"])
    server = live_server(tampered.model_copy(update={"document_roots": [root]}))
    base = f"{server.url}/initiatives/sikker-sensorer/documents"
    assert httpx.get(f"{base}/ok.md").text == "offentligt"
    assert httpx.get(f"{base}/link.md").status_code == 404


# -- limits ----------------------------------------------------------------------------------------


def danish_4xx(answer: httpx.Response, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]


def test_filter_values_are_limited_per_field_in_all_and_in_length(api: httpx.Client) -> None:
    many = [("tag", f"t{i}") for i in range(MAX_VALUES_PER_FIELD + 1)]
    danish_4xx(api.get("/search", params=many), 422, f"højst {MAX_VALUES_PER_FIELD}")
    spread = [(field, f"v{i}") for field in ("tag", "organisation", "target_group") for i in range(20)]
    danish_4xx(api.get("/overview", params=spread), 422, "For mange filterværdier")
    danish_4xx(api.get("/export.csv", params={"tag": "x" * (MAX_VALUE_CHARS + 1)}), 422, "for lang")
    body = {"query": "ruter", "filters": {"organisation": ["x"] * (MAX_VALUES_PER_FIELD + 1)}}
    danish_4xx(api.post("/search", json=body), 422, "For mange værdier")
    danish_4xx(api.get("/search", params={"offset": 10_001}), 422, "Startposition")


def test_a_large_body_is_refused_with_a_danish_413(api: httpx.Client) -> None:
    huge = {"query": "ruter", "filters": {"tag": ["x" * 100] * 200}}
    danish_4xx(api.post("/search", json=huge), 413, "for stor")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
        yield b'{"query": "ruter", "filters": {"tag": ['
        for _ in range(400):
            yield b'"' + b"x" * 100 + b'",'
        yield b'"x"]}}'

    streamed = api.post("/search", content=chunks(), headers={"Content-Type": "application/json"})
    danish_4xx(streamed, 413, "for stor")


def test_readyz_says_what_is_wrong_without_internals(live_server, tmp_path: Path) -> None:
    empty = live_server(make_settings(tmp_path / "empty"), wait_ready=False)
    answer = wait_answer(f"{empty.url}/readyz", lambda a: "indeks" in a.text)
    assert answer.status_code == 503 and "overblik ingest" in answer.json()["detail"]
    broken = live_server(
        make_settings(tmp_path / "x", chroma_url="ftp://secret-host:1/"), wait_ready=False
    )  # a configuration error: its text names the host
    answer = wait_answer(f"{broken.url}/readyz", lambda a: "log" in a.text)
    assert answer.status_code == 503
    assert answer.json()["detail"] == "Søgeindekset kunne ikke indlæses. Se søgetjenestens log."


def wait_answer(url: str, done, seconds: float = 20) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = httpx.get(url)
            if done(answer) or time.monotonic() > deadline:
                return answer
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


# -- logs ------------------------------------------------------------------------------------------

SECRET_QUERY = "borger med KOL og depression i Hobro"


def test_logs_hold_no_query_text_passwords_keys_or_tokens_by_default(tmp_path: Path) -> None:
    """The real `overblik ingest` and `overblik serve` at DEBUG level: every request is logged, none of what
    was asked, no document password, no key and no token."""
    corpus = build_security_corpus(tmp_path / "corpus")
    key, digest = new_key()
    token = "chroma-token-" + key_hash(key)[:16]
    port = free_port()
    env = cli_env(tmp_path / "data", port=str(port), api_keys=digest, chroma_token=token, log_level="DEBUG",
                  document_roots=str(corpus))  # fmt: skip
    ingested = run_cli("ingest", "--json", str(corpus), env=env, cwd=tmp_path)
    assert ingested.returncode == 0 and json.loads(ingested.stdout)["failures"] == [], ingested.stderr
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen([str(OVERBLIK), "serve"], env=env, cwd=tmp_path, stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_answer(f"{url}/readyz", lambda a: a.status_code == 200, seconds=60)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
            assert client.get("/search", params={"q": SECRET_QUERY}).status_code == 200
            assert client.post("/search", json={"query": SECRET_QUERY}).status_code == 200
            assert client.get("/overview", params={"q": SECRET_QUERY}).status_code == 200
            assert client.get("/export.csv", params={"q": SECRET_QUERY}).status_code == 200
            wrong = {"Authorization": "Bearer x" + key}
            assert client.get("/search", params={"q": SECRET_QUERY}, headers=wrong).status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    log.seek(0)
    text = ingested.stdout + ingested.stderr + log.read()
    assert text.count('"path": "/search"') == 3  # the requests are logged...
    for secret in ("depression", "Hobro", "KOL", key, token, digest, PDF_PASSWORD):
        assert secret not in text  # ...without what was asked, the password, the key or the token
    assert "KOL" in SECRET_QUERY
