"""One evaluation: every query of a set through a searcher in every mode, scored, with diagnostics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tqdm import tqdm

from eval.dataset import EvalSet
from eval.metrics import HybridLoss, MetricComparison, ModeScores, hybrid_losses, score_runs
from eval.runs import DEPTH, MODES, Run, Searcher, collect_runs, map_ids
from search_api.models import SearchMode


@dataclass
class Evaluation:
    """What `overblik eval` measured; `report.py` writes it, `console.py` prints it."""

    eval_set: EvalSet
    settings: dict[str, object]
    runs: dict[str, Run]
    scores: dict[str, ModeScores]
    losses: list[HybridLoss]
    refused: dict[str, str] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    comparison: list[MetricComparison] | None = None
    compared_with: str | None = None

    @property
    def modes(self) -> list[str]:
        return list(self.runs)

    def metric(self, mode: str, metric: str) -> float:
        return self.scores[mode].mean[metric]


def evaluate_set(
    searcher: Searcher,
    eval_set: EvalSet,
    modes: Iterable[SearchMode] = MODES,
    *,
    depth: int = DEPTH,
    id_map: Mapping[str, str] | None = None,
    progress: bool = False,
) -> Evaluation:
    """Run, score and diagnose; `id_map` renames index initiative ids to the set's doc ids (BEIR)."""
    modes = list(modes)
    settings = searcher.describe()
    with tqdm(
        total=len(modes) * len(eval_set.queries), desc="Evaluating", unit="query", disable=not progress
    ) as bar:
        collected = collect_runs(searcher, eval_set.queries, modes, depth, on_step=lambda: bar.update(1))
    runs = collected.runs
    if id_map is not None:
        runs = {mode: map_ids(run, id_map) for mode, run in runs.items()}
    scores = score_runs(eval_set.qrels, runs)
    losses = hybrid_losses(eval_set.queries, eval_set.qrels, runs, scores)
    return Evaluation(eval_set, settings, runs, scores, losses, collected.refused)
