"""Thirty real PDFs that break parsers (../shared/testdata/pdf-torture): every one gets an outcome.

The set is not the project's: the test skips where it is absent. It embeds ~1,400 chunks, so it uses the
bundled MiniLM (robustness is the point here, not retrieval quality) and runs for minutes: marked slow.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from index_helpers import rows_by_id
from support import SHARED_TESTDATA, make_settings

from ingest.pipeline import Ingestion

TORTURE = SHARED_TESTDATA / "pdf-torture"
# What a reader says when it gives up on a PDF; anything else would be a library's error leaking out.
READER_REASONS = ("no text: needs OCR", "damaged PDF", "unsupported PDF feature", "encrypted PDF")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not TORTURE.is_dir(), reason="../shared/testdata/pdf-torture is not available"),
]


@pytest.fixture(scope="module")
def torture_run(tmp_path_factory: pytest.TempPathFactory, minilm):
    manifest = [json.loads(line) for line in (TORTURE / "MANIFEST.jsonl").read_text().splitlines() if line]
    folder = tmp_path_factory.mktemp("pdf-torture") / "pdf-torture"
    folder.mkdir()
    for entry in manifest:
        shutil.copy(TORTURE / entry["file"], folder / entry["file"])
    metadata = {
        "id": "pdf-torture",
        "title": "PDF-filer der driller",
        "summary": "Rigtige PDF-filer, som får læsere til at fejle.",
        "organisations": ["Overblik"],
        "sectors": ["region"],
        "status": "idé",
        "documents": [{"file": e["file"], "password": e["password"]} for e in manifest if e.get("password")],
    }
    (folder / "initiative.yaml").write_text(yaml.safe_dump(metadata, allow_unicode=True), encoding="utf-8")
    # No overlap: a quarter fewer chunks to embed, and nothing here is about overlap.
    settings = make_settings(folder.parent / "data", chunk_size=512, chunk_overlap=0)
    summary = Ingestion(settings, minilm, show_progress=False).run([folder])
    return manifest, summary, rows_by_id(settings)


def test_run_completes_and_every_file_is_accounted_for(torture_run):
    manifest, summary, _ = torture_run
    assert summary.files_seen == len(manifest) + 1  # and the initiative.yaml
    assert summary.files_seen == summary.ingested + summary.failed + summary.unchanged


def test_every_pdf_is_either_in_the_index_or_reported_with_a_reason(torture_run):
    manifest, summary, rows = torture_run
    indexed = {row["metadata"]["doc_name"] for row in rows.values() if row["metadata"]["kind"] == "document"}
    failed = {Path(failure.path).name: failure.reason for failure in summary.failures}

    assert indexed.isdisjoint(failed)
    assert indexed | failed.keys() == {entry["file"] for entry in manifest}
    for name, reason in failed.items():
        assert reason.startswith(READER_REASONS), f"{name}: {reason}"


def test_encrypted_pdfs_that_open_with_a_known_password_are_ingested(torture_run):
    manifest, _, rows = torture_run
    openable = {
        entry["file"]
        for entry in manifest
        if entry.get("encrypted")
        and (entry.get("opens_with_pw") or entry.get("opens_with_empty_pw"))
        and entry.get("pypdf_text_chars", 0) > 0
    }
    indexed = {row["metadata"]["doc_name"] for row in rows.values()}
    assert len(openable) >= 5
    assert openable <= indexed


def test_file_name_with_a_hash_sign_gets_an_outcome(torture_run):
    _, summary, rows = torture_run
    name = "pdfjs_empty#hash.pdf"
    indexed = {row["metadata"]["doc_name"] for row in rows.values()}
    assert name in indexed or name in {Path(failure.path).name for failure in summary.failures}
