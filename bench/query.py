"""Search latency and throughput over a real HTTP server, against the in-process floor of the same queries.

Two indexes, both e5:
(a) the sample corpus (`corpus/`), ingested into the bench directory (reused while nothing changed);
(b) a GENERATED index of 100,000+ chunks grown from (a): real chunk texts with small word-level edits and
    real vectors with small Gaussian noise, spread over ~10,000 copied initiatives (bench/generated_index.py).

For each index, the 120 evaluation queries (eval/data/queries.jsonl) are run, interleaved per query:
- floor: query embedding + Chroma query + BM25 query in this process (no HTTP, no fusion or grouping);
- engine: `SearchEngine.search` in this process (fusion, grouping, snippets, facets, response model);
- HTTP: `GET /search?q=...&limit=10` against `overblik serve` in a subprocess, one keep-alive client.
Then 8 concurrent clients for a fixed time against servers with 1 worker x 2 engine threads, 2 workers x 1
thread and 2 workers x 2 threads: requests/s. Targets: p50 HTTP / p50 floor <= 1.3; p50 HTTP at 100k <= 2 x
p50 HTTP on the sample corpus.

    .venv/bin/python bench/query.py            # the full run (the first one ingests the sample corpus)
    .venv/bin/python bench/query.py --quick    # 20,000 generated chunks, 40 queries, short throughput runs
"""

# ruff: noqa: E402  (the path must be fixed before the project's packages are imported)
from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import threading
import time

import httpx

from bench.api_server import ApiServer
from bench.generated_index import NOISE_SIGMA, generated_index
from bench.measure import Stopwatches, latency_summary, patched, rss_mib
from bench.report import Report, verdict

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import search_api.engine as engine_module
from ingest.pipeline import Ingestion
from initiative_index.embedders import E5OnnxEmbedder, Embedder
from initiative_index.errors import IndexMismatchError
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore
from landscape.model import ensure_landscape, stored_steering
from search_api.engine import SearchEngine
from search_api.models import SearchRequest

REPO = BENCH_DIR.parent
QUERIES = REPO / "eval" / "data" / "queries.jsonl"
DEFAULT_WORK_DIR = REPO / ".cache" / "bench"
HTTP_TARGET = 1.3
SCALE_TARGET = 2.0
LIMIT = 10
CLIENTS = 8
SERVER_CONFIGS = [(1, 2), (2, 1), (2, 2)]  # (workers, engine threads per worker)


def load_queries(count: int | None) -> list[str]:
    lines = QUERIES.read_text(encoding="utf-8").splitlines()
    queries = [json.loads(line)["text"] for line in lines if line.strip()]
    return queries[:count] if count else queries


# -- the indexes ---------------------------------------------------------------------------------


def sample_index(work: Path, embedder: Embedder, report: Report) -> Settings:
    """The sample corpus ingested with e5 into the bench directory (incremental: fast when unchanged)."""
    settings = Settings(_env_file=None, data_dir=work / "sample-e5")
    started = time.perf_counter()
    try:
        summary = Ingestion(settings, embedder, show_progress=False).run([REPO / "corpus"])
    except IndexMismatchError:
        summary = Ingestion(settings, embedder, show_progress=False).run([REPO / "corpus"], rebuild=True)
    report.say(
        f"sample index: {summary.chunks_total:,} chunks, {summary.initiatives} initiatives "
        f"({summary.ingested} documents ingested, {summary.unchanged} unchanged) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    report.figures["sample_index"] = {
        "chunks": summary.chunks_total,
        "initiatives": summary.initiatives,
        "ingest_s": summary.seconds,
    }
    return settings


def large_index(work: Path, source: Settings, chunks: int, report: Report) -> Settings:
    settings = Settings(_env_file=None, data_dir=work / f"generated-{chunks // 1000}k")
    info = generated_index(source, settings, chunks, log=report.say)
    report.say(
        f"[bold]generated index[/] ({'reused' if info.reused else 'built now'}): {info.chunks:,} chunks, "
        f"{info.initiatives:,} initiatives, grown from {info.real_chunks:,} real chunks of "
        f"{info.real_initiatives} initiatives (texts with 2-6 word edits, vectors + N(0, {NOISE_SIGMA}) "
        f"noise); written in {info.write_s:.1f} s, lexical index built in {info.lexical_build_s:.1f} s"
    )
    report.figures["generated_index"] = {
        "how": "sample-corpus chunks copied per initiative under new ids; texts with 2-6 word-level edits, "
        f"e5 vectors + Gaussian noise sigma {NOISE_SIGMA} re-normalised; cards carry copied records",
        "chunks": info.chunks,
        "initiatives": info.initiatives,
        "write_s": info.write_s,
        "lexical_build_s": info.lexical_build_s,
        "reused": info.reused,
    }
    return settings


def open_engine(settings: Settings, embedder: Embedder) -> tuple[SearchEngine, float]:
    """The index opened read-only in this process, as the API opens it; seconds to load the snapshot."""
    store = ChunkStore.open(settings)
    started = time.perf_counter()
    snapshot = IndexSnapshot.load(store, settings)
    seconds = time.perf_counter() - started
    landscape = ensure_landscape(store, snapshot, stored_steering(store), settings.landscape_path)
    gc.collect()  # loading leaves a full collection due; it should not land inside a measured query
    # Every search encodes its query, as a new query does (the rounds repeat the same queries).
    engine_settings = settings.model_copy(update={"query_cache": 0})
    return SearchEngine(engine_settings, store, embedder, snapshot, landscape), seconds


# -- latency -------------------------------------------------------------------------------------


def floor_once(engine: SearchEngine, query: str) -> tuple[float, float, float]:
    """Seconds of query embedding, Chroma query and BM25 query: what any search must do."""
    k = engine.settings.candidates
    started = time.perf_counter()
    vector = engine.embedder.encode_queries([query])[0]
    embedded = time.perf_counter()
    engine.store.query(vector, k, None)
    queried = time.perf_counter()
    engine.snapshot.lexical.search(query, k)
    return embedded - started, queried - embedded, time.perf_counter() - queried


def engine_once(engine: SearchEngine, query: str) -> float:
    started = time.perf_counter()
    engine.search(SearchRequest(query=query, limit=LIMIT))
    return time.perf_counter() - started


def http_once(client: httpx.Client, url: str, query: str) -> tuple[float, float]:
    """Seconds of one GET /search, and the seconds the server's engine reported for it (`took_ms`)."""
    started = time.perf_counter()
    response = client.get(f"{url}/search", params={"q": query, "limit": LIMIT})
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET /search?q={query!r} answered {response.status_code}: {response.text[:200]}")
    return seconds, response.json()["took_ms"] / 1000


def measure_latency(
    engine: SearchEngine, server: ApiServer, queries: list[str], rounds: int, seed: int
) -> dict[str, list[float]]:
    """Floor, engine and HTTP for every query, back to back and in rotating order, `rounds` times."""
    names = ["floor", "embed", "chroma", "bm25", "engine", "http", "server engine"]
    times: dict[str, list[float]] = {name: [] for name in names}
    rng = random.Random(seed)
    with httpx.Client(timeout=60.0) as client:
        for query in queries[:10]:  # warm-up: bm25s, caches, the server's first requests
            floor_once(engine, query)
            engine_once(engine, query)
            http_once(client, server.url, query)
        for _ in range(rounds):
            order = list(queries)
            rng.shuffle(order)
            for index, query in enumerate(order):
                steps = ["floor", "engine", "http"]
                steps = steps[index % 3 :] + steps[: index % 3]
                for step in steps:
                    if step == "floor":
                        parts = floor_once(engine, query)
                        for name, seconds in zip(["embed", "chroma", "bm25"], parts, strict=True):
                            times[name].append(seconds)
                        times["floor"].append(sum(parts))
                    elif step == "engine":
                        times["engine"].append(engine_once(engine, query))
                    else:
                        seconds, server_engine = http_once(client, server.url, query)
                        times["http"].append(seconds)
                        times["server engine"].append(server_engine)
    return times


def engine_breakdown(engine: SearchEngine, queries: list[str]) -> tuple[dict[str, float], float]:
    """Mean milliseconds per query of each step of `engine.search` (a separate, instrumented pass)."""
    watches = Stopwatches()
    lexical = engine.snapshot.lexical
    with (
        patched(
            engine.embedder, "encode_queries", watches.wrap("query embedding", engine.embedder.encode_queries)
        ),
        patched(engine.store, "query", watches.wrap("chroma query", engine.store.query)),
        patched(lexical, "search", watches.wrap("bm25 query", lexical.search)),
        patched(engine_module, "fuse_weighted", watches.wrap("fusion", engine_module.fuse_weighted)),
        patched(engine_module, "fuse_rrf", watches.wrap("fusion", engine_module.fuse_rrf)),
        patched(
            engine_module, "group_by_initiative", watches.wrap("grouping", engine_module.group_by_initiative)
        ),
        patched(engine_module, "highlight", watches.wrap("snippets (highlight)", engine_module.highlight)),
        patched(
            engine_module, "SearchResponse", watches.wrap("response model", engine_module.SearchResponse)
        ),
        patched(engine, "_facets", watches.wrap("facets", engine._facets)),
        patched(engine, "_hit", watches.wrap("results (passages, records)", engine._hit)),
    ):
        responses = []
        for query in queries:
            with watches.timing("search (all)"):
                responses.append(engine.search(SearchRequest(query=query, limit=LIMIT)))
    for response in responses:
        with watches.timing("JSON serialisation (pydantic)"):
            response.model_dump_json()
    sizes = [len(r.model_dump_json()) for r in responses]
    means = {name: 1000 * seconds / len(queries) for name, seconds in watches.seconds.items()}
    return means, sum(sizes) / len(sizes)


def profile_engine(engine: SearchEngine, queries: list[str], top: int = 25) -> str:
    """cProfile of `engine.search` over the queries: the functions with the most own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        engine.search(SearchRequest(query=query, limit=LIMIT))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# -- throughput ----------------------------------------------------------------------------------


def throughput(url: str, queries: list[str], clients: int, seconds: float) -> dict[str, float]:
    """`clients` threads, each with its own keep-alive connection, searching for `seconds`: requests/s."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start_line = threading.Barrier(clients + 1)

    def run(number: int) -> None:
        with httpx.Client(timeout=60.0) as client:
            client.get(f"{url}/healthz")
            start_line.wait()
            position = number * 13
            while time.perf_counter() < deadline:
                query = queries[position % len(queries)]
                position += 1
                started = time.perf_counter()
                response = client.get(f"{url}/search", params={"q": query, "limit": LIMIT})
                latencies[number].append(time.perf_counter() - started)
                errors[number] += response.status_code != 200

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + 3600  # set properly once every client is connected
    start_line.wait()
    started = time.perf_counter()
    deadline = started + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    done = [x for per_client in latencies for x in per_client]
    return {
        "requests_per_s": len(done) / elapsed,
        "requests": len(done),
        "errors": sum(errors),
        **latency_summary(done),
    }


def warm_up(url: str, queries: list[str], clients: int) -> None:
    """Every worker answers a few searches first (bm25s JIT, caches)."""
    throughput(url, queries, clients, 3.0)


# -- the run -------------------------------------------------------------------------------------


def bench_index(
    label: str, settings: Settings, embedder: Embedder, queries: list[str], args, report: Report
) -> dict:
    engine, load_s = open_engine(settings, embedder)
    chunks = engine.snapshot.chunk_count
    report.say(f"\n[bold]{label}[/]: {chunks:,} chunks; snapshot loaded in-process in {load_s:.1f} s")
    logs = args.work_dir / "logs"
    result: dict = {"chunks": chunks, "initiatives": len(engine.snapshot.records), "snapshot_load_s": load_s}
    with ApiServer(
        settings.data_dir, workers=1, embed_threads=2, log_file=logs / f"{label}-1x2.log"
    ) as server:
        report.say(f"server (1 worker x 2 threads) ready in {server.seconds_to_ready:.1f} s")
        result["server_ready_s"] = server.seconds_to_ready
        times = measure_latency(engine, server, queries, args.rounds, args.seed)
        result["latency"] = {name: latency_summary(values) for name, values in times.items()}
        result["http_over_floor_p50"] = (
            result["latency"]["http"]["p50_ms"] / result["latency"]["floor"]["p50_ms"]
        )
        result["engine_over_floor_p50"] = (
            result["latency"]["engine"]["p50_ms"] / result["latency"]["floor"]["p50_ms"]
        )
        breakdown, response_bytes = engine_breakdown(engine, queries)
        result["engine_breakdown_ms"] = breakdown
        result["response_bytes"] = response_bytes
        warm_up(server.url, queries, CLIENTS)
        result["throughput"] = {"1x2": throughput(server.url, queries, CLIENTS, args.seconds)}
    for workers, threads in SERVER_CONFIGS[1:]:
        name = f"{workers}x{threads}"
        with ApiServer(
            settings.data_dir, workers=workers, embed_threads=threads, log_file=logs / f"{label}-{name}.log"
        ) as server:
            warm_up(server.url, queries, CLIENTS)
            result["throughput"][name] = throughput(server.url, queries, CLIENTS, args.seconds)
            result["throughput"][name]["server_ready_s"] = server.seconds_to_ready
    if args.profile:
        report.say(
            f"[bold]{label}: cProfile of engine.search, by own time[/]\n" + profile_engine(engine, queries)
        )
    print_index(report, label, result)
    return result


def print_index(report: Report, label: str, r: dict) -> None:
    lat = r["latency"]
    paths = [
        ("floor: query embedding + Chroma + BM25", "floor"),
        ("  query embedding", "embed"),
        ("  Chroma query", "chroma"),
        ("  BM25 query", "bm25"),
        ("engine.search in-process", "engine"),
        ("HTTP GET /search", "http"),
        ("  of which the server's engine.search (took_ms)", "server engine"),
    ]
    report.table(
        f"{label}: latency per query, limit {LIMIT} ({lat['http']['n']} searches each)",
        ["path", "p50 ms", "p95 ms", "mean ms"],
        [[name, lat[key]["p50_ms"], lat[key]["p95_ms"], lat[key]["mean_ms"]] for name, key in paths],
    )
    report.table(
        f"{label}: engine.search step by step (instrumented pass, mean ms per query; "
        f"response ~{r['response_bytes'] / 1024:.0f} KiB)",
        ["step", "mean ms"],
        sorted(r["engine_breakdown_ms"].items(), key=lambda kv: -kv[1]),
    )
    report.table(
        f"{label}: throughput, {CLIENTS} concurrent keep-alive clients",
        ["server", "requests/s", "p50 ms", "p95 ms", "errors"],
        [
            [f"{name.split('x')[0]} worker(s) x {name.split('x')[1]} engine threads", t["requests_per_s"],
             t["p50_ms"], t["p95_ms"], t["errors"]]
            for name, t in r["throughput"].items()
        ],
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller generated index, fewer queries, shorter"
    )
    parser.add_argument(
        "--chunks", type=int, help="chunks in the generated index (default 100,000; quick 20,000)"
    )
    parser.add_argument("--queries", type=int, help="use the first N queries (default all 120; quick 40)")
    parser.add_argument("--rounds", type=int, help="times each query is measured (default 3; quick 1)")
    parser.add_argument("--seconds", type=float, help="seconds per throughput run (default 20; quick 5)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="indexes and server logs")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of engine.search per index")
    parser.add_argument("--json", action="store_true", help="one JSON line on stdout (tables to stderr)")
    args = parser.parse_args(argv)
    args.chunks = args.chunks or (20_000 if args.quick else 100_000)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.seconds = args.seconds or (5.0 if args.quick else 20.0)
    queries = load_queries(args.queries or (40 if args.quick else None))

    report = Report("query", args.json)
    load = os.getloadavg()[0]
    report.figures.update(
        {
            "queries": len(queries),
            "rounds": args.rounds,
            "throughput_s": args.seconds,
            "load_average_at_start": load,
        }
    )
    if load > report.figures["cpus"] * 0.5:
        report.say(
            f"[yellow]load average {load:.1f} on {report.figures['cpus']} CPUs: figures will be noisy[/]"
        )
    args.work_dir.mkdir(parents=True, exist_ok=True)
    embedder = E5OnnxEmbedder.from_cache(Settings(_env_file=None).model_cache, threads=2)

    sample = sample_index(args.work_dir, embedder, report)
    large = large_index(args.work_dir, sample, args.chunks, report)
    results = {
        "sample": bench_index("sample corpus", sample, embedder, queries, args, report),
        "generated": bench_index(
            f"generated {args.chunks // 1000}k index", large, embedder, queries, args, report
        ),
    }
    report.figures["indexes"] = results
    report.figures["rss_mib"] = rss_mib()
    print_ratios(report, results)
    report.finish()
    return 0


def print_ratios(report: Report, results: dict[str, dict]) -> None:
    sample, generated = results["sample"], results["generated"]
    scale = generated["latency"]["http"]["p50_ms"] / sample["latency"]["http"]["p50_ms"]
    report.figures["ratios"] = {
        "sample_http_over_floor_p50": sample["http_over_floor_p50"],
        "generated_http_over_floor_p50": generated["http_over_floor_p50"],
        "generated_over_sample_http_p50": scale,
    }
    report.table(
        "Ratios (measured back to back in this process)",
        ["ratio", "value", "target", ""],
        [
            ["p50 HTTP / p50 floor, sample corpus", sample["http_over_floor_p50"], f"≤ {HTTP_TARGET}",
             verdict(sample["http_over_floor_p50"], HTTP_TARGET, at_most=True)],
            [f"p50 HTTP / p50 floor, generated {generated['chunks']:,}", generated["http_over_floor_p50"],
             f"≤ {HTTP_TARGET}", verdict(generated["http_over_floor_p50"], HTTP_TARGET, at_most=True)],
            ["p50 engine / p50 floor, sample corpus", sample["engine_over_floor_p50"], "", ""],
            ["p50 engine / p50 floor, generated", generated["engine_over_floor_p50"], "", ""],
            [f"p50 HTTP generated {generated['chunks']:,} / p50 HTTP sample ({sample['chunks']:,})", scale,
             f"≤ {SCALE_TARGET}", verdict(scale, SCALE_TARGET, at_most=True)],
        ],
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
