"""`overblik eval` (the project's set) and `overblik eval beir PATH` (any BEIR collection)."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from eval.dataset import PROJECT_SET, EvalSet, Split, load_eval_set, nonsense_queries
from initiative_index.errors import OverblikError
from initiative_index.settings import Language, Settings

if TYPE_CHECKING:  # the search path, ranx and matplotlib load only when an evaluation runs
    from eval.evaluation import Evaluation
    from eval.runs import Ranking, Searcher
    from initiative_index.embedders import Embedder
    from search_api.engine import SearchEngine

eval_app = typer.Typer(help="Measure retrieval quality (nDCG@10, Recall@10/50, MRR@10, P@5) per search mode.")
err = Console(stderr=True)

SplitOption = Annotated[Split, typer.Option(help="Which judged queries to run: dev, test or all.")]


class Mode(StrEnum):
    lexical = "lexical"
    semantic = "semantic"
    hybrid = "hybrid"


ModeOption = Annotated[
    list[Mode] | None,
    typer.Option("--mode", help="Search mode to evaluate (repeat for several; default: all three)."),
]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="Report folder (default: reports/eval-<split>-<UTC time>/, or beir-…)."),
]
CompareOption = Annotated[
    Path | None,
    typer.Option("--compare", help="Another report folder: show differences and their significance."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print metrics.json's content only.")]
ProgressOption = Annotated[bool, typer.Option(help="Show a progress bar (on stderr).")]


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Turn Overblik's own errors into a message a person can act on and exit code 2, not a traceback."""
    from search_api.holder import NotReadyError

    try:
        yield
    except NotReadyError as exc:
        err.print(f"[red]Error:[/] {exc.reason}")
        raise typer.Exit(2) from None
    except OverblikError as exc:
        err.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(2) from None


def open_engine(settings: Settings, embedder: Embedder | None = None) -> SearchEngine:
    """The engine the API would build from these settings."""
    from search_api.holder import EngineHolder

    holder = EngineHolder(settings, embedder)
    holder.refresh()
    return holder.engine


def finish(
    evaluation: Evaluation, kind: str, out: Path | None, compare: Path | None, json_output: bool
) -> None:
    """Compare (if asked), write the report folder, print the table or the JSON."""
    from eval.compare import compare_with_report
    from eval.console import print_evaluation
    from eval.report import default_report_dir, metrics_document, write_report

    if compare is not None:
        compare_with_report(evaluation, compare)
    folder = write_report(evaluation, out or default_report_dir(kind, evaluation.eval_set.split))
    if json_output:
        sys.stdout.write(json.dumps(metrics_document(evaluation), ensure_ascii=False, indent=2) + "\n")
    else:
        print_evaluation(evaluation, folder, Console())


def run_and_report(
    searcher: Searcher,
    eval_set: EvalSet,
    modes: list[Mode] | None,
    *,
    kind: str,
    out: Path | None,
    compare: Path | None,
    json_output: bool,
    progress: bool,
    id_map: dict[str, str] | None = None,
    nonsense: list[str] | None = None,
    baselines: dict[str, Callable[[str, int], Ranking]] | None = None,
) -> None:
    from eval.evaluation import evaluate_set
    from eval.metrics import score_runs
    from eval.runs import DEPTH, MODES

    chosen = [m.value for m in modes] if modes else list(MODES)
    show_progress = progress and not json_output
    evaluation = evaluate_set(
        searcher, eval_set, chosen, id_map=id_map, progress=show_progress, nonsense=nonsense
    )
    for name, rank in (baselines or {}).items():
        evaluation.runs[name] = {qid: rank(text, DEPTH) for qid, text in eval_set.queries.items()}
    if baselines:
        evaluation.scores = score_runs(eval_set.qrels, evaluation.runs)
    finish(evaluation, kind, out, compare, json_output)


@eval_app.callback(invoke_without_command=True)
def evaluate_project_set(
    ctx: typer.Context,
    split: SplitOption = "test",
    mode: ModeOption = None,
    url: Annotated[
        str | None, typer.Option(help="Evaluate a running server (e.g. http://127.0.0.1:8000) instead.")
    ] = None,
    eval_set: Annotated[
        Path, typer.Option("--set", help="Evaluation set in BEIR layout (queries.jsonl, qrels/<split>.tsv).")
    ] = PROJECT_SET,
    out: OutOption = None,
    compare: CompareOption = None,
    json_output: JsonOption = False,
    progress: ProgressOption = True,
) -> None:
    """Run every query of the evaluation set through the search path in each mode and report the metrics.

    In process by default (the index named by the OVERBLIK_* settings), or against a server with --url.
    """
    if ctx.invoked_subcommand is not None:
        return
    from eval.runs import EngineSearcher, HttpSearcher

    with exit_on_error():
        project = eval_set.resolve() == PROJECT_SET.resolve()
        name = "overblik" if project else eval_set.resolve().name
        loaded = load_eval_set(eval_set, split, name=name)
        searcher: Searcher = HttpSearcher(url) if url else EngineSearcher(open_engine(Settings()))
        run_and_report(
            searcher, loaded, mode, kind="eval", out=out, compare=compare, json_output=json_output,
            progress=progress, nonsense=nonsense_queries() if project else None,
        )  # fmt: skip


@eval_app.command("beir")
def evaluate_beir(
    path: Annotated[Path, typer.Argument(help="BEIR folder: corpus.jsonl, queries.jsonl, qrels/*.tsv.")],
    language: Annotated[
        Language | None, typer.Option(help="Analyzer language (default: OVERBLIK_LANGUAGE, i.e. danish).")
    ] = None,
    split: SplitOption = "test",
    mode: ModeOption = None,
    work_dir: Annotated[
        Path | None,
        typer.Option(help="Keep the ingested index here and reuse it next time (default: a temp folder)."),
    ] = None,
    out: OutOption = None,
    compare: CompareOption = None,
    json_output: JsonOption = False,
    progress: ProgressOption = True,
    baselines: Annotated[
        bool, typer.Option(help="Also score the raw model on whole entries and plain stemmed BM25.")
    ] = True,
) -> None:
    """Ingest a BEIR collection into a temporary index (one initiative per corpus entry) and evaluate it,
    beside two baselines: the raw embedding model on whole entries and plain stemmed BM25."""
    from eval.baselines import PlainBM25Searcher, RawModelSearcher
    from eval.beir import ingest_beir, read_corpus
    from eval.runs import EngineSearcher
    from initiative_index.embedders import load_embedder
    from initiative_index.store import reset_embedded_clients

    with exit_on_error():
        loaded = load_eval_set(path, split, name=path.resolve().name)
        settings = Settings()
        embedder = load_embedder(settings)
        with tempfile.TemporaryDirectory(prefix="overblik-beir-") as temporary:
            index = ingest_beir(
                path, work_dir or Path(temporary), settings, embedder, language or settings.language,
                progress=progress and not json_output,
            )  # fmt: skip
            engine = open_engine(index.settings, embedder)
            extra = {}
            if baselines:
                entries = list(read_corpus(path / "corpus.jsonl"))
                extra = {
                    "raw-model": RawModelSearcher(entries, embedder).rank,
                    "plain-bm25": PlainBM25Searcher(entries, language or settings.language).rank,
                }
            run_and_report(
                EngineSearcher(engine), loaded, mode, kind=f"beir-{loaded.name}", out=out, compare=compare,
                json_output=json_output, progress=progress, id_map=index.id_map(engine.snapshot),
                baselines=extra,
            )  # fmt: skip
            reset_embedded_clients()  # let go of the temporary store before it is deleted


@eval_app.command("overview")
def evaluate_overview(
    out: OutOption = None,
    json_output: JsonOption = False,
) -> None:
    """Agreement of the overview with a person's judgment (eval/data/overview): themes as adjusted mutual
    information, 'the same idea elsewhere' as precision of the top pairs; the method against a baseline."""
    from dataclasses import asdict

    from rich.table import Table

    from eval.overview_quality import load_gold, score_baseline, score_landscape
    from landscape.profiles import initiative_vectors

    with exit_on_error():
        engine = open_engine(Settings())
        gold = load_gold()
        ids = engine.snapshot.initiative_ids
        method = score_landscape(engine.landscape, gold)
        vectors = initiative_vectors(engine.store, engine.snapshot)
        baseline = score_baseline(
            ids, [engine.snapshot.records[i] for i in ids], vectors, method.themes, gold
        )
    document = {
        "index_version": engine.snapshot.version,
        "initiatives": len(ids),
        "gold_themes": len(set(gold.themes.values())),
        "gold_pairs": len(gold.overlaps),
        "results": [asdict(method), asdict(baseline)],
    }
    folder = out or Path("reports") / f"eval-overview-{engine.snapshot.version}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.json").write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    metrics = ["ami", "P@10", "P@20", "P@40", "P2@20"]
    rows = [
        [s.method, str(s.themes)] + [f"{(s.ami if m == 'ami' else s.precision[m]):.3f}" for m in metrics]
        for s in (method, baseline)
    ]
    header = ["method", "themes", "AMI", "P@10", "P@20", "P@40", "P@20 (grade 2)"]
    markdown = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)] + [
        "| " + " | ".join(r) + " |" for r in rows
    ]
    (folder / "report.md").write_text(
        f"# Overview quality, index version {engine.snapshot.version}\n\n" + "\n".join(markdown) + "\n",
        encoding="utf-8",
    )
    if json_output:
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"Overview against the gold data ({len(ids)} initiatives)", title_justify="left")
    for column in header:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    Console().print(f"Report: {folder / 'report.md'}")
