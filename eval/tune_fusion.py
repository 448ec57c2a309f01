"""Hybrid fusion settings compared on the dev split: `python -m eval.tune_fusion [--markdown]`.

One index snapshot and one loaded model serve every setting: each candidate is a SearchEngine over the same
store, embedder and snapshot with `settings.model_copy(update=...)`. Only the dev split is read; the test
split is for reporting the setting chosen here.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from eval.cli import open_engine
from eval.dataset import load_eval_set
from eval.evaluation import evaluate_set
from eval.runs import EngineSearcher
from initiative_index.settings import Settings
from search_api.engine import SearchEngine

RRF_KS = (10, 60)
LEXICAL_WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
SPLIT = "dev"


@dataclass(frozen=True)
class FusionResult:
    label: str
    update: dict[str, object]
    ndcg: float
    recall: float


def candidates() -> list[tuple[str, dict[str, object]]]:
    options: list[tuple[str, dict[str, object]]] = [
        (f"rrf k={k}", {"fusion": "rrf", "rrf_k": k}) for k in RRF_KS
    ]
    options += [(f"weighted w={w:.1f}", {"fusion": "weighted", "lexical_weight": w}) for w in LEXICAL_WEIGHTS]
    return options


def tune(engine: SearchEngine) -> tuple[list[FusionResult], dict[str, tuple[float, float]]]:
    """Hybrid nDCG@10 and Recall@10 per fusion setting, and the single modes for reference."""
    eval_set = load_eval_set(split=SPLIT, name="overblik")
    singles = evaluate_set(EngineSearcher(engine), eval_set, ["lexical", "semantic"])
    reference = {
        mode: (singles.metric(mode, "ndcg@10"), singles.metric(mode, "recall@10")) for mode in singles.modes
    }
    results = []
    for label, update in candidates():
        variant = engine.with_settings(**update)
        evaluation = evaluate_set(EngineSearcher(variant), eval_set, ["hybrid"])
        results.append(
            FusionResult(label, update, evaluation.metric("hybrid", "ndcg@10"),
                         evaluation.metric("hybrid", "recall@10"))
        )  # fmt: skip
    return results, reference


def is_default(result: FusionResult, settings: Settings) -> bool:
    return all(getattr(settings, key) == value for key, value in result.update.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table instead.")
    args = parser.parse_args()
    settings = Settings()
    engine = open_engine(settings)
    results, reference = tune(engine)
    best = max(results, key=lambda r: (round(r.ndcg, 4), round(r.recall, 4)))
    rows = [(f"{mode} alone", ndcg, recall, "") for mode, (ndcg, recall) in reference.items()]
    rows += [
        (r.label, r.ndcg, r.recall,
         " ".join(n for n, on in (("current default", is_default(r, settings)), ("best", r is best)) if on))
        for r in results
    ]  # fmt: skip
    if args.markdown:
        print(f"| hybrid fusion ({SPLIT} split, {engine.snapshot.version}) | nDCG@10 | Recall@10 | |")
        print("|---|---|---|---|")
        for label, ndcg, recall, note in rows:
            print(f"| {label} | {ndcg:.3f} | {recall:.3f} | {note} |")
        return
    table = Table(title=f"Hybrid fusion on the {SPLIT} split", title_justify="left")
    for name, justify in (("setting", "left"), ("nDCG@10", "right"), ("Recall@10", "right"), ("", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for label, ndcg, recall, note in rows:
        table.add_row(label, f"{ndcg:.3f}", f"{recall:.3f}", note)
    Console().print(table)


if __name__ == "__main__":
    main()
