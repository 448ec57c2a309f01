"""The ingestion run: discover, decide what changed, extract and chunk, embed in batches, write, derive.

Chroma is the ledger: every chunk carries its document's content hash and chunk count, so a run compares
what is on disk with what is stored and only touches what differs. It reads the ledger of only the sources
it covers (see `_read_ledger`), so a one-file run costs that file, not the collection. Each document is
replaced as a unit (delete its old chunks, add the new ones under deterministic ids), so a run killed at any
point and started again ends with the same index as an uninterrupted one.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ingest.chunking import Chunk, Chunker, embedding_input
from ingest.discovery import Discovery, InitiativeSource, SourceDocument, discover
from ingest.errors import DocumentError
from ingest.extraction import Extractor
from ingest.records import (
    CARD_SUFFIX,
    chunk_id,
    chunk_metadata,
    content_hash,
    initiative_record,
    record_hash,
)
from ingest.summary import IngestSummary
from initiative_index.card import card_text
from initiative_index.embedders import Embedder
from initiative_index.errors import IndexNotFoundError
from initiative_index.manifest import Manifest, manifest_for, new_index_version
from initiative_index.segment_view import saved_sources
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import (
    ChunkStore,
    StoredDocument,
    StoredSteering,
    change_entry,
    open_client,
    record_to_metadata,
)
from landscape.model import ensure_landscape, stored_steering
from landscape.steering import SteeringError, parse_steering

_UNCHANGED = object()  # the stored themes.yaml stays as it is

# Bump when extraction or chunking changes in a way that should re-ingest unchanged files.
PIPELINE_VERSION = "2"  # 2: the title is not repeated where a chunk already begins with it
PREFETCH = 8  # documents extracted ahead of the embedder


@dataclass
class WorkItem:
    """One source to look at: a document file, or an initiative's metadata card."""

    source: str
    initiative: InitiativeSource
    document: SourceDocument | None  # None for a card
    display: str

    @property
    def sources(self) -> tuple[str, ...]:
        """Store sources this item writes: a document without metadata also writes its initiative card."""
        if self.document is not None and self.initiative.initiative is None:
            return (self.source, self.source + CARD_SUFFIX)
        return (self.source,)


@dataclass
class Prepared:
    """A work item made ready to embed."""

    item: WorkItem
    ids: list[str]
    texts: list[str]
    inputs: list[str]  # what the embedder reads per chunk
    metadatas: list[dict]
    extra: list[Prepared] = field(default_factory=list)  # the card of a document without metadata


class Ingestion:
    """One run over `paths` into the index named by `settings`."""

    def __init__(self, settings: Settings, embedder: Embedder, *, show_progress: bool = True) -> None:
        self.settings = settings
        self.embedder = embedder
        self.chunker = Chunker(embedder, settings.chunk_size, settings.chunk_overlap)
        self.show_progress = show_progress
        self._settings_key = content_hash(
            PIPELINE_VERSION,
            embedder.name,
            embedder.document_prompt,
            str(settings.chunk_size),
            str(settings.chunk_overlap),
        )

    # -- the run ---------------------------------------------------------------------------------

    def run(self, paths: list[Path], *, prune: bool = True, rebuild: bool = False) -> IngestSummary:
        started = time.perf_counter()
        summary = IngestSummary()
        client = open_client(self.settings)
        if rebuild:
            ChunkStore.drop(self.settings, client)
        store, manifest = self._open_or_create(client)

        found = discover(paths)
        summary.files_seen = found.files_seen
        for problem in found.problems:
            summary.fail(problem.path, problem.reason)
        items = self._work_items(found.initiatives)
        stored = self._read_ledger(store, manifest, items, found.roots, summary, rebuild)
        current_sources = {source for item in items for source in item.sources}
        to_write, to_relabel = self._plan(items, stored, summary)
        stale = [s for s in stored if s not in current_sources and _under(s, found.roots)] if prune else []
        steering = self._steering_change(store, found, summary, prune)

        versions = _Versioning(store, manifest)
        try:
            if steering is not _UNCHANGED:
                versions.before_write()
                store.write_steering(steering)
            for item, record in to_relabel:
                versions.before_write()
                self._relabel(store, stored[item.source], record)
                summary.metadata_updated += 1
            self._write(store, to_write, stored, summary, versions)
            for source in stale:
                versions.before_write()
                store.delete_source(source)
                summary.removed += 1
        except KeyboardInterrupt:
            # What was written stays; the index stays marked dirty, so the next run completes and publishes.
            summary.interrupted = True
            summary.seconds = time.perf_counter() - started
            return summary

        # The new version's segments are built (a delta over the saved base) and saved before it is
        # published: the API workers then open them instead of each reading the change from Chroma, whose
        # first read with vectors loads a whole copy of the vector index into the reading process.
        built: list[IndexSnapshot] = []
        versions.publish(
            prepare=lambda entry: built.append(IndexSnapshot.load(store, self.settings, manifest, entry))
        )
        snapshot = built[0] if built else IndexSnapshot.load(store, self.settings, manifest)
        summary.chunks_total = snapshot.chunk_count
        summary.initiatives = len(snapshot.records)
        summary.index_version = manifest.index_version
        current = store.read_steering()
        summary.themes_file = current.source if current else ""
        if self.settings.overview_on_ingest:
            overview_started = time.perf_counter()
            landscape = ensure_landscape(
                store,
                snapshot,
                stored_steering(store),
                self.settings.landscape_path,
            )
            summary.themes = [theme.label for theme in landscape.themes]
            summary.overview_seconds = time.perf_counter() - overview_started
        summary.seconds = time.perf_counter() - started
        return summary

    def _steering_change(
        self, store: ChunkStore, found: Discovery, summary: IngestSummary, prune: bool
    ) -> StoredSteering | object | None:
        """The themes.yaml to store (None: remove it), or _UNCHANGED; an invalid file is reported and the
        stored one kept."""
        stored = store.read_steering()
        if found.themes_files:
            path = found.themes_files[0]
            for extra in found.themes_files[1:]:
                summary.fail(str(extra), f"only one themes.yaml is used per run; using {path}")
            try:
                text = path.read_text(encoding="utf-8")
                parse_steering(text, str(path))
            except (OSError, UnicodeDecodeError) as exc:
                summary.fail(str(path), f"cannot read file: {exc}")
                return _UNCHANGED
            except SteeringError as exc:
                kept = " (the themes stored with the index stay in use)" if stored else ""
                summary.fail(str(path), f"invalid themes file: {exc}{kept}")
                return _UNCHANGED
            fresh = StoredSteering(str(path), text)
            return _UNCHANGED if stored == fresh else fresh
        if stored and prune and _under(stored.source, found.roots):
            return None  # the file was removed from a folder this run covers
        return _UNCHANGED

    def _open_or_create(self, client) -> tuple[ChunkStore, Manifest]:
        try:
            store = ChunkStore.open(self.settings, client)
        except IndexNotFoundError:
            embedder = self.embedder
            manifest = manifest_for(
                self.settings, embedder.name, embedder.dimension, embedder.document_prompt, embedder.engine
            )
            return ChunkStore.create(self.settings, manifest, client), manifest
        manifest = store.read_manifest()
        embedder = self.embedder
        manifest.check_model(embedder.name, embedder.dimension, embedder.document_prompt, embedder.engine)
        if (manifest.chunk_size, manifest.chunk_overlap, manifest.language) != (
            self.settings.chunk_size,
            self.settings.chunk_overlap,
            self.settings.language,
        ):
            # Changed chunking re-chunks every document (it is part of each content hash); record it.
            manifest.chunk_size = self.settings.chunk_size
            manifest.chunk_overlap = self.settings.chunk_overlap
            manifest.language = self.settings.language
            manifest.dirty = True
        return store, manifest

    # -- planning --------------------------------------------------------------------------------

    def _read_ledger(
        self,
        store: ChunkStore,
        manifest: Manifest,
        items: list[WorkItem],
        roots: list[Path],
        summary: IngestSummary,
        rebuild: bool,
    ) -> dict[str, StoredDocument]:
        """What the store holds for every source this run covers: its items' sources and the stored sources
        under its roots (which pruning may remove).

        The names of the stored sources come from the saved segments of the published version, so only the
        chunks of the covered sources are read: a one-file run reads that file's chunks, not the collection.
        A dirty manifest (a run died, or the chunking changed) means the store may hold what no saved
        version names, and a version not saved yet names nothing: then every chunk's metadata is read.
        """
        stored_names = None
        if not rebuild and not manifest.dirty:
            stored_names = saved_sources(
                self.settings.lexical_path / self.settings.collection,
                manifest.index_version,
                self.settings.language,
            )
        if stored_names is None:
            ledger = store.stored_documents()
        else:
            covered = {source for item in items for source in item.sources if source in stored_names}
            covered.update(_sources_under(stored_names, roots))
            ledger = store.stored_documents(covered)
        summary.ledger_full_scan = stored_names is None
        summary.ledger_chunks_read = store.ledger_rows_read
        return ledger

    def _work_items(self, initiatives: list[InitiativeSource]) -> list[WorkItem]:
        items: list[WorkItem] = []
        for initiative in initiatives:
            if initiative.metadata_path is not None:
                items.append(
                    WorkItem(str(initiative.metadata_path), initiative, None, str(initiative.metadata_path))
                )
            for document in initiative.documents:
                items.append(WorkItem(document.source, initiative, document, str(document.path)))
        return items

    def _hashes(self, item: WorkItem, data: bytes | None) -> tuple[str, str, dict | None]:
        """(content hash, record hash, record) of an item; for a document without metadata the record
        depends on its extracted title, so both hashes follow the file's bytes."""
        if item.initiative.initiative is None:
            digest = content_hash(self._settings_key, "auto", data or b"")
            return digest, digest, None
        record = initiative_record(item.initiative)
        rec_hash = record_hash(record)
        if item.document is None:
            return content_hash(self._settings_key, "card", card_text(record)), rec_hash, record
        # The title the metadata gives a document is stored on its chunks, and relabelling cannot tell it
        # from one extracted from the file: a new title re-chunks the document instead.
        ref_title = item.document.ref.title if item.document.ref else None
        doc_hash = content_hash(self._settings_key, record["title"], ref_title or "", data or b"")
        return doc_hash, rec_hash, record

    def _plan(
        self, items: list[WorkItem], stored: dict[str, StoredDocument], summary: IngestSummary
    ) -> tuple[list[WorkItem], list[tuple[WorkItem, dict]]]:
        """Split items into those to (re)write and those whose initiative metadata alone changed."""
        to_write: list[WorkItem] = []
        to_relabel: list[tuple[WorkItem, dict]] = []
        for item in items:
            data = None
            if item.document is not None:
                try:
                    data = item.document.path.read_bytes()
                except OSError as exc:
                    summary.fail(item.display, f"cannot read file: {exc.strerror or exc}")
                    continue
            doc_hash, rec_hash, record = self._hashes(item, data)
            previous = stored.get(item.source)
            written = [stored.get(source) for source in item.sources]
            if any(p is None or not p.complete or p.doc_hash != doc_hash for p in written):
                to_write.append(item)
            elif previous.record_hash != rec_hash and record is not None:
                to_relabel.append((item, record))
            else:
                summary.unchanged += 1
        return to_write, to_relabel

    # -- writing ---------------------------------------------------------------------------------

    def _relabel(self, store: ChunkStore, previous: StoredDocument, record: dict) -> None:
        rows = store.collection.get(ids=list(previous.chunk_ids), include=["metadatas"])
        rec_hash = record_hash(record)
        metadatas = []
        for meta in rows["metadatas"]:
            fresh = chunk_metadata(
                record,
                source=meta["source"],
                kind=meta["kind"],
                doc_name=meta["doc_name"],
                doc_title=meta["doc_title"],
                doc_hash=meta["doc_hash"],
                rec_hash=rec_hash,
                doc_chunks=meta["doc_chunks"],
                position=meta["position"],
                page_start=meta["page_start"],
                page_end=meta["page_end"],
                page_breaks=meta.get("page_breaks", ()),
            )
            if meta["kind"] == "card":
                fresh["record"] = record_to_metadata(record)
                fresh["base_dir"] = meta["base_dir"]
            metadatas.append(fresh)
        store.replace_metadata(rows["ids"], metadatas)

    def _write(
        self,
        store: ChunkStore,
        to_write: list[WorkItem],
        stored: dict[str, StoredDocument],
        summary: IngestSummary,
        versions: _Versioning,
    ) -> None:
        if not to_write:
            return
        bar = tqdm(total=len(to_write), unit="doc", desc="Ingesting", disable=not self.show_progress)
        pending: list[Prepared] = []
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract") as pool,
            Extractor(self.settings.extract_timeout) as extractor,
        ):
            prepare = functools.partial(self._prepare, extractor=extractor)
            for item, outcome in _prefetch(pool, prepare, to_write):
                if isinstance(outcome, DocumentError):
                    kept = " (its previous version stays in the index)" if item.source in stored else ""
                    summary.fail(item.display, outcome.reason + kept)
                    bar.update(1)
                    continue
                pending.append(outcome)
                if sum(len(p.inputs) for p in pending) >= self.settings.batch_size:
                    self._embed_and_store(store, pending, summary, bar, versions)
                    pending = []
            self._embed_and_store(store, pending, summary, bar, versions)
        bar.close()

    def _embed_and_store(
        self,
        store: ChunkStore,
        pending: list[Prepared],
        summary: IngestSummary,
        bar: tqdm,
        versions: _Versioning,
    ) -> None:
        units = [unit for prepared in pending for unit in (prepared, *prepared.extra)]
        inputs = [text for unit in units for text in unit.inputs]
        if not inputs:
            return
        size = self.settings.batch_size
        vectors = np.concatenate(
            [self.embedder.encode_documents(inputs[i : i + size]) for i in range(0, len(inputs), size)]
        )
        versions.manifest.record_engine(self.embedder.engine)  # saved with the dirty mark or at publish
        versions.before_write()
        store.replace_sources(
            [unit.item.source for unit in units],
            [chunk_id for unit in units for chunk_id in unit.ids],
            [text for unit in units for text in unit.texts],
            vectors,
            [metadata for unit in units for metadata in unit.metadatas],
        )
        summary.chunks_written += len(inputs)
        summary.ingested += len(pending)
        bar.update(len(pending))
        bar.set_postfix(chunks=summary.chunks_written)

    def _prepare(self, item: WorkItem, extractor: Extractor) -> Prepared | DocumentError:
        """Read, extract and chunk one item (runs in the prefetch thread).

        The file is read again here rather than kept from planning, so memory stays flat on large corpora;
        hashes are recomputed from these bytes, so what is stored always matches what was embedded.
        """
        try:
            data = item.document.path.read_bytes() if item.document else None
        except OSError as exc:
            return DocumentError(f"cannot read file: {exc.strerror or exc}")
        doc_hash, rec_hash, record = self._hashes(item, data)
        if item.document is None:
            return self._prepare_card(
                item, record or {}, doc_hash, rec_hash, str(item.initiative.metadata_path.parent)
            )
        try:
            password = item.document.ref.password if item.document.ref else None
            extracted = extractor.extract(item.document.path, data or b"", password)
        except DocumentError as exc:
            return exc
        if record is None:  # a document without metadata: its own initiative, titled from the document
            record = initiative_record(item.initiative, extracted.title)
        title = record["title"]
        try:
            chunks = self.chunker.split(extracted.pages, title)
        except ValueError as exc:
            return DocumentError(str(exc))
        doc_name = item.initiative.document_name(item.document)
        doc_title = (item.document.ref.title if item.document.ref else None) or extracted.title or doc_name
        prepared = self._chunks_to_prepared(
            item, record, chunks, doc_hash, rec_hash, kind="document", doc_name=doc_name, doc_title=doc_title
        )
        if item.initiative.initiative is None:
            card_item = WorkItem(item.source + CARD_SUFFIX, item.initiative, None, item.display)
            prepared.extra.append(
                self._prepare_card(card_item, record, doc_hash, rec_hash, str(item.document.path.parent))
            )
        return prepared

    def _prepare_card(
        self, item: WorkItem, record: dict, doc_hash: str, rec_hash: str, base_dir: str
    ) -> Prepared:
        chunk = Chunk(card_text(record), 0, None, None)
        prepared = self._chunks_to_prepared(
            item, record, [chunk], doc_hash, rec_hash, kind="card", doc_name="", doc_title=record["title"]
        )
        prepared.inputs = [chunk.text]  # the card already starts with the title
        prepared.metadatas[0]["record"] = record_to_metadata(record)
        prepared.metadatas[0]["base_dir"] = base_dir
        return prepared

    def _chunks_to_prepared(
        self,
        item: WorkItem,
        record: dict,
        chunks: list[Chunk],
        doc_hash: str,
        rec_hash: str,
        *,
        kind: str,
        doc_name: str,
        doc_title: str,
    ) -> Prepared:
        ids = [chunk_id(item.source, doc_hash, c.position) for c in chunks]
        metadatas = [
            chunk_metadata(
                record,
                source=item.source,
                kind=kind,
                doc_name=doc_name,
                doc_title=doc_title,
                doc_hash=doc_hash,
                rec_hash=rec_hash,
                doc_chunks=len(chunks),
                position=c.position,
                page_start=c.page_start,
                page_end=c.page_end,
                page_breaks=c.page_breaks,
            )
            for c in chunks
        ]
        texts = [c.text for c in chunks]
        inputs = [embedding_input(record["title"], t) for t in texts]
        return Prepared(item, ids, texts, inputs, metadatas)


class _Versioning:
    """Marks the index dirty before a run's first change and publishes a new version at its end.

    A run that dies in between leaves the mark, so the next run publishes a version even if it finds
    nothing left to change; API processes never load a half-written store as a finished version.
    """

    def __init__(self, store: ChunkStore, manifest: Manifest) -> None:
        self.store = store
        self.manifest = manifest
        self.previous_version = manifest.index_version
        # A run that died left changes no one recorded: readers must not update by this run's log alone.
        self.changes_known = not manifest.dirty

    def before_write(self) -> None:
        if not self.manifest.dirty:
            self.manifest.dirty = True
            self.store.write_manifest(self.manifest)

    def publish(self, prepare: Callable[[dict], object] | None = None) -> None:
        """Publish a new version if anything changed; `prepare(change_entry)` runs just before (the manifest
        already names the new version, the store still the old)."""
        if self.manifest.dirty:
            self.manifest.index_version = new_index_version()
            self.manifest.ingested_at = datetime.now(UTC)
            self.manifest.dirty = False
            changed = self.store.touched if self.changes_known else None
            if prepare is not None:
                prepare(change_entry(self.manifest.index_version, self.previous_version, changed))
            self.store.publish(self.manifest, self.previous_version, changed)


def _prefetch(
    pool: ThreadPoolExecutor,
    prepare: Callable[[WorkItem], Prepared | DocumentError],
    work: Iterable[WorkItem],
) -> Iterator[tuple[WorkItem, Prepared | DocumentError]]:
    """Run `prepare` up to PREFETCH items ahead, yielding results in order."""
    queue: list[tuple[WorkItem, Future]] = []
    for item in work:
        queue.append((item, pool.submit(prepare, item)))
        if len(queue) >= PREFETCH:
            head, future = queue.pop(0)
            yield head, future.result()
    for head, future in queue:
        yield head, future.result()


def _sources_under(sources: Iterable[str], roots: list[Path]) -> set[str]:
    """The sources under any of `roots`; a string prefix test first, as most of a large index is not."""
    prefixes = tuple(str(root) for root in roots)
    return {source for source in sources if source.startswith(prefixes) and _under(source, roots)}


def _under(source: str, roots: list[Path]) -> bool:
    path = Path(source.removesuffix(CARD_SUFFIX))
    return any(path == root or path.is_relative_to(root) for root in roots)
