"""Evaluation sets in BEIR layout: queries (`queries.jsonl`) and judgments (`qrels/<split>.tsv`).

Two flavours share one loader. The project's own set (`eval/data/`) keeps every query in one file and names
its split in `metadata.split`; a public BEIR collection has no such field, so there the split is simply which
qrels file is read. Either way only queries that have judgments in the chosen split are evaluated.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from initiative_index.errors import OverblikError

Split = Literal["dev", "test", "all"]
PROJECT_SET = Path(__file__).parent / "data"
# Queries that should match nothing: random strings, other domains (see the file's first line).
NONSENSE = PROJECT_SET / "nonsense.txt"
QRELS_HEADER = ("query-id", "corpus-id", "score")

Qrels = dict[str, dict[str, int]]


class EvalSetError(OverblikError):
    """An evaluation set is missing a file or has one in the wrong format."""


@dataclass(frozen=True)
class EvalSet:
    """The queries of one split and their graded judgments ({query id: {doc id: grade}})."""

    name: str
    split: str
    queries: dict[str, str]
    qrels: Qrels
    query_types: dict[str, str] = field(default_factory=dict)  # query id -> metadata.type, where given

    def __post_init__(self) -> None:
        if not self.queries:
            raise EvalSetError(f"{self.name}: no judged queries in split {self.split!r}")


def read_queries(path: Path) -> dict[str, dict]:
    """Every query object in a BEIR `queries.jsonl`, by `_id`."""
    if not path.is_file():
        raise EvalSetError(f"No queries file at {path}")
    queries: dict[str, dict] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            queries[str(item["_id"])] = item
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise EvalSetError(f"{path}:{number}: expected a JSON object with _id and text ({exc})") from exc
    return queries


def read_qrels(path: Path) -> Qrels:
    """A BEIR/TREC qrels TSV with a `query-id corpus-id score` header; grade 0 lines are dropped."""
    if not path.is_file():
        raise EvalSetError(f"No qrels file at {path}")
    qrels: Qrels = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        header = next(rows, None)
        if header is None or tuple(h.strip() for h in header[:3]) != QRELS_HEADER:
            raise EvalSetError(
                f"{path}: the first line must be the header 'query-id<TAB>corpus-id<TAB>score'"
            )
        for number, row in enumerate(rows, start=2):
            if not row:
                continue
            try:
                query_id, doc_id, grade = row[0], row[1], int(float(row[2]))
            except (IndexError, ValueError) as exc:
                raise EvalSetError(f"{path}:{number}: expected query-id, corpus-id and a number") from exc
            if grade > 0:
                qrels.setdefault(query_id, {})[doc_id] = grade
    return qrels


def write_qrels(qrels: Qrels, path: Path) -> None:
    """Write judgments in the same TSV format (reports keep a copy, so `--compare` can reuse it)."""
    lines = ["\t".join(QRELS_HEADER)]
    lines += [f"{q}\t{d}\t{g}" for q in sorted(qrels) for d, g in sorted(qrels[q].items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def qrels_files(root: Path, split: Split) -> list[Path]:
    """The qrels files a split reads: `qrels/<split>.tsv`, or every qrels file for `all`."""
    if split != "all":
        return [root / "qrels" / f"{split}.tsv"]
    files = sorted((root / "qrels").glob("*.tsv"))
    if not files:
        raise EvalSetError(f"No qrels files in {root / 'qrels'}")
    return files


def load_eval_set(root: Path = PROJECT_SET, split: Split = "test", name: str | None = None) -> EvalSet:
    """Queries and judgments of one split of a BEIR-layout folder (the project's set by default).

    A query whose `metadata.split` names another split is left out even if some qrels file judges it.
    """
    all_queries = read_queries(root / "queries.jsonl")
    qrels: Qrels = {}
    for path in qrels_files(root, split):
        for query_id, judged in read_qrels(path).items():
            qrels.setdefault(query_id, {}).update(judged)
    queries: dict[str, str] = {}
    types: dict[str, str] = {}
    for query_id in sorted(qrels):
        item = all_queries.get(query_id)
        if item is None:
            raise EvalSetError(f"Query {query_id!r} is judged but missing from {root / 'queries.jsonl'}")
        query_split = (item.get("metadata") or {}).get("split")
        if split == "all" or query_split in (None, split):
            queries[query_id] = str(item["text"])
            if (item.get("metadata") or {}).get("type"):
                types[query_id] = str(item["metadata"]["type"])
    _check_ids(qrels, root)
    return EvalSet(
        name=name or root.resolve().name,
        split=split,
        queries=queries,
        qrels={q: qrels[q] for q in queries},
        query_types=types,
    )


def _check_ids(qrels: Qrels, root: Path) -> None:
    """Run files are whitespace-separated (TREC), so an id may not contain whitespace."""
    for query_id, judged in qrels.items():
        for identifier in (query_id, *judged):
            if not identifier or any(c.isspace() for c in identifier):
                raise EvalSetError(
                    f"{root}: id {identifier!r} is empty or has whitespace, which TREC run files cannot hold"
                )


def nonsense_queries(path: Path = NONSENSE) -> list[str]:
    """The nonsense queries, one per line (lines starting with '#' are comments)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
