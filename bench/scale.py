"""The collection at scale: `overblik serve --workers 2` over a generated index of N chunks vs the sample.

Builds (or reuses, under .cache/bench/generated-<N/1000>k) the generated index of bench/generated_index.py
(sample-corpus chunks copied per initiative, 384-dim e5 vectors + noise), its segments and its landscape,
and prints:

- build time: Chroma writes, segments (the lexical index and chunk store), landscape;
- start-up to ready of `overblik serve --workers 2` (2 workers x 1 engine thread), and memory of the server
  and its workers at rest: RSS and PSS (PSS splits pages shared by several processes, such as the mapped
  segments, between them: the sum of PSS is what the machine really spends);
- p50/p95 over HTTP of unfiltered and filtered searches (a filter on the facet value closest to 1/8 of the
  initiatives), at N and on the sample corpus, and the ratio; Chroma alone with and without that `where`;
- one-document reload: a document of the index rewritten in the store with a new word, its segments saved
  and published as a new version (as `overblik ingest` of one changed file does, without the extraction and
  the embedding),
  the seconds until fresh connections find the word on both workers, and peak memory meanwhile.

    nice -n 10 .venv/bin/python bench/scale.py --chunks 100000 [--json]
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
import secrets
import threading
import time

import httpx
import numpy as np

from bench.api_server import ApiServer
from bench.generated_index import generated_index
from bench.measure import latency_summary
from bench.query import load_queries, sample_index
from bench.report import Report
from initiative_index.embedders import E5OnnxEmbedder
from initiative_index.filters import SearchFilters
from initiative_index.manifest import new_index_version
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore, change_entry, reset_embedded_clients
from landscape.model import Landscape, ensure_landscape, landscape_key, stored_steering
from landscape.space import FeatureSpace

REPO = BENCH_DIR.parent
DEFAULT_WORK_DIR = REPO / ".cache" / "bench"
FILTER_SHARE = 1 / 8


# -- memory of a process tree --------------------------------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def memory_mib(pid: int) -> dict[str, float]:
    """RSS and PSS of one process (smaps_rollup), MiB."""
    figures = {"rss": 0.0, "pss": 0.0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key = line.split(":")[0]
            if key in ("Rss", "Pss"):
                figures[key.lower()] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return figures


def tree_memory(server_pid: int) -> dict:
    """Memory of the server process and of each worker (its children), and the sums."""
    workers = {pid: memory_mib(pid) for pid in children(server_pid)}
    main = memory_mib(server_pid)
    return {
        "workers": [round(w["rss"]) for w in workers.values()],
        "workers_pss": [round(w["pss"]) for w in workers.values()],
        "total_rss": round(main["rss"] + sum(w["rss"] for w in workers.values())),
        "total_pss": round(main["pss"] + sum(w["pss"] for w in workers.values())),
    }


class PeakSampler:
    """Samples the tree's memory every 0.1 s in a thread and keeps the highest sums."""

    def __init__(self, server_pid: int) -> None:
        self.pid = server_pid
        self.peak = {"total_rss": 0, "total_pss": 0, "worker_rss": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = tree_memory(self.pid)
            self.peak["total_rss"] = max(self.peak["total_rss"], now["total_rss"])
            self.peak["total_pss"] = max(self.peak["total_pss"], now["total_pss"])
            self.peak["worker_rss"] = max([self.peak["worker_rss"], *now["workers"]])
            self._stop.wait(0.1)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- searching -----------------------------------------------------------------------------------


def all_ready(url: str, workers: int) -> None:
    """Until 10 x workers fresh connections in a row find /readyz ready (each worker loads on its own)."""
    streak, deadline = 0, time.monotonic() + 300
    while streak < 10 * workers and time.monotonic() < deadline:
        with httpx.Client(base_url=url, timeout=30) as fresh:
            streak = streak + 1 if fresh.get("/readyz").status_code == 200 else 0
        time.sleep(0.02 if streak else 0.5)


def eighth_filter(client: httpx.Client) -> tuple[str, str, float]:
    """(facet, value, share) of the facet value held by the share of initiatives closest to 1/8."""
    body = client.get("/search", params={"limit": 1}).json()
    total = body["total"]
    best = min(
        ((name, v["value"], v["count"] / total) for name, values in body["facets"].items() for v in values),
        key=lambda f: abs(f[2] - FILTER_SHARE),
    )
    return best


def http_latency(url: str, queries: list[str], params: dict) -> dict:
    seconds = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for query in queries[:5]:
            client.get("/search", params={"q": query, "limit": 10, **params}).raise_for_status()
        for query in queries:
            started = time.perf_counter()
            response = client.get("/search", params={"q": query, "limit": 10, **params})
            seconds.append(time.perf_counter() - started)
            response.raise_for_status()
    return latency_summary(seconds)


def chroma_latency(settings: Settings, embedder, queries: list[str], facet: str, value: str) -> dict:
    """Chroma's top-k alone, without and with the filter's `where`, in this process."""
    reset_embedded_clients()
    store = ChunkStore.open(settings)
    where = SearchFilters(**{facet: [value]}).chroma_where()
    vectors = embedder.encode_queries(queries)
    result = {}
    for name, clause in (("unfiltered", None), ("filtered", where)):
        store.query(vectors[0], settings.candidates, clause)
        seconds = []
        for vector in vectors:
            started = time.perf_counter()
            store.query(vector, settings.candidates, clause)
            seconds.append(time.perf_counter() - started)
        result[name] = latency_summary(seconds)
    return result


def partition_recall(settings: Settings, embedder, queries: list[str]) -> dict | None:
    """The base segment's vector partitions against an exact search over the same mapped vectors, for the
    benchmark's queries: recall of the top 10 and of the top `candidates`, and the time of each."""
    snapshot = IndexSnapshot.load(ChunkStore.open(settings), settings)
    found = snapshot.partitions
    if found is None:
        return None
    vectors, k = snapshot.base_vectors, settings.candidates
    recall: dict[int, list[float]] = {10: [], k: []}
    seconds: dict[str, list[float]] = {"partitions": [], "exact": []}
    for vector in embedder.encode_queries(queries):
        started = time.perf_counter()
        rows, _ = found.nearest(vector, vectors, k, lambda start, end: None)
        seconds["partitions"].append(time.perf_counter() - started)
        started = time.perf_counter()
        sims = np.concatenate(
            [np.asarray(vectors[i : i + 65_536] @ vector) for i in range(0, len(vectors), 65_536)]
        )
        exact = np.argsort(-sims, kind="stable")[:k]
        seconds["exact"].append(time.perf_counter() - started)
        for top in recall:
            recall[top].append(len(set(rows[:top].tolist()) & set(exact[:top].tolist())) / top)
    return {
        "partitions": len(found),
        "rows": len(vectors),
        "recall_at_10": round(float(np.mean(recall[10])), 4),
        f"recall_at_{k}": round(float(np.mean(recall[k])), 4),
        "partitions_p50_ms": latency_summary(seconds["partitions"])["p50_ms"],
        "exact_p50_ms": latency_summary(seconds["exact"])["p50_ms"],
    }


# -- one-document reload -------------------------------------------------------------------------


def change_one_document(settings: Settings) -> tuple[str, str]:
    """Rewrite one stored document's text with a new word and publish a new version; (word, source)."""
    reset_embedded_clients()
    store = ChunkStore.open(settings)
    manifest = store.read_manifest()
    page = store.collection.get(
        where={"kind": "document"}, include=["documents", "metadatas", "embeddings"], limit=1
    )
    source = page["metadatas"][0]["source"]
    rows = store.collection.get(where={"source": source}, include=["documents", "metadatas", "embeddings"])
    word = "skalatest" + secrets.token_hex(4)
    texts = [f"{text} {word}" for text in rows["documents"]]
    previous = manifest.index_version
    manifest.dirty = True
    store.write_manifest(manifest)
    store.replace_sources(
        [source], rows["ids"], texts, np.asarray(rows["embeddings"], dtype=np.float32), rows["metadatas"]
    )
    manifest.index_version = new_index_version()
    manifest.dirty = False
    # As `overblik ingest` does: the new version's segments (a delta) are saved before it is published.
    entry = change_entry(manifest.index_version, previous, store.touched)
    IndexSnapshot.load(store, settings, manifest, entry)
    store.publish(manifest, previous, store.touched)
    return word, source


def reload_once(settings: Settings, server: ApiServer, workers: int) -> dict:
    """Seconds until every worker finds the new word (fresh connections), with the memory meanwhile."""
    with PeakSampler(server.pid) as sampler:
        started = time.perf_counter()
        word, source = change_one_document(settings)
        published = time.perf_counter()
        streak = 0
        deadline = published + 600
        while streak < 6 * workers and time.perf_counter() < deadline:
            with httpx.Client(base_url=server.url, timeout=60) as fresh:
                found = fresh.get("/search", params={"q": word, "mode": "lexical", "limit": 1}).json()
            streak = streak + 1 if found.get("total") else 0
            time.sleep(0.05)
        visible = time.perf_counter()
        time.sleep(1.0)
    store = ChunkStore.open(settings)
    segments = IndexSnapshot.load(store, settings).view
    carry_landscape(settings, store)
    return {
        "write_and_publish_s": round(published - started, 2),
        "visible_in_all_workers_s": round(visible - published, 2),
        "found": streak >= 6 * workers,
        "segments": f"{len(segments.parts)} part(s), delta rows "
        f"{segments.parts[-1].rows if len(segments.parts) > 1 else 0}",
        "peak_during_reload": sampler.peak,
        "source": source,
    }


def carry_landscape(settings: Settings, store: ChunkStore) -> None:
    """Save the previous version's landscape as the new version's, as a worker serves it until an ingestion
    saves a new one: the next run then need not compute it (minutes at 100,000 chunks)."""
    version, steering = store.read_manifest().index_version, stored_steering(store)
    key = landscape_key(version, steering)
    saved = sorted(settings.landscape_path.glob("*.json"), key=lambda p: p.stat().st_mtime)
    if saved and Landscape.load(settings.landscape_path, key) is None:
        landscape = Landscape.from_json(saved[-1].read_text(encoding="utf-8"))
        # Its feature space goes along: a later version's landscape is derived from it, recomputing every
        # initiative changed since the base (this change included).
        landscape.space = FeatureSpace.load(settings.landscape_path, saved[-1].stem)
        landscape.version, landscape.key = version, key
        landscape.save(settings.landscape_path)


# -- one index -----------------------------------------------------------------------------------


def serve_and_measure(
    label: str, settings: Settings, embedder, queries: list[str], args, report: Report, reload: bool
) -> dict:
    logs = args.work_dir / "logs"
    with ApiServer(
        settings.data_dir, workers=args.workers, embed_threads=1, log_file=logs / f"scale-{label}.log"
    ) as server:
        result: dict = {"seconds_to_ready": round(server.seconds_to_ready, 2)}
        all_ready(server.url, args.workers)
        with httpx.Client(base_url=server.url, timeout=120) as client:
            facet, value, share = eighth_filter(client)
            stats = client.get("/stats").json()
        result |= {"chunks": stats["chunks"], "initiatives": stats["initiatives"]}
        result["filter"] = {"facet": facet, "value": value, "share": round(share, 3)}
        result["unfiltered"] = http_latency(server.url, queries, {})
        result["filtered"] = http_latency(server.url, queries, {facet: value})
        result["memory_at_rest"] = tree_memory(server.pid)
        report.say(f"{label}: served, memory at rest {result['memory_at_rest']}")
        if reload:
            result["reload"] = reload_once(settings, server, args.workers)
            result["memory_after_reload"] = tree_memory(server.pid)
    result["chroma"] = chroma_latency(settings, embedder, queries[:40], facet, value)
    result["vector_partitions"] = partition_recall(settings, embedder, queries)
    return result


def build_generated(
    sample: Settings, chunks: int, work: Path, report: Report, landscape: bool
) -> tuple[Settings, dict]:
    settings = Settings(_env_file=None, data_dir=work / f"generated-{chunks // 1000}k")
    info = generated_index(sample, settings, chunks, log=report.say)
    store = ChunkStore.open(settings)
    started = time.perf_counter()
    snapshot = IndexSnapshot.load(store, settings)
    segments_s = time.perf_counter() - started
    started = time.perf_counter()
    steering = stored_steering(store)
    if landscape:
        ensure_landscape(store, snapshot, steering, settings.landscape_path)
    elif Landscape.load(settings.landscape_path, landscape_key(snapshot.version, steering)) is None:
        empty = Landscape(snapshot.version, landscape_key(snapshot.version, steering), [], {}, {}, {}, [], {})
        empty.notes.append("not computed: bench/scale.py --landscape none")
        empty.save(settings.landscape_path)
    landscape_s = time.perf_counter() - started
    build = {
        "reused": info.reused,
        "chunks": info.chunks,
        "initiatives": info.initiatives,
        "chroma_write_s": round(info.write_s, 1),
        "segments_build_s": round(info.lexical_build_s, 1),
        "segments_open_s": round(segments_s, 2),
        "landscape_s": round(landscape_s, 1) if landscape else "not computed (--landscape none)",
        "disk_mib": round(sum(f.stat().st_size for f in settings.data_dir.rglob("*") if f.is_file()) / 2**20),
    }
    report.say(f"generated index: {build}")
    return settings, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=60, help="searches per measurement (default 60)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument(
        "--landscape",
        choices=("compute", "none", "auto"),
        default="auto",
        help="compute the generated index's landscape, or save an empty one (auto: compute up to 200,000 "
        "chunks; above, it takes far longer than the rest and is not what this measures)",
    )
    parser.add_argument("--build-only", action="store_true", help="build (or reuse) the index and stop")
    parser.add_argument("--json", action="store_true", help="one JSON line on stdout (tables to stderr)")
    args = parser.parse_args(argv)

    report = Report("scale", args.json)
    report.figures["load_average_at_start"] = os.getloadavg()[0]
    queries = load_queries(args.queries)
    embedder = E5OnnxEmbedder.from_cache(Settings(_env_file=None).model_cache)
    sample = sample_index(args.work_dir, embedder, report)
    landscape = args.landscape == "compute" or (args.landscape == "auto" and args.chunks <= 200_000)
    generated, build = build_generated(sample, args.chunks, args.work_dir, report, landscape)
    report.figures["build"] = build
    if args.build_only:
        report.finish()
        return 0
    results = {
        "sample": serve_and_measure("sample", sample, embedder, queries, args, report, reload=False),
        "generated": serve_and_measure("generated", generated, embedder, queries, args, report, reload=True),
    }
    report.figures |= results
    small, large = results["sample"], results["generated"]
    rows = []
    for kind in ("unfiltered", "filtered"):
        for stat in ("p50_ms", "p95_ms"):
            rows.append([f"HTTP {kind} {stat}", small[kind][stat], large[kind][stat],
                         large[kind][stat] / small[kind][stat]])  # fmt: skip
        alone = small["chroma"][kind]["p50_ms"], large["chroma"][kind]["p50_ms"]
        rows.append([f"Chroma {kind} p50_ms", *alone, alone[1] / alone[0]])
    for key in ("total_rss", "total_pss"):
        rows.append(
            [f"memory at rest {key} MiB", small["memory_at_rest"][key], large["memory_at_rest"][key], ""]
        )
    rows.append(["seconds to ready", small["seconds_to_ready"], large["seconds_to_ready"], ""])
    report.table(
        f"overblik serve --workers {args.workers}: sample ({small['chunks']:,} chunks) vs generated "
        f"({large['chunks']:,} chunks, {large['initiatives']:,} initiatives)",
        ["figure", "sample", "generated", "generated ÷ sample"],
        rows,
    )
    report.table("one-document reload (generated)", ["figure", "value"], list(large["reload"].items()))
    if large["vector_partitions"]:
        report.table(
            "vector partitions vs exact search (generated, in process)",
            ["figure", "value"],
            list(large["vector_partitions"].items()),
        )
    report.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
