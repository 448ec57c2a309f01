"""A generated index of 100,000+ chunks for the query benchmark, grown from the real sample-corpus index.

Embedding 100,000 real chunks is out of reach on two cores (about five hours with e5), so the large index is
made from the sample corpus's own chunks: every chunk of the sample index is kept, and whole initiatives are
copied (round robin over a shuffled list) under new ids until the index holds the wanted number of chunks.
Each copied chunk is the real chunk's text with a few word-level changes (adjacent words swapped, a word
dropped or repeated, from a fixed-seed RNG), so BM25 postings grow as they would with more documents, and
its vector is the real e5 vector plus small Gaussian noise, re-normalised. Each copy keeps a metadata card
whose record is the real one under the new id, so grouping, facets and filters work at scale. The manifest
is the sample index's (same model, chunking and language) with a new version.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections import defaultdict
from dataclasses import asdict, dataclass

import numpy as np

from initiative_index.manifest import new_index_version
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import (
    WRITE_BATCH,
    ChunkStore,
    open_client,
    record_from_metadata,
    record_to_metadata,
)

MARKER = "bench-generated-index.json"
NOISE_SIGMA = 0.01  # per dimension; for 384 dimensions the copy keeps a cosine of about 0.98 to its source
EDITS_PER_CHUNK = (2, 6)


@dataclass
class GeneratedIndex:
    """What was generated (stored next to the index, so a later run can reuse it)."""

    source_version: str
    target_chunks: int
    seed: int
    chunks: int
    real_chunks: int
    initiatives: int
    real_initiatives: int
    write_s: float
    lexical_build_s: float
    reused: bool = False


def generated_index(
    source: Settings, target: Settings, target_chunks: int, seed: int = 7, log=print
) -> GeneratedIndex:
    """The generated index in `target.data_dir`, reused when it was made from the same source version."""
    source_store = ChunkStore.open(source)
    source_version = source_store.read_manifest().index_version
    marker = target.data_dir / MARKER
    if marker.is_file():
        info = GeneratedIndex(**json.loads(marker.read_text(encoding="utf-8")))
        if (info.source_version, info.target_chunks, info.seed) == (source_version, target_chunks, seed):
            try:
                if ChunkStore.open(target).count() == info.chunks:
                    info.reused = True
                    return info
            except Exception:  # a half-written or damaged copy: make it again
                pass
    if target.data_dir.exists():
        shutil.rmtree(target.data_dir)
    return _generate(source_store, source_version, target, target_chunks, seed, log)


def _generate(
    source_store: ChunkStore, source_version: str, target: Settings, target_chunks: int, seed: int, log
) -> GeneratedIndex:
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    rows = _read_all(source_store)
    by_initiative: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_initiative[row["metadata"]["initiative_id"]].append(row)
    order = sorted(by_initiative)
    rng.shuffle(order)
    log(f"generating {target_chunks:,} chunks from {len(rows):,} real chunks of {len(order)} initiatives")

    manifest = source_store.read_manifest()
    manifest.index_version = new_index_version()
    manifest.dirty = False
    store = ChunkStore.create(target, manifest, open_client(target))
    started = time.perf_counter()
    pending: list[dict] = []
    written = copies = 0

    def flush() -> None:
        nonlocal pending, written
        store.collection.add(
            ids=[r["id"] for r in pending],
            documents=[r["document"] for r in pending],
            embeddings=np.asarray([r["embedding"] for r in pending], dtype=np.float32),
            metadatas=[r["metadata"] for r in pending],
        )
        written += len(pending)
        pending = []

    for row in rows:  # the real chunks, unchanged
        pending.append(row)
        if len(pending) >= WRITE_BATCH:
            flush()
    total = len(rows)
    while total < target_chunks:
        source_id = order[copies % len(order)]
        copies += 1
        new_id = f"{source_id}-kopi-{copies:05d}"
        for row in by_initiative[source_id]:
            pending.append(_copy_chunk(row, new_id, copies, rng, noise))
            total += 1
        if len(pending) >= WRITE_BATCH:
            flush()
            log(f"  {written:,} chunks written ({written / (time.perf_counter() - started):,.0f}/s)")
    if pending:
        flush()
    write_s = time.perf_counter() - started

    started = time.perf_counter()
    IndexSnapshot.load(
        store, target, manifest
    )  # builds and saves the lexical index, as a first API start would
    lexical_build_s = time.perf_counter() - started
    info = GeneratedIndex(
        source_version=source_version,
        target_chunks=target_chunks,
        seed=seed,
        chunks=written,
        real_chunks=len(rows),
        initiatives=len(order) + copies,
        real_initiatives=len(order),
        write_s=write_s,
        lexical_build_s=lexical_build_s,
    )
    (target.data_dir / MARKER).write_text(json.dumps(asdict(info)), encoding="utf-8")
    return info


def _read_all(store: ChunkStore) -> list[dict]:
    rows = []
    offset = 0
    while True:
        page = store.collection.get(
            include=["documents", "metadatas", "embeddings"], limit=WRITE_BATCH, offset=offset
        )
        if not page["ids"]:
            break
        for chunk_id, document, metadata, embedding in zip(
            page["ids"], page["documents"], page["metadatas"], page["embeddings"], strict=True
        ):
            rows.append(
                {
                    "id": chunk_id,
                    "document": document,
                    "metadata": metadata,
                    "embedding": np.asarray(embedding, dtype=np.float32),
                }
            )
        offset += len(page["ids"])
    rows.sort(key=lambda r: r["id"])  # the same order whatever order Chroma returns them in
    return rows


def _copy_chunk(row: dict, new_id: str, copy: int, rng: random.Random, noise: np.random.Generator) -> dict:
    meta = dict(row["metadata"])
    old_id = meta["initiative_id"]
    meta["initiative_id"] = new_id
    meta["source"] = meta["source"].replace(old_id, new_id) if old_id in meta["source"] else f"{new_id}/x"
    record = record_from_metadata(meta)
    if record:
        record["id"] = new_id
        meta["record"] = record_to_metadata(record)
        text = row["document"]  # a card is the record's own text: keep it as it is
    else:
        text = _perturb(row["document"] or "", rng)
    vector = row["embedding"] + noise.normal(0.0, NOISE_SIGMA, row["embedding"].shape).astype(np.float32)
    vector /= np.linalg.norm(vector)
    return {"id": f"k{copy:05d}-{row['id']}", "document": text, "metadata": meta, "embedding": vector}


def _perturb(text: str, rng: random.Random) -> str:
    """A few word-level edits: swap two neighbours, drop a word, or say a word twice."""
    words = text.split(" ")
    for _ in range(rng.randint(*EDITS_PER_CHUNK)):
        if len(words) < 3:
            break
        i = rng.randrange(len(words) - 1)
        edit = rng.random()
        if edit < 0.4:
            words[i], words[i + 1] = words[i + 1], words[i]
        elif edit < 0.7:
            del words[i]
        else:
            words.insert(i, words[i])
    return " ".join(words)
