"""Quality floor: retrieval on the evaluation set's test split must not fall below today's measured level.

The figures come from eval/README.md ("Measured figures"): hybrid nDCG@10 on the test split with the
default settings. MARGIN absorbs run-to-run noise (the vector index is approximate and rebuilt per process,
which moves single results near the cut-off) and small, deliberate trade-offs; a real regression is larger.
"""

from __future__ import annotations

import pytest
from support import ARTIFACTS

from eval.cli import open_engine
from eval.dataset import load_eval_set
from eval.evaluation import Evaluation, evaluate_set
from eval.report import write_report
from eval.runs import EngineSearcher
from ingest.summary import IngestSummary
from initiative_index.embedders import E5OnnxEmbedder
from initiative_index.settings import Settings

pytestmark = pytest.mark.slow

MEASURED_HYBRID_NDCG_AT_10 = 0.824  # test split, default settings (eval/README.md, "Measured figures")
MARGIN = 0.03
FLOOR = MEASURED_HYBRID_NDCG_AT_10 - MARGIN


@pytest.fixture(scope="module")
def evaluated(sample_index: tuple[Settings, IngestSummary], e5: E5OnnxEmbedder) -> Evaluation:
    settings, summary = sample_index
    assert summary.failed == 0, summary.failures
    engine = open_engine(settings, e5)
    evaluation = evaluate_set(EngineSearcher(engine), load_eval_set(split="test", name="overblik"))
    write_report(evaluation, ARTIFACTS / "eval-test-split")  # the figures behind a pass or a failure
    return evaluation


def test_the_whole_test_split_is_evaluated_with_the_default_settings(evaluated: Evaluation) -> None:
    assert len(evaluated.eval_set.queries) == 60
    assert evaluated.refused == {}
    defaults = Settings(_env_file=None)
    for key in ("fusion", "lexical_weight", "rrf_k", "candidates"):
        assert evaluated.settings[key] == getattr(defaults, key), key


def test_hybrid_ndcg_at_10_stays_above_the_floor(evaluated: Evaluation) -> None:
    hybrid = evaluated.metric("hybrid", "ndcg@10")
    assert hybrid >= FLOOR, (
        f"hybrid nDCG@10 on the test split is {hybrid:.3f}, below the floor {FLOOR:.3f} "
        f"(measured {MEASURED_HYBRID_NDCG_AT_10} - margin {MARGIN}); `overblik eval --split dev` shows why"
    )


def test_hybrid_is_not_worse_than_the_better_single_mode(evaluated: Evaluation) -> None:
    hybrid = evaluated.metric("hybrid", "ndcg@10")
    best_single = max(evaluated.metric("lexical", "ndcg@10"), evaluated.metric("semantic", "ndcg@10"))
    assert hybrid >= best_single - MARGIN, (
        f"hybrid nDCG@10 {hybrid:.3f} is more than {MARGIN} below the better single mode ({best_single:.3f})"
    )
