"""How often the document view finds and marks a cited passage, over the sample corpus's documents.

For every Markdown, DOCX, HTML and text document of corpus/initiatives, the text as ingestion extracts it is
cut into windows the size of a search snippet (every WINDOW_STEP characters, cut at spaces, as
search_api/snippets.py cuts them), and each window is looked for in the document as the view renders it.
Prints the share found (whole or by its anchors) and the render time per document.

    .venv/bin/python bench/passage_marking.py [--corpus corpus/initiatives]
"""

# ruff: noqa: E402  (the path must be fixed before the project's packages are imported)
from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# bench/ingest.py would shadow the ingest package: drop this folder from the path, add the project's.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse
import time

from ingest.readers import read_document
from search_api.document_render import render_document, renders
from search_api.passage_marking import mark_passage
from search_api.snippets import SNIPPET_CHARS

WINDOW_STEP = 400


def windows(text: str) -> list[str]:
    """Snippet-sized windows of `text`, starting and ending at spaces, whitespace collapsed."""
    found = []
    for start in range(0, max(1, len(text) - SNIPPET_CHARS // 2), WINDOW_STEP):
        begin = text.find(" ", start) + 1 if start else 0
        end = text.rfind(" ", begin, begin + SNIPPET_CHARS)
        window = " ".join(text[begin : end if end > begin else begin + SNIPPET_CHARS].split())
        if len(window) > 40:
            found.append(window)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus/initiatives"))
    args = parser.parse_args()
    documents = [p for p in sorted(args.corpus.rglob("*")) if p.is_file() and renders(p.name)]
    total = found = 0
    misses: list[str] = []
    render_seconds = 0.0
    for path in documents:
        text = "\n\n".join(page.text for page in read_document(path, path.read_bytes()).pages)
        started = time.perf_counter()
        rendered = render_document(path)
        render_seconds += time.perf_counter() - started
        for window in windows(text):
            total += 1
            if mark_passage(rendered, window)[1]:
                found += 1
            elif len(misses) < 5:
                misses.append(f"{path.relative_to(args.corpus)}: {window[:80]}")
    print(f"documents: {len(documents)}, passages: {total}, marked: {found} ({found / max(total, 1):.1%})")
    print(f"render: {render_seconds / max(len(documents), 1) * 1000:.1f} ms per document (first, uncached)")
    for miss in misses:
        print("  not found:", miss)


if __name__ == "__main__":
    main()
