"""The sample corpus and the evaluation set are consistent, and the whole corpus ingests cleanly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from ingest.discovery import discover
from initiative_index.schema import Initiative

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
EVAL_DATA = REPO / "eval" / "data"


def initiative_files() -> list[Path]:
    return sorted((CORPUS / "initiatives").glob("*/initiative.yaml"))


def test_the_corpus_has_at_least_80_initiatives_in_every_format() -> None:
    assert len(initiative_files()) >= 80
    suffixes = [p.suffix for p in (CORPUS / "initiatives").rglob("*") if p.is_file()]
    assert suffixes.count(".pdf") >= 15
    assert suffixes.count(".html") >= 2 and suffixes.count(".docx") >= 2


@pytest.mark.parametrize("path", initiative_files(), ids=lambda p: p.parent.name)
def test_every_metadata_file_validates_and_names_its_folder(path: Path) -> None:
    initiative = Initiative.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert initiative.id == path.parent.name
    for document in initiative.documents:
        assert (path.parent / document.file).is_file(), document.file


def test_discovery_finds_every_initiative_and_nothing_else() -> None:
    found = discover([CORPUS])
    assert found.problems == []
    assert {i.id for i in found.initiatives} == {p.parent.name for p in initiative_files()}


def load_queries() -> dict[str, dict]:
    lines = (EVAL_DATA / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    return {q["_id"]: q for q in map(json.loads, lines)}


def load_qrels(split: str) -> list[dict]:
    with (EVAL_DATA / "qrels" / f"{split}.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_query_is_judged_and_every_judged_id_exists() -> None:
    queries = load_queries()
    initiative_ids = {p.parent.name for p in initiative_files()}
    assert len(queries) >= 100
    for split in ("dev", "test"):
        qrels = load_qrels(split)
        assert set(qrels[0]) == {"query-id", "corpus-id", "score"}
        assert {row["corpus-id"] for row in qrels} <= initiative_ids
        split_queries = {qid for qid, q in queries.items() if q["metadata"]["split"] == split}
        judged = {row["query-id"] for row in qrels}
        assert judged == split_queries, "every query of the split is judged, and only those"
        best = {row["query-id"] for row in qrels if row["score"] == "2"}
        assert best == split_queries, "every query has an initiative that is what was looked for"
        assert {row["score"] for row in qrels} <= {"1", "2"}


@pytest.mark.slow
def test_the_whole_sample_corpus_ingests_with_zero_failures(sample_index) -> None:
    _, summary = sample_index
    assert summary.failures == []
    assert summary.initiatives == len(initiative_files())
    assert summary.ingested == summary.files_seen
