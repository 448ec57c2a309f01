"""What counts as a match, compared on the dev split and the nonsense queries:
`python -m eval.tune_matching [--markdown]`.

For each (semantic_threshold, semantic_margin) on a grid: hybrid and semantic nDCG@10 on the dev split, the
mean number of matches per dev query against the mean number judged relevant, the share of matches that
are judged relevant and of judged initiatives that match, and the share of nonsense queries
(eval/data/nonsense.txt, out-of-domain and random strings) that match nothing. Only the dev split is read.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from eval.cli import open_engine
from eval.dataset import EvalSet, load_eval_set, nonsense_queries
from eval.evaluation import evaluate_set
from eval.runs import EngineSearcher
from initiative_index.settings import Settings
from search_api.engine import SearchEngine
from search_api.models import SearchRequest

THRESHOLDS = (0.78, 0.80, 0.82)  # semantic_threshold (the query shares a word with the index)
UNKNOWN_THRESHOLDS = (0.85, 0.86)  # semantic_threshold_unknown
MARGINS = (-1.0, 0.0, 0.02)  # semantic_margin; -1 = none
SPLIT = "dev"


@dataclass(frozen=True)
class MatchingResult:
    threshold: float
    unknown: float
    margin: float
    hybrid_ndcg: float
    semantic_ndcg: float
    mean_matches: float
    match_precision: float  # matches that are judged relevant
    match_recall: float  # judged relevant initiatives that match
    nonsense_empty: float  # nonsense queries with no match at all (hybrid)


def measure(
    engine: SearchEngine,
    eval_set: EvalSet,
    nonsense: list[str],
    threshold: float,
    unknown: float,
    margin: float,
) -> MatchingResult:
    variant = engine.with_settings(
        semantic_threshold=threshold, semantic_threshold_unknown=unknown, semantic_margin=margin
    )
    evaluation = evaluate_set(EngineSearcher(variant), eval_set, ["hybrid", "semantic"])
    matches = relevant_matches = judged = 0
    for query_id, text in eval_set.queries.items():
        found = set(variant.matching_ids(SearchRequest(query=text)))
        truth = set(eval_set.qrels[query_id])
        matches += len(found)
        relevant_matches += len(found & truth)
        judged += len(truth)
    empty = sum(not variant.matching_ids(SearchRequest(query=q)) for q in nonsense)
    return MatchingResult(
        threshold,
        unknown,
        margin,
        evaluation.metric("hybrid", "ndcg@10"),
        evaluation.metric("semantic", "ndcg@10"),
        matches / len(eval_set.queries),
        relevant_matches / max(matches, 1),
        relevant_matches / max(judged, 1),
        empty / len(nonsense),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table instead.")
    args = parser.parse_args()
    engine = open_engine(Settings())
    eval_set = load_eval_set(split=SPLIT, name="overblik")
    nonsense = nonsense_queries()
    mean_judged = sum(map(len, eval_set.qrels.values())) / len(eval_set.queries)
    results = [
        measure(engine, eval_set, nonsense, t, u, m)
        for t in THRESHOLDS
        for u in UNKNOWN_THRESHOLDS
        for m in MARGINS
    ]
    header = ["threshold", "unknown", "margin", "hybrid nDCG@10", "semantic nDCG@10", "matches/query",
              "precision", "recall", "nonsense with 0"]  # fmt: skip
    rows = [
        [f"{r.threshold:.2f}", f"{r.unknown:.2f}", "none" if r.margin <= -1 else f"{r.margin:+.2f}",
         f"{r.hybrid_ndcg:.3f}", f"{r.semantic_ndcg:.3f}", f"{r.mean_matches:.1f}",
         f"{r.match_precision:.2f}", f"{r.match_recall:.2f}", f"{r.nonsense_empty:.0%}"]
        for r in results
    ]  # fmt: skip
    version = engine.snapshot.version
    title = f"Matching on the {SPLIT} split ({mean_judged:.1f} judged relevant per query; {version})"
    if args.markdown:
        print(f"{title}\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    table = Table(title=title, title_justify="left")
    for name in header:
        table.add_column(name, justify="right")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
