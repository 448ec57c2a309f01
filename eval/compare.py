"""`--compare OTHER_REPORT`: this evaluation's runs against another report's, mode by mode."""

from __future__ import annotations

from pathlib import Path

from eval.evaluation import Evaluation
from eval.metrics import MetricComparison, compare_runs
from eval.report import load_report
from initiative_index.errors import OverblikError


def compare_with_report(evaluation: Evaluation, other: Path) -> list[MetricComparison]:
    """Paired comparison per mode and metric, on this evaluation's queries and judgments.

    Both sides are scored with this evaluation's qrels, so a changed judgment cannot pose as a change in
    retrieval; the other report must cover the same queries.
    """
    other_runs, other_qrels = load_report(other)
    queries = set(evaluation.eval_set.queries)
    if set(other_qrels) != queries:
        raise OverblikError(
            f"{other} was made on other queries ({len(other_qrels)} judged, this run has {len(queries)}): "
            "compare reports of the same evaluation set and split."
        )
    common = [mode for mode in evaluation.modes if mode in other_runs]
    if not common:
        raise OverblikError(f"{other} has no run of the modes evaluated here ({', '.join(evaluation.modes)})")
    rows: list[MetricComparison] = []
    for mode in common:
        rows += compare_runs(evaluation.eval_set.qrels, evaluation.runs[mode], other_runs[mode], mode)
    evaluation.comparison = rows
    evaluation.compared_with = str(other)
    return rows
