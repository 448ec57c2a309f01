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
    honesty: dict[str, dict[str, float]] = field(default_factory=dict)  # mode -> matches and nonsense figures
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
    nonsense: list[str] | None = None,
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
    honesty = match_honesty(searcher, eval_set, modes, nonsense or [])
    return Evaluation(eval_set, settings, runs, scores, losses, collected.refused, honesty=honesty)


def match_honesty(
    searcher: Searcher, eval_set: EvalSet, modes: list[str], nonsense: list[str]
) -> dict[str, dict[str, float]]:
    """Per mode: matches per judged query (what the count says, against the number judged relevant), and
    the share of nonsense queries (random strings, other domains) that match nothing."""
    judged = sum(map(len, eval_set.qrels.values())) / max(len(eval_set.qrels), 1)
    figures: dict[str, dict[str, float]] = {}
    for mode in modes:
        matches = [searcher.matches(query, mode) for query in eval_set.queries.values()]
        row = {"mean_matches": sum(matches) / max(len(matches), 1), "mean_judged_relevant": judged}
        if nonsense:
            empty = sum(searcher.matches(query, mode) == 0 for query in nonsense)
            row.update({"nonsense_queries": len(nonsense), "nonsense_without_matches": empty / len(nonsense)})
        figures[mode] = row
    return figures
