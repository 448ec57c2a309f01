"""The ingestion ledger on a large index: every chunk's metadata against the sources one run covers.

Read only: it opens an existing index (e.g. `.cache/bench/generated-300k` from `bench/scale.py`), writes
nothing, and times the two ways `Ingestion.run` can learn what is stored: `ChunkStore.stored_documents()`
over the whole collection, and the names of the stored sources from the saved segments plus
`stored_documents(covered)` for the sources under one initiative folder (what `overblik ingest FOLDER` reads).
"""

# ruff: noqa: E402  (the path must be fixed before the project's packages are imported)
from __future__ import annotations

import sys
from pathlib import Path

# bench/ingest.py would shadow the `ingest` package: take this folder off the path.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse
import json
import time

from ingest.pipeline import _sources_under
from initiative_index.segment_view import saved_sources
from initiative_index.settings import Settings
from initiative_index.store import ChunkStore


def measure(data_dir: Path, folder: str | None) -> dict:
    settings = Settings(_env_file=None, data_dir=data_dir)
    store = ChunkStore.open(settings)
    manifest = store.read_manifest()
    started = time.perf_counter()
    store.collection.get(limit=1, include=[])  # Chroma's first read pays a start-up either way: not counted
    first_read_s = time.perf_counter() - started
    started = time.perf_counter()
    names = saved_sources(
        settings.lexical_path / settings.collection, manifest.index_version, settings.language
    )
    names_s = time.perf_counter() - started
    if names is None:
        raise SystemExit(f"no saved segments for version {manifest.index_version} in {data_dir}")
    root = Path(folder) if folder else Path(sorted(names)[0].split("#", 1)[0]).parent
    started = time.perf_counter()
    covered = _sources_under(names, [root])
    ledger = store.stored_documents(covered)
    covered_s = time.perf_counter() - started
    covered_rows = store.ledger_rows_read
    started = time.perf_counter()
    full = store.stored_documents()
    full_s = time.perf_counter() - started
    for source, entry in ledger.items():  # the same entries as the full scan gives those sources
        other = full[source]
        assert (entry.doc_hash, entry.expected_chunks, sorted(entry.chunk_ids)) == (
            other.doc_hash,
            other.expected_chunks,
            sorted(other.chunk_ids),
        )
    return {
        "chunks": store.count(),
        "sources": len(names),
        "folder": str(root),
        "covered_sources": len(covered),
        "first_chroma_read_s": round(first_read_s, 2),
        "full_scan_s": round(full_s, 2),
        "full_scan_chunks_read": store.ledger_rows_read - covered_rows,
        "source_names_from_segments_s": round(names_s, 2),
        "covered_ledger_s": round(covered_s, 3),
        "covered_chunks_read": covered_rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path(".cache/bench/generated-300k"))
    parser.add_argument("--folder", help="the folder a run covers (default: the first stored source's)")
    args = parser.parse_args(argv)
    sys.stdout.write(json.dumps(measure(args.data_dir, args.folder), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
