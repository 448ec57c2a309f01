"""The landscape after a one-document change: computed in full vs derived from the previous version's.

On a generated index (bench/scale.py builds them under .cache/bench/generated-<N/1000>k; pass a copy, since
this rewrites a document and publishes new versions): the initiative vectors read from Chroma vs from the
segments' mapped vectors, the full landscape of the current version (saved with its feature space), then
`--changes` times: one document rewritten and published (bench/scale.py's `change_one_document`), its
segments opened (a delta) and `ensure_landscape`, which derives the new landscape from the previous one.

    nice -n 10 .venv/bin/python bench/landscape_change.py --data-dir .cache/generated-100k [--json]
"""

# ruff: noqa: E402  (the path must be fixed before the project's packages are imported)
from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse
import time

import numpy as np

from bench.report import Report
from bench.scale import change_one_document
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore, reset_embedded_clients
from landscape.model import compute_landscape, ensure_landscape, stored_steering
from landscape.profiles import _store_sums, initiative_vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="A generated index (a copy: it is changed)."
    )
    parser.add_argument("--changes", type=int, default=2, help="One-document changes to derive (default 2).")
    parser.add_argument("--skip-store", action="store_true", help="Do not time the vectors read from Chroma.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = Report("landscape_change", args.json)
    settings = Settings(_env_file=None, data_dir=args.data_dir)
    store = ChunkStore.open(settings)
    snapshot = IndexSnapshot.load(store, settings)
    steering = stored_steering(store)
    initiatives = len(snapshot.initiative_ids)
    report.say(f"{snapshot.chunk_count:,} chunks, {initiatives:,} initiatives, version {snapshot.version}")

    rows = []
    started = time.perf_counter()
    mapped = initiative_vectors(store, snapshot)
    rows.append(("initiative vectors from the mapped segments", time.perf_counter() - started))
    if not args.skip_store:
        started = time.perf_counter()
        sums = _store_sums(store, snapshot)
        rows.append(("initiative vectors from Chroma", time.perf_counter() - started))
        from_store = sums / np.where((n := np.linalg.norm(sums, axis=1, keepdims=True)) == 0, 1.0, n)
        report.say(f"largest difference between the two: {float(np.abs(mapped - from_store).max()):.2e}")

    started = time.perf_counter()
    full = compute_landscape(store, snapshot, steering)
    full.save(settings.landscape_path)
    rows.append(("full landscape (computed and saved)", time.perf_counter() - started))
    derived = []
    for change in range(args.changes):
        change_one_document(settings)
        reset_embedded_clients()
        store = ChunkStore.open(settings)
        started = time.perf_counter()
        snapshot = IndexSnapshot.load(store, settings)
        opened = time.perf_counter() - started
        started = time.perf_counter()
        landscape = ensure_landscape(store, snapshot, steering, settings.landscape_path)
        seconds = time.perf_counter() - started
        rows.append((f"change {change + 1}: segments (delta {snapshot.parts[-1].rows} rows) opened", opened))
        rows.append((f"change {change + 1}: landscape {landscape.built} (with saving)", seconds))
        derived.append({"built": landscape.built, "seconds": seconds, "notes": landscape.notes})
    report.table(f"Landscape after a one-document change, {initiatives:,} initiatives", ["step", "s"], rows)
    report.figures["landscape_change"] = {
        "chunks": snapshot.chunk_count,
        "initiatives": initiatives,
        "steps": {name: round(seconds, 2) for name, seconds in rows},
        "derived": derived,
    }
    report.finish()


if __name__ == "__main__":
    main()
