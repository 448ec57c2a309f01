"""Ingesting the fixture corpus, bad files included: what is counted, stored, searchable and reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixture_corpus import EXPECTED_FAILURES, PAGE_WORDS
from index_helpers import cli_env, lexical_search, rows_by_id, run_cli
from support import free_port, make_settings

from ingest.discovery import METADATA_NAMES
from ingest.pipeline import Ingestion
from ingest.records import CARD_SUFFIX, NO_METADATA_SUMMARY
from initiative_index.store import record_from_metadata


@pytest.fixture(scope="module")
def rows(built_index) -> dict[str, dict]:
    settings, _ = built_index
    return rows_by_id(settings)


def only_chunk_of(rows: dict[str, dict], doc_name: str) -> dict:
    """The chunk of a short document (every document of the fixture corpus fits in one chunk)."""
    found = [row for row in rows.values() if row["metadata"]["doc_name"] == doc_name]
    assert len(found) == 1, f"{doc_name}: {len(found)} chunks"
    return found[0]


def test_summary_counts_every_file_document_chunk_and_initiative(built_index, fixture_corpus: Path):
    _, summary = built_index
    files = [p for p in fixture_corpus.rglob("*") if p.is_file()]
    metadata_files = [p for p in files if p.name in METADATA_NAMES]
    loose_documents = 1  # "løse dokumenter/Notat om sårbehandling.md"
    initiatives = len(metadata_files) + loose_documents
    readable_documents = len(files) - len(metadata_files) - len(EXPECTED_FAILURES)

    assert summary.files_seen == len(files)
    assert summary.failed == len(EXPECTED_FAILURES)
    assert summary.ingested == len(files) - len(EXPECTED_FAILURES)  # documents and metadata cards
    assert summary.initiatives == initiatives
    # Every readable document is short (one chunk), and every initiative has one metadata card.
    assert summary.chunks_total == summary.chunks_written == readable_documents + initiatives
    assert summary.unchanged == summary.removed == summary.metadata_updated == 0


def test_each_bad_file_is_reported_with_its_reason(built_index):
    _, summary = built_index
    reasons = {Path(failure.path).name: failure.reason for failure in summary.failures}
    assert reasons.keys() == EXPECTED_FAILURES.keys()
    for name, expected in EXPECTED_FAILURES.items():
        assert expected in reasons[name], f"{name}: {reasons[name]}"


def test_chunks_carry_their_initiative_and_document(rows):
    meta = only_chunk_of(rows, "beskrivelse.md")["metadata"]
    assert meta["initiative_id"] == "video-plejehjem-aalborg"
    assert meta["title"] == "Videokonsultationer mellem plejehjem og almen praksis"
    assert meta["kind"] == "document"
    assert meta["doc_title"] == "Beskrivelse af videokonsultationer"
    assert meta["status"] == "drift"
    assert meta["cluster"] == "midt"
    assert meta["sectors"] == ["kommune", "almen praksis"]
    assert meta["organisations"] == ["Aalborg Kommune", "PLO Nordjylland"]
    assert meta["target_groups"] == ["plejehjemsbeboere"]
    assert meta["start_day"] == 20230101
    assert meta["end_day"] == 99991231  # no end date: ongoing
    assert meta["page_start"] == meta["page_end"] == 0  # Markdown has no pages
    assert (meta["evaluation"], meta["effect"]) == ("ekstern", "dokumenteret")  # filterable inside Chroma


def test_each_initiative_has_a_card_with_its_public_record(rows):
    cards = {
        row["metadata"]["initiative_id"]: row for row in rows.values() if row["metadata"]["kind"] == "card"
    }
    assert len(cards) == 8
    record = record_from_metadata(cards["video-plejehjem-aalborg"]["metadata"])
    assert record["contact"]["email"] == "lene.holm@eksempel.dk"
    assert record["has_metadata"] is True
    assert {doc["file"] for doc in record["documents"]} == {"beskrivelse.md"}
    assert "Status: Drift" in cards["video-plejehjem-aalborg"]["document"]
    assert record["results"] == [
        {"text": "Færre lægebesøg og hurtigere afklaring for beboerne", "document": "beskrivelse.md"}
    ]
    card = cards["video-plejehjem-aalborg"]["document"]
    assert "Effekt: Dokumenteret effekt" in card and "Resultater: Færre lægebesøg" in card


def test_pdf_chunk_records_the_pages_it_spans_and_where_each_begins(rows):
    chunk = only_chunk_of(rows, "projektbeskrivelse.pdf")
    meta, text = chunk["metadata"], chunk["document"]
    assert (meta["page_start"], meta["page_end"]) == (1, 3)
    assert [text[offset:].split("\n")[0] for offset in meta["page_breaks"]] == [
        "Akutteamet og behandlingsansvaret",
        "Økonomi",
    ]


def test_page_numbers_name_the_page_each_word_is_on(tmp_path: Path, fixture_corpus: Path, e5):
    # Small chunks put each page of the three-page PDF in chunks of its own.
    settings = make_settings(tmp_path / "data", chunk_size=48, chunk_overlap=0)
    Ingestion(settings, e5, show_progress=False).run([fixture_corpus / "hjemmeindlaeggelse-thisted"])
    pdf_chunks = [
        r for r in rows_by_id(settings).values() if r["metadata"]["doc_name"] == "projektbeskrivelse.pdf"
    ]
    for page, word in PAGE_WORDS.items():
        holding = [r["metadata"] for r in pdf_chunks if word in r["document"].lower()]
        assert [(m["page_start"], m["page_end"]) for m in holding] == [(page, page)], word


def test_danish_letters_survive_every_format(rows):
    assert "æøå ÆØÅ skal bevares" in only_chunk_of(rows, "projektbeskrivelse.pdf")["document"]
    assert "Pårørende oplevede mere ro" in only_chunk_of(rows, "rapport.md")["document"]
    assert "Selvstændig måling" in only_chunk_of(rows, "evaluering.docx")["document"]
    assert "På plejecentret øver borgere" in only_chunk_of(rows, "side.html")["document"]


def test_cp1252_text_file_is_decoded(rows):
    chunk = only_chunk_of(rows, "latin1-notat.txt")
    assert (
        chunk["document"] == "Notat fra plejehjemmet på Østergade: søvnløshed og ængstelse blandt beboerne."
    )


def test_encrypted_pdf_is_opened_with_the_password_from_metadata(rows):
    chunk = only_chunk_of(rows, "krypteret.pdf")
    assert "GPS-enhedernes batteritid" in chunk["document"]
    assert chunk["metadata"]["doc_title"] == "Fortroligt bilag"


def test_password_is_never_stored(rows):
    stored = json.dumps([[row["document"], row["metadata"]] for row in rows.values()], ensure_ascii=False)
    assert "hemmelig" not in stored


def test_word_hyphenated_across_a_pdf_line_break_is_rejoined(rows):
    text = only_chunk_of(rows, "projektbeskrivelse.pdf")["document"]
    assert "intravenøs behandling i hjemmet" in text
    assert "behand-" not in text


def test_html_navigation_scripts_and_footer_are_not_indexed(rows):
    text = only_chunk_of(rows, "side.html")["document"]
    assert "iltmætning" in text
    everything = "\n".join(row["document"] for row in rows.values())
    for boilerplate in ("Menupunkt", "sporingskode", "color: red", "Cookiepolitik", "forside"):
        assert boilerplate not in everything, boilerplate


def test_docx_table_text_is_indexed(rows):
    text = only_chunk_of(rows, "evaluering.docx")["document"]
    assert "Selvstændig måling | 18 af 24" in text
    assert "Videoopkald uden hjælp | 15 af 24" in text


def test_document_without_metadata_becomes_its_own_initiative(rows):
    document = only_chunk_of(rows, "Notat om sårbehandling.md")
    card_source = document["metadata"]["source"] + CARD_SUFFIX
    card = next(r for r in rows.values() if r["metadata"]["source"] == card_source)
    record = record_from_metadata(card["metadata"])

    assert record["title"] == "Notat om digital sårbehandling"  # the document's own heading
    assert record["summary"] == NO_METADATA_SUMMARY
    assert record["has_metadata"] is False
    assert record["id"].startswith("dok-")
    assert document["metadata"]["initiative_id"] == card["metadata"]["initiative_id"] == record["id"]
    assert document["metadata"]["doc_name"] == "Notat om sårbehandling.md"


def test_lexical_index_of_the_version_is_saved_and_finds_document_words(built_index, rows):
    settings, _ = built_index
    found = lexical_search(settings, "infusionspumpe")
    assert [rows[i]["metadata"]["doc_name"] for i in found] == ["projektbeskrivelse.pdf"]


def test_cli_json_summary_reports_failures_and_exits_zero(tmp_path: Path, fixture_corpus: Path):
    result = run_cli(
        "ingest", "--json", str(fixture_corpus / "problemfiler"), env=cli_env(tmp_path / "data"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {Path(f["path"]).name for f in summary["failures"]} == EXPECTED_FAILURES.keys()
    assert summary["failed"] == len(EXPECTED_FAILURES)
    assert summary["ingested"] == 3  # initiative.yaml, god.md, latin1-notat.txt
    assert summary["chunks_total"] == 3
    assert summary["index_version"]


def test_cli_exits_nonzero_with_a_reason_when_the_store_is_unreachable(tmp_path: Path, fixture_corpus: Path):
    unreachable = f"http://127.0.0.1:{free_port()}"
    env = cli_env(tmp_path / "data", chroma_url=unreachable)
    result = run_cli("ingest", "--json", str(fixture_corpus), env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "not reachable" in result.stderr
    assert result.stdout == ""


def test_cli_prints_the_metadata_json_schema(tmp_path):
    done = run_cli("schema", env=cli_env(tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    assert {"id", "title", "summary", "organisations", "sectors", "status"} <= set(schema["required"])
    assert "tværsektoriel" in json.dumps(schema, ensure_ascii=False)
