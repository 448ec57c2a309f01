"""The Chroma side of the index: one collection of chunks (text, vector, metadata) plus the manifest.

Embedded `PersistentClient` in the data directory by default, `HttpClient` against a `chroma run` server when
a URL is set. Vectors always come from our embedder: Chroma's own embedding function would download a model,
so the collection is opened without one and every write and query passes vectors explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from initiative_index.errors import ConfigurationError, IndexNotFoundError, StoreUnavailableError
from initiative_index.manifest import MANIFEST_KEY, Manifest
from initiative_index.settings import Settings

STEERING_KEY = "overblik_themes"
CHANGES_KEY = "overblik_changes"
# The change log names the sources each published version changed, so a reader can update its lexical
# index by the change (segment_view.py). It keeps the last CHANGES_KEPT versions; a run that changed more
# than CHANGES_MAX_SOURCES sources logs "unknown", and readers rebuild in full (as most of it changed).
CHANGES_KEPT = 32
CHANGES_MAX_SOURCES = 2_000
SOURCES_PER_GET = 500  # sources per `$in` when reading the chunks of changed sources
READ_PAGE = 5_000  # rows per `get` page when reading the whole collection
WRITE_BATCH = 5_000  # rows per `upsert`; Chroma caps batch size, and this is well below it


def open_client(settings: Settings) -> ClientAPI:
    """Connect to the Chroma server named in the settings, or open the embedded store."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    if settings.chroma_token is not None:
        # chromadb's token client sends `Authorization: Bearer <token>`; a server started with token
        # authentication (see README "Security and privacy") refuses requests without it.
        chroma_settings = ChromaSettings(
            anonymized_telemetry=False,
            chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
            chroma_client_auth_credentials=settings.chroma_token.get_secret_value(),
        )
    url = urlparse(settings.chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigurationError(
            f"OVERBLIK_CHROMA_URL must look like http://host:port, got {settings.chroma_url!r}"
        )
    try:
        client = chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as exc:  # chromadb raises several transport errors; all mean "not reachable"
        raise StoreUnavailableError(
            f"Chroma server at {settings.chroma_url} is not reachable: {exc}"
        ) from exc
    return client


def reset_embedded_clients() -> None:
    """Forget cached embedded clients, so the next open sees what another process wrote since."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


@dataclass(frozen=True)
class StoredSteering:
    """The text of the themes.yaml an ingestion found, and where it was."""

    source: str
    text: str


def change_entry(version: str, previous_version: str, changed: set[str] | None) -> dict[str, Any]:
    """The change-log entry of a new version (sources None: unknown, or too many to list)."""
    if changed is not None and len(changed) > CHANGES_MAX_SOURCES:
        changed = None
    return {
        "version": version,
        "after": previous_version,
        "sources": sorted(changed) if changed is not None else None,
    }


@dataclass(frozen=True)
class StoredDocument:
    """What the store holds for one source document (or one initiative's metadata card)."""

    source: str
    doc_hash: str
    record_hash: str
    chunk_ids: tuple[str, ...]
    expected_chunks: int

    @property
    def complete(self) -> bool:
        return len(self.chunk_ids) == self.expected_chunks


class ChunkStore:
    """The chunk collection and its manifest."""

    def __init__(self, client: ClientAPI, collection: Collection) -> None:
        self.client = client
        self.collection = collection
        self.touched: set[str] = set()  # sources this process changed since it last published
        self.ledger_rows_read = 0  # chunk metadatas `stored_documents` has read

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings, client: ClientAPI | None = None) -> ChunkStore:
        """Open an existing index; raises IndexNotFoundError when nothing has been ingested yet."""
        client = client or open_client(settings)
        try:
            collection = client.get_collection(settings.collection, embedding_function=None)
        except (
            Exception
        ) as exc:  # NotFoundError in embedded mode, a transport error wrapping it in server mode
            if "does not exist" in str(exc) or "not found" in str(exc).lower():
                raise IndexNotFoundError(
                    f"No index named {settings.collection!r} yet: run `overblik ingest PATH...` first."
                ) from exc
            raise StoreUnavailableError(
                f"Cannot open the Chroma collection {settings.collection!r}: {exc}"
            ) from exc
        return cls(client, collection)

    @classmethod
    def create(cls, settings: Settings, manifest: Manifest, client: ClientAPI | None = None) -> ChunkStore:
        """Create an empty index with cosine distance and the given manifest."""
        client = client or open_client(settings)
        collection = client.create_collection(
            settings.collection,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={MANIFEST_KEY: manifest.model_dump_json()},
            embedding_function=None,
        )
        return cls(client, collection)

    @staticmethod
    def drop(settings: Settings, client: ClientAPI | None = None) -> None:
        """Delete the whole index (for `--rebuild`); a missing index is not an error."""
        client = client or open_client(settings)
        if settings.collection in {c.name for c in client.list_collections()}:
            client.delete_collection(settings.collection)

    # -- manifest --------------------------------------------------------------------------------

    def read_manifest(self) -> Manifest:
        """The manifest as stored now (re-read from the store, not cached)."""
        collection = self.client.get_collection(self.collection.name, embedding_function=None)
        raw = (collection.metadata or {}).get(MANIFEST_KEY)
        if raw is None:
            raise IndexNotFoundError(
                f"The collection {self.collection.name!r} was not made by Overblik (no manifest): "
                "choose another OVERBLIK_COLLECTION or rebuild it with `overblik ingest --rebuild`."
            )
        return Manifest.model_validate_json(raw)

    def write_manifest(self, manifest: Manifest) -> None:
        self._update_metadata({MANIFEST_KEY: manifest.model_dump_json()})

    def publish(self, manifest: Manifest, previous_version: str, changed: set[str] | None) -> None:
        """Write the manifest of a new version with its change-log entry (in one metadata write).

        `changed` holds the sources whose chunks changed since `previous_version`; None when unknown (a run
        that died left changes no one recorded)."""
        entry = change_entry(manifest.index_version, previous_version, changed)
        log = [*self.read_changes(), entry][-CHANGES_KEPT:]
        self._update_metadata(
            {MANIFEST_KEY: manifest.model_dump_json(), CHANGES_KEY: json.dumps(log, ensure_ascii=False)}
        )
        self.touched = set()

    def read_changes(self) -> list[dict[str, Any]]:
        """The change log: [{"version", "after", "sources" (None: unknown)}], oldest first."""
        collection = self.client.get_collection(self.collection.name, embedding_function=None)
        raw = (collection.metadata or {}).get(CHANGES_KEY)
        return json.loads(raw) if raw else []

    # -- theme steering (themes.yaml), kept with the index so every API process uses the same --------

    def read_steering(self) -> StoredSteering | None:
        """The themes.yaml ingested with this index, if any."""
        collection = self.client.get_collection(self.collection.name, embedding_function=None)
        raw = (collection.metadata or {}).get(STEERING_KEY)
        return StoredSteering(**json.loads(raw)) if raw else None

    def write_steering(self, steering: StoredSteering | None) -> None:
        self._update_metadata(
            {STEERING_KEY: json.dumps(steering.__dict__, ensure_ascii=False) if steering else ""}
        )

    def _update_metadata(self, updates: dict[str, str]) -> None:
        """Chroma replaces a collection's metadata as a whole: keep the keys not being changed."""
        collection = self.client.get_collection(self.collection.name, embedding_function=None)
        metadata = {**(collection.metadata or {}), **updates}
        self.collection.modify(
            metadata={k: v for k, v in metadata.items() if v != "" and not k.startswith("hnsw:")}
        )

    # -- reading ---------------------------------------------------------------------------------

    def count(self) -> int:
        return self.collection.count()

    def iter_rows(self, include: Sequence[str] = ("documents", "metadatas")) -> Iterator[dict[str, Any]]:
        """Every chunk as {'id', 'document', 'metadata'} (and 'embedding' if asked for), read in pages."""
        offset = 0
        while True:
            page = self.collection.get(include=list(include), limit=READ_PAGE, offset=offset)
            ids = page["ids"]
            if not ids:
                return
            documents = page.get("documents") or [None] * len(ids)
            metadatas = page.get("metadatas") or [None] * len(ids)
            embeddings = page.get("embeddings")
            if embeddings is None:
                embeddings = [None] * len(ids)
            for chunk_id, document, metadata, embedding in zip(
                ids, documents, metadatas, embeddings, strict=True
            ):
                row = {"id": chunk_id, "document": document, "metadata": metadata or {}}
                if embedding is not None:
                    row["embedding"] = embedding
                yield row
            offset += len(ids)

    def rows_of_sources(
        self, sources: Sequence[str], include: Sequence[str] = ("documents", "metadatas", "embeddings")
    ) -> Iterator[dict[str, Any]]:
        """Every chunk of the given sources, as `iter_rows` gives them."""
        names = sorted(sources)
        for start in range(0, len(names), SOURCES_PER_GET):
            batch = names[start : start + SOURCES_PER_GET]
            page = self.collection.get(where={"source": {"$in": batch}}, include=list(include))
            ids = page["ids"]
            documents = page.get("documents") or [None] * len(ids)
            metadatas = page.get("metadatas") or [None] * len(ids)
            embeddings = page.get("embeddings")
            if embeddings is None:
                embeddings = [None] * len(ids)
            for chunk_id, document, metadata, embedding in zip(
                ids, documents, metadatas, embeddings, strict=True
            ):
                row = {"id": chunk_id, "document": document, "metadata": metadata or {}}
                if embedding is not None:
                    row["embedding"] = embedding
                yield row

    def stored_documents(self, sources: Iterable[str] | None = None) -> dict[str, StoredDocument]:
        """What is stored per source, from chunk metadata alone (the store is the ledger).

        `sources` limits the reading to the chunks of those sources (read by source, so the cost follows
        them, not the collection); None reads every chunk's metadata. `ledger_rows_read` counts the chunk
        metadatas read, so a caller can tell the two apart.
        """
        rows = (
            self.iter_rows(include=("metadatas",))
            if sources is None
            else self.rows_of_sources(list(sources), include=("metadatas",))
        )
        grouped: dict[str, dict[str, Any]] = {}
        for row in rows:
            self.ledger_rows_read += 1
            meta = row["metadata"]
            entry = grouped.setdefault(
                meta["source"],
                {"doc_hash": meta["doc_hash"], "record_hash": meta["record_hash"], "ids": [], "n": 0},
            )
            if meta["doc_hash"] != entry["doc_hash"]:
                entry["n"] = -1  # chunks of two versions: a run died mid-replacement, treat as incomplete
            elif entry["n"] >= 0:
                entry["n"] = meta["doc_chunks"]
            entry["ids"].append(row["id"])
        return {
            source: StoredDocument(source, e["doc_hash"], e["record_hash"], tuple(e["ids"]), e["n"])
            for source, e in grouped.items()
        }

    def get_embeddings(self, ids: Sequence[str]) -> np.ndarray:
        """Stored vectors of the given chunks, in the given order."""
        result = self.collection.get(ids=list(ids), include=["embeddings"])
        by_id = dict(zip(result["ids"], result["embeddings"], strict=True))
        return np.asarray([by_id[i] for i in ids if i in by_id], dtype=np.float32)

    def query(self, vector: np.ndarray, k: int, where: dict | None) -> tuple[list[str], list[float]]:
        """Nearest chunks to `vector` within `where`: ids and cosine similarities, best first.

        Chroma returns what there is when fewer than `k` chunks match (none for an empty collection),
        so no count is needed first; it would cost as much as a small query.
        """
        result = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where,
            include=["distances"],
        )
        return result["ids"][0], [1.0 - d for d in result["distances"][0]]

    # -- writing ---------------------------------------------------------------------------------

    def replace_sources(
        self,
        sources: Sequence[str],
        ids: Sequence[str],
        texts: Sequence[str],
        embeddings: np.ndarray,
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        """Make the chunks of `sources` exactly these (rows of all sources together).

        Old chunks go first, then one upsert for the lot: an upsert costs far more than a delete, so
        writing a batch of documents at once is what keeps writes cheap. Safe to repeat after a crash:
        ids are deterministic, and a document missing chunks is rewritten by the next run.
        """
        self.touched.update(sources)
        self.touched.update(m.get("source", "") for m in metadatas)
        for source in sources:
            self.collection.delete(where={"source": source})
        for start in range(0, len(ids), WRITE_BATCH):
            end = start + WRITE_BATCH
            self.collection.upsert(
                ids=list(ids[start:end]),
                documents=list(texts[start:end]),
                embeddings=embeddings[start:end],
                metadatas=list(metadatas[start:end]),
            )

    def replace_metadata(self, ids: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None:
        """Give existing chunks new metadata, keeping text and vectors.

        Chroma's `update` merges metadata keys, so a field that became empty would keep its old value;
        the chunks are re-added whole instead. A crash in between leaves the document incomplete, and the
        next run re-ingests it.
        """
        new_meta = dict(zip(ids, metadatas, strict=True))
        self.touched.update(m.get("source", "") for m in metadatas)
        for start in range(0, len(ids), WRITE_BATCH):
            batch = list(ids[start : start + WRITE_BATCH])
            old = self.collection.get(ids=batch, include=["documents", "embeddings"])
            self.collection.delete(ids=old["ids"])
            self.collection.add(
                ids=old["ids"],
                documents=old["documents"],
                embeddings=old["embeddings"],
                metadatas=[new_meta[i] for i in old["ids"]],
            )

    def delete_source(self, source: str) -> None:
        self.touched.add(source)
        self.collection.delete(where={"source": source})


def record_to_metadata(record: dict[str, Any]) -> str:
    """An initiative record as its card stores it (sorted keys, so equal records give equal strings)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def record_from_metadata(metadata: dict[str, Any]) -> dict[str, Any] | None:
    """The initiative record stored on its metadata card, if this chunk is one."""
    raw = metadata.get("record")
    return json.loads(raw) if raw else None
