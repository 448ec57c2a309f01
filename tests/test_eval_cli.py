"""`overblik eval`: a tiny Swedish BEIR collection end to end, reports, --compare, --json, and --url."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support import LiveServer
from typer.testing import CliRunner

from eval.metrics import METRICS
from ingest.summary import IngestSummary
from initiative_index.settings import Settings
from overblik.cli import app

REPORT_FILES = ("report.md", "metrics.json", "qrels.tsv", "modes.png", *(f"run-{m}.trec" for m in
                ("lexical", "semantic", "hybrid")))  # fmt: skip

# Ids with characters a file name cannot keep, to exercise the id mapping.
SWEDISH_CORPUS = [
    ("sv/hem:1", "Hemsjukvård för äldre", "Sjuksköterskorna besöker de äldre patienterna i hemmet och ger "
     "behandling, så att de slipper läggas in på sjukhuset."),
    ("sv/video#2", "Digitala vårdbesök", "Patienter kan träffa sin läkare i ett videosamtal via en app i "
     "mobilen i stället för att åka till vårdcentralen."),
    ("sv.demens", "Trygghetslarm med GPS vid demens", "Personer med demenssjukdom får ett GPS-larm så att "
     "anhöriga kan hitta dem om de går vilse."),
    ("tand", "Tandvård för barn", "Alla barn kallas till tandläkaren varje år; tandvården är avgiftsfri "
     "upp till 23 års ålder."),
    ("vaccin", "Vaccination mot influensa", "Influensavaccinet erbjuds gratis till alla över 65 år och till "
     "gravida under hösten."),
    ("ambulans", "Ambulanssjukvård i glesbygd", "I glesbygden kompletteras ambulanserna med "
     "akutsjuksköterskor i bil som når fram snabbare."),
    ("psyk", "Psykisk ohälsa bland unga", "Ungdomsmottagningen erbjuder samtal om ångest och nedstämdhet "
     "för unga mellan 13 och 25 år."),
    ("lakemedel", "Läkemedelsgenomgång på särskilt boende", "Läkaren och sjuksköterskan går igenom de "
     "boendes läkemedel två gånger om året för att undvika biverkningar."),
]  # fmt: skip
SWEDISH_QUERIES = {
    "q1": ("sjuksköterskor som besöker äldre patienter", {"sv/hem:1": 2}),
    "q2": ("videosamtal med läkaren", {"sv/video#2": 2}),
    "q3": ("influensavaccin", {"vaccin": 2}),
    "q4": ("tandläkare för barnen", {"tand": 2}),
    "q5": ("genomgång av läkemedlen på boendet", {"lakemedel": 2, "sv/hem:1": 1}),
}
OBVIOUS = ("q1", "q3", "q4", "q5")  # share stemmed words with exactly their answer

FIXTURE_QUERIES = {
    "f1": ("GPS til borgere med demens", {"demens-gps": 2}),
    "f2": ("indlæggelse i eget hjem", {"hjemmeindlaeggelse-thisted": 2}),
    "f3": ("videokonsultation plejehjem", {"video-plejehjem-aalborg": 2, "psykiatri-skaermbesoeg": 1}),
    "f4": ("KOL tablet plejecenter", {"kol-digitale-kompetencer": 2}),
}


def write_beir(folder: Path, queries: dict[str, tuple[str, dict[str, int]]], corpus=None) -> Path:
    """A BEIR-layout folder: corpus.jsonl (if given), queries.jsonl and qrels/test.tsv with a header."""
    (folder / "qrels").mkdir(parents=True)
    if corpus is not None:
        lines = [json.dumps({"_id": i, "title": t, "text": x}, ensure_ascii=False) for i, t, x in corpus]
        (folder / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "queries.jsonl").write_text(
        "".join(
            json.dumps({"_id": q, "text": text}, ensure_ascii=False) + "\n"
            for q, (text, _) in queries.items()
        ),
        encoding="utf-8",
    )
    judged = [f"{q}\t{doc}\t{grade}" for q, (_, rel) in queries.items() for doc, grade in rel.items()]
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "\n".join(judged) + "\n")
    return folder


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(app, ["eval", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout


@pytest.fixture(scope="module")
def swedish(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Swedish collection evaluated once; its work dir is kept so later runs reuse the index."""
    root = tmp_path_factory.mktemp("beir-sv")
    collection = write_beir(root / "collection", SWEDISH_QUERIES, SWEDISH_CORPUS)
    output = run_cli("beir", str(collection), "--language", "swedish", "--work-dir", str(root / "work"),
                     "--out", str(root / "first"), "--no-progress")  # fmt: skip
    (root / "first-output.txt").write_text(output, encoding="utf-8")
    return {"root": root, "collection": collection, "work": root / "work", "first": root / "first"}


def again(swedish: dict[str, Path], out: str) -> list[str]:
    """Arguments to evaluate the Swedish collection again, reusing its index, into report folder `out`."""
    return ["beir", str(swedish["collection"]), "--language", "swedish", "--work-dir", str(swedish["work"]),
            "--out", str(swedish["root"] / out)]  # fmt: skip


def test_beir_evaluation_writes_every_report_file(swedish: dict[str, Path]) -> None:
    for name in REPORT_FILES:
        assert (swedish["first"] / name).stat().st_size > 0, name
    assert (swedish["first"] / "modes.png").read_bytes().startswith(b"\x89PNG")
    report = (swedish["first"] / "report.md").read_text(encoding="utf-8")
    assert "| hybrid |" in report and "swedish" in report
    output = (swedish["root"] / "first-output.txt").read_text(encoding="utf-8")
    assert "nDCG@10" in output and "hybrid" in output and "report.md" in output


def test_beir_runs_name_the_collections_own_ids_in_trec_format(swedish: dict[str, Path]) -> None:
    lines = (swedish["first"] / "run-lexical.trec").read_text(encoding="utf-8").splitlines()
    rows = [line.split() for line in lines]
    assert all(len(row) == 6 and row[1] == "Q0" and row[5] == "overblik-lexical" for row in rows)
    assert {row[2] for row in rows} <= {entry[0] for entry in SWEDISH_CORPUS}
    first = {row[0]: row[2] for row in rows if row[3] == "1"}
    assert first["q1"] == "sv/hem:1" and first["q3"] == "vaccin"


def test_beir_metrics_are_in_range_and_obvious_queries_score(swedish: dict[str, Path]) -> None:
    metrics = json.loads((swedish["first"] / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["settings"]["language"] == "swedish"
    assert metrics["dataset"] == {"name": "collection", "split": "test", "queries": 5, "judged_pairs": 6}
    for mode in ("lexical", "semantic", "hybrid"):
        assert set(metrics["metrics"][mode]) == set(METRICS)
        assert all(0.0 <= value <= 1.0 for value in metrics["metrics"][mode].values())
    for query_id in OBVIOUS:
        assert metrics["per_query"]["lexical"][query_id]["first_relevant_rank"] == 1, query_id
        assert metrics["per_query"]["hybrid"][query_id]["first_relevant_rank"] == 1, query_id
    assert metrics["metrics"]["hybrid"]["ndcg@10"] >= 0.8


def test_json_prints_the_metrics_document_only(swedish: dict[str, Path]) -> None:
    output = run_cli(*again(swedish, "json"), "--json")
    printed = json.loads(output)
    saved = json.loads((swedish["root"] / "json" / "metrics.json").read_text(encoding="utf-8"))
    assert printed == saved
    # The three modes beside the two baselines (the raw model on whole entries, plain stemmed BM25).
    assert set(printed["metrics"]) == {"lexical", "semantic", "hybrid", "raw-model", "plain-bm25"}


def test_compare_shows_each_metric_with_difference_and_significance(swedish: dict[str, Path]) -> None:
    output = run_cli(*again(swedish, "compared"), "--mode", "hybrid", "--mode", "lexical", "--no-progress",
                     "--no-baselines", "--compare", str(swedish["first"]))  # fmt: skip
    assert "Compared with" in output and "p-value" in output and "significant" in output
    comparison = json.loads((swedish["root"] / "compared" / "metrics.json").read_text())["comparison"]
    rows = comparison["rows"]
    assert [(r["mode"], r["metric"]) for r in rows] == [
        (m, k) for m in ("hybrid", "lexical") for k in METRICS
    ]
    for row in rows:
        assert row["difference"] == pytest.approx(row["this"] - row["other"])
        assert row["significant"] is (row["p_value"] is not None and row["p_value"] < 0.05)
    assert "## Compared with" in (swedish["root"] / "compared" / "report.md").read_text(encoding="utf-8")


def test_a_collection_without_qrels_header_is_refused_with_a_reason(tmp_path: Path) -> None:
    collection = write_beir(tmp_path / "c", SWEDISH_QUERIES, SWEDISH_CORPUS)
    qrels = collection / "qrels" / "test.tsv"
    qrels.write_text("\n".join(qrels.read_text().splitlines()[1:]) + "\n")
    result = CliRunner().invoke(app, ["eval", "beir", str(collection), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "header" in result.stderr


def test_url_mode_measures_the_same_as_in_process(
    built_index: tuple[Settings, IngestSummary],
    live_server: Callable[..., LiveServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, _ = built_index
    eval_set = write_beir(tmp_path / "set", FIXTURE_QUERIES)
    server = live_server(settings)
    over_http = json.loads(run_cli("--set", str(eval_set), "--url", server.url, "--json",
                                   "--out", str(tmp_path / "http")))  # fmt: skip
    monkeypatch.setenv("OVERBLIK_DATA_DIR", str(settings.data_dir))
    in_process = json.loads(run_cli("--set", str(eval_set), "--json", "--out", str(tmp_path / "local")))
    assert over_http["settings"]["searched"].startswith("server")
    assert in_process["settings"]["searched"] == "in process"
    assert over_http["metrics"]["hybrid"] == in_process["metrics"]["hybrid"]
    assert over_http["per_query"] == in_process["per_query"]
    assert in_process["metrics"]["hybrid"]["ndcg@10"] > 0.5
