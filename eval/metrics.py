"""Metrics with ranx: per mode and per query, paired comparisons, and the per-query diagnostics.

ranx sorts a run by score, so every ranking is handed over with scores derived from its rank (n, n-1, …):
what is measured is exactly the order the search path returned. nDCG uses ranx's `ndcg` (linear gains, as
trec_eval); a judgment of grade 1 or 2 counts as relevant for recall, precision and MRR.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from eval.caches import use_work_caches
from eval.dataset import Qrels
from eval.runs import Ranking, Run

use_work_caches()  # before ranx imports ir_datasets

import ranx  # noqa: E402
from numba.core.errors import NumbaTypeSafetyWarning  # noqa: E402

METRICS = ("ndcg@10", "recall@10", "recall@50", "mrr@10", "precision@5")
LABELS = {
    "ndcg@10": "nDCG@10",
    "recall@10": "Recall@10",
    "recall@50": "Recall@50",
    "mrr@10": "MRR@10",
    "precision@5": "P@5",
}
# ranx's nDCG casts its uint64 counters to int64; harmless for our sizes, and it would print on every run.
warnings.filterwarnings("ignore", "unsafe cast from uint64 to int64", NumbaTypeSafetyWarning)
SIGNIFICANCE = 0.05  # p-value below which a paired difference is called significant
STAT_TEST = "student"  # ranx's two-sided paired Student's t-test


@dataclass(frozen=True)
class ModeScores:
    """Mean metrics of one mode, and each query's value per metric."""

    mean: dict[str, float]
    per_query: dict[str, dict[str, float]]  # metric -> query id -> value


def to_ranx_run(run: Run, name: str) -> ranx.Run:
    """A ranx Run that keeps the given order; queries without results are added back by make_comparable."""
    scored: dict[str, dict[str, float]] = {}
    for query_id, ranking in run.items():
        unique = list(dict.fromkeys(doc_id for doc_id, _ in ranking))
        if unique:
            scored[query_id] = {doc_id: float(len(unique) - i) for i, doc_id in enumerate(unique)}
    return ranx.Run(scored, name=name)


def to_ranx_qrels(qrels: Qrels) -> ranx.Qrels:
    return ranx.Qrels({q: dict(judged) for q, judged in qrels.items()})


def score_run(qrels: Qrels, run: Run, name: str = "run") -> ModeScores:
    """Mean and per-query values of METRICS for one run over the judged queries."""
    ranx_run = to_ranx_run(run, name)
    means = ranx.evaluate(to_ranx_qrels(qrels), ranx_run, list(METRICS), make_comparable=True)
    per_query = {m: {q: float(v) for q, v in ranx_run.scores[m].items()} for m in METRICS}
    return ModeScores({m: float(means[m]) for m in METRICS}, per_query)


def score_runs(qrels: Qrels, runs: Mapping[str, Run]) -> dict[str, ModeScores]:
    return {mode: score_run(qrels, run, mode) for mode, run in runs.items()}


# -- diagnostics -------------------------------------------------------------------------------------


def first_relevant_rank(ranking: Ranking, judged: Mapping[str, int]) -> int | None:
    """1-based rank of the first relevant result, None if none was returned."""
    return next((rank for rank, (doc_id, _) in enumerate(ranking, start=1) if doc_id in judged), None)


@dataclass(frozen=True)
class HybridLoss:
    """A query where hybrid ranks worse (nDCG@10) than the best single mode."""

    query_id: str
    query: str
    ndcg: dict[str, float]  # mode -> nDCG@10
    first_relevant: dict[str, int | None]  # mode -> rank of the first relevant initiative
    gap: float  # best single mode minus hybrid

    def to_dict(self) -> dict:
        return asdict(self)


def hybrid_losses(
    queries: Mapping[str, str], qrels: Qrels, runs: Mapping[str, Run], scores: Mapping[str, ModeScores]
) -> list[HybridLoss]:
    """Queries where hybrid nDCG@10 is below the better of lexical and semantic, largest gap first."""
    singles = [mode for mode in ("lexical", "semantic") if mode in scores]
    if "hybrid" not in scores or not singles:
        return []
    losses = []
    for query_id, text in queries.items():
        ndcg = {mode: scores[mode].per_query["ndcg@10"].get(query_id, 0.0) for mode in scores}
        best_single = max(ndcg[mode] for mode in singles)
        if ndcg["hybrid"] < best_single - 1e-9:
            ranks = {
                mode: first_relevant_rank(runs[mode].get(query_id, []), qrels[query_id]) for mode in runs
            }
            losses.append(HybridLoss(query_id, text, ndcg, ranks, best_single - ndcg["hybrid"]))
    return sorted(losses, key=lambda loss: (-loss.gap, loss.query_id))


# -- comparing two reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricComparison:
    mode: str
    metric: str
    this: float
    other: float
    p_value: float | None  # None when the two runs score every query alike
    significant: bool

    @property
    def difference(self) -> float:
        return self.this - self.other

    def to_dict(self) -> dict:
        return {**asdict(self), "difference": self.difference}


def compare_runs(qrels: Qrels, this: Run, other: Run, mode: str) -> list[MetricComparison]:
    """This run against another on the same judgments, per metric, with the paired test's p-value."""
    report = ranx.compare(
        to_ranx_qrels(qrels),
        [to_ranx_run(this, "this"), to_ranx_run(other, "other")],
        list(METRICS),
        stat_test=STAT_TEST,
        max_p=SIGNIFICANCE,
        make_comparable=True,
    )
    rows = []
    for metric in METRICS:
        p_value = float(report.comparisons["this", "other"][metric]["p_value"])
        defined = not math.isnan(p_value)
        rows.append(
            MetricComparison(
                mode=mode,
                metric=metric,
                this=float(report.results["this"][metric]),
                other=float(report.results["other"][metric]),
                p_value=p_value if defined else None,
                significant=defined and p_value < SIGNIFICANCE,
            )
        )
    return rows


def by_query_type(
    scores: Mapping[str, ModeScores], query_types: Mapping[str, str], metric: str = "ndcg@10"
) -> dict[str, dict[str, float]]:
    """Mean `metric` per query type (the set's metadata.type) and mode: {type: {mode: mean}}."""
    grouped: dict[str, list[str]] = {}
    for query_id, kind in sorted(query_types.items()):
        grouped.setdefault(kind, []).append(query_id)
    return {
        kind: {
            mode: round(sum(s.per_query[metric].get(q, 0.0) for q in ids) / len(ids), 4)
            for mode, s in scores.items()
        }
        for kind, ids in sorted(grouped.items())
    }
