"""A document that takes too long to read is stopped and reported; the run goes on without it."""

from __future__ import annotations

from pathlib import Path

from fixture_corpus import pdf_bytes
from support import make_settings

from ingest.extraction import Extractor
from ingest.pipeline import Ingestion


def long_pdf() -> bytes:
    return pdf_bytes([[f"Side {page}: referat af møde om hjemmepleje og akutteam, punkt {line}." for line in
                       range(45)] for page in range(1000)])  # fmt: skip


def test_a_document_over_the_time_limit_is_reported_and_the_others_land(tmp_path: Path, e5) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "langt-referat.pdf").write_bytes(long_pdf())
    (corpus / "kort-notat.md").write_text(
        "# Kort notat\n\nVideo mellem plejehjem og egen læge.\n", encoding="utf-8"
    )
    settings = make_settings(tmp_path / "data", extract_timeout=1.0)
    summary = Ingestion(settings, e5, show_progress=False).run([corpus])
    assert [f.path.endswith("langt-referat.pdf") for f in summary.failures] == [True]
    assert "took longer than 1 s" in summary.failures[0].reason
    assert summary.ingested == 1 and summary.chunks_total == 2  # the note and its initiative card


def test_the_reader_process_is_restarted_after_a_timeout(tmp_path: Path) -> None:
    slow, quick = long_pdf(), pdf_bytes([["Et kort dokument om demens."]])
    with Extractor(timeout=1.0) as extractor:
        try:
            extractor.extract(tmp_path / "langt.pdf", slow, None)
        except Exception as exc:
            assert "took longer" in str(exc)
        else:
            raise AssertionError("the long PDF was read within the limit; make it longer")
        document = extractor.extract(tmp_path / "kort.pdf", quick, None)
    assert "demens" in document.pages[0].text
