"""The report folder: report.md, metrics.json, run-<mode>.trec, qrels.tsv and modes.png.

A report is self-contained: `--compare` needs only another report's run files and qrels copy.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from eval.chart import plot_modes
from eval.dataset import Qrels, read_qrels, write_qrels
from eval.evaluation import Evaluation
from eval.metrics import LABELS, METRICS, SIGNIFICANCE, by_query_type, first_relevant_rank
from eval.runs import Run, read_trec, write_trec
from initiative_index.errors import OverblikError

REPORTS = Path("reports")
TEST_SPLIT_NOTE = (
    "The test split is for reporting only: look at dev failures (--split dev) to decide what to change."
)
DIGITS = 4


def default_report_dir(kind: str, split: str) -> Path:
    """reports/<kind>-<split>-<UTC timestamp>/ under the working directory (gitignored)."""
    return REPORTS / f"{kind}-{split}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def metrics_document(evaluation: Evaluation) -> dict:
    """The content of metrics.json (also what `--json` prints)."""
    eval_set = evaluation.eval_set
    per_query = {
        mode: {
            query_id: {
                "ndcg@10": round(evaluation.scores[mode].per_query["ndcg@10"].get(query_id, 0.0), DIGITS),
                "first_relevant_rank": first_relevant_rank(run.get(query_id, []), eval_set.qrels[query_id]),
            }
            for query_id in eval_set.queries
        }
        for mode, run in evaluation.runs.items()
    }
    document = {
        "dataset": {
            "name": eval_set.name,
            "split": eval_set.split,
            "queries": len(eval_set.queries),
            "judged_pairs": sum(len(judged) for judged in eval_set.qrels.values()),
        },
        "created_at": evaluation.created_at,
        "settings": evaluation.settings,
        "metrics": {
            mode: {metric: round(scores.mean[metric], DIGITS) for metric in METRICS}
            for mode, scores in evaluation.scores.items()
        },
        "per_query": per_query,
        "ndcg@10_by_query_type": by_query_type(evaluation.scores, eval_set.query_types),
        "hybrid_worse_than_best_single_mode": [loss.to_dict() for loss in evaluation.losses],
        "refused_queries": evaluation.refused,
        "matches": evaluation.honesty,
    }
    if evaluation.comparison is not None:
        document["comparison"] = {
            "other": evaluation.compared_with,
            "test": "paired Student's t-test (ranx), two-sided",
            "significance_level": SIGNIFICANCE,
            "rows": [row.to_dict() for row in evaluation.comparison],
        }
    return document


def write_report(evaluation: Evaluation, folder: Path) -> Path:
    """Write every file of the report into `folder` (created if needed); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for mode, run in evaluation.runs.items():
        write_trec(run, folder / f"run-{mode}.trec", tag=f"overblik-{mode}")
    write_qrels(evaluation.eval_set.qrels, folder / "qrels.tsv")
    document = metrics_document(evaluation)
    (folder / "metrics.json").write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
    plot_modes(
        document["metrics"],
        folder / "modes.png",
        f"{evaluation.eval_set.name}, {evaluation.eval_set.split} split "
        f"({len(evaluation.eval_set.queries)} queries)",
    )
    (folder / "report.md").write_text(report_markdown(evaluation), encoding="utf-8")
    return folder


def load_report(folder: Path) -> tuple[dict[str, Run], Qrels]:
    """The runs (by mode) and judgments another report was made with, for `--compare`."""
    runs = {path.stem.removeprefix("run-"): read_trec(path) for path in sorted(folder.glob("run-*.trec"))}
    if not runs or not (folder / "qrels.tsv").is_file():
        raise OverblikError(f"{folder} is not an evaluation report (no run-*.trec files and qrels.tsv)")
    return runs, read_qrels(folder / "qrels.tsv")


# -- report.md ---------------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _rank(rank: int | None) -> str:
    return "–" if rank is None else str(rank)


def report_markdown(evaluation: Evaluation) -> str:
    eval_set = evaluation.eval_set
    lines = [
        f"# Retrieval evaluation: {eval_set.name}, {eval_set.split} split",
        "",
        f"{len(eval_set.queries)} queries, {sum(map(len, eval_set.qrels.values()))} judged relevant pairs, "
        f"evaluated {evaluation.created_at}. Metrics at initiative level, computed with ranx; "
        "each run is the top 100 initiatives per query.",
        "",
        "## Metrics",
        "",
    ]
    best = {m: max(evaluation.metric(mode, m) for mode in evaluation.modes) for m in METRICS}
    rows = []
    for mode in evaluation.modes:
        cells = []
        for metric in METRICS:
            value = evaluation.metric(mode, metric)
            text = f"{value:.3f}"
            cells.append(f"**{text}**" if value >= best[metric] - 1e-12 else text)
        rows.append([mode, *cells])
    lines += _table(["mode", *(LABELS[m] for m in METRICS)], rows)
    lines += ["", "![metrics per mode](modes.png)", ""]
    per_type = by_query_type(evaluation.scores, eval_set.query_types)
    if per_type:
        counts = {kind: sum(t == kind for t in eval_set.query_types.values()) for kind in per_type}
        lines += ["## nDCG@10 per query type", ""]
        lines += _table(
            ["type", "queries", *evaluation.modes],
            [
                [kind, str(counts[kind]), *(f"{per_type[kind][m]:.3f}" for m in evaluation.modes)]
                for kind in per_type
            ],
        )
        lines.append("")
    if evaluation.honesty:
        lines += ["## Honest matches", ""]
        lines += [
            "Matches per query (what the count says; at most 100 are kept) against the number judged "
            "relevant, and the share of nonsense queries (`eval/data/nonsense.txt`) that match nothing.",
            "",
        ]
        lines += _table(
            ["mode", "matches per query", "judged relevant per query", "nonsense with no match"],
            [
                [mode, f"{row['mean_matches']:.1f}", f"{row['mean_judged_relevant']:.1f}",
                 f"{row['nonsense_without_matches']:.0%}" if "nonsense_queries" in row else "–"]
                for mode, row in evaluation.honesty.items()
            ],
        )  # fmt: skip
        lines.append("")
    lines += ["## Settings", ""]
    lines += _table(["setting", "value"], [[key, f"`{value}`"] for key, value in evaluation.settings.items()])
    if evaluation.comparison is not None:
        lines += ["", f"## Compared with {evaluation.compared_with}", ""]
        lines += [
            f"Paired two-sided Student's t-test over queries (ranx); significant when p < {SIGNIFICANCE}; "
            "p-value – = both score every query alike.",
            "",
        ]
        lines += _table(
            ["mode", "metric", "this", "other", "difference", "p-value", "significant"],
            [
                [row.mode, LABELS[row.metric], f"{row.this:.3f}", f"{row.other:.3f}",
                 f"{row.difference:+.3f}", "–" if row.p_value is None else f"{row.p_value:.4f}",
                 "yes" if row.significant else "no"]
                for row in evaluation.comparison
            ],
        )  # fmt: skip
    lines += ["", "## Where hybrid does worse than the best single mode", ""]
    if eval_set.split == "test":
        lines += [f"*{TEST_SPLIT_NOTE}*", ""]
    if not evaluation.losses:
        lines.append("None: on every query hybrid's nDCG@10 is at least that of lexical and of semantic.")
    else:
        lines += [
            f"{len(evaluation.losses)} queries, largest gap first. nDCG@10 per mode, then the rank of the "
            "first relevant initiative per mode (– = not in the top 100).",
            "",
        ]
        modes = [m for m in evaluation.modes if m in evaluation.losses[0].ndcg]
        lines += _table(
            ["query", "text", *(f"nDCG {m}" for m in modes), *(f"first rel. {m}" for m in modes)],
            [
                [loss.query_id, loss.query.replace("|", "\\|"),
                 *(f"{loss.ndcg[m]:.3f}" for m in modes), *(_rank(loss.first_relevant[m]) for m in modes)]
                for loss in evaluation.losses
            ],
        )  # fmt: skip
    if evaluation.refused:
        lines += ["", "## Queries the search path refused (scored as empty results)", ""]
        lines += [f"- `{query_id}`: {reason}" for query_id, reason in sorted(evaluation.refused.items())]
    lines += [
        "",
        "## Files",
        "",
        "- `metrics.json`: the metrics above, per-query nDCG@10 and first relevant rank, diagnostics",
        "- `run-<mode>.trec`: per-query rankings in TREC format (`qid Q0 docid rank score tag`)",
        "- `qrels.tsv`: the judgments used (for `overblik eval --compare`)",
        "- `modes.png`: the chart above",
        "",
    ]
    return "\n".join(lines)
