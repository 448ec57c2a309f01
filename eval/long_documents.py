"""A long-document BEIR collection generated from the sample corpus: `python -m eval.long_documents OUT`
(`--short`: the summaries alone, short entries like an FAQ collection's).

One corpus entry per initiative: its title, and its summary followed by the full text of every one of its
documents (PDF, DOCX, HTML, Markdown, read by Overblik's own readers), typically several thousand tokens,
far beyond e5's 512-token window. Queries and judgments are the project set's (`--split dev` by default),
so `overblik eval beir OUT --split dev` compares Overblik's modes with the raw model on whole entries and
with plain BM25 where documents are long, and chunking, card texts and grouping matter.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from eval.dataset import PROJECT_SET, load_eval_set, write_qrels
from ingest.discovery import discover
from ingest.errors import DocumentError
from ingest.readers import read_document

SAMPLE_CORPUS = PROJECT_SET.parents[1] / "corpus"


def write_collection(
    out: Path, split: str = "dev", corpus: Path = SAMPLE_CORPUS, short: bool = False
) -> dict[str, int]:
    """Write corpus.jsonl, queries.jsonl and qrels/<split>.tsv under `out`; returns counts. `short`: each
    entry is only the initiative's summary (a few sentences, like an FAQ answer), not its documents."""
    found = discover([corpus])
    out.mkdir(parents=True, exist_ok=True)
    entries = 0
    characters = 0
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for initiative in found.initiatives:
            if initiative.initiative is None:
                continue
            parts = [initiative.initiative.summary]
            for document in [] if short else initiative.documents:
                password = document.ref.password if document.ref else None
                try:
                    extracted = read_document(document.path, document.path.read_bytes(), password)
                except (DocumentError, OSError):
                    continue
                parts += [page.text for page in extracted.pages]
            text = "\n\n".join(parts)
            entry = {"_id": initiative.id, "title": initiative.initiative.title, "text": text}
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            entries += 1
            characters += len(text)
    eval_set = load_eval_set(split=split, name="overblik")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for query_id, text in eval_set.queries.items():
            handle.write(json.dumps({"_id": query_id, "text": text}, ensure_ascii=False) + "\n")
    shutil.rmtree(out / "qrels", ignore_errors=True)
    (out / "qrels").mkdir()
    write_qrels(eval_set.qrels, out / "qrels" / f"{split}.tsv")
    return {
        "entries": entries,
        "mean_characters": characters // max(entries, 1),
        "queries": len(eval_set.queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="Folder to write the collection to.")
    parser.add_argument("--split", default="dev", choices=("dev", "test", "all"))
    parser.add_argument(
        "--short", action="store_true", help="Summaries only: short entries, like FAQ answers."
    )
    args = parser.parse_args()
    counts = write_collection(args.out, args.split, short=args.short)
    print(f"{args.out}: {counts['entries']} entries of {counts['mean_characters']:,} characters on average, "
          f"{counts['queries']} queries ({args.split})")  # fmt: skip


if __name__ == "__main__":
    main()
