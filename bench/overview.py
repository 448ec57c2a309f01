"""The overview's cost: the landscape at the sample corpus and at 20,000 generated initiatives, and
GET /overview over HTTP.

(a) The sample corpus (ingested into the bench directory, reused while nothing changed): the whole
    `compute_landscape` (reading vectors, profiles, features, themes, overlaps, map, neighbours), each
    stage timed.
(b) 20,000 initiatives generated from the sample's own profiles: every copy is a real initiative under a
    new id, its mean vector plus Gaussian noise (re-normalised), and its term and phrase counts with a
    random fifth dropped, so vectors and vocabularies vary as in a real collection. The same stages as (a)
    after reading (which a 20,000-initiative index would need; bench/query.py measures reading at 100k
    chunks). Ratio: seconds at 20,000 / seconds at the sample, against the ratio of initiatives.
(c) `overblik serve` over the sample index: GET /overview (everything; with a filter; with a query),
    GET /search and GET /healthz, interleaved, p50 over HTTP; ratios to /healthz and /search.

    .venv/bin/python bench/overview.py            # full run
    .venv/bin/python bench/overview.py --quick    # 2,000 generated initiatives, fewer HTTP rounds
"""

# ruff: noqa: E402  (the path must be fixed before the project's packages are imported)
from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse
import os
import random
import time
from collections import Counter

import httpx
import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import landscape.model as model_module
from bench.api_server import ApiServer
from bench.measure import Stopwatches, latency_summary, patched
from bench.query import DEFAULT_WORK_DIR, sample_index
from bench.report import Report
from initiative_index.embedders import load_embedder
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore
from landscape.model import compute_landscape, landscape_of
from landscape.profiles import InitiativeProfiles, build_profiles, initiative_vectors
from landscape.steering import ThemeSteering

STAGES = (
    "build_profiles", "initiative_vectors", "build_features", "assign_themes", "find_overlaps", "layout",
    "nearest_neighbours",
)  # fmt: skip
NOISE_SIGMA = 0.02
DROP_SHARE = 0.2


def timed_landscape(run, watches: Stopwatches):
    """Run `run()` with every stage of the landscape wrapped in a stopwatch."""
    import contextlib

    with contextlib.ExitStack() as stack:
        for stage in STAGES:
            if hasattr(model_module, stage):
                stack.enter_context(
                    patched(model_module, stage, watches.wrap(stage, getattr(model_module, stage)))
                )
        started = time.perf_counter()
        result = run()
        return result, time.perf_counter() - started


def generated_profiles(source: InitiativeProfiles, count: int, seed: int = 11) -> InitiativeProfiles:
    """`count` initiatives copied from `source` with noisy vectors and thinned term counts."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    ids, records, vectors, terms, phrases = [], [], [], [], []
    for copy in range(count):
        row = copy % len(source)
        ids.append(f"{source.ids[row]}-g{copy:05d}")
        # Another initiative's organisations and sectors, so copies of one initiative are run by different
        # organisations (as the same idea elsewhere is) rather than all by the original's.
        other = source.records[rng.randrange(len(source))]
        owners = {key: other.get(key) for key in ("organisations", "sectors", "cluster")}
        records.append({**source.records[row], **owners, "id": ids[-1]})
        vector = source.vectors[row] + noise.normal(0, NOISE_SIGMA, source.vectors.shape[1])
        vectors.append(vector / np.linalg.norm(vector))
        terms.append(Counter({t: n for t, n in source.terms[row].items() if rng.random() > DROP_SHARE}))
        phrases.append(Counter({t: n for t, n in source.phrases[row].items() if rng.random() > DROP_SHARE}))
    return InitiativeProfiles(
        ids, records, np.asarray(vectors, dtype=np.float32), terms, phrases, source.surface
    )


def http_latency(server: ApiServer, rounds: int) -> dict[str, dict[str, float]]:
    paths = {
        "/overview": ("/overview", {}),
        "/overview?sector=kommune": ("/overview", {"sector": "kommune"}),
        "/overview?q=demens": ("/overview", {"q": "demens"}),
        "/search?q=demens": ("/search", {"q": "demens"}),
        "/healthz": ("/healthz", {}),
    }
    times: dict[str, list[float]] = {name: [] for name in paths}
    with httpx.Client(timeout=60) as client:
        for _ in range(3):  # warm-up
            for path, params in paths.values():
                client.get(server.url + path, params=params).raise_for_status()
        for round_number in range(rounds):
            order = list(paths.items())
            order = order[round_number % len(order) :] + order[: round_number % len(order)]
            for name, (path, params) in order:
                started = time.perf_counter()
                client.get(server.url + path, params=params).raise_for_status()
                times[name].append(time.perf_counter() - started)
    return {name: latency_summary(seconds) for name, seconds in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 generated initiatives, 15 HTTP rounds.")
    parser.add_argument(
        "--initiatives", type=int, default=None, help="Generated initiatives (default 20,000)."
    )
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--json", action="store_true", help="Print every figure as one JSON line on stdout.")
    args = parser.parse_args()
    count = args.initiatives or (2_000 if args.quick else 20_000)
    rounds = 15 if args.quick else 40
    report = Report("overview", args.json)
    settings = sample_index(args.work_dir, load_embedder(Settings(_env_file=None)), report)
    store = ChunkStore.open(settings)
    snapshot = IndexSnapshot.load(store, settings)
    steering = ThemeSteering()

    # Once untimed: the map's first UMAP call compiles numba code (cached on disk for later processes).
    compute_landscape(store, snapshot, steering)
    small_watches = Stopwatches()
    sample, sample_seconds = timed_landscape(
        lambda: compute_landscape(store, snapshot, steering), small_watches
    )
    profiles = build_profiles(snapshot, initiative_vectors(store, snapshot))
    large = generated_profiles(profiles, count)
    large_watches = Stopwatches()
    generated, large_seconds = timed_landscape(
        lambda: landscape_of(large, steering, snapshot.lexical.analyzer, "bench"), large_watches
    )
    rows = []
    for stage in STAGES:
        small = small_watches.seconds.get(stage, 0.0)
        big = large_watches.seconds.get(stage, 0.0)
        rows.append((stage, small, big, big / small if small else float("nan")))
    rows.append(("whole landscape", sample_seconds, large_seconds, large_seconds / sample_seconds))
    report.table(
        f"Landscape: sample corpus ({len(profiles)} initiatives) and {count:,} generated "
        f"(×{count / len(profiles):.0f} the initiatives)",
        ["stage", "sample s", f"{count:,} s", "ratio"],
        rows,
    )
    report.say(
        f"themes: {len(sample.themes)} at the sample, {len(generated.themes)} at {count:,}; "
        f"overlaps: {len(sample.overlaps)} / {len(generated.overlaps)}"
    )
    report.figures["landscape"] = {
        "sample": {"initiatives": len(profiles), "seconds": sample_seconds, "themes": len(sample.themes)},
        "generated": {"initiatives": count, "seconds": large_seconds, "themes": len(generated.themes)},
        "seconds_ratio": large_seconds / sample_seconds,
        "initiatives_ratio": count / len(profiles),
        "stages": {stage: {"sample": s, "generated": g} for stage, s, g, _ in rows},
    }

    with ApiServer(settings.data_dir, log_file=args.work_dir / "overview-server.log") as server:
        latency = http_latency(server, rounds)
    base = latency["/healthz"]["p50_ms"]
    search = latency["/search?q=demens"]["p50_ms"]
    report.table(
        f"HTTP over the sample corpus ({rounds} rounds, interleaved)",
        ["request", "p50 ms", "p95 ms", "÷ /healthz", "÷ /search"],
        [
            (name, s["p50_ms"], s["p95_ms"], s["p50_ms"] / base, s["p50_ms"] / search)
            for name, s in latency.items()
        ],
    )
    report.figures["http"] = latency
    report.finish()


if __name__ == "__main__":
    main()
