"""What `overblik eval` prints on the terminal (rich tables); the report folder has the full detail."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from eval.evaluation import Evaluation
from eval.metrics import LABELS, METRICS, SIGNIFICANCE, by_query_type
from eval.report import TEST_SPLIT_NOTE

SHOWN_LOSSES = 10


def print_evaluation(evaluation: Evaluation, folder: Path, console: Console) -> None:
    eval_set = evaluation.eval_set
    table = Table(
        title=f"{eval_set.name}, {eval_set.split} split: {len(eval_set.queries)} queries",
        title_justify="left",
    )
    table.add_column("mode")
    for metric in METRICS:
        table.add_column(LABELS[metric], justify="right")
    best = {m: max(evaluation.metric(mode, m) for mode in evaluation.modes) for m in METRICS}
    for mode in evaluation.modes:
        cells = []
        for metric in METRICS:
            value = evaluation.metric(mode, metric)
            cells.append(f"[bold]{value:.3f}[/]" if value >= best[metric] - 1e-12 else f"{value:.3f}")
        table.add_row(mode, *cells)
    console.print(table)
    print_query_types(evaluation, console)
    for mode, row in evaluation.honesty.items():
        if "nonsense_queries" in row:
            matches, judged = row["mean_matches"], row["mean_judged_relevant"]
            empty, nonsense = row["nonsense_without_matches"], row["nonsense_queries"]
            console.print(
                f"{mode}: {matches:.1f} matches per query ({judged:.1f} judged relevant); "
                f"{empty:.0%} of {nonsense} nonsense queries match nothing"
            )
    if evaluation.comparison is not None:
        print_comparison(evaluation, console)
    print_losses(evaluation, console)
    if eval_set.split == "test":
        console.print(f"[dim]{TEST_SPLIT_NOTE}[/]")
    if evaluation.refused:
        console.print(f"[yellow]{len(evaluation.refused)} queries were refused by the search path[/] "
                      "(scored as no results; see report.md).")  # fmt: skip
    console.print(f"Report: {folder}/report.md")


def print_query_types(evaluation: Evaluation, console: Console) -> None:
    per_type = by_query_type(evaluation.scores, evaluation.eval_set.query_types)
    if not per_type:
        return
    table = Table(title="nDCG@10 per query type", title_justify="left")
    table.add_column("type")
    for mode in evaluation.modes:
        table.add_column(mode, justify="right")
    for kind, values in per_type.items():
        table.add_row(kind, *(f"{values[mode]:.3f}" for mode in evaluation.modes))
    console.print(table)


def print_comparison(evaluation: Evaluation, console: Console) -> None:
    table = Table(
        title=f"Compared with {evaluation.compared_with} (paired t-test, significant at p < {SIGNIFICANCE})",
        title_justify="left",
        caption="p-value – = both score every query alike",
        caption_justify="left",
    )
    for name in ("mode", "metric"):
        table.add_column(name)
    for name in ("this", "other", "difference", "p-value"):
        table.add_column(name, justify="right")
    table.add_column("significant")
    for row in evaluation.comparison or []:
        colour = "green" if row.difference > 0 else "red" if row.difference < 0 else "default"
        table.add_row(
            row.mode,
            LABELS[row.metric],
            f"{row.this:.3f}",
            f"{row.other:.3f}",
            f"[{colour}]{row.difference:+.3f}[/]",
            "–" if row.p_value is None else f"{row.p_value:.4f}",
            "[bold]yes[/]" if row.significant else "no",
        )
    console.print(table)


def print_losses(evaluation: Evaluation, console: Console) -> None:
    losses = evaluation.losses
    if not losses:
        console.print("Hybrid is at least as good as lexical and semantic on every query (nDCG@10).")
        return
    modes = [m for m in evaluation.modes if evaluation.losses and m in evaluation.losses[0].ndcg]
    short = "/".join(mode[:3] for mode in modes)
    table = Table(
        title=f"Hybrid worse than the best single mode on {len(losses)} queries"
        + (f" (largest {SHOWN_LOSSES} gaps; all in report.md)" if len(losses) > SHOWN_LOSSES else ""),
        title_justify="left",
        caption="1st rel. = rank of the first relevant initiative (– = not in the top 100)",
        caption_justify="left",
    )
    table.add_column("query")
    table.add_column("text", no_wrap=True, overflow="ellipsis", max_width=40)
    table.add_column(f"nDCG@10 {short}", no_wrap=True)
    table.add_column(f"1st rel. {short}", no_wrap=True)
    for loss in losses[:SHOWN_LOSSES]:
        ranks = ("–" if loss.first_relevant[m] is None else str(loss.first_relevant[m]) for m in modes)
        table.add_row(
            loss.query_id,
            loss.query,
            " ".join(f"{loss.ndcg[m]:.2f}" for m in modes),
            " ".join(f"{rank:>3}" for rank in ranks),
        )
    console.print(table)
